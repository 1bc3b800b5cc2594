//! The `converge` binary: `run` with and without traces (and `--words`, the status lines),
//! `replay` of reference cases, and bad input (exit status 2, a message naming the field, never
//! a panic).
//!
//! `converge bench` is not run here: it takes seconds per benchmark.

mod common;

use common::{close, number};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_converge");

fn converge(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
fn ok(out: &Output) -> String {
    assert!(out.status.success(), "status {:?}\nstderr: {}\nstdout: {}", out.status, stderr(out), stdout(out));
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    stdout(out)
}

/// Asserts exit status 2 without a panic and returns stderr.
fn fails(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}\nstdout: {}", stdout(out));
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.is_empty());
    err
}

/// A temp file that removes itself.
struct Temp(PathBuf);

impl Temp {
    fn path(name: &str) -> Temp {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Temp(std::env::temp_dir().join(format!("converge-cli-{}-{nanos}-{n}-{name}", std::process::id())))
    }

    fn with(name: &str, text: &str) -> Temp {
        let t = Temp::path(name);
        std::fs::write(&t.0, text).unwrap();
        t
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn case_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/cases").join(name)
}

const TWO_RUNS: &str = r#"{"seed": 1, "problem": {"name": "quadratic"},
    "runs": [
        {"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.05}},
        {"label": "adam, fast", "x0": [-4.0, 2.0], "optimizer": {"name": "Adam", "lr": 0.1}}
    ],
    "stop": {"max_steps": 5}}"#;

const HEADER: &str = "label,step,loss,param_0,param_1,lr,grad_norm,delta_norm";

// ---------------------------------------------------------------------------------------------
// converge run
// ---------------------------------------------------------------------------------------------

#[test]
fn run_prints_a_json_snapshot() {
    let cfg = Temp::with(
        "example.json",
        r#"{"seed": 1, "problem": {"name": "rosenbrock"}, "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}, "schedule": {"name": "constant"}}], "stop": {"max_steps": 3000}}"#,
    );
    let out = ok(&converge(&["run", cfg.arg()]));
    assert_eq!(out.lines().count(), 1, "{out}");
    let snap: Value = serde_json::from_str(&out).unwrap();
    let run = &snap["runs"][0];
    assert_eq!(run["label"], "adam");
    let state = run["status"]["state"].as_str().unwrap();
    assert!(["converged", "stopped"].contains(&state), "{state}");
    assert_eq!(run["params"].as_array().unwrap().len(), 2);
    // Adam at lr 0.01 gets close to the minimum (1, 1) in 3000 steps.
    assert!(number(&run["loss"]) < 1e-2, "{out}");
}

#[test]
fn run_reports_converged_diverged_and_stopped() {
    let cfg = Temp::with(
        "states.json",
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 100},
            "runs": [
                {"label": "ok", "x0": [-4.0, 1.0], "optimizer": {"name": "SGD", "lr": 0.01}},
                {"label": "boom", "x0": [-4.0, 1.0], "optimizer": {"name": "SGD", "lr": 1.0}},
                {"label": "slow", "x0": [-4.0, 1.0], "optimizer": {"name": "SGD", "lr": 1e-6}}
            ],
            "stop": {"max_steps": 4000}}"#,
    );
    let snap: Value = serde_json::from_str(&ok(&converge(&["run", cfg.arg()]))).unwrap();
    let states: Vec<&str> = (0..3).map(|i| snap["runs"][i]["status"]["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["converged", "diverged", "stopped"]);
    assert_eq!(snap["runs"][1]["status"]["criterion"], "loss_exploded");
    assert_eq!(snap["runs"][1]["status"]["at_step"], 2);
    assert_eq!(snap["runs"][2]["status"]["criterion"], "max_steps");
    assert_eq!(snap["runs"][2]["status"]["at_step"], 4000);
}

#[test]
fn run_is_deterministic() {
    let cfg = Temp::with("det.json", TWO_RUNS);
    let a = ok(&converge(&["run", cfg.arg()]));
    let b = ok(&converge(&["run", cfg.arg()]));
    assert_eq!(a, b);
}

#[test]
fn trace_csv_has_one_row_per_visited_point() {
    let cfg = Temp::with("csv.json", TWO_RUNS);
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "csv"]));
    let mut lines = out.lines();
    // The snapshot first, then the CSV.
    let snap: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(snap["runs"][0]["status"]["state"], "stopped");
    assert_eq!(lines.next(), Some(HEADER));
    let rows: Vec<&str> = lines.collect();
    // Two runs, max_steps 5: points 0..=5 each.
    assert_eq!(rows.len(), 12, "{out}");
    for (i, row) in rows.iter().enumerate() {
        let (label, rest) = if i < 6 {
            ("sgd", row.strip_prefix("sgd,").unwrap())
        } else {
            // A label with a comma is quoted.
            ("adam", row.strip_prefix("\"adam, fast\",").unwrap())
        };
        let fields: Vec<&str> = rest.split(',').collect();
        assert_eq!(fields.len(), 7, "{label}: {row}");
        assert_eq!(fields[0], (i % 6).to_string());
        let last = i % 6 == 5;
        // The last point of a stopped run takes no update: empty lr and delta_norm.
        assert_eq!(fields[4].is_empty(), last, "{row}");
        assert_eq!(fields[6].is_empty(), last, "{row}");
        for f in [fields[1], fields[2], fields[3], fields[5]] {
            f.parse::<f64>().unwrap_or_else(|_| panic!("{f:?} in {row}"));
        }
    }
    // First row of SGD: the start point, f = 0.5*(16 + 10*4) = 28, lr 0.05.
    assert_eq!(rows[0], format!("sgd,0,28.0,-4.0,2.0,0.05,{},{}", 20.396078054371138, 1.019803902718557));
    // The last row is the final point of the snapshot.
    let last: Vec<&str> = rows[5].split(',').collect();
    assert_eq!(last[2].parse::<f64>().unwrap(), number(&snap["runs"][0]["loss"]));
    assert_eq!(last[3].parse::<f64>().unwrap(), number(&snap["runs"][0]["params"][0]));
    assert_eq!(last[4].parse::<f64>().unwrap(), number(&snap["runs"][0]["params"][1]));
}

