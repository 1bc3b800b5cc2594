//! Property tests over the whole catalogue of optimizers and schedules (proptest):
//! - `step(k)` equals k calls of `step(1)`, bit for bit;
//! - on the convex quadratic f = (a x^2 + b y^2) / 2 with a small enough learning rate the loss
//!   goes down (the statements are theorems, stated with each test);
//! - `reset` restores the initial state, and stepping again reproduces the first trajectory bit
//!   for bit, for landscapes and for models trained on minibatches with dropout;
//! - decimated histories stay bounded and keep their first and last points.
//!
//! The catalogue below must name every optimizer and schedule the config accepts: the test
//! `the_catalogue_covers_every_variant` reads the accepted names from the config's own error
//! message for an unknown name and fails when a variant is added without being covered here.

use std::collections::BTreeSet;

use convergence::chart::decimate;
use convergence::config::Experiment;
use convergence::optim::OptimizerConfig;
use convergence::run::history::{History, TracePoint};
use convergence::run::session::Session;
use convergence::schedule::ScheduleConfig;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Every optimizer, with the variants that take other code paths (momentum, Nesterov,
/// AMSGrad, centered, line search, both Lookahead variants).
fn optimizers() -> Vec<Value> {
    vec![
        json!({"name": "SGD", "lr": 0.01}),
        json!({"name": "SGD", "lr": 0.01, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
        json!({"name": "SGD", "lr": 0.01, "momentum": 0.9, "nesterov": true}),
        json!({"name": "Adagrad", "lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
        json!({"name": "RMSprop", "lr": 0.01}),
        json!({"name": "RMSprop", "lr": 0.01, "momentum": 0.5, "centered": true, "weight_decay": 0.01}),
        json!({"name": "Adam", "lr": 0.05}),
        json!({"name": "Adam", "lr": 0.05, "amsgrad": true, "weight_decay": 0.1, "decoupled_weight_decay": true}),
        json!({"name": "AdamW", "lr": 0.05}),
        json!({"name": "NAdam", "lr": 0.05}),
        json!({"name": "RAdam", "lr": 0.05}),
        json!({"name": "Adamax", "lr": 0.05}),
        json!({"name": "Adadelta"}),
        json!({"name": "LBFGS", "lr": 0.5, "max_iter": 4, "history_size": 3}),
        json!({"name": "LBFGS", "max_iter": 3, "line_search_fn": "strong_wolfe"}),
        json!({"name": "Lion", "lr": 0.01}),
        json!({"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 1e-3}),
        json!({"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 1e-3, "momentum": 0.9, "nesterov": true}),
        json!({"name": "AdamHD", "lr": 0.05, "hypergrad_lr": 1e-4}),
        json!({"name": "Newton", "lr": 0.5, "damping": 0.1}),
        json!({"name": "Lookahead", "k": 3, "inner": {"name": "Adam", "lr": 0.05}}),
        json!({"name": "Lookahead", "k": 2, "variant": "torch_optimizer", "inner": {"name": "SGD", "lr": 0.01, "momentum": 0.9}}),
    ]
}

/// Every schedule, with short periods so that a few dozen steps cross their phase changes.
fn schedules() -> Vec<Value> {
    vec![
        json!({"name": "constant"}),
        json!({"name": "StepLR", "step_size": 3, "gamma": 0.5}),
        json!({"name": "MultiStepLR", "milestones": [2, 5, 9], "gamma": 0.3}),
        json!({"name": "ExponentialLR", "gamma": 0.9}),
        json!({"name": "CosineAnnealingLR", "T_max": 7, "eta_min": 1e-4}),
        json!({"name": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 2}),
        json!({"name": "ConstantLR", "factor": 0.5, "total_iters": 4}),
        json!({"name": "LinearLR", "start_factor": 0.2, "total_iters": 6}),
        json!({"name": "PolynomialLR", "total_iters": 8, "power": 2.0}),
        json!({"name": "LambdaLR", "lambda": "inverse_time", "t0": 3.0}),
        json!({"name": "LambdaLR", "lambda": "inverse_sqrt"}),
        json!({"name": "SequentialLR",
               "schedulers": [{"name": "LinearLR", "start_factor": 0.1, "total_iters": 3},
                              {"name": "CosineAnnealingLR", "T_max": 5}],
               "milestones": [3]}),
        json!({"name": "OneCycleLR", "max_lr": 0.02, "total_steps": 40, "three_phase": true}),
        json!({"name": "OneCycleLR", "max_lr": 0.02, "total_steps": 40, "cycle_momentum": false}),
        json!({"name": "CyclicLR", "base_lr": 1e-3, "max_lr": 1e-2, "step_size_up": 3.0, "mode": "triangular2"}),
        json!({"name": "CyclicLR", "base_lr": 1e-3, "max_lr": 1e-2, "step_size_up": 2.0, "mode": "exp_range",
               "gamma": 0.9, "cycle_momentum": false}),
        json!({"name": "ReduceLROnPlateau", "patience": 1, "factor": 0.5, "threshold": 0.5}),
    ]
}

/// The names in an "unknown variant `x`, expected one of `A`, `B`" message.
fn names_in_message(message: &str) -> BTreeSet<String> {
    let expected = message.split_once("expected").map_or("", |(_, rest)| rest);
    expected.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The names the config accepts for `T`, read from its message for an unknown name.
fn accepted_names<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let error = serde_json::from_value::<T>(json!({"name": "no such name"})).expect_err("an unknown name is rejected");
    let names = names_in_message(&error.to_string());
    assert!(names.len() > 3, "could not read the names from: {error}");
    names
}

/// A one-run experiment on `problem`.
fn experiment(problem: &Value, x0: Option<[f64; 2]>, optimizer: &Value, schedule: &Value) -> Option<Experiment> {
    let mut run = json!({"label": "r", "optimizer": optimizer, "schedule": schedule});
    if let Some(x0) = x0 {
        run["x0"] = json!(x0);
    }
    let config = json!({"seed": 5, "problem": problem, "runs": [run], "stop": {"max_steps": 100_000,
        "loss_plateau": null, "param_change": null, "grad_norm": null}});
    Experiment::from_json(&config.to_string()).ok()
}

/// Everything observable about a session, with every float bit: the snapshot as JSON, the
/// parameters' bits and the recorded history (Debug prints floats in shortest round-trip form).
fn state(session: &Session) -> String {
    let snapshot = serde_json::to_string(&session.snapshot()).expect("a snapshot serializes");
    let mut out = snapshot;
    for run in session.runs() {
        let bits: Vec<u64> = run.params().iter().map(|x| x.to_bits()).collect();
        let history: Vec<&TracePoint> = run.history().points().collect();
        let evaluations: Vec<_> = run.evaluations().points().collect();
        out.push_str(&format!("\n{bits:?}\n{history:?}\n{evaluations:?}"));
    }
    out
}

/// A model problem trained on seeded minibatches with dropout (so that reset must also rewind
/// the batch order and the dropout masks).
fn model_problem() -> Value {
    json!({"name": "model", "data": {"name": "moons", "n": 60, "noise": 0.1},
           "model": {"name": "mlp", "hidden": [4], "activation": "tanh"},
           "batch_size": 7, "regularization": {"l2": 0.001, "dropout": 0.2}})
}

#[test]
fn the_catalogue_covers_every_variant() {
    let optimizer_names: BTreeSet<String> =
        optimizers().iter().map(|o| o["name"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(optimizer_names, accepted_names::<OptimizerConfig>(), "optimizers missing from the catalogue");
    let schedule_names: BTreeSet<String> =
        schedules().iter().map(|s| s["name"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(schedule_names, accepted_names::<ScheduleConfig>(), "schedules missing from the catalogue");
}

#[test]
fn every_optimizer_and_schedule_of_the_catalogue_is_valid_somewhere() {
    // The property tests skip combinations the config rejects (a schedule cycling the momentum
    // of an optimizer without one); each entry must still be tested at least once.
    let problem = json!({"name": "rosenbrock"});
    for optimizer in optimizers() {
        let ok = schedules().iter().any(|s| experiment(&problem, None, &optimizer, s).is_some());
        assert!(ok, "{optimizer} is valid with no schedule");
    }
    for schedule in schedules() {
        let ok = optimizers().iter().any(|o| experiment(&problem, None, o, &schedule).is_some());
        assert!(ok, "{schedule} is valid with no optimizer");
    }
    assert!(experiment(&model_problem(), None, &optimizers()[0], &schedules()[0]).is_some());
}

/// Every valid combination of a problem (two landscapes started at `x0`, and the model
/// problem), an optimizer and a schedule, with a description for messages.
fn every_experiment(x0: [f64; 2]) -> Vec<(String, Experiment)> {
    let landscapes = [json!({"name": "rosenbrock"}), json!({"name": "quadratic", "a": 1, "b": 10})];
    let problems = landscapes.into_iter().map(|p| (p, Some(x0))).chain([(model_problem(), None)]);
    let mut out = Vec::new();
    for (problem, start) in problems {
        for optimizer in optimizers() {
            for schedule in schedules() {
                if let Some(e) = experiment(&problem, start, &optimizer, &schedule) {
                    out.push((format!("{problem} {optimizer} {schedule}"), e));
                }
            }
        }
    }
    out
}

proptest! {
    // Each case runs every optimizer, schedule and problem: about a thousand sessions.
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    /// k calls of step(1) end where one step(k) ends, bit for bit, for every optimizer,
    /// schedule and problem.
    #[test]
    fn k_single_steps_equal_one_step_of_k(k in 1u64..25, x in -2.0f64..2.0, y in -1.0f64..3.0) {
        for (problem, e) in every_experiment([x, y]) {
            let mut at_once = Session::new(e.clone());
            let mut one_by_one = Session::new(e);
            at_once.step(k);
            for _ in 0..k {
                one_by_one.step(1);
            }
            prop_assert_eq!(state(&at_once), state(&one_by_one), "{}", problem);
        }
    }

    /// After reset a session equals a fresh one, and stepping again retraces the first
    /// trajectory bit for bit, for every optimizer and schedule, on landscapes and on a model
    /// trained on minibatches with dropout.
    #[test]
    fn reset_restores_the_initial_state(first in 1u64..30, second in 1u64..30, x in -2.0f64..2.0, y in -1.0f64..3.0) {
        for (problem, e) in every_experiment([x, y]) {
            let mut fresh = Session::new(e.clone());
            let mut session = Session::new(e);
            session.step(first);
            session.reset();
            prop_assert_eq!(state(&session), state(&fresh), "{}", problem);
            session.step(second);
            fresh.step(second);
            prop_assert_eq!(state(&session), state(&fresh), "{}", problem);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Descent on the convex quadratic f = (a x^2 + b y^2) / 2, with curvatures a, b and L = max(a, b).
// ---------------------------------------------------------------------------------------------

/// Steps taken in the descent tests.
const DESCENT_STEPS: u64 = 40;

/// The visited points (x, y) and their losses, from the start to the last step.
fn trajectory(e: Experiment) -> Vec<([f64; 2], f64)> {
    let mut session = Session::new(e);
    session.step(DESCENT_STEPS);
    let run = &session.runs()[0];
    assert_eq!(run.step(), DESCENT_STEPS, "the run stopped early: {:?}", run.status());
    run.history().points().map(|p| (p.xy, p.loss)).collect()
}

/// The quadratic with curvatures a and b.
fn quadratic(a: f64, b: f64) -> Value {
    json!({"name": "quadratic", "a": a, "b": b})
}

/// The quadratic bowl typed as the visitor's own function: every optimizer follows the same
/// trajectory on it as on the built-in bowl, bit for bit (the dual numbers' derivatives of
/// 0.5*(1*(x*x) + 10*(y*y)) round exactly as the bowl's closed forms a*x and b*y do).
#[test]
fn every_optimizer_runs_the_same_on_a_custom_bowl() {
    let custom = json!({"name": "custom", "f": "0.5*(1*(x*x) + 10*(y*y))"});
    for optimizer in optimizers() {
        let built_in = experiment(&quadratic(1.0, 10.0), Some([1.5, -0.8]), &optimizer, &json!({"name": "constant"}));
        let typed = experiment(&custom, Some([1.5, -0.8]), &optimizer, &json!({"name": "constant"}));
        let (Some(built_in), Some(typed)) = (built_in, typed) else {
            panic!("{optimizer}: both configs should be valid");
        };
        // Some of the catalogue's settings diverge on this bowl: they must diverge alike.
        let (mut a, mut b) = (Session::new(built_in), Session::new(typed));
        a.step(DESCENT_STEPS);
        b.step(DESCENT_STEPS);
        // The numbers must agree bit for bit; only the end point's name differs, as it should:
        // the built-in bowl knows its minimum is the global one, a typed function knows no minima.
        let names = |s: &str| s.replace(r#""end":"global_minimum""#, r#""end":"minimum""#);
        assert_eq!(names(&state(&a)), state(&b), "{optimizer}: the custom bowl's trajectory differs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Gradient descent with 0 < lr(t) <= 1/L never raises the loss, under every schedule whose
    /// rate stays at or below the configured one (or max_lr <= 1/L). Theorem: each coordinate
    /// becomes (1 - lr*a_i) x_i with 0 <= 1 - lr*a_i < 1, so |x_i| cannot grow; rounding is
    /// monotone, so the computed values keep that order. The loss also falls strictly overall.
    #[test]
    fn gradient_descent_below_one_over_l_descends(a in 0.1f64..100.0, b in 0.1f64..100.0, x in 0.5f64..5.0, y in -5.0f64..-0.5, share in 0.05f64..1.0) {
        let lr = share / a.max(b);
        for schedule in schedules() {
            // OneCycleLR and CyclicLR set their own rates: cap them at 1/L. They would also
            // impose a momentum, which makes this another method (see the next test).
            let mut schedule = schedule;
            for key in ["max_lr", "base_lr"] {
                if let Some(v) = schedule.get(key).and_then(Value::as_f64) {
                    schedule[key] = json!(v.min(lr));
                    schedule["cycle_momentum"] = json!(false);
                }
            }
            let Some(e) = experiment(&quadratic(a, b), Some([x, y]), &json!({"name": "SGD", "lr": lr}), &schedule) else { continue };
            let path = trajectory(e);
            for w in path.windows(2) {
                prop_assert!(w[1].1 <= w[0].1, "{}: loss rose from {} to {}", schedule, w[0].1, w[1].1);
            }
            prop_assert!(path[path.len() - 1].1 < path[0].1, "{}: no progress", schedule);
        }
    }

    /// Every other optimizer, with a learning rate small against the distance to the minimum.
    /// Theorem: while no coordinate has changed sign since the start, every gradient so far has
    /// had the sign of x_i in each coordinate, so every momentum buffer and every first-moment
    /// estimate has that sign too and every update (and every decoupled weight decay) moves
    /// each coordinate towards 0: the loss cannot rise before the first sign change. For
    /// Lookahead this holds for the slow weights, i.e. at the syncs; L-BFGS with the strong
    /// Wolfe line search accepts only points that do not raise the loss (Armijo), at every
    /// step; Newton's step scales each coordinate by 1 - lr a_i / (a_i + damping) in [0, 1).
    /// The first step moves at most 10 lr (RMSprop's 1/sqrt(1 - alpha) with alpha = 0.99;
    /// the others at most lr, or lr times a gradient of at most L |x| for the momentum methods
    /// and RAdam's first steps), which stays below min |x0_i| / 2: it cannot cross, so the loss
    /// falls strictly at the first step (at the first sync for Lookahead).
    #[test]
    fn every_optimizer_descends_with_a_small_learning_rate(a in 0.1f64..100.0, b in 0.1f64..100.0, x in 0.5f64..5.0, y in -5.0f64..-0.5, share in 0.05f64..1.0) {
        let lr = share * (1.0 / a.max(b)).min(0.5f64.min(x.abs()).min(y.abs()) / 20.0);
        let cases = [
            json!({"name": "SGD", "lr": lr, "momentum": 0.9}),
            json!({"name": "SGD", "lr": lr, "momentum": 0.9, "nesterov": true}),
            json!({"name": "Adagrad", "lr": lr}),
            json!({"name": "RMSprop", "lr": lr}),
            json!({"name": "RMSprop", "lr": lr, "momentum": 0.5, "centered": true}),
            json!({"name": "Adam", "lr": lr}),
            json!({"name": "Adam", "lr": lr, "amsgrad": true}),
            json!({"name": "AdamW", "lr": lr}),
            json!({"name": "NAdam", "lr": lr}),
            json!({"name": "RAdam", "lr": lr}),
            json!({"name": "Adamax", "lr": lr}),
            json!({"name": "Adadelta", "lr": lr}),
            json!({"name": "Lion", "lr": lr}),
            json!({"name": "Newton", "lr": share}),
            json!({"name": "LBFGS", "line_search_fn": "strong_wolfe", "max_iter": 3}),
            json!({"name": "Lookahead", "k": 4, "inner": {"name": "Adam", "lr": lr}}),
        ];
        for optimizer in cases {
            let name = optimizer["name"].as_str().unwrap_or_default();
            let e = experiment(&quadratic(a, b), Some([x, y]), &optimizer, &json!({"name": "constant"}));
            let path = trajectory(e.expect("a valid config"));
            let stride = if name == "Lookahead" { 4 } else { 1 };
            let watched: Vec<_> = path.iter().step_by(stride).collect();
            prop_assert!(watched[1].1 < watched[0].1, "{}: the first step did not lower the loss: {:?}", optimizer, &path[..2]);
            let same_side = |p: &[f64; 2]| p[0] > 0.0 && p[1] < 0.0;
            for w in watched.windows(2) {
                if name != "LBFGS" && !same_side(&w[1].0) {
                    break;
                }
                prop_assert!(w[1].1 <= w[0].1, "{}: loss rose from {} to {}", optimizer, w[0].1, w[1].1);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decimated histories.
// ---------------------------------------------------------------------------------------------

fn point(step: u64, loss: f64) -> TracePoint {
    TracePoint { step, loss, lr: 0.1, grad_norm: 1.0, delta_norm: 1.0, xy: [loss, 0.0] }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A run history longer than its capacity keeps at most capacity + 3 points (the spread
    /// ones, the lowest, the highest and the latest), in step order, starting with step 0 and
    /// ending with the latest point.
    #[test]
    fn run_history_keeps_its_first_and_last_points(capacity in 2usize..64, losses in prop::collection::vec(-1e6f64..1e6, 65..2000)) {
        let mut history: History = History::with_capacity(capacity);
        for (step, &loss) in losses.iter().enumerate() {
            history.push(point(step as u64, loss));
        }
        let kept: Vec<&TracePoint> = history.points().collect();
        prop_assert!(kept.len() <= capacity + 3, "kept {} of capacity {}", kept.len(), capacity);
        prop_assert!(kept.windows(2).all(|w| w[0].step < w[1].step));
        prop_assert_eq!(*kept[0], point(0, losses[0]));
        let last = losses.len() - 1;
        prop_assert_eq!(*kept[kept.len() - 1], point(last as u64, losses[last]));
    }

    /// The chart's decimation to pixel columns keeps the minimum and the maximum of the curve,
    /// in x order, with at most two points per column.
    #[test]
    fn chart_decimation_keeps_the_extremes(columns in 1usize..50, ys in prop::collection::vec(-1e6f64..1e6, 101..2000)) {
        let points: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
        let kept = decimate(&points, (0.0, points.len() as f64), columns);
        prop_assert!(kept.len() <= 2 * columns + 2, "kept {} for {} columns", kept.len(), columns);
        prop_assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        let min = points.iter().copied().fold(points[0], |m, p| if p.1 < m.1 { p } else { m });
        let max = points.iter().copied().fold(points[0], |m, p| if p.1 > m.1 { p } else { m });
        prop_assert!(kept.contains(&min), "the minimum {:?} was dropped", min);
        prop_assert!(kept.contains(&max), "the maximum {:?} was dropped", max);
    }
}

// Decimated histories keep their minimum and maximum points, and the chart's `decimate` the
// curve's first and last points.

#[test]
fn run_history_keeps_its_minimum_and_maximum() {
    let losses: Vec<f64> = (0..1000u64)
        .map(|s| {
            if s == 333 {
                -1.0
            } else if s == 667 {
                1e9
            } else {
                s as f64
            }
        })
        .collect();
    let mut history: History = History::with_capacity(16);
    for (step, &loss) in losses.iter().enumerate() {
        history.push(point(step as u64, loss));
    }
    let kept: Vec<f64> = history.points().map(|p| p.loss).collect();
    assert!(kept.contains(&-1.0), "the minimum was dropped: {kept:?}");
    assert!(kept.contains(&1e9), "the maximum was dropped: {kept:?}");
}

#[test]
fn chart_decimation_keeps_the_first_and_last_points() {
    // Every column holds a 0 and a 1; the first and the last point are 0.5, neither extreme.
    let points: Vec<(f64, f64)> =
        (0..1000).map(|i| (i as f64, if i == 0 || i == 999 { 0.5 } else { (i % 2) as f64 })).collect();
    let kept = decimate(&points, (0.0, 1000.0), 10);
    assert_eq!(kept.first(), points.first(), "the first point was dropped");
    assert_eq!(kept.last(), points.last(), "the last point was dropped");
}
