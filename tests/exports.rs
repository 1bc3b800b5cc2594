//! The exports natively: `converge plot` writes one well-formed SVG per figure the page shows
//! (the landscape or the model view, then every chart), titled, the same files as `converge run
//! --svg` at the end of the runs; and the page's trace (`run::trace::trace_of`) is the trace
//! `converge run --trace` writes, cut where each run stands.

use std::path::{Path, PathBuf};
use std::process::Command;

use convergence::chart::figures;
use convergence::config::Experiment;
use convergence::run::session::Session;
use convergence::run::trace::{trace_of, TraceFormat, TraceWriter};

const LANDSCAPE: &str = r#"{"seed": 1, "problem": {"name": "rosenbrock"},
 "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}},
          {"label": "sgd, momentum", "x0": [-1.0, 2.5], "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.9}}],
 "stop": {"max_steps": 400}}"#;

const CLASSIFIER: &str = r#"{"seed": 3, "problem": {"name": "model", "data": {"name": "circle", "n": 120, "noise": 0.1},
   "model": {"name": "mlp", "hidden": [4], "activation": "tanh"}, "validation_share": 0.5},
 "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.03}}],
 "stop": {"max_steps": 60}}"#;

/// A fresh, empty folder under the target directory.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a test folder");
    dir
}

/// Runs `converge` with `args`; its standard output.
fn converge(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_converge")).args(args).output().expect("converge runs");
    assert!(out.status.success(), "converge {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Checks that `svg` is one well-formed `<svg>` element: every tag closed in order, attributes
/// quoted, nothing outside the root; returns the text of its `<text>` elements.
fn well_formed(svg: &str) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut texts = Vec::new();
    let mut rest = svg.trim();
    assert!(rest.starts_with("<svg "), "starts with <svg: {}", &rest[..rest.len().min(40)]);
    let mut closed_root = false;
    while let Some(start) = rest.find('<') {
        let between = rest[..start].trim();
        if !between.is_empty() {
            assert!(!open.is_empty() && !closed_root, "text outside the root: {between}");
            assert!(!between.contains('>'), "a stray '>' in text: {between}");
            if open.last().is_some_and(|t| t == "text") {
                texts.push(between.to_string());
            }
        }
        let end = rest[start..].find('>').expect("every tag ends") + start;
        let tag = &rest[start + 1..end];
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in <{tag}>");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name.trim()), "</{name}> closes what is open");
            closed_root = open.is_empty();
        } else {
            assert!(!closed_root, "a second root element <{tag}>");
            let name = tag.split_whitespace().next().expect("a tag name").trim_end_matches('/').to_string();
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(rest.trim().is_empty() && open.is_empty() && closed_root, "the root is closed last: {open:?}");
    texts
}

/// The SVG files `converge plot` wrote, by name, in the order it printed them.
fn plotted(config: &str, name: &str, step: Option<u64>) -> Vec<(String, String)> {
    let dir = folder(name);
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, config).expect("the config is written");
    let out = dir.join("figures");
    let (config_arg, out_arg) = (config_path.to_string_lossy().to_string(), out.to_string_lossy().to_string());
    let step_text = step.map(|s| s.to_string());
    let mut args = vec!["plot", config_arg.as_str(), "--out", out_arg.as_str()];
    if let Some(step) = &step_text {
        args.extend(["--step", step.as_str()]);
    }
    let printed = converge(&args);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("the folder exists")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut listed: Vec<String> = printed.lines().map(str::to_string).collect();
    let order = listed.clone();
    listed.sort();
    assert_eq!(listed, files, "every file written is listed, and only those");
    order.into_iter().map(|f| (f.clone(), std::fs::read_to_string(out.join(&f)).expect("readable"))).collect()
}

#[test]
fn plot_writes_one_titled_well_formed_svg_per_figure_of_a_landscape() {
    let files = plotted(LANDSCAPE, "plot-landscape", Some(150));
    let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["landscape.svg", "loss.svg", "lr.svg", "grad_norm.svg", "delta_norm.svg"]);
    let titles = ["loss", "learning rate", "gradient norm ||∇f||", "step size ||Δw||"];
    for ((file, svg), title) in files.iter().skip(1).zip(titles) {
        let texts = well_formed(svg);
        assert!(texts.iter().any(|t| t == title), "{file} has the title {title}: {texts:?}");
        assert!(texts.iter().any(|t| t == "adam") && texts.iter().any(|t| t == "sgd, momentum"), "{file}: legend");
        assert!(svg.starts_with("<svg width=\"640\" height=\"300\""), "{file} is 640 x 300");
    }
    // Round line joins on every figure, so that a path's halo has no spikes past its turns.
    assert!(files.iter().all(|(_, svg)| svg[..svg.find('>').unwrap_or(0)].contains("stroke-linejoin=\"round\"")));
    let landscape = &files[0].1;
    well_formed(landscape);
    assert!(landscape.starts_with("<svg width=\"480\" height=\"480\""));
    assert!(landscape.matches("<rect").count() >= 80 * 80, "the heatmap's cells");
}

