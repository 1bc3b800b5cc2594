//! Learning-rate sweeps against theory on the bowl, and the range test on a model.

use convergence::analysis::lr_sweep::{log_grid, range_bounds, run_lr, sweep_bounds, LrSweep, RangeTest};
use convergence::analysis::section::analyse;
use convergence::config::urlstate::{decode, encode};
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

/// `a` and `b` agree to 1e-12 relative.
fn close(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 / b.0 - 1.0).abs() < 1e-12 && (a.1 / b.1 - 1.0).abs() < 1e-12
}

#[test]
fn omitted_bounds_are_derived_from_the_runs_learning_rates() {
    // The bowl a = 1, b = 10: 2/L = 0.2.
    let e = experiment(json!({"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.01}},
                 {"label": "adam", "optimizer": {"name": "Adam", "lr": 0.05}},
                 {"label": "la", "optimizer": {"name": "Lookahead", "inner": {"name": "SGD", "lr": 0.003}}}]}));
    assert_eq!(run_lr(&e, 2), Some(0.003), "a Lookahead's inner lr");
    assert_eq!(run_lr(&e, 3), None);
    // A hundredth of the smallest, ten times the largest: 1e-4 to 0.5 (past 2 * 2/L = 0.4).
    let got = sweep_bounds(&e, &[0, 1], None, None).unwrap_or_else(|m| panic!("{m}"));
    assert!(close(got, (1e-4, 0.5)), "{got:?}");
    // Ten times gd's 0.01 is 0.1, short of the stability bound: the grid reaches 2 * 2/L = 0.4.
    let got = sweep_bounds(&e, &[0], None, None).unwrap_or_else(|m| panic!("{m}"));
    assert!(close(got, (1e-4, 0.4)), "{got:?}");
    // A given end is kept, the other derived.
    let got = sweep_bounds(&e, &[0], Some(1e-3), None).unwrap_or_else(|m| panic!("{m}"));
    assert!(close(got, (1e-3, 0.4)), "{got:?}");
    assert_eq!(sweep_bounds(&e, &[9], Some(1e-3), Some(1.0)), Ok((1e-3, 1.0)), "both given: nothing to derive");
    assert!(sweep_bounds(&e, &[9], None, None).is_err(), "no run to derive from");
    // The range test: a thousandth to a hundred times the run's lr.
    let got = range_bounds(&e, 1, None, None).unwrap_or_else(|m| panic!("{m}"));
    assert!(close(got, (5e-5, 5.0)), "{got:?}");
    // Off a quadratic there is no stability bound to reach: ten times the largest lr.
    let r = experiment(
        json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.001}}]}),
    );
    let got = sweep_bounds(&r, &[0], None, None).unwrap_or_else(|m| panic!("{m}"));
    assert!(close(got, (1e-5, 0.01)), "{got:?}");
}

#[test]
fn a_section_without_bounds_sweeps_and_tests_the_derived_range() {
    let e = experiment(json!({"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "gd", "x0": [3, 2], "optimizer": {"name": "SGD", "lr": 0.05}}],
        "stop": {"max_steps": 500},
        "analysis": {"lr_sweep": {"points": 5}, "lr_range": {"steps": 100}}}));
    let report = analyse(&e).unwrap_or_else(|e| panic!("{e}"));
    let sweep = report.lr_sweep.unwrap_or_else(|| panic!("a sweep"));
    assert_eq!(sweep.rows.len(), 5);
    let lrs = (sweep.lrs[0], sweep.lrs[4]);
    assert!(close(lrs, (5e-4, 0.5)), "{lrs:?}");
    let range = report.lr_range.unwrap_or_else(|| panic!("a range test"));
    assert!((range.points[0][0] / 5e-5 - 1.0).abs() < 1e-12, "{:?}", range.points[0]);
    // The section keeps what it was given: no bounds are written back into the link, and the
    // link gives the same experiment back.
    let written = e.to_value();
    assert_eq!(written["analysis"]["lr_sweep"], json!({"points": 5}));
    let hash = encode(&e);
    assert_eq!(decode(&hash).unwrap_or_else(|err| panic!("{hash}: {err}")), e);
}

#[test]
fn a_sweep_row_counts_as_converged_only_at_a_minimum() {
    // Six-hump camel from (1.5, 1.5): a loose gradient test (||∇f|| < 1) fires while the small
    // learning rates are still on the slope, the larger ones reach the local minimum first.
    let e = experiment(json!({"problem": {"name": "six_hump_camel"},
        "runs": [{"label": "gd", "x0": [1.5, 1.5], "optimizer": {"name": "SGD", "lr": 0.01}}],
        "stop": {"max_steps": 3000, "grad_norm": {"tol": 1.0}, "loss_plateau": null, "param_change": null}}));
    let mut sweep = LrSweep::new(&e, &[0], 1e-3, 0.05, 6).unwrap_or_else(|e| panic!("{e}"));
    while !sweep.advance(5000) {}
    let rows = sweep.result().rows;
    let fired: Vec<_> = rows.iter().filter(|row| row.converged_at.is_some()).collect();
    assert!(fired.iter().any(|row| !row.reached && row.word == "not at a minimum"), "{rows:?}");
    for row in &rows {
        assert_eq!(
            row.reached,
            row.converged_at.is_some() && matches!(row.word, "converged" | "local minimum"),
            "{row:?}"
        );
    }
}
