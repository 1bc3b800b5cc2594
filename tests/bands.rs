//! Seed bands: a run over seeds, a minibatch run beside the same run in full batch.

use convergence::analysis::bands::SeedBands;
use convergence::config::Experiment;
use serde_json::json;

fn experiment(batch_size: Option<u32>, max_steps: u64) -> Experiment {
    let config = json!({"seed": 7, "problem": {"name": "model", "data": {"name": "moons", "n": 120, "noise": 0.1},
        "model": {"name": "mlp", "hidden": [6], "activation": "tanh"}, "batch_size": batch_size},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"max_steps": max_steps, "loss_plateau": null, "param_change": null}});
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn seeds_spread_the_minibatch_curve_around_full_batch_descent() {
    let e = experiment(Some(8), 400);
    let mut bands = SeedBands::new(&e, 0, 5).unwrap_or_else(|e| panic!("{e}"));
    while !bands.advance(97) {}
    let r = bands.result();
    assert_eq!(r.seeds, 5);
    assert_eq!(r.steps.first(), Some(&0));
    assert_eq!(r.steps.last(), Some(&400));
    assert_eq!(r.mean.len(), r.steps.len());
    assert_eq!(r.full_batch.len(), r.steps.len());
    assert!(r.compared);
    // Different initial weights: the seeds already disagree at step 0, and still at the end.
    assert!(r.std[0] > 0.0 && r.std.last().copied().unwrap_or(0.0) > 0.0);
    for i in 0..r.steps.len() {
        assert!(r.min[i] <= r.mean[i] && r.mean[i] <= r.max[i]);
        assert!(r.std[i] <= 0.5 * (r.max[i] - r.min[i]) + 1e-15);
    }
    // Training works: the mean loss at the end is below its start, and so is the full-batch run's.
    assert!(r.mean.last() < r.mean.first(), "{:?}", r.mean);
    assert!(r.full_batch.last() < r.full_batch.first());
    // The same band in one chunk is the same band.
    let mut whole = SeedBands::new(&e, 0, 5).unwrap_or_else(|e| panic!("{e}"));
    whole.advance(u64::MAX);
    assert_eq!(whole.result(), r);
}

#[test]
fn one_seed_has_no_spread_and_long_runs_are_strided() {
    let e = experiment(Some(8), 5000);
    let mut bands = SeedBands::new(&e, 0, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bands.stride(), 10);
    while !bands.advance(1000) {}
    let r = bands.result();
    assert_eq!(r.steps.len(), 501);
    assert!(r.std.iter().all(|s| *s == 0.0));
}

#[test]
fn landscapes_and_bad_counts_are_refused() {
    let landscape = Experiment::from_json(
        &json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}).to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(SeedBands::new(&landscape, 0, 4).is_err());
    assert!(SeedBands::new(&experiment(Some(8), 10), 0, 0).is_err());
    assert!(SeedBands::new(&experiment(Some(8), 10), 0, 65).is_err());
    assert!(SeedBands::new(&experiment(Some(8), 10), 1, 4).is_err());
}

#[test]
fn a_full_batch_run_has_no_full_batch_twin_and_the_band_ends_where_its_runs_end() {
    // Full batch, no dropout: the seeds differ only in their initial weights, and the band is
    // not drawn beside "the same run in full batch", which it already is.
    let config = json!({"seed": 7, "problem": {"name": "model", "data": {"name": "moons", "n": 120, "noise": 0.1},
        "model": {"name": "mlp", "hidden": [6], "activation": "tanh"}},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.5}}],
        "stop": {"max_steps": 20000, "grad_norm": {"tol": 0.02}, "loss_plateau": null, "param_change": null}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut bands = SeedBands::new(&e, 0, 4).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bands.stride(), 40);
    while !bands.advance(997) {}
    assert_eq!(bands.progress(), 1.0);
    let r = bands.result();
    assert_eq!(r.seeds, 4);
    assert!(r.full_batch.is_empty(), "{:?}", r.full_batch);
    assert!(!r.compared);
    assert!(r.std[0] > 0.0, "the initial weights differ");
    // Every seed's run converged long before the step limit: the band ends at the first
    // recorded step after the last one stopped, where every seed keeps its last loss.
    let end = *r.steps.last().expect("steps");
    assert!(end < 20000, "the band ends at {end}");
    assert!(end > 0 && r.mean.last() < r.mean.first(), "{:?}", r.mean);
    let mut runs = SeedBands::new(&e, 0, 4).unwrap_or_else(|e| panic!("{e}"));
    runs.advance(u64::MAX);
    assert_eq!(runs.result(), r, "one chunk or many");
}

#[test]
fn a_band_whose_seeds_change_nothing_has_no_spread() {
    // A polynomial starts at zero whatever the seed: in full batch every seed's run is the same
    // (to rounding in the mean), and the band says it has no width. A network's seeds differ.
    let config = json!({"seed": 3, "problem": {"name": "model", "data": {"name": "sine", "n": 40},
        "model": {"name": "polynomial", "degree": 3}},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.05}}], "stop": {"max_steps": 200}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut bands = SeedBands::new(&e, 0, 4).unwrap_or_else(|e| panic!("{e}"));
    bands.advance(u64::MAX);
    assert!(bands.result().no_spread, "{:?}", bands.result().std);
    let mut bands = SeedBands::new(&experiment(Some(8), 100), 0, 4).unwrap_or_else(|e| panic!("{e}"));
    bands.advance(u64::MAX);
    assert!(!bands.result().no_spread);
}
