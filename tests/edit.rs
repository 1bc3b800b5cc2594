//! `config::edit::set_path`, behind the widget's `el.set(path, value)`: one setting changed by
//! its path and the experiment validated again, every problem naming the path.

use convergence::config::edit::set_path;
use convergence::config::Experiment;

const CONFIG: &str = r#"{"seed": 1, "problem": {"name": "rosenbrock"},
  "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}}],
  "stop": {"max_steps": 3000}}"#;

#[test]
fn a_valid_setting_changes_only_that_setting() {
    let json = set_path(CONFIG, "runs[0].optimizer.lr", "0.2").expect("a valid lr");
    let changed = Experiment::from_json(&json).expect("valid");
    let mut expected = Experiment::from_json(CONFIG).expect("valid").to_value();
    expected["runs"][0]["optimizer"]["lr"] = serde_json::json!(0.2);
    assert_eq!(changed.to_value(), Experiment::from_value(expected).expect("valid").to_value());
}

#[test]
fn an_invalid_value_is_refused_with_its_path() {
    let error = set_path(CONFIG, "runs[0].optimizer.lr", "-1").expect_err("a negative lr").to_string();
    assert!(error.starts_with("runs[0].optimizer.lr:"), "{error}");
}

#[test]
fn a_path_out_of_range_or_malformed_is_named() {
    let error = set_path(CONFIG, "runs[3].optimizer.lr", "0.1").expect_err("no run 3").to_string();
    assert!(error.starts_with("runs[3].optimizer.lr:") && error.contains("out of range"), "{error}");
    let error = set_path(CONFIG, "runs[0].optimizer.lr", "{oops").expect_err("not JSON").to_string();
    assert!(error.starts_with("runs[0].optimizer.lr: the value is not JSON"), "{error}");
    let error = set_path(CONFIG, "runs[0]..lr", "0.1").expect_err("malformed").to_string();
    assert!(error.starts_with("runs[0]..lr:"), "{error}");
}

#[test]
fn an_unknown_field_is_refused() {
    let error = set_path(CONFIG, "runs[0].optimizer.speed", "3").expect_err("unknown field").to_string();
    assert!(error.contains("speed"), "{error}");
}
