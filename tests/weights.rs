//! The timeline's view of a model's past: the weight snapshots along a run (a snapshot at step
//! s is, bit for bit, what a fresh run has at s; memory stays bounded however long the run),
//! the status lines at a scrubbed step, the overfitting mark, and the sparse network drawing.

use convergence::chart::network::{drawn_weights, note, MAX_HEATMAP_UNITS, MAX_LINES, SPARSE_NOTE};
use convergence::problem::Problem;
use convergence::run::report::describe;
use convergence::run::session::Session;
use convergence::run::timeline::states_at;
use convergence::run::verdict::{Mark, OVERFIT_RATIO};
use convergence::run::weights::{caption, WeightHistory, MAX_SNAPSHOTS, MIN_SNAPSHOTS, WEIGHT_BUDGET_FLOATS};

/// A small spiral network trained with Adam and SGD for `steps` steps (evaluated every epoch).
fn spiral(steps: u64, batch: &str) -> String {
    format!(
        r#"{{"seed": 1, "problem": {{"name": "model", "data": {{"name": "spiral", "n": 60}},
             "model": {{"name": "mlp", "hidden": [6, 6], "activation": "tanh"}}{batch}}},
           "runs": [{{"label": "adam", "optimizer": {{"name": "Adam", "lr": 0.01}}}},
                    {{"label": "sgd", "optimizer": {{"name": "SGD", "lr": 0.03}}}}],
           "stop": {{"max_steps": {steps}}}}}"#
    )
}

fn session_after(config: &str, steps: u64) -> Session {
    let mut session = Session::from_json(config).expect("valid config");
    session.step(steps);
    session
}

#[test]
fn a_snapshot_is_bit_for_bit_the_weights_a_fresh_run_has_at_its_step() {
    for batch in ["", r#", "batch_size": 10"#] {
        let config = spiral(3000, batch);
        // Over 256 evaluations in full batch, so the snapshots were halved on the way.
        let long = session_after(&config, 700);
        for (i, run) in long.runs().iter().enumerate() {
            let steps = run.weight_history().steps();
            assert!(steps.len() > 10, "{batch}: {steps:?}");
            assert_eq!(steps[0], 0, "the start is always kept");
            // A few kept steps, from the first to the last.
            for &s in steps.iter().step_by(steps.len() / 4).chain(steps.last()) {
                let (at, weights) = run.weights_at(s).expect("a snapshot at a kept step");
                assert_eq!(at, s);
                let fresh = session_after(&config, s);
                let bits = |w: &[f64]| w.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(weights), bits(fresh.runs()[i].params()), "{batch} run {i} at step {s}");
            }
            // Between two kept steps the nearest one before is shown.
            let (a, b) = (steps[7], steps[8]);
            if b > a + 1 {
                assert_eq!(run.weights_at(b - 1).map(|(at, _)| at), Some(a));
            }
            // At or past the current step: the current weights.
            assert_eq!(
                run.weights_at(run.step() + 10).map(|(at, w)| (at, w.to_vec())),
                Some((run.step(), run.params().to_vec()))
            );
        }
    }
}

#[test]
fn snapshots_stay_within_the_memory_budget_and_spread_over_the_run() {
    for dim in [3usize, 177, 5409, 6369] {
        let mut history = WeightHistory::new(dim);
        let capacity = history.capacity();
        assert!((MIN_SNAPSHOTS..=MAX_SNAPSHOTS).contains(&capacity));
        assert!(capacity * dim <= WEIGHT_BUDGET_FLOATS.max(MIN_SNAPSHOTS * dim));
        let w = vec![0.5; dim];
        let mut most = 0;
        for step in 0..20_000u64 {
            history.push(step, &w);
            most = most.max(history.floats());
        }
        assert!(history.len() <= capacity + 1, "dim {dim}: {} snapshots", history.len());
        assert!(most <= (capacity + 1) * dim, "dim {dim}: {most} floats at most");
        assert!(most <= WEIGHT_BUDGET_FLOATS + dim, "dim {dim}: within 1 MiB plus the latest");
        let steps = history.steps();
        assert_eq!(steps.first(), Some(&0));
        assert_eq!(steps.last(), Some(&19_999), "the latest is kept");
        // Evenly spread: the kept steps before the latest share one stride.
        let gaps: Vec<u64> = steps.windows(2).map(|p| p[1] - p[0]).take(steps.len().saturating_sub(2)).collect();
        assert!(gaps.windows(2).all(|g| g[0] == g[1]), "dim {dim}: {gaps:?}");
        assert!(history.len() >= capacity / 2);
    }
    assert!(WeightHistory::new(6369).capacity() >= MIN_SNAPSHOTS);
    assert_eq!(WeightHistory::new(177).capacity(), MAX_SNAPSHOTS);
}

