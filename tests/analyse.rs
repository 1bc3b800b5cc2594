//! The experiment's `analysis` section and `converge analyse`: the section round-trips through
//! JSON and the URL, bad settings are reported with their paths, and the CLI prints every named
//! analysis as JSON, the same for a config file and its link.

use std::process::{Command, Output};

use convergence::analysis::section::analyse;
use convergence::config::urlstate::{decode, encode};
use convergence::config::Experiment;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_converge");

fn converge(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap_or_else(|e| panic!("the binary runs: {e}"))
}

fn himmelblau() -> Value {
    json!({"problem": {"name": "himmelblau"},
        "runs": [{"label": "gd", "x0": [0.5, -1.5], "optimizer": {"name": "SGD", "lr": 0.01}},
                 {"label": "hot", "x0": [0.5, -1.5], "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"max_steps": 3000},
        "analysis": {"critical_points": {"seeds": 12}, "classify": [[0.5, -1.5]], "basins": {"side": 8},
                     "lr_sweep": {"runs": [0], "low": 1e-3, "high": 0.1, "points": 3}, "doctor": true, "rate": {}, "theory": true}})
}

fn experiment(config: &Value) -> Experiment {
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_section_round_trips_through_json_and_the_url() {
    let e = experiment(&himmelblau());
    let again = experiment(&serde_json::from_str(&e.to_json()).unwrap_or(Value::Null));
    assert_eq!(again, e);
    let hash = encode(&e);
    assert!(hash.contains("&analysis=("), "{hash}");
    assert_eq!(decode(&hash).unwrap_or_else(|err| panic!("{hash}: {err}")), e);
    // Defaults are filled in: 64 starts per side unless given.
    let mut config = himmelblau();
    config["analysis"] = json!({"basins": {}});
    let e = experiment(&config);
    assert_eq!(e.analysis.and_then(|a| a.basins).map(|b| b.side), Some(64));
}

#[test]
fn bad_settings_are_reported_with_their_paths() {
    let mut config = himmelblau();
    config["analysis"] = json!({"basins": {"side": 300, "run": 5}, "critical_points": {"seeds": 0},
        "lr_sweep": {"low": 1, "high": 0.1}, "seed_bands": {}, "rate": {"tolerance": -1}});
    let message = Experiment::from_json(&config.to_string()).err().map(|e| e.to_string()).unwrap_or_default();
    for expected in [
        "analysis.basins.side: must be 1 to 256",
        "analysis.basins.run: there are 2 runs, got index 5",
        "analysis.critical_points.seeds: must be 1 to 64",
        "analysis.lr_sweep: needs 0 < low < high",
        "problem: seed bands need a model trained on data",
        "analysis.rate.tolerance",
    ] {
        assert!(message.contains(expected), "`{expected}` missing from:\n{message}");
    }
    config["analysis"] = json!({"basin": {}});
    let message = Experiment::from_json(&config.to_string()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("analysis.basin: unknown field `basin`"), "{message}");
}

#[test]
fn analyse_gathers_every_named_analysis() {
    let report = analyse(&experiment(&himmelblau())).unwrap_or_else(|e| panic!("{e}"));
    let value = serde_json::to_value(&report).unwrap_or(Value::Null);
    assert_eq!(value["critical_points"].as_array().map(Vec::len), Some(9));
    assert_eq!(value["classify"][0]["basin"], json!(1), "(0.5, -1.5) flows to (3.58, -1.85)");
    assert_eq!(value["basins"]["grid"].as_array().map(Vec::len), Some(64));
    assert_eq!(value["lr_sweep"]["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(value["theory"]["unavailable"], json!("the theory holds for the quadratic bowl and for linreg"));
    assert_eq!(value["rate"][0]["result"]["reference"], json!("known_minimum"));
    // lr = 0.1 diverges on Himmelblau from there: the doctor says so for that run only.
    assert_eq!(value["doctor"][0]["result"], json!([]));
    assert_eq!(value["doctor"][1]["result"][0]["symptom"], json!("diverged"));
    assert!(value.get("seed_bands").is_none() && value.get("lr_range").is_none());
}

#[test]
fn converge_analyse_prints_the_same_json_for_a_file_and_its_link() {
    let dir = std::env::temp_dir().join(format!("converge-analyse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("himmelblau.json");
    std::fs::write(&path, himmelblau().to_string()).unwrap_or_else(|e| panic!("{e}"));
    let from_file = converge(&["analyse", path.to_str().unwrap_or_default()]);
    assert!(from_file.status.success(), "{}", String::from_utf8_lossy(&from_file.stderr));
    let printed: Value = serde_json::from_slice(&from_file.stdout).unwrap_or(Value::Null);
    let expected = serde_json::to_value(analyse(&experiment(&himmelblau())).unwrap_or_default()).unwrap_or(Value::Null);
    assert_eq!(printed, expected);
    let hash = encode(&experiment(&himmelblau()));
    let from_link = converge(&["analyse", "--url", &hash]);
    assert_eq!(from_link.stdout, from_file.stdout);
    // Without a section, or with a bad one, the CLI exits with status 2 and says why.
    std::fs::write(
        &path,
        json!({"problem": {"name": "himmelblau"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}).to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let none = converge(&["analyse", path.to_str().unwrap_or_default()]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no \"analysis\" section"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn converge_run_and_analyse_work_on_a_typed_function() {
    let dir = std::env::temp_dir().join(format!("converge-custom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("custom.json");
    let config = json!({"problem": {"name": "custom", "f": "(x^2 - 1)^2 + 2*y^2"},
        "runs": [{"label": "newton", "x0": [0.8, 0.3], "optimizer": {"name": "Newton", "lr": 1.0}},
                 {"label": "newton-saddle", "x0": [0.4, 0.3], "optimizer": {"name": "Newton", "lr": 1.0}}],
        "analysis": {"critical_points": {}, "doctor": true}});
    std::fs::write(&path, config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let run = converge(&["run", path.to_str().unwrap_or_default()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let snapshot: Value = serde_json::from_slice(&run.stdout).unwrap_or(Value::Null);
    assert_eq!(snapshot["runs"][0]["status"]["state"], json!("converged"), "{snapshot}");
    let params = &snapshot["runs"][0]["params"];
    assert!(
        (params[0].as_f64().unwrap_or(0.0) - 1.0).abs() < 1e-6 && params[1].as_f64().unwrap_or(1.0).abs() < 1e-6,
        "{params}"
    );
    let analysed = converge(&["analyse", path.to_str().unwrap_or_default()]);
    let report: Value = serde_json::from_slice(&analysed.stdout).unwrap_or(Value::Null);
    // Two minima at (+-1, 0) and a saddle at the origin.
    let kinds: Vec<&str> = report["critical_points"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, vec!["minimum", "minimum", "saddle"], "{report}");
    assert_eq!(report["doctor"][0]["result"], json!([]));
    // Where f_xx = 12x^2 - 4 < 0, Newton's method heads for the saddle, and the doctor says so.
    assert_eq!(snapshot["runs"][1]["status"]["state"], json!("converged"), "{snapshot}");
    let diagnosis = &report["doctor"][1]["result"][0];
    assert_eq!(diagnosis["symptom"], json!("saddle"), "{report}");
    assert_eq!(diagnosis["remedy"], json!([{"path": "runs[1].optimizer.damping", "value": 8.0}]));
    // Damped by 8 (twice the saddle's curvature -4), Newton goes downhill to a minimum instead.
    let e = experiment(&config);
    let remedy: Vec<convergence::analysis::doctor::Change> =
        vec![convergence::analysis::doctor::Change { path: "runs[1].optimizer.damping".into(), value: json!(8.0) }];
    let cured = convergence::analysis::doctor::apply_as_new_run(&e, 1, &remedy).unwrap_or_else(|e| panic!("{e}"));
    let mut session = convergence::run::session::Session::new(cured);
    session.step(u64::MAX);
    let end = session.runs()[2].params();
    assert!((end[0].abs() - 1.0).abs() < 1e-4 && end[1].abs() < 1e-4, "{end:?} {:?}", session.runs()[2].status());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_fuzz_seed_with_a_custom_function_and_analyses_passes_the_fuzz_checks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/config_json/golden6_custom_adam_newton_analysis.json");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8(bytes.clone()).unwrap_or_default();
    assert!(Experiment::from_json(&text).is_ok(), "the seed must be a valid config");
    assert_eq!(convergence::fuzzing::config_json(&bytes), Ok(()));
    let hash = encode(&experiment(&serde_json::from_str(&text).unwrap_or(Value::Null)));
    assert_eq!(convergence::fuzzing::url_hash(hash.as_bytes()), Ok(()));
}

#[test]
fn every_analysis_in_small_chunks_gives_the_report_of_one_call() {
    use convergence::analysis::job::{AnalysisJob, AnalysisKind};
    let e = experiment(&himmelblau());
    let whole = serde_json::to_value(analyse(&e).unwrap_or_else(|err| panic!("{err}"))).unwrap_or(Value::Null);
    let config = e.analysis.clone().unwrap_or_default();
    let named: Vec<AnalysisKind> = AnalysisKind::ALL.into_iter().filter(|k| k.named_in(&config)).collect();
    assert_eq!(named.len(), 7);
    for kind in named {
        let mut job = AnalysisJob::new(&e, kind, None).unwrap_or_else(|err| panic!("{}: {err}", kind.key()));
        let mut chunks = 0;
        let mut last = 0.0;
        while !job.advance(37) {
            chunks += 1;
            assert!(job.progress() >= last && job.progress() <= 1.0, "{}: progress {}", kind.key(), job.progress());
            last = job.progress();
        }
        assert_eq!(job.progress(), 1.0, "{}", kind.key());
        let part = serde_json::to_value(job.report()).unwrap_or(Value::Null);
        assert_eq!(part[kind.key()], whole[kind.key()], "{} after {chunks} chunks", kind.key());
        assert!(!whole[kind.key()].is_null(), "{} is in the report", kind.key());
        let slow = matches!(kind, AnalysisKind::CriticalPoints | AnalysisKind::Basins | AnalysisKind::LrSweep);
        assert!(!slow || chunks > 3, "{} took {chunks} chunks of 37 steps", kind.key());
    }
    assert!(AnalysisKind::parse("basin").is_err_and(|e| e.to_string().contains("critical_points, classify, basins")));
}