#[test]
fn trace_json_is_the_snapshot_with_traces() {
    let cfg = Temp::with("json.json", TWO_RUNS);
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "json"]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["runs"].as_array().unwrap().len(), 2);
    let traces = doc["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 2);
    for (i, trace) in traces.iter().enumerate() {
        assert_eq!(trace["label"], doc["runs"][i]["label"]);
        let rows = trace["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 6);
        for (t, row) in rows.iter().enumerate() {
            assert_eq!(row["step"], t as u64);
            assert_eq!(row["params"].as_array().unwrap().len(), 2);
            number(&row["loss"]);
            number(&row["grad_norm"]);
            if t < 5 {
                assert!(number(&row["lr"]) > 0.0);
                number(&row["delta_norm"]);
            } else {
                assert!(row["lr"].is_null(), "{row}");
                assert!(row["delta_norm"].is_null(), "{row}");
            }
        }
        assert_eq!(rows[0]["params"], serde_json::json!([-4.0, 2.0]));
        assert_eq!(rows[0]["loss"], 28.0);
        assert_eq!(rows[5]["params"], doc["runs"][i]["params"]);
    }
    // The same numbers as the CSV.
    let csv = ok(&converge(&["run", cfg.arg(), "--trace", "csv"]));
    let csv_rows: Vec<&str> = csv.lines().skip(2).collect();
    for (t, row) in traces[0]["rows"].as_array().unwrap().iter().enumerate() {
        let fields: Vec<&str> = csv_rows[t].split(',').collect();
        assert_eq!(fields[2].parse::<f64>().unwrap(), number(&row["loss"]));
        assert_eq!(fields[6].parse::<f64>().unwrap(), number(&row["grad_norm"]));
    }
}

#[test]
fn trace_rows_match_the_run_without_trace() {
    let cfg = Temp::with("match.json", TWO_RUNS);
    let plain: Value = serde_json::from_str(&ok(&converge(&["run", cfg.arg()]))).unwrap();
    let traced: Value = serde_json::from_str(&ok(&converge(&["run", cfg.arg(), "--trace", "json"]))).unwrap();
    assert_eq!(plain["runs"], traced["runs"]);
}

#[test]
fn trace_file_receives_the_trace() {
    let cfg = Temp::with("tf.json", TWO_RUNS);
    for (format, check) in [("csv", true), ("json", false)] {
        let file = Temp::path(&format!("trace.{format}"));
        let out = ok(&converge(&["run", cfg.arg(), "--trace", format, "--trace-file", file.arg()]));
        // Standard output holds only the snapshot.
        assert_eq!(out.lines().count(), 1, "{out}");
        let snap: Value = serde_json::from_str(&out).unwrap();
        assert!(snap.get("traces").is_none());
        assert_eq!(snap["runs"][0]["status"]["state"], "stopped");
        let text = std::fs::read_to_string(&file.0).unwrap();
        if check {
            let mut lines = text.lines();
            assert_eq!(lines.next(), Some(HEADER));
            assert_eq!(lines.count(), 12);
        } else {
            let traces: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(traces.as_array().unwrap().len(), 2);
            assert_eq!(traces[0]["rows"].as_array().unwrap().len(), 6);
            assert_eq!(traces[1]["label"], "adam, fast");
        }
    }
}

#[test]
fn trace_writes_nonfinite_numbers_as_strings() {
    // loss[2] overflows to inf: the run diverges there.
    let cfg = Temp::with(
        "inf.json",
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 100},
            "runs": [{"label": "sgd", "x0": [0.0, 1e150], "optimizer": {"name": "SGD", "lr": 1.0}}]}"#,
    );
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "csv"]));
    let lines: Vec<&str> = out.lines().collect();
    let snap: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(snap["runs"][0]["status"]["state"], "diverged");
    assert_eq!(snap["runs"][0]["status"]["criterion"], "nonfinite_loss");
    assert_eq!(snap["runs"][0]["loss"], "inf");
    assert_eq!(lines.len(), 2 + 3, "{out}");
    assert!(lines[4].starts_with("sgd,2,inf,"), "{}", lines[4]);
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "json"]));
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["traces"][0]["rows"][2]["loss"], "inf");
}

