//! Training on data through the session: minibatches, epochs, evaluations, early stopping
//! with restore-best, determinism, and the complexity sweep's U-curve.

use convergence::analysis::sweep::{Sweep, SweepParameter};
use convergence::config::Experiment;
use convergence::problem::Problem;
use convergence::run::session::Session;
use serde_json::Value;

fn session(json: &str) -> Session {
    Session::from_json(json).unwrap_or_else(|e| panic!("config rejected: {e}"))
}

fn snapshot(s: &Session) -> Value {
    serde_json::from_str(&s.snapshot().to_json()).unwrap()
}

const OVERFIT: &str = r#"{"seed": 7, "problem": {"name": "model",
    "data": {"name": "sine", "n": 20, "noise": 0.3},
    "model": {"name": "polynomial", "degree": 15}, "validation_share": 0.5},
  "runs": [{"label": "lbfgs", "optimizer": {"name": "LBFGS", "max_iter": 1, "history_size": 30, "line_search_fn": "strong_wolfe"}}],
  "stop": {"max_steps": 20000, "loss_plateau": null, "param_change": null, "grad_norm": null,
           "early_stopping": {"patience": 30, "restore_best": true}}}"#;

#[test]
fn minibatch_epochs_are_counted_and_evaluated() {
    let mut s = session(
        r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "moons", "n": 200},
            "model": {"name": "logistic"}, "validation_share": 0.5, "batch_size": 10},
          "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.5}}],
          "stop": {"max_steps": 1000, "loss_plateau": null, "param_change": null, "grad_norm": null}}"#,
    );
    s.step(95);
    let run = &s.runs()[0];
    // 100 training points in batches of 10: an epoch every 10 steps.
    assert_eq!(run.epoch(), 9);
    assert_eq!(run.evaluations().points().count(), 10, "one evaluation at step 0 and one per epoch");
    s.step(10_000);
    let snap = snapshot(&s);
    let training = &snap["runs"][0]["training"];
    assert_eq!(training["epoch"], 100);
    assert!(training["train_accuracy"].as_f64().unwrap() > 0.8, "{training}");
    assert!(training["validation_loss"].as_f64().unwrap().is_finite());
}

#[test]
fn same_seed_same_numbers_other_seed_other_numbers() {
    let config = r#"{"seed": SEED, "problem": {"name": "model", "data": {"name": "spiral", "n": 200},
        "model": {"name": "mlp", "hidden": [8, 8]}, "batch_size": 16, "regularization": {"dropout": 0.2}},
      "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.01}},
               {"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.05, "momentum": 0.9}}],
      "stop": {"max_steps": 500}}"#;
    let run = |seed: &str| {
        let mut s = session(&config.replace("SEED", seed));
        s.step(10_000);
        s.snapshot().to_json()
    };
    assert_eq!(run("3"), run("3"));
    assert_ne!(run("3"), run("4"));
}

#[test]
fn early_stopping_fires_on_an_overfitting_model_and_restores_the_best_weights() {
    let mut s = session(OVERFIT);
    s.step(100_000);
    let snap = snapshot(&s);
    let run = &snap["runs"][0];
    assert_eq!(run["status"]["state"], "early_stopped", "an early stop is not convergence: {run}");
    assert_eq!(run["status"]["criterion"], "early_stopping");
    let best_step = run["training"]["best_step"].as_u64().unwrap();
    let stopped_at = run["status"]["at_step"].as_u64().unwrap();
    assert!(best_step < stopped_at, "best {best_step} stop {stopped_at}");
    // The weights are those of the best evaluation: their validation loss is the best one.
    let Problem::Model(problem) = s.problem() else { panic!("not a model problem") };
    let restored = problem.evaluate(s.runs()[0].params()).validation_loss;
    let best = run["training"]["best_validation_loss"].as_f64().unwrap();
    assert_eq!(restored, best);
    // Overfitting: the training loss kept falling after the best validation point (the history
    // is decimated, so take the last kept evaluation at or before it).
    let evals: Vec<_> = s.runs()[0].evaluations().points().copied().collect();
    let at_best = evals.iter().rev().find(|e| e.step <= best_step).unwrap();
    // The very last evaluation describes the restored weights; the one before, the stop.
    let last = &evals[evals.len() - 2];
    assert_eq!(evals.last().unwrap().validation_loss, best);
    assert!(last.train_loss < at_best.train_loss);
    assert!(last.validation_loss > at_best.validation_loss);
}