#[test]
fn early_stopping_restores_the_best_weights_and_the_last_snapshot_is_them() {
    let config = fit(15, "", r#","early_stopping":{"patience":10,"min_delta":0,"restore_best":true,"stop":true}"#);
    let session = session_after(&config, 2000);
    let run = &session.runs()[0];
    assert!(!run.status().is_running());
    assert!(run.monitor().best_validation().is_some_and(|(best, _)| best < run.step()));
    let last = *run.weight_history().steps().last().expect("snapshots");
    assert_eq!(last, run.step());
    assert_eq!(run.weights_at(last).map(|(_, w)| w.to_vec()), Some(run.params().to_vec()));
}

#[test]
fn the_caption_says_which_weights_are_drawn() {
    assert_eq!(caption(460, Some(450)), "Weights at step 450, the nearest recorded before 460.");
    assert_eq!(caption(450, Some(450)), "Weights at step 450.");
    assert!(caption(3, None).contains("latest weights"));
}

#[test]
fn status_lines_at_a_scrubbed_step_come_from_the_history() {
    let session = session_after(&spiral(400, ""), 400);
    let states = states_at(session.runs(), session.problem(), 120);
    assert_eq!(states.len(), 2);
    for (state, run) in states.iter().zip(session.runs()) {
        let point = run.history().points().find(|p| p.step == 120).expect("step 120 kept");
        let eval = run.evaluations().points().find(|e| e.step == 120).expect("evaluated at 120");
        assert_eq!(state.step, Some(120));
        assert_eq!(state.loss, point.loss);
        assert_eq!(state.evaluation, Some(*eval));
        assert!(state.text.starts_with("at step 120: loss "), "{}", state.text);
        assert!(state.text.contains("validation loss") && state.text.contains("% validation"), "{}", state.text);
        assert!(!state.text.contains("converged") && !state.text.contains("out of steps"), "{}", state.text);
    }
    // Past a run's end the line says when it ended.
    let late = states_at(session.runs(), session.problem(), 10_000);
    assert!(late[0].text.contains("(the run stopped at step 400)"), "{}", late[0].text);
}

/// The fit presets' config (www/presets.js `fit`, as the page sends it): 20 noisy points of
/// half a sine period, a polynomial of `degree`, L-BFGS with a strong Wolfe line search.
fn fit(degree: u32, extra: &str, stop: &str) -> String {
    format!(
        r#"{{"seed":3,"problem":{{"name":"model","data":{{"name":"sine","n":20,"noise":0.2,"frequency":0.5}},
             "model":{{"name":"polynomial","degree":{degree}}}{extra}}},
           "runs":[{{"label":"L-BFGS","optimizer":{{"name":"LBFGS","lr":1,"max_iter":1,"line_search_fn":"strong_wolfe"}},
                     "schedule":{{"name":"constant"}}}}],
           "stop":{{"max_steps":1000{stop}}}}}"#
    )
}

#[test]
fn a_model_that_converged_while_it_overfits_gets_the_caution_mark_and_says_why() {
    let over = session_after(&fit(15, "", ""), 2000);
    let run = &over.runs()[0];
    let Problem::Model(_) = over.problem() else { panic!("a model") };
    let report = describe(run, over.problem());
    assert_eq!(report.state, "converged");
    let e = run.evaluations().last().expect("evaluated");
    assert!(e.validation_loss > OVERFIT_RATIO * e.train_loss, "{e:?}");
    assert_eq!(report.mark, Mark::Caution, "{}", report.text);
    assert!(
        report.advice.starts_with("It converged on the training data, but its validation loss is "),
        "{}",
        report.advice
    );
    assert!(report.advice.contains("it overfits; try L2, early stopping or a smaller model"), "{}", report.advice);
    let times = format!("{}×", convergence::run::report::short(e.validation_loss / e.train_loss));
    assert!(report.advice.contains(&times), "{} lacks {times}", report.advice);
    for (degree, extra) in [(5, ""), (15, r#","regularization":{"l2":0.0001}"#), (1, "")] {
        let good = session_after(&fit(degree, extra, ""), 2000);
        let report = describe(&good.runs()[0], good.problem());
        assert_eq!(report.state, "converged", "degree {degree}");
        assert_eq!(report.mark, Mark::Success, "degree {degree} {extra}: {}", report.text);
    }
}

#[test]
fn a_large_network_draws_only_its_largest_weights() {
    let small: Vec<f64> = (0..40).map(|i| i as f64).collect();
    let kernels: Vec<&[f64]> = vec![&small];
    assert_eq!(drawn_weights(&kernels, true).len(), 40, "fewer than MAX_LINES: all of them");
    let a: Vec<f64> = (0..1024).map(|i| ((i * 7919) % 1024) as f64 / 100.0 - 5.0).collect();
    let b: Vec<f64> = (0..64).map(|i| if i % 2 == 0 { 20.0 } else { -0.001 }).collect();
    let kernels: Vec<&[f64]> = vec![&a, &b];
    assert_eq!(drawn_weights(&kernels, false).len(), 1088);
    let drawn = drawn_weights(&kernels, true);
    assert_eq!(drawn.len(), MAX_LINES);
    let size = |&(l, i): &(usize, usize)| kernels[l][i].abs();
    let smallest_drawn = drawn.iter().map(size).fold(f64::INFINITY, f64::min);
    let all: Vec<(usize, usize)> = drawn_weights(&kernels, false);
    let left_out = all.iter().filter(|p| !drawn.contains(p)).map(size).fold(0.0, f64::max);
    assert!(left_out <= smallest_drawn, "{left_out} left out, {smallest_drawn} drawn");
    // The 32 weights of 20 are all drawn.
    assert_eq!(drawn.iter().filter(|&&(l, _)| l == 1).count(), 32);

    let session = Session::from_json(
        r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "xor", "n": 100},
            "model": {"name": "mlp", "hidden": [32, 32, 32, 32, 32, 32], "activation": "tanh"}},
            "runs": [{"label": "adam", "optimizer": {"name": "Adam"}}]}"#,
    )
    .expect("valid config");
    let Problem::Model(problem) = session.problem() else { panic!("a model") };
    assert_eq!(note(problem), SPARSE_NOTE);
    assert!(SPARSE_NOTE.contains(&format!("More than {MAX_HEATMAP_UNITS} hidden units")));
    assert!(SPARSE_NOTE.contains(&format!("only the {MAX_LINES} largest weights")));
    let Problem::Model(small) = Session::from_json(&spiral(10, "")).expect("valid").problem().clone() else { panic!() };
    assert_eq!(note(&small), "");
}
