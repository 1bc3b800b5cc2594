//! Learning-rate sweeps against theory on the bowl, and the range test on a model.

use convergence::analysis::lr_sweep::{log_grid, LrSweep, RangeTest};
use convergence::config::Experiment;
use serde_json::{json, Value};

fn experiment(config: Value) -> Experiment {
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_log_grid_spans_its_ends() {
    let g = log_grid(1e-3, 1.0, 4);
    assert_eq!(g.len(), 4);
    for (got, want) in g.iter().zip([1e-3, 1e-2, 1e-1, 1.0]) {
        assert!((got / want - 1.0).abs() < 1e-14, "{g:?}");
    }
}

#[test]
fn gradient_descent_on_the_bowl_diverges_exactly_beyond_two_over_l() {
    let e = experiment(json!({"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "gd", "x0": [3, 2], "optimizer": {"name": "SGD", "lr": 0.01}},
                 {"label": "adam", "x0": [3, 2], "optimizer": {"name": "Adam", "lr": 0.01}}],
        "stop": {"max_steps": 3000}}));
    let mut sweep = LrSweep::new(&e, &[0, 1], 1e-3, 1.0, 16).unwrap_or_else(|e| panic!("{e}"));
    let mut chunks = 0;
    while !sweep.advance(500) {
        chunks += 1;
    }
    assert!(chunks > 10);
    let r = sweep.result();
    assert_eq!(r.rows.len(), 32);
    let theory = r.theory.unwrap_or_else(|| panic!("a quadratic has theory"));
    assert!((theory.gd_stable_below - 0.2).abs() < 1e-15);
    for row in r.rows.iter().filter(|row| row.run == "gd") {
        if row.lr < theory.gd_stable_below {
            assert_ne!(row.outcome, "diverged", "{row:?}");
        } else {
            assert_eq!(row.outcome, "diverged", "{row:?}");
        }
    }
    // The fastest converging gd rate of the grid is the one nearest 2/(L + mu) = 0.1818.
    let fastest = r
        .rows
        .iter()
        .filter(|row| row.run == "gd" && row.converged_at.is_some())
        .min_by_key(|row| row.converged_at)
        .map(|row| row.lr)
        .unwrap_or(f64::NAN);
    let nearest = r.lrs.iter().copied().min_by(|a, b| {
        (a.ln() - theory.gd_optimal_lr.ln()).abs().total_cmp(&(b.ln() - theory.gd_optimal_lr.ln()).abs())
    });
    assert_eq!(Some(fastest), nearest, "{:?}", r.rows);
    // Adam's rows are there too, labelled.
    assert_eq!(r.rows.iter().filter(|row| row.run == "adam").count(), 16);
}

#[test]
fn bad_sweeps_are_refused() {
    let e = experiment(
        json!({"problem": {"name": "quadratic"}, "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.01}}]}),
    );
    assert!(LrSweep::new(&e, &[0], 1.0, 0.1, 8).is_err());
    assert!(LrSweep::new(&e, &[0], 1e-3, 1.0, 1).is_err());
    assert!(LrSweep::new(&e, &[1], 1e-3, 1.0, 8).is_err());
    assert!(LrSweep::new(&e, &[], 1e-3, 1.0, 8).is_err());
}

#[test]
fn the_range_test_suggests_a_range_below_the_blow_up() {
    let e =
        experiment(json!({"seed": 4, "problem": {"name": "model", "data": {"name": "moons", "n": 200, "noise": 0.1},
        "model": {"name": "mlp", "hidden": [8], "activation": "tanh"}, "batch_size": 20},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.1, "momentum": 0.9}}]}));
    let mut test = RangeTest::new(&e, 0, 1e-4, 100.0, 600).unwrap_or_else(|e| panic!("{e}"));
    while !test.advance(50) {}
    let r = test.result();
    assert!(r.blew_up, "an lr of 100 blows SGD with momentum up");
    let [from, to] = r.suggested.unwrap_or_else(|| panic!("a suggestion: {:?}", &r.points[..5]));
    let steepest = r.steepest.unwrap_or(f64::NAN);
    // The range ends where the loss turns ragged, well before the blow-up (about 1.4 here),
    // and starts past the flat beginning (about 1.2e-3).
    assert!(1e-4 < from && from < to && to < 10.0, "{from} {to}");
    assert!(from <= steepest && steepest <= to, "{from} {steepest} {to}");
    // The lr grows exponentially: each step multiplies it by (1e6)^(1/600).
    let ratio = r.points[11][0] / r.points[10][0];
    assert!((ratio - 1e6f64.powf(1.0 / 600.0)).abs() < 1e-12, "{ratio}");
    // Deterministic: the same test gives the same curve.
    let mut again = RangeTest::new(&e, 0, 1e-4, 100.0, 600).unwrap_or_else(|e| panic!("{e}"));
    while !again.advance(1000) {}
    assert_eq!(again.result(), r);
}