// ---------------------------------------------------------------------------------------------
// converge replay
// ---------------------------------------------------------------------------------------------

fn check_replay(name: &str) -> Value {
    let path = case_path(name);
    let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let out = ok(&converge(&["replay", path.to_str().unwrap()]));
    let got: Value = serde_json::from_str(&out).unwrap();
    let n = case["steps"].as_u64().unwrap() as usize;
    let params = got["params"].as_array().unwrap();
    let loss = got["loss"].as_array().unwrap();
    let lr = got["lr"].as_array().unwrap();
    assert_eq!((params.len(), loss.len(), lr.len()), (n + 1, n + 1, n), "{name}");
    for t in 0..=n {
        let mine = params[t].as_array().unwrap();
        let reference = case["params"][t].as_array().unwrap();
        assert_eq!(mine.len(), reference.len());
        for (a, b) in mine.iter().zip(reference) {
            assert!(close(number(a), number(b), 1e-9), "{name} params[{t}]: {a} vs {b}");
        }
        assert!(close(number(&loss[t]), number(&case["loss"][t]), 1e-9), "{name} loss[{t}]");
    }
    for t in 0..n {
        assert!(close(number(&lr[t]), number(&case["lr"][t]), 1e-9), "{name} lr[{t}]");
    }
    got
}

#[test]
fn replay_prints_the_case_trajectory() {
    let got = check_replay("sgd__quad_k10__OneCycleLR.json");
    assert_eq!(got["params"][0], serde_json::json!([-4.0, 2.0]));
    check_replay("adam__rosenbrock__CyclicLR.json");
    check_replay("lbfgs_strong_wolfe__beale__constant.json");
    check_replay("lookahead_adam__rosenbrock__constant.json");
}