#[test]
fn early_stopping_without_restore_keeps_the_last_weights() {
    let mut s = session(&OVERFIT.replace("\"restore_best\": true", "\"restore_best\": false"));
    s.step(100_000);
    let Problem::Model(problem) = s.problem() else { panic!("not a model problem") };
    let last = problem.evaluate(s.runs()[0].params()).validation_loss;
    let best = s.runs()[0].monitor().best_validation().unwrap().1;
    assert!(last > best);
}

#[test]
fn complexity_sweep_draws_the_u_curve() {
    let base = Experiment::from_json(
        r#"{"seed": 5, "problem": {"name": "model", "data": {"name": "sine", "n": 40, "noise": 0.25},
            "model": {"name": "polynomial", "degree": 1}, "validation_share": 0.5},
          "runs": [{"label": "lbfgs", "optimizer": {"name": "LBFGS", "history_size": 20, "line_search_fn": "strong_wolfe"}}],
          "stop": {"max_steps": 200}}"#,
    )
    .unwrap();
    let values = [1, 3, 5, 9, 15];
    let mut sweep = Sweep::new(&base, SweepParameter::Degree, &values, 0).unwrap();
    let mut rounds = 0;
    while !sweep.advance(1_000) {
        rounds += 1;
        assert!(rounds < 10_000, "the sweep never finished");
    }
    let r = sweep.results();
    assert_eq!(r.iter().map(|p| p.value).collect::<Vec<_>>(), values);
    // Training loss falls with complexity; validation loss is lowest in the middle.
    assert!(r[4].train_loss < r[0].train_loss);
    let best = r.iter().min_by(|a, b| a.validation_loss.total_cmp(&b.validation_loss)).unwrap();
    assert!(best.value > 1 && best.value < 15, "validation minimum at degree {}", best.value);
}

#[test]
fn sweep_rejects_a_parameter_the_model_does_not_have() {
    let base = Experiment::from_json(
        r#"{"problem": {"name": "model", "data": {"name": "circle"}, "model": {"name": "logistic"}},
            "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#,
    )
    .unwrap();
    let error = Sweep::new(&base, SweepParameter::Degree, &[1, 2], 0).unwrap_err().to_string();
    assert!(error.contains("sweep.parameter"), "{error}");
    let error = Sweep::new(&base, SweepParameter::Degree, &[], 0).unwrap_err().to_string();
    assert!(error.contains("sweep.values"), "{error}");
}

#[test]
fn bad_training_configs_name_the_field() {
    let bad = r#"{"problem": {"name": "model", "data": {"name": "sine", "n": 2},
        "model": {"name": "logistic"}, "validation_share": 0.95, "batch_size": 0,
        "regularization": {"dropout": 0.95}},
      "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#;
    let error = Experiment::from_json(bad).unwrap_err().to_string();
    for path in [
        "problem.data.n",
        "problem.model",
        "problem.validation_share",
        "problem.batch_size",
        "problem.regularization.dropout",
    ] {
        assert!(error.contains(path), "missing {path} in:\n{error}");
    }
}

#[test]
fn csv_data_trains_and_bad_csv_names_the_line() {
    let good = r#"{"problem": {"name": "model", "data": {"name": "csv", "text": "x,y\n0,1\n1,3\n2,5\n3,7\n4,9\n5,11\n"},
        "model": {"name": "linear"}, "validation_share": 0.5},
      "runs": [{"label": "lbfgs", "optimizer": {"name": "LBFGS", "line_search_fn": "strong_wolfe"}}],
      "stop": {"max_steps": 50}}"#;
    let mut s = session(good);
    s.step(1_000);
    let Problem::Model(problem) = s.problem() else { panic!("not a model problem") };
    let prediction = problem.model.predict(s.runs()[0].params(), &[10.0]);
    assert!((prediction - 21.0).abs() < 1e-4, "y = 2x + 1 at 10 is 21, got {prediction}");
    let bad = good.replace("2,5", "2,five");
    let error = Experiment::from_json(&bad).unwrap_err().to_string();
    assert!(error.contains("problem.data.text: line 4"), "{error}");
}

#[test]
fn after_a_restore_the_snapshot_describes_the_restored_weights() {
    let mut s = session(OVERFIT);
    s.step(100_000);
    let snap = snapshot(&s);
    let training = &snap["runs"][0]["training"];
    assert_eq!(training["validation_loss"], training["best_validation_loss"], "{training}");
}
