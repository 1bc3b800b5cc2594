//! The convergence doctor: each rule fires on a run (real or synthetic) with its symptom, at the
//! right step, with a remedy that applies as a valid experiment, and stays silent otherwise.

use convergence::analysis::doctor::{
    apply, apply_as_new_run, diagnose, diagnose_runs, Change, Diagnosis, RunTrace, Symptom,
};
use convergence::config::Experiment;
use convergence::run::history::{EvalPoint, TracePoint};
use convergence::run::monitor::{Criterion, Status};
use convergence::run::session::Session;
use serde_json::{json, Value};

fn experiment(config: Value) -> Experiment {
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the single run of `config` to its end and diagnoses it.
fn run_and_diagnose(config: Value) -> (Experiment, Session, Vec<Diagnosis>) {
    let e = experiment(config);
    let mut session = Session::new(e.clone());
    session.step(e.stop.max_steps);
    let trace = RunTrace::of(&session.runs()[0], session.problem());
    let diagnoses = diagnose(&e, 0, &trace);
    (e, session, diagnoses)
}

fn bowl(b: f64, optimizer: Value, x0: [f64; 2], stop: Value) -> Value {
    json!({"problem": {"name": "quadratic", "a": 1, "b": b},
           "runs": [{"label": "r", "x0": x0, "optimizer": optimizer}], "stop": stop})
}

fn symptoms(d: &[Diagnosis]) -> Vec<Symptom> {
    d.iter().map(|d| d.symptom).collect()
}

#[test]
fn a_healthy_run_gets_no_diagnosis() {
    let (_, _, d) =
        run_and_diagnose(bowl(10.0, json!({"name": "SGD", "lr": 0.05}), [3.0, 2.0], json!({"max_steps": 2000})));
    assert_eq!(d, vec![]);
    let (_, _, d) =
        run_and_diagnose(bowl(10.0, json!({"name": "Adam", "lr": 0.1}), [3.0, 2.0], json!({"max_steps": 5000})));
    assert_eq!(d, vec![], "{d:?}");
}

#[test]
fn divergence_is_cured_by_a_smaller_learning_rate() {
    // lr = 0.3 > 2/L = 0.2 on the bowl with b = 10.
    let (e, session, d) =
        run_and_diagnose(bowl(10.0, json!({"name": "SGD", "lr": 0.3}), [3.0, 2.0], json!({"max_steps": 2000})));
    assert_eq!(symptoms(&d), vec![Symptom::Diverged]);
    let Status::Diverged { at_step, .. } = session.runs()[0].status() else { panic!("should diverge") };
    assert_eq!(d[0].step, at_step);
    assert_eq!(d[0].remedy[0].path, "runs[0].optimizer.lr");
    assert!((d[0].remedy[0].value.as_f64().unwrap_or(0.0) - 0.03).abs() < 1e-15);
    let cured = apply(&e, &d[0].remedy).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Session::new(cured.clone());
    s.step(cured.stop.max_steps);
    assert!(matches!(s.runs()[0].status(), Status::Converged { .. }), "{:?}", s.runs()[0].status());
}

#[test]
fn bouncing_across_a_narrow_valley_is_oscillating() {
    // b = 100: lr = 0.0199 is just under 2/L, so y flips sign each step and shrinks by 0.99.
    let stop = json!({"max_steps": 300});
    let (_, _, d) = run_and_diagnose(bowl(100.0, json!({"name": "SGD", "lr": 0.0199}), [1.0, 1.0], stop.clone()));
    assert!(symptoms(&d).contains(&Symptom::Oscillating), "{d:?}");
    let osc = d.iter().find(|d| d.symptom == Symptom::Oscillating).map(|d| d.step);
    // The first update (step 0 to 1) is undone by the second: the bouncing shows from step 1.
    assert_eq!(osc, Some(1));
    // With lr = 0.005 < 1/L nothing bounces: the run only crawls.
    let (_, _, d) = run_and_diagnose(bowl(100.0, json!({"name": "SGD", "lr": 0.005}), [1.0, 1.0], stop));
    assert_eq!(symptoms(&d), vec![Symptom::Crawling], "{d:?}");
    assert_eq!(d[0].step, 300);
    assert!((d[0].remedy[0].value.as_f64().unwrap_or(0.0) - 0.01).abs() < 1e-15);
}

#[test]
fn a_run_stuck_on_a_saddle_is_moved_off_it() {
    // On f = x^2 - y^2 from (1, 0) the gradient never has a y component: GD converges to the
    // saddle at the origin.
    let config = json!({"problem": {"name": "saddle"},
        "runs": [{"label": "r", "x0": [1.0, 0.0], "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"max_steps": 1000}});
    let (e, session, d) = run_and_diagnose(config);
    assert!(matches!(session.runs()[0].status(), Status::Converged { .. }));
    assert_eq!(symptoms(&d), vec![Symptom::Saddle], "{d:?}");
    assert_eq!(d[0].remedy[0].path, "runs[0].x0");
    let moved = apply(&e, &d[0].remedy).unwrap_or_else(|e| panic!("{e}"));
    let mut s = Session::new(moved.clone());
    s.step(moved.stop.max_steps);
    let end = s.runs()[0].params();
    assert!(end[1].abs() > 1.0, "the moved run should leave the saddle, ended at {end:?}");
}

#[test]
fn a_run_at_a_local_minimum_is_told_so_without_a_remedy() {
    // Six-hump camel from (1.5, -0.6): gradient descent settles in the local minimum at about
    // (1.704, -0.796), f = -0.2155, above the global -1.0316.
    let config = json!({"problem": {"name": "six_hump_camel"},
        "runs": [{"label": "r", "x0": [1.5, -0.6], "optimizer": {"name": "SGD", "lr": 0.01}}],
        "stop": {"max_steps": 20000}});
    let (_, session, d) = run_and_diagnose(config);
    assert!(matches!(session.runs()[0].status(), Status::Converged { .. }));
    assert_eq!(symptoms(&d), vec![Symptom::LocalMinimum], "{d:?}");
    assert!(d[0].remedy.is_empty());
    assert!(d[0].text.starts_with("Ended at a local minimum, not the global one (f − f_global = 0.8"), "{}", d[0].text);
    // From (0, -0.5) it reaches the global minimum: nothing to say.
    let config = json!({"problem": {"name": "six_hump_camel"},
        "runs": [{"label": "r", "x0": [0.0, -0.5], "optimizer": {"name": "SGD", "lr": 0.01}}],
        "stop": {"max_steps": 20000}});
    let (_, _, d) = run_and_diagnose(config);
    assert_eq!(d, vec![], "{d:?}");
}

#[test]
fn a_loose_plateau_tolerance_stops_short_on_a_slope() {
    let config = json!({"problem": {"name": "rosenbrock"},
        "runs": [{"label": "r", "x0": [-1.5, 2.0], "optimizer": {"name": "SGD", "lr": 0.001}}],
        "stop": {"max_steps": 20000, "loss_plateau": {"tol": 1e-3, "patience": 5}}});
    let (e, session, d) = run_and_diagnose(config);
    assert!(matches!(session.runs()[0].status(), Status::Converged { criterion: Criterion::LossPlateau, .. }));
    assert_eq!(symptoms(&d), vec![Symptom::StoppedShort], "{d:?}");
    assert_eq!(d[0].remedy[0].path, "stop.loss_plateau.tol");
    let tightened = apply(&e, &d[0].remedy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tightened.stop.loss_plateau.map(|c| c.tol), Some(1e-5));
}

fn point(step: u64, loss: f64, grad_norm: f64) -> TracePoint {
    TracePoint { step, loss, lr: 0.01, grad_norm, delta_norm: 1e-3, xy: [step as f64, 0.0] }
}

fn eval(step: u64, train_loss: f64, validation_loss: f64, accuracy: f64) -> EvalPoint {
    EvalPoint {
        step,
        epoch: step,
        train_loss,
        validation_loss,
        train_accuracy: accuracy,
        validation_accuracy: accuracy,
    }
}

fn trace(points: Vec<TracePoint>, evaluations: Vec<EvalPoint>, status: Status) -> RunTrace {
    RunTrace { points, evaluations, status, end: vec![0.0; 2], end_hessian: None }
}

fn model(batch_size: Option<u32>, early_stopping: bool) -> Experiment {
    let mut config = json!({"seed": 1, "problem": {"name": "model", "data": {"name": "moons", "n": 200},
        "model": {"name": "mlp", "hidden": [4]}, "batch_size": batch_size},
        "runs": [{"label": "r", "optimizer": {"name": "Adam", "lr": 0.01}}], "stop": {"max_steps": 200}});
    if early_stopping {
        config["stop"]["early_stopping"] = json!({"patience": 5});
    }
    experiment(config)
}

#[test]
fn a_flat_stretch_at_the_step_limit_is_a_plateau() {
    let points: Vec<_> = (0..=100).map(|t| point(t, 1.0 + 1e-6 / (1.0 + t as f64), 1.0 / (1.0 + t as f64))).collect();
    let e = experiment(bowl(10.0, json!({"name": "SGD", "lr": 0.01}), [1.0, 1.0], json!({"max_steps": 100})));
    let d = diagnose(&e, 0, &trace(points.clone(), vec![], Status::Stopped { at_step: 100 }));
    assert_eq!(symptoms(&d), vec![Symptom::Plateau], "{d:?}");
    assert_eq!(d[0].step, 50);
    // The same trace converged is fine.
    let d = diagnose(&e, 0, &trace(points, vec![], Status::Converged { criterion: Criterion::GradNorm, at_step: 100 }));
    assert_eq!(d, vec![]);
}

#[test]
fn rising_validation_loss_is_overfitting_and_falling_is_not() {
    let rising: Vec<_> =
        (0..20).map(|k| eval(10 * k, 1.0 / (1.0 + k as f64), 0.5 + 0.01 * (k as f64 - 8.0).powi(2), 0.99)).collect();
    let d = diagnose(&model(None, false), 0, &trace(vec![], rising.clone(), Status::Stopped { at_step: 200 }));
    assert_eq!(symptoms(&d), vec![Symptom::Overfitting], "{d:?}");
    assert_eq!(d[0].step, 80);
    assert_eq!(d[0].remedy[0].path, "stop.early_stopping");
    assert!(apply(&model(None, false), &d[0].remedy).is_ok());
    // With early stopping on, the remedy is a stronger l2 penalty.
    let d = diagnose(&model(None, true), 0, &trace(vec![], rising, Status::Stopped { at_step: 200 }));
    assert_eq!(d[0].remedy[0].path, "problem.regularization.l2");
    assert!(apply(&model(None, true), &d[0].remedy).is_ok());
    let falling: Vec<_> = (0..20).map(|k| eval(10 * k, 1.0 / (1.0 + k as f64), 1.1 / (1.0 + k as f64), 0.99)).collect();
    assert_eq!(diagnose(&model(None, false), 0, &trace(vec![], falling, Status::Stopped { at_step: 200 })), vec![]);
}

#[test]
fn jumpy_minibatch_losses_are_noisy_and_full_batch_never_is() {
    let jumpy: Vec<_> = (0..=100).map(|t| point(t, if t % 2 == 0 { 0.5 } else { 0.7 }, 0.3)).collect();
    let status = Status::Converged { criterion: Criterion::GradNorm, at_step: 100 };
    let d = diagnose(&model(Some(10), false), 0, &trace(jumpy.clone(), vec![], status));
    assert_eq!(symptoms(&d), vec![Symptom::Noisy], "{d:?}");
    assert_eq!(d[0].remedy[0].value, json!(40));
    assert!(apply(&model(Some(10), false), &d[0].remedy).is_ok());
    assert_eq!(diagnose(&model(None, false), 0, &trace(jumpy, vec![], status)), vec![]);
    let smooth: Vec<_> = (0..=100).map(|t| point(t, 0.5 + 1.0 / (1.0 + t as f64), 0.3)).collect();
    assert_eq!(diagnose(&model(Some(10), false), 0, &trace(smooth, vec![], status)), vec![]);
}

#[test]
fn a_flat_low_accuracy_is_underfitting() {
    let flat: Vec<_> = (0..20).map(|k| eval(10 * k, 0.6, 0.61, 0.62)).collect();
    let status = Status::Converged { criterion: Criterion::LossPlateau, at_step: 200 };
    let d = diagnose(&model(None, false), 0, &trace(vec![], flat, status));
    assert_eq!(symptoms(&d), vec![Symptom::Underfitting], "{d:?}");
    assert_eq!(d[0].remedy[0].value, json!([8]));
    assert!(apply(&model(None, false), &d[0].remedy).is_ok());
    let good: Vec<_> = (0..20).map(|k| eval(10 * k, 0.1, 0.12, 0.97)).collect();
    assert_eq!(diagnose(&model(None, false), 0, &trace(vec![], good, status)), vec![]);
}

#[test]
fn a_flat_low_accuracy_beside_a_run_that_fits_the_same_model_is_a_stuck_optimizer() {
    // Run 0 is flat at 62 %, run 1 (SGD) reaches 97 % with the same model: the model is not too
    // simple, so the remedy is run 1's optimizer for run 0, not a bigger network.
    let mut config = model(None, false).to_value();
    config["runs"] = json!([{"label": "slow", "optimizer": {"name": "Adam", "lr": 0.01}},
                            {"label": "fits", "optimizer": {"name": "SGD", "lr": 0.5, "momentum": 0.9}}]);
    let e = experiment(config);
    let status = Status::Converged { criterion: Criterion::LossPlateau, at_step: 200 };
    let flat: Vec<_> = (0..20).map(|k| eval(10 * k, 0.6, 0.61, 0.62)).collect();
    let good: Vec<_> = (0..20).map(|k| eval(10 * k, 0.1 / (1.0 + k as f64), 0.12, 0.97)).collect();
    let all = diagnose_runs(&e, &[trace(vec![], flat.clone(), status), trace(vec![], good, status)]);
    assert_eq!(symptoms(&all[0]), vec![Symptom::Underfitting], "{all:?}");
    assert!(all[0][0].text.starts_with("Stuck:") && all[0][0].text.contains("fits reaches 97%"), "{}", all[0][0].text);
    assert_eq!(
        all[0][0].remedy,
        vec![Change { path: "runs[0].optimizer".into(), value: e.to_value()["runs"][1]["optimizer"].clone() }]
    );
    let grown = apply_as_new_run(&e, 0, &all[0][0].remedy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(grown.runs[2].optimizer, e.runs[1].optimizer);
    assert_eq!(all[1], vec![], "the run that fits is healthy");
    // Alone, or beside a run that does not fit either, it is underfitting: a bigger model.
    let both_flat = diagnose_runs(&e, &[trace(vec![], flat.clone(), status), trace(vec![], flat, status)]);
    assert_eq!(both_flat[0][0].remedy[0].path, "problem.model.hidden");
}

#[test]
fn a_remedy_that_breaks_the_config_is_refused() {
    let e = experiment(bowl(10.0, json!({"name": "SGD", "lr": 0.1}), [1.0, 1.0], json!({})));
    let bad = [convergence::analysis::doctor::Change { path: "runs[0].optimizer.lr".into(), value: json!(-1.0) }];
    assert!(apply(&e, &bad).is_err());
}

#[test]
fn a_run_remedy_becomes_a_new_run_beside_the_old_one() {
    let (e, _, d) =
        run_and_diagnose(bowl(10.0, json!({"name": "SGD", "lr": 0.3}), [3.0, 2.0], json!({"max_steps": 2000})));
    let grown = apply_as_new_run(&e, 0, &d[0].remedy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(grown.runs.len(), 2);
    assert_eq!(grown.runs[0], e.runs[0], "the ailing run stays as it was");
    assert_eq!(grown.runs[1].label, "r → lr 0.03", "the label names the new setting");
    assert_eq!(grown.runs[1].optimizer.lr(), 0.3 * 0.1);
    // Twice: the label stays unique.
    let twice = apply_as_new_run(&grown, 0, &d[0].remedy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(twice.runs[2].label, "r → lr 0.03 (2)");
    // A remedy of the remedied run names the first run as its origin.
    let again = apply_as_new_run(&twice, 1, &[Change { path: "runs[1].optimizer.lr".into(), value: json!(0.01) }])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.runs[3].label, "r → lr 0.01");
    // A shared change (the stop rule) gives the changed experiment instead.
    let shared = [convergence::analysis::doctor::Change { path: "stop.max_steps".into(), value: json!(10) }];
    let changed = apply_as_new_run(&e, 0, &shared).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((changed.runs.len(), changed.stop.max_steps), (1, 10));
}

#[test]
fn a_remedy_reads_back_from_its_json() {
    let remedy = vec![Change { path: "runs[0].optimizer.lr".into(), value: json!(0.01) }];
    let value = serde_json::to_value(&remedy).unwrap_or_default();
    assert_eq!(Change::list_from_value(&value), Ok(remedy));
    assert!(Change::list_from_value(&json!({"path": "x"})).is_err(), "not a list");
    assert!(Change::list_from_value(&json!([{"value": 1}])).is_err(), "no path");
    assert!(Change::list_from_value(&json!([{"path": "runs[0].optimizer.lr"}])).is_err(), "no value");
}

#[test]
fn during_a_run_the_doctor_diagnoses_the_history_so_far() {
    use convergence::analysis::job::{AnalysisJob, AnalysisKind};
    // lr = 0.3 > 2/L: the loss grows from the first step and the run diverges later.
    let e = experiment(bowl(10.0, json!({"name": "SGD", "lr": 0.3}), [3.0, 2.0], json!({"max_steps": 2000})));
    let mut whole = Session::new(e.clone());
    whole.step(e.stop.max_steps);
    let Status::Diverged { at_step, .. } = whole.runs()[0].status() else { panic!("should diverge") };
    assert!(at_step > 4, "diverges at {at_step}");
    let doctor_at = |steps: Option<Vec<u64>>| {
        let mut job = AnalysisJob::new(&e, AnalysisKind::Doctor, None).unwrap_or_else(|err| panic!("{err}"));
        if let Some(steps) = steps {
            job.stop_at(steps);
        }
        while !job.advance(7) {}
        job.report().doctor.clone().unwrap_or_default()
    };
    // Before the blow-up the run is still going: no divergence is diagnosed yet.
    let early = doctor_at(Some(vec![at_step / 2]));
    assert!(!symptoms(&early[0].result).contains(&Symptom::Diverged), "{early:?}");
    assert!(early[0].result.iter().all(|d| d.step <= at_step / 2), "{early:?}");
    // Once the run has diverged, and with no limit, it is.
    let late = doctor_at(Some(vec![at_step + 10]));
    assert_eq!(symptoms(&late[0].result), vec![Symptom::Diverged]);
    assert_eq!(late, doctor_at(None));
}

#[test]
fn a_remedy_run_is_labelled_by_what_the_remedy_sets() {
    let change = |path: &str, value: Value| Change { path: path.into(), value };
    assert_eq!(change("runs[0].optimizer.lr", json!(0.020000000000000004)).words(), "lr 0.02");
    assert_eq!(change("runs[0].optimizer.betas", json!([0.9, 0.99])).words(), "betas [0.9, 0.99]");
    assert_eq!(change("runs[2].x0", json!([0.0123456, -1.0])).words(), "x0 [0.01235, -1]");
    assert_eq!(
        change("runs[0].optimizer", json!({"name": "SGD", "lr": 0.23094010767585, "momentum": 0.2699})).words(),
        "optimizer SGD (lr 0.2309, momentum 0.2699)"
    );
    assert_eq!(change("problem.model", json!({"name": "mlp"})).words(), "model mlp");
    // A long label is cut so that the changes still show, within the label limit.
    let mut config = bowl(10.0, json!({"name": "SGD", "lr": 0.3}), [3.0, 2.0], json!({"max_steps": 20}));
    config["runs"][0]["label"] = json!("a very long label ".repeat(3).trim_end());
    let e = experiment(config);
    let grown =
        apply_as_new_run(&e, 0, &[change("runs[0].optimizer.lr", json!(0.03))]).unwrap_or_else(|e| panic!("{e}"));
    let label = &grown.runs[1].label;
    assert!(label.ends_with("… → lr 0.03"), "{label}");
    assert!(label.chars().count() <= convergence::config::MAX_LABEL_CHARS, "{label}");
}