#[test]
fn replay_of_a_diverging_case_prints_nonfinite_strings() {
    let got = check_replay("diverge_sgd_lr1.0__quad_k100.json");
    let text = got.to_string();
    assert!(text.contains("\"nan\""), "no nan");
    assert!(text.contains("\"inf\""), "no inf");
    // The first non-finite loss is at index 77, the first non-finite parameter at 155.
    assert_eq!(got["loss"][76].as_f64().map(f64::is_finite), Some(true));
    assert_eq!(got["loss"][77], "inf");
    assert_eq!(got["params"][155][1], "-inf");
    assert_eq!(got["params"][156][1], "nan");
    // A divergence without non-finite values replays to the end too.
    check_replay("diverge_sgd_lr0.25__quad_k10.json");
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_files_exit_with_status_2() {
    let missing = Temp::path("does-not-exist.json");
    let err = fails(&converge(&["run", missing.arg()]));
    assert!(err.contains("cannot read"), "{err}");
    assert!(err.contains("does-not-exist.json"), "{err}");
    let err = fails(&converge(&["replay", missing.arg()]));
    assert!(err.contains("does-not-exist.json"), "{err}");
    // A directory is not a config either.
    fails(&converge(&["run", std::env::temp_dir().to_str().unwrap()]));
}

#[test]
fn invalid_json_exits_with_status_2() {
    for text in ["{not json", "", "[1, 2]", "null", "{\"problem\": {\"name\": \"rosenbrock\"}, \"runs\": [}"] {
        let cfg = Temp::with("bad.json", text);
        let err = fails(&converge(&["run", cfg.arg()]));
        assert!(err.contains("invalid config"), "{text:?}: {err}");
        let err = fails(&converge(&["replay", cfg.arg()]));
        assert!(err.contains("invalid case"), "{text:?}: {err}");
    }
}

#[test]
fn invalid_config_names_the_field() {
    let cfg = Temp::with(
        "betas.json",
        r#"{"problem": {"name": "rosenbrock"},
            "runs": [{"label": "adam", "optimizer": {"name": "Adam", "betas": [1.2, 0.999]}}]}"#,
    );
    let out = converge(&["run", cfg.arg()]);
    let err = fails(&out);
    assert!(err.contains("runs[0].optimizer.betas[0]"), "{err}");
    assert!(err.contains("runs[0].optimizer.betas[0]: must be in [0, 1), got 1.2"), "{err}");
    assert!(out.stdout.is_empty());

    // Every problem is listed.
    let cfg = Temp::with(
        "many.json",
        r#"{"problem": {"name": "rosenbrock"}, "stop": {"max_steps": 0},
            "runs": [{"label": "a", "optimizer": {"name": "Adam", "lr": -1, "betas": [1.2, 0.999]}},
                     {"label": "a", "x0": [1, 2, 3], "optimizer": {"name": "SGD"}}]}"#,
    );
    let err = fails(&converge(&["run", cfg.arg()]));
    for field in ["runs[0].optimizer.lr", "runs[0].optimizer.betas[0]", "runs[1].x0", "runs[1].label", "stop.max_steps"]
    {
        assert!(err.contains(field), "{field} missing in {err}");
    }

    // Structural problems name the field and the allowed values.
    let cfg = Temp::with(
        "name.json",
        r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "Adamm"}}]}"#,
    );
    let err = fails(&converge(&["run", cfg.arg()]));
    assert!(err.contains("runs[0].optimizer.name"), "{err}");
    assert!(err.contains("`AdamW`"), "{err}");
    // With --trace too, nothing is written before the config is accepted.
    let trace = Temp::path("never.csv");
    let out = converge(&["run", cfg.arg(), "--trace", "csv", "--trace-file", trace.arg()]);
    fails(&out);
    assert!(!trace.0.exists());
}