#[test]
fn plot_at_a_step_draws_the_session_at_that_step() {
    let experiment = Experiment::from_json(LANDSCAPE).expect("a valid config");
    for step in [0, 37, 150] {
        let mut session = Session::new(experiment.clone());
        session.step(step);
        let expected = figures::svg_figures(&session).expect("drawn");
        let files = plotted(LANDSCAPE, &format!("plot-step-{step}"), Some(step));
        assert_eq!(files.len(), expected.len());
        for ((file, svg), (name, text)) in files.iter().zip(&expected) {
            assert_eq!(file, &format!("{name}.svg"));
            assert!(svg == text, "{file} at step {step} is the session's drawing at that step");
        }
    }
    // Different steps give different pictures.
    let early = plotted(LANDSCAPE, "plot-early", Some(5));
    let late = plotted(LANDSCAPE, "plot-late", Some(300));
    assert_ne!(early[1].1, late[1].1, "the loss chart moves on");
}

#[test]
fn plot_draws_a_classifier_as_its_boundary_with_its_points_and_its_charts() {
    let files = plotted(CLASSIFIER, "plot-classifier", None);
    let names: Vec<&str> = files.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        names,
        ["model.svg", "train_val.svg", "accuracy.svg", "loss.svg", "lr.svg", "grad_norm.svg", "delta_norm.svg"]
    );
    for (file, svg) in &files {
        well_formed(svg);
        assert!(svg.len() > 1000, "{file} has a drawing");
    }
    // 120 points, each a white edge and a disc or ring in its class colour.
    let model = &files[0].1;
    assert_eq!(model.matches("<circle").count(), 2 * 120, "every point of both sets");
    assert!(model.contains("#0877BD") && model.contains("#F59322"), "both class colours");
}

#[test]
fn run_svg_writes_what_plot_writes_at_the_end() {
    let dir = folder("run-svg");
    let config = dir.join("config.json");
    std::fs::write(&config, LANDSCAPE).expect("written");
    let svg_dir = dir.join("svg");
    converge(&["run", &config.to_string_lossy(), "--svg", &svg_dir.to_string_lossy()]);
    for (file, svg) in plotted(LANDSCAPE, "run-svg-plot", None) {
        let written = std::fs::read_to_string(svg_dir.join(&file)).expect("run --svg wrote it");
        assert!(written == svg, "{file}: run --svg and plot agree");
    }
}

/// The CLI's trace of the whole experiment.
fn cli_trace(format: TraceFormat) -> String {
    let mut session = Session::new(Experiment::from_json(LANDSCAPE).expect("valid"));
    let mut out = Vec::new();
    TraceWriter::new(format, 2).run_all(&mut session, &mut out).expect("written");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn the_pages_trace_is_the_cli_trace_cut_where_each_run_stands() {
    let experiment = Experiment::from_json(LANDSCAPE).expect("valid");
    // Finished runs: exactly the CLI's trace, in both formats.
    let mut finished = Session::new(experiment.clone());
    finished.step(u64::MAX);
    assert_eq!(trace_of(&finished, TraceFormat::Csv).expect("a trace"), cli_trace(TraceFormat::Csv));
    assert_eq!(trace_of(&finished, TraceFormat::Json).expect("a trace"), cli_trace(TraceFormat::Json));
    // Runs stopped on the way at step 25: the first 25 rows of each run, one per update taken.
    let mut partway = Session::new(experiment);
    partway.step(25);
    let csv = trace_of(&partway, TraceFormat::Csv).expect("a trace");
    let full = cli_trace(TraceFormat::Csv);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("label,step,loss,param_0,param_1,lr,grad_norm,delta_norm"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2 * 25);
    for label in ["adam,", "\"sgd, momentum\","] {
        let expected: Vec<&str> = full.lines().filter(|l| l.starts_with(label)).take(25).collect();
        let got: Vec<&str> = rows.iter().copied().filter(|l| l.starts_with(label)).collect();
        assert_eq!(got, expected, "{label} rows 0..25");
    }
    let json: serde_json::Value =
        serde_json::from_str(&trace_of(&partway, TraceFormat::Json).expect("a trace")).expect("JSON");
    assert_eq!(json[0]["rows"].as_array().map(Vec::len), Some(25));
    assert_eq!(json[1]["label"], "sgd, momentum");
}

#[test]
fn a_trace_too_large_for_the_page_is_refused_with_the_reason() {
    let config = r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "sgd", "x0": [-1.5, 2.0],
        "optimizer": {"name": "SGD", "lr": 1e-6}}], "stop": {"max_steps": 1000000, "loss_plateau": null,
        "param_change": null, "grad_norm": null}}"#;
    let mut session = Session::new(Experiment::from_json(config).expect("valid"));
    session.set_recording(false);
    session.step(400_000);
    let message = trace_of(&session, TraceFormat::Csv).expect_err("too large");
    assert!(message.contains("converge run CONFIG.json --trace csv"), "{message}");
}
