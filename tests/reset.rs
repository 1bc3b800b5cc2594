//! `reset` restores every piece of a run's state: after stepping and resetting, each run is
//! exactly (by its full `Debug` form: parameters, optimizer and schedule state, monitor, chart
//! history, model evaluations, epoch, minibatch order, best weights, cached objective) the run
//! of a session just built from the same config, and it then runs to the same end.

use convergence::run::session::Session;

fn runs_state(session: &Session) -> Vec<String> {
    session.runs().iter().map(|run| format!("{run:?}")).collect()
}

fn check_reset_restores_everything(config: &str, steps: u64) {
    let fresh = Session::from_json(config).unwrap();
    let mut used = Session::from_json(config).unwrap();
    used.step(steps);
    assert!(used.runs().iter().all(|run| run.step() == steps), "every run is still going after {steps} steps");
    assert_ne!(runs_state(&used), runs_state(&fresh), "stepping changed the runs");
    used.reset();
    let (after, before) = (runs_state(&used), runs_state(&fresh));
    for (i, (a, b)) in after.iter().zip(&before).enumerate() {
        assert_eq!(a, b, "run {i} after reset differs from a fresh run");
    }
    let mut fresh = fresh;
    fresh.step(u64::MAX);
    used.step(u64::MAX);
    assert_eq!(runs_state(&used), runs_state(&fresh), "the reset runs end where fresh ones do");
}

#[test]
fn reset_restores_every_piece_of_a_landscape_run() {
    check_reset_restores_everything(
        r#"{"seed": 7, "problem": {"name": "rosenbrock"},
            "runs": [
              {"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01, "amsgrad": true},
               "schedule": {"name": "OneCycleLR", "max_lr": 0.05, "total_steps": 2000}},
              {"label": "lbfgs", "x0": [-1.5, 2.0],
               "optimizer": {"name": "LBFGS", "max_iter": 2, "line_search_fn": "strong_wolfe"}},
              {"label": "la", "x0": [0.5, -0.5],
               "optimizer": {"name": "Lookahead", "inner": {"name": "SGD", "lr": 0.001, "momentum": 0.9}},
               "schedule": {"name": "ReduceLROnPlateau", "patience": 5}},
              {"label": "hd", "optimizer": {"name": "AdamHD", "lr": 0.001}}
            ],
            "stop": {"max_steps": 1500}}"#,
        40,
    );
}

#[test]
fn reset_restores_every_piece_of_a_model_run() {
    check_reset_restores_everything(
        r#"{"seed": 3, "problem": {"name": "model", "data": {"name": "moons", "n": 120, "noise": 0.2},
              "model": {"name": "mlp", "hidden": [6], "activation": "relu"},
              "batch_size": 16, "regularization": {"l2": 0.001, "dropout": 0.2}},
            "runs": [
              {"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.1, "momentum": 0.9},
               "schedule": {"name": "StepLR", "step_size": 20}},
              {"label": "adam", "optimizer": {"name": "Adam", "lr": 0.01}}
            ],
            "stop": {"max_steps": 400, "early_stopping": {"patience": 3}}}"#,
        37,
    );
}