#[test]
fn invalid_case_names_the_field() {
    let path = case_path("sgd__quad_k10__OneCycleLR.json");
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    case["optimizer"] = serde_json::json!({"name": "Adam", "betas": [1.2, 0.999]});
    case["schedule"] = serde_json::json!({"name": "constant"});
    let file = Temp::with("case.json", &case.to_string());
    let err = fails(&converge(&["replay", file.arg()]));
    assert!(err.contains("optimizer.betas[0]"), "{err}");

    let mut case = case.clone();
    case.as_object_mut().unwrap().remove("steps");
    let file = Temp::with("case2.json", &case.to_string());
    let err = fails(&converge(&["replay", file.arg()]));
    assert!(err.contains("steps"), "{err}");
}

#[test]
fn bad_arguments_exit_with_status_2() {
    let cfg = Temp::with("args.json", TWO_RUNS);
    fails(&converge(&[]));
    fails(&converge(&["fly"]));
    fails(&converge(&["run"]));
    fails(&converge(&["run", cfg.arg(), "--trace", "xml"]));
    // --trace-file needs --trace.
    fails(&converge(&["run", cfg.arg(), "--trace-file", "x.csv"]));
}

#[test]
fn help_and_version() {
    let out = ok(&converge(&["--help"]));
    for word in ["run", "replay", "bench"] {
        assert!(out.contains(word), "{out}");
    }
    let out = ok(&converge(&["run", "--help"]));
    assert!(out.contains("--trace"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Input caps, nesting and streamed output
// ---------------------------------------------------------------------------------------------

#[test]
fn a_config_file_over_the_cap_is_rejected_from_its_size() {
    use convergence::config::limits::MAX_CONFIG_BYTES;
    // A 50 MB CSV inside a config: the file's size alone rejects it, before it is read.
    let text = "1,2\n".repeat(50 * 1024 * 1024 / 4);
    let config = format!(
        r#"{{"problem": {{"name": "model", "data": {{"name": "csv", "text": "{}"}}, "model": {{"name": "linear"}}}},
            "runs": [{{"label": "sgd", "optimizer": {{"name": "SGD", "lr": 0.1}}}}]}}"#,
        text.replace('\n', "\\n")
    );
    let cfg = Temp::with("huge.json", &config);
    let err = fails(&converge(&["run", cfg.arg()]));
    let expected = format!("is too large: at most {MAX_CONFIG_BYTES} bytes, got {}", config.len());
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn deeply_nested_json_config_exits_with_status_2() {
    let depth = 100_000;
    let cfg = Temp::with(
        "deep.json",
        &format!(
            r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [], "a": {}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    let err = fails(&converge(&["run", cfg.arg()]));
    assert!(err.contains("recursion limit exceeded"), "{err}");
}

#[test]
fn trace_file_has_one_row_per_step_of_a_long_run() {
    let cfg = Temp::with(
        "long.json",
        r#"{"problem": {"name": "quadratic"},
            "runs": [{"label": "slow", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 1e-7}}],
            "stop": {"max_steps": 20000, "loss_plateau": null, "param_change": null, "grad_norm": null}}"#,
    );
    let file = Temp::path("long.csv");
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "csv", "--trace-file", file.arg()]));
    let snap: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(snap["runs"][0]["status"]["at_step"], 20000);
    let text = std::fs::read_to_string(&file.0).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 20001);
    assert!(rows[12345].starts_with("slow,12345,"), "{}", rows[12345]);
}

#[test]
fn a_failed_trace_write_exits_with_status_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let cfg = Temp::with("full.json", TWO_RUNS);
    for format in ["csv", "json"] {
        let err = fails(&converge(&["run", cfg.arg(), "--trace", format, "--trace-file", "/dev/full"]));
        assert!(err.contains("cannot write /dev/full"), "{err}");
    }
}

