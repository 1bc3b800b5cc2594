//! Outcomes at the extremes: a loss that falls without bound is a divergence of its own
//! ("unbounded_below"), and a run whose parameters never left the start point has stalled,
//! not converged, whichever progress criterion fired.

mod common;

use convergence::config::Experiment;
use convergence::run::report::describe;
use convergence::run::session::Session;
use serde_json::{json, Value};

/// Every optimizer, with the learning rate `lr`.
fn optimizers(lr: f64) -> Vec<Value> {
    let mut out: Vec<Value> =
        ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Adadelta", "Lion"]
            .iter()
            .map(|name| json!({"name": name, "lr": lr}))
            .collect();
    out.push(json!({"name": "SGD", "lr": lr, "momentum": 0.9}));
    out.push(json!({"name": "SGD", "lr": lr, "momentum": 0.9, "nesterov": true}));
    out.push(json!({"name": "LBFGS", "lr": lr}));
    out.push(json!({"name": "Newton", "lr": lr}));
    out.push(json!({"name": "Lookahead", "inner": {"name": "Adam", "lr": lr}}));
    out
}

fn problem(name: &str) -> Value {
    match name {
        "linreg" => json!({"name": "linreg", "data": {"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 3.0, 4.5, 7.0]}}),
        "logreg" => {
            json!({"name": "logreg", "data": {"x": [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [-1.0, -2.0]], "y": [0.0, 1.0, 1.0, 0.0]}})
        }
        other => json!({"name": other}),
    }
}

/// Runs a one-run experiment to its end and returns the session.
fn finish(config: Value) -> Session {
    let experiment = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{config}: {e}"));
    let mut session = Session::new(experiment);
    session.step(u64::MAX);
    session
}

fn status(session: &Session) -> Value {
    serde_json::to_value(&session.snapshot().runs[0].status).unwrap()
}

#[test]
fn saddle_with_radam_at_lr_1e10_diverges_unbounded_below() {
    // The hardening issue's setup: default start (-1.4, 1.4), default stop rule. It used to be
    // reported converged (param_change at step 15) at loss -1.6e91.
    let session = finish(json!({
        "problem": {"name": "saddle"},
        "runs": [{"label": "radam", "optimizer": {"name": "RAdam", "lr": 1e10}}],
    }));
    assert_eq!(session.runs()[0].x0(), [-1.4, 1.4]);
    assert_eq!(status(&session), json!({"state": "diverged", "criterion": "unbounded_below", "at_step": 1}));
    let report = describe(&session.runs()[0], session.problem());
    assert!(report.text.contains("no minimum"), "{}", report.text);
}

#[test]
fn a_negative_curvature_quadratic_is_unbounded_below_too() {
    let session = finish(json!({
        "problem": {"name": "quadratic", "a": 1.0, "b": -1.0},
        "runs": [{"label": "sgd", "x0": [1.0, 1.0], "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"max_steps": 100000},
    }));
    assert_eq!(status(&session)["criterion"], "unbounded_below");
    // The loss passed -1e6 * max(1, |loss[0]|) = -1e6, and not by much.
    let loss = session.snapshot().runs[0].loss.0;
    assert!((-1.3e6..-1e6).contains(&loss), "{loss}");
}

#[test]
fn styblinski_tang_descends_to_its_minimum_without_an_unbounded_verdict() {
    // The lowest landscape (minimum about -78.3) converges normally.
    let session = finish(json!({
        "problem": {"name": "styblinski_tang"},
        "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.05}}],
        "stop": {"max_steps": 20000},
    }));
    assert_eq!(status(&session)["state"], "converged", "{}", status(&session));
}

#[test]
fn no_run_at_lr_1e_300_converges_at_its_start() {
    let mut outcomes = Vec::new();
    let mut stalled = 0;
    // Every landscape and the two reference models.
    let problems: Vec<&str> = common::LANDSCAPES.iter().copied().chain(["linreg", "logreg"]).collect();
    for &name in &problems {
        for optimizer in optimizers(1e-300) {
            let session = finish(json!({
                "problem": problem(name),
                "runs": [{"label": "probe", "optimizer": optimizer}],
            }));
            let run = &session.runs()[0];
            let status = status(&session);
            if status["state"] == "converged" {
                outcomes.push(format!("{name} {optimizer}: {status}, moved {}", run.params() != run.x0()));
            }
            if status["criterion"] == "stalled" {
                assert_eq!(status["state"], "stopped");
                stalled += 1;
                let report = describe(run, session.problem());
                assert_eq!(report.state, "stopped");
                assert!(report.text.starts_with("stalled at step"), "{}", report.text);
                assert!(session.snapshot().runs[0].criteria.contains_key("param_change"), "{name} {optimizer}");
            }
        }
    }
    assert!(outcomes.is_empty(), "{} converged:\n{}", outcomes.len(), outcomes.join("\n"));
    // Every run that stopped before max_steps stalled (param_change fires first, at step 10).
    assert_eq!(stalled, problems.len() * optimizers(1e-300).len());
}

#[test]
fn a_run_that_starts_at_a_minimum_converged_there() {
    // The gradient norm judges the point, not progress: at the minimum (1, 1) of Rosenbrock
    // the run is done at step 0, whatever its learning rate.
    let session = finish(json!({
        "problem": {"name": "rosenbrock"},
        "runs": [{"label": "tiny", "x0": [1.0, 1.0], "optimizer": {"name": "SGD", "lr": 1e-300}}],
    }));
    assert_eq!(status(&session), json!({"state": "converged", "criterion": "grad_norm", "at_step": 0}));
}

#[test]
fn a_run_that_moves_and_then_stops_moving_converged() {
    let session = finish(json!({
        "problem": {"name": "quadratic"},
        "runs": [{"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.005}}],
        "stop": {"max_steps": 100000, "grad_norm": null, "loss_plateau": null},
    }));
    assert_eq!(status(&session)["state"], "converged");
    assert_eq!(status(&session)["criterion"], "param_change");
}