#[test]
fn trace_csv_replaces_control_characters_in_labels() {
    let cfg = Temp::with(
        "ctrl.json",
        r#"{"problem": {"name": "quadratic"},
            "runs": [{"label": "a\u001b[31mred\u0007\r\nb, \"c\"", "x0": [1, 1], "optimizer": {"name": "SGD", "lr": 0.1}}],
            "stop": {"max_steps": 2}}"#,
    );
    let out = ok(&converge(&["run", cfg.arg(), "--trace", "csv"]));
    let lines: Vec<&str> = out.lines().collect();
    // The snapshot line, the header and three rows: no line break came from the label.
    assert_eq!(lines.len(), 5, "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(lines[2].starts_with("\"a\u{FFFD}[31mred\u{FFFD}\u{FFFD}\u{FFFD}b, \"\"c\"\"\",0,"), "{}", lines[2]);
    // JSON escapes them instead.
    let snap: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(snap["runs"][0]["label"], "a\u{1b}[31mred\u{7}\r\nb, \"c\"");
}

#[test]
fn replay_output_is_the_case_trajectory_in_one_line() {
    let out = ok(&converge(&["replay", case_path("adam__rosenbrock__CyclicLR.json").to_str().unwrap()]));
    assert_eq!(out.lines().count(), 1);
    let text = std::fs::read_to_string(case_path("adam__rosenbrock__CyclicLR.json")).unwrap();
    let expected = convergence::run::replay::Case::from_json(&text).unwrap().replay().to_json();
    assert_eq!(out.trim_end(), expected);
}

#[test]
fn run_reports_a_saddle_run_falling_without_bound_as_diverged() {
    let cfg = Temp::with(
        "saddle.json",
        r#"{"problem": {"name": "saddle"}, "runs": [{"label": "radam", "optimizer": {"name": "RAdam", "lr": 1e10}}]}"#,
    );
    let snap: Value = serde_json::from_str(&ok(&converge(&["run", cfg.arg()]))).unwrap();
    assert_eq!(snap["runs"][0]["status"]["state"], "diverged");
    assert_eq!(snap["runs"][0]["status"]["criterion"], "unbounded_below");
}

/// A bracket as (s, n, [(n_i, r_i)]).
type BracketRow = (u64, u64, Vec<(u64, f64)>);

#[test]
fn hyperband_plan_prints_table_1() {
    let out = ok(&converge(&["hyperband", "--max-resource", "81", "--eta", "3", "--plan"]));
    let plan: Value = serde_json::from_str(out.trim()).unwrap();
    let brackets = plan["brackets"].as_array().unwrap();
    let got: Vec<BracketRow> = brackets
        .iter()
        .map(|b| {
            let rounds = b["rounds"].as_array().unwrap();
            for (i, r) in rounds.iter().enumerate() {
                assert_eq!(r["i"].as_u64(), Some(i as u64));
            }
            (
                b["s"].as_u64().unwrap(),
                b["n"].as_u64().unwrap(),
                rounds.iter().map(|r| (r["n_i"].as_u64().unwrap(), r["r_i"].as_f64().unwrap())).collect(),
            )
        })
        .collect();
    let table: Vec<BracketRow> = vec![
        (4, 81, vec![(81, 1.0), (27, 3.0), (9, 9.0), (3, 27.0), (1, 81.0)]),
        (3, 34, vec![(34, 3.0), (11, 9.0), (3, 27.0), (1, 81.0)]),
        (2, 15, vec![(15, 9.0), (5, 27.0), (1, 81.0)]),
        (1, 8, vec![(8, 27.0), (2, 81.0)]),
        (0, 5, vec![(5, 81.0)]),
    ];
    assert_eq!(got, table);
    assert_eq!(brackets[2]["r"], 9.0);

    let err = fails(&converge(&["hyperband", "--max-resource", "81", "--eta", "1", "--plan"]));
    assert!(err.contains("--eta"), "{err}");
    let err = fails(&converge(&["hyperband", "--max-resource", "0", "--plan"]));
    assert!(err.contains("--max-resource"), "{err}");
    fails(&converge(&["hyperband", "--max-resource", "81"]));
}

const SEARCH: &str = r#"{"seed": 1, "problem": {"name": "rosenbrock"},
    "runs": [{"label": "sgd", "x0": [-1.5, 2.0], "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.9}}],
    "search": {"method": "hyperband", "max_resource": 27, "eta": 3, "seed": 5,
        "space": [{"path": "runs[0].optimizer.lr", "low": 1e-5, "high": 1e-2, "scale": "log"},
                  {"path": "runs[0].optimizer.momentum", "choices": [0, 0.5, 0.9]}]}}"#;

#[test]
fn search_output_is_the_same_on_any_thread_count_and_in_the_browsers_chunks() {
    let cfg = Temp::with("search.json", SEARCH);
    let one = ok(&converge(&["search", cfg.arg(), "--threads", "1"]));
    let two = ok(&converge(&["search", cfg.arg(), "--threads", "2"]));
    let all = ok(&converge(&["search", cfg.arg()]));
    assert_eq!(one, two);
    assert_eq!(one, all);
    // The page drives the same search in small chunks of steps.
    let mut search = convergence::search::Search::from_json(SEARCH).unwrap();
    while !search.advance(10) {}
    assert_eq!(one.trim_end(), search.results_json());

    let results: Value = serde_json::from_str(one.trim()).unwrap();
    let trials = results["trials"].as_array().unwrap();
    // R = 27, eta = 3: brackets of 27, 12, 6 and 4 configurations.
    assert_eq!(trials.iter().filter(|t| t["round"] == 0).count(), 27 + 12 + 6 + 4);
    for t in trials {
        for field in ["index", "configuration", "resource", "objective", "bracket", "round"] {
            assert!(t.get(field).is_some(), "{field} missing in {t}");
        }
    }
    let best = &results["best"];
    let lr = best["configuration"]["runs[0].optimizer.lr"].clone();
    assert_eq!(results["best_experiment"]["runs"][0]["optimizer"]["lr"], lr);
    // The best experiment runs as it is.
    let best_cfg = Temp::with("best.json", &results["best_experiment"].to_string());
    ok(&converge(&["run", best_cfg.arg()]));
}

#[test]
fn bad_searches_exit_with_status_2() {
    let bad = SEARCH.replace(r#""low": 1e-5"#, r#""low": -1e-5"#);
    let cfg = Temp::with("bad-search.json", &bad);
    let err = fails(&converge(&["search", cfg.arg()]));
    assert!(err.contains("search.space[0]"), "{err}");
    let plain = Temp::with("plain.json", TWO_RUNS);
    let err = fails(&converge(&["search", plain.arg()]));
    assert!(err.contains("search"), "{err}");
    let cfg = Temp::with("search2.json", SEARCH);
    fails(&converge(&["search", cfg.arg(), "--threads", "0"]));
}

#[test]
fn run_with_words_prints_the_snapshot_and_each_runs_verdict_in_words() {
    // Newton lands on the saddle of x^2 - y^2 in one step: converged, but not at a minimum; GD
    // slides off toward -inf and diverges "unbounded below".
    let config = Temp::with(
        "saddle.json",
        r#"{"problem": {"name": "saddle"}, "runs": [
            {"label": "GD", "x0": [1.5, 0.001], "optimizer": {"name": "SGD", "lr": 0.05}},
            {"label": "Newton", "x0": [1.5, 0.001], "optimizer": {"name": "Newton"}}],
            "stop": {"max_steps": 500}}"#,
    );
    let out = converge(&["run", config.0.to_str().expect("a UTF-8 path"), "--words"]);
    let snapshot: Value = serde_json::from_str(&ok(&out)).expect("the snapshot is JSON on stdout");
    let ends: Vec<&str> = snapshot["runs"].as_array().expect("runs").iter().filter_map(|r| r["end"].as_str()).collect();
    assert_eq!(ends, ["unbounded", "saddle"]);
    let words = stderr(&out);
    let lines: Vec<&str> = words.lines().collect();
    assert_eq!(lines.len(), 2, "{words}");
    assert!(lines[0].starts_with("GD: diverged at step 150: the loss fell without bound"), "{}", lines[0]);
    assert!(lines[1].starts_with("Newton: converged at step 1: the slope is flat enough to stop"), "{}", lines[1]);
    assert!(lines[1].contains("at a saddle point, not a minimum"), "{}", lines[1]);
}
