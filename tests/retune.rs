//! `Optimizer::retune`: new settings mid-run, keeping the state.
//!
//! - Retuning to the config an optimizer was built from changes nothing, bit for bit, for every
//!   kind of optimizer (the table below must name every optimizer the config accepts).
//! - Retuning to other settings of the same kind is accepted and changes the trajectory.
//! - Retuning to another kind returns false and changes nothing.
//! - After new betas, Adam's steps follow the formula with the new betas and the kept moments
//!   and step count, computed here independently.
//! - The hypergradient optimizers restart their learned rate at a new lr.

use std::collections::BTreeSet;

use convergence::config::Experiment;
use convergence::optim::{Optimizer, OptimizerConfig};
use convergence::problem::Problem;
use serde_json::{json, Value};

/// Every optimizer kind as a pair (config, the same kind with other settings), with the
/// variants that take other code paths.
fn table() -> Vec<(Value, Value)> {
    vec![
        (json!({"name": "SGD", "lr": 0.01}), json!({"name": "SGD", "lr": 0.01, "momentum": 0.9, "dampening": 0.5})),
        (
            json!({"name": "SGD", "lr": 0.01, "momentum": 0.9, "nesterov": true}),
            json!({"name": "SGD", "lr": 0.01, "momentum": 0.5, "weight_decay": 0.1}),
        ),
        (
            json!({"name": "Adagrad", "lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
            json!({"name": "Adagrad", "lr": 0.1, "lr_decay": 0.5, "eps": 1e-3}),
        ),
        (
            json!({"name": "RMSprop", "lr": 0.01}),
            json!({"name": "RMSprop", "lr": 0.01, "alpha": 0.5, "momentum": 0.5, "centered": true}),
        ),
        (
            json!({"name": "Adam", "lr": 0.05, "amsgrad": true}),
            json!({"name": "Adam", "lr": 0.05, "betas": [0.5, 0.9], "weight_decay": 0.1}),
        ),
        (json!({"name": "AdamW", "lr": 0.05}), json!({"name": "AdamW", "lr": 0.05, "weight_decay": 0.5})),
        (
            json!({"name": "NAdam", "lr": 0.05}),
            json!({"name": "NAdam", "lr": 0.05, "betas": [0.8, 0.99], "momentum_decay": 0.1}),
        ),
        (json!({"name": "RAdam", "lr": 0.05}), json!({"name": "RAdam", "lr": 0.05, "betas": [0.9, 0.9]})),
        (json!({"name": "Adamax", "lr": 0.05}), json!({"name": "Adamax", "lr": 0.05, "betas": [0.5, 0.5]})),
        (json!({"name": "Adadelta"}), json!({"name": "Adadelta", "rho": 0.5, "eps": 1e-3})),
        (
            json!({"name": "LBFGS", "lr": 0.5, "max_iter": 4, "history_size": 3}),
            json!({"name": "LBFGS", "lr": 0.5, "max_iter": 2, "history_size": 1}),
        ),
        (
            json!({"name": "LBFGS", "max_iter": 3, "line_search_fn": "strong_wolfe"}),
            json!({"name": "LBFGS", "max_iter": 5, "history_size": 2}),
        ),
        (json!({"name": "Lion", "lr": 0.01}), json!({"name": "Lion", "lr": 0.01, "weight_decay": 0.5})),
        (json!({"name": "Newton", "lr": 0.5, "damping": 0.1}), json!({"name": "Newton", "lr": 0.5, "damping": 2.0})),
        (
            json!({"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 1e-3, "momentum": 0.9}),
            json!({"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 1e-2, "momentum": 0.5}),
        ),
        (
            json!({"name": "AdamHD", "lr": 0.05, "hypergrad_lr": 1e-4}),
            json!({"name": "AdamHD", "lr": 0.05, "hypergrad_lr": 1e-4, "betas": [0.5, 0.9]}),
        ),
        (
            json!({"name": "Lookahead", "k": 3, "inner": {"name": "Adam", "lr": 0.05}}),
            json!({"name": "Lookahead", "k": 2, "alpha": 0.8, "inner": {"name": "Adam", "lr": 0.05, "eps": 0.1}}),
        ),
        (
            json!({"name": "Lookahead", "k": 2, "variant": "torch_optimizer",
                   "inner": {"name": "SGD", "lr": 0.01, "momentum": 0.9}}),
            json!({"name": "Lookahead", "k": 2, "variant": "torch_optimizer",
                   "inner": {"name": "SGD", "lr": 0.01, "momentum": 0.5}}),
        ),
    ]
}

fn config(value: &Value) -> OptimizerConfig {
    serde_json::from_value(value.clone()).expect("a valid optimizer config")
}

/// The convex quadratic f = (x^2 + 10 y^2) / 2.
fn problem(a: f64, b: f64) -> Problem {
    let experiment = json!({"problem": {"name": "quadratic", "a": a, "b": b},
                            "runs": [{"label": "r", "optimizer": {"name": "SGD"}}]});
    let experiment = Experiment::from_json(&experiment.to_string()).expect("valid experiment");
    experiment.problem.build_with_seed(experiment.seed)
}

/// `n` steps at the config's learning rate.
fn steps(optimizer: &mut Optimizer, problem: &Problem, w: &mut [f64], lr: f64, n: usize) {
    let mut g = vec![0.0; w.len()];
    for _ in 0..n {
        let loss = problem.loss_grad(w, &mut g);
        optimizer.step(w, loss, &g, lr, None, problem);
    }
}

/// Everything in an optimizer, settings and state (Debug prints every float in its shortest
/// round-trip form, so equal strings mean equal bits).
fn state(optimizer: &Optimizer) -> String {
    format!("{optimizer:?}")
}

/// The kind of a config: its name, Adam and AdamW being one kind, with the inner kind of a
/// Lookahead.
fn kind(value: &Value) -> String {
    match value["name"].as_str().unwrap_or_default() {
        "AdamW" => "Adam".to_string(),
        "Lookahead" => format!("Lookahead({})", kind(&value["inner"])),
        name => name.to_string(),
    }
}

#[test]
fn the_table_covers_every_optimizer() {
    let error = serde_json::from_value::<OptimizerConfig>(json!({"name": "no such name"})).expect_err("rejected");
    let message = error.to_string();
    let expected = message.split_once("expected").map_or("", |(_, rest)| rest);
    let accepted: BTreeSet<String> = expected.split('`').skip(1).step_by(2).map(str::to_string).collect();
    assert!(accepted.len() > 3, "{message}");
    let covered: BTreeSet<String> =
        table().iter().flat_map(|(a, b)| [a, b]).map(|c| c["name"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(covered, accepted);
}

#[test]
fn retuning_to_the_same_config_changes_nothing() {
    let problem = problem(1.0, 10.0);
    for (value, _) in table() {
        let c = config(&value);
        let mut plain = Optimizer::new(&c, 2);
        let mut w_plain = vec![1.5, -1.0];
        steps(&mut plain, &problem, &mut w_plain, c.lr(), 5);
        let mut retuned = plain.clone();
        let mut w_retuned = w_plain.clone();
        assert!(retuned.retune(&c), "{value}");
        assert_eq!(state(&retuned), state(&plain), "{value}");
        steps(&mut plain, &problem, &mut w_plain, c.lr(), 5);
        steps(&mut retuned, &problem, &mut w_retuned, c.lr(), 5);
        let bits = |w: &[f64]| w.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&w_retuned), bits(&w_plain), "{value}");
        assert_eq!(state(&retuned), state(&plain), "{value}");
    }
}

#[test]
fn retuning_to_other_settings_of_the_same_kind_takes_them() {
    let problem = problem(1.0, 10.0);
    for (value, other) in table() {
        let (c, o) = (config(&value), config(&other));
        let mut plain = Optimizer::new(&c, 2);
        let mut w_plain = vec![1.5, -1.0];
        steps(&mut plain, &problem, &mut w_plain, c.lr(), 3);
        let mut retuned = plain.clone();
        let mut w_retuned = w_plain.clone();
        assert!(retuned.retune(&o), "{value} -> {other}");
        assert_ne!(state(&retuned), state(&plain), "{value} -> {other}: the settings changed");
        steps(&mut plain, &problem, &mut w_plain, c.lr(), 4);
        steps(&mut retuned, &problem, &mut w_retuned, o.lr(), 4);
        assert_ne!(w_retuned, w_plain, "{value} -> {other}: the trajectory changed");
        assert!(w_retuned.iter().all(|x| x.is_finite()), "{value} -> {other}: {w_retuned:?}");
        // And back: the first settings again, with the state of the detour.
        assert!(retuned.retune(&c), "{other} -> {value}");
    }
}

#[test]
fn retuning_to_another_kind_is_refused_and_changes_nothing() {
    let problem = problem(1.0, 10.0);
    let configs: Vec<Value> = table().into_iter().flat_map(|(a, b)| [a, b]).collect();
    let mut refused = 0;
    for a in &configs {
        let ca = config(a);
        let mut optimizer = Optimizer::new(&ca, 2);
        let mut w = vec![1.5, -1.0];
        steps(&mut optimizer, &problem, &mut w, ca.lr(), 3);
        for b in &configs {
            let before = state(&optimizer);
            let mut copy = optimizer.clone();
            let accepted = copy.retune(&config(b));
            assert_eq!(accepted, kind(a) == kind(b), "{a} -> {b}");
            if !accepted {
                refused += 1;
                assert_eq!(state(&copy), before, "{a} -> {b}");
            }
        }
    }
    assert!(refused > 0);
    // A Lookahead whose inner kind differs is refused as a whole, its slow weights unchanged.
    let lookahead = config(&json!({"name": "Lookahead", "k": 3, "inner": {"name": "Adam", "lr": 0.05}}));
    let mut optimizer = Optimizer::new(&lookahead, 2);
    let mut w = vec![1.5, -1.0];
    steps(&mut optimizer, &problem, &mut w, 0.05, 4);
    let before = state(&optimizer);
    let other = config(&json!({"name": "Lookahead", "k": 9, "inner": {"name": "NAdam", "lr": 0.05}}));
    assert!(!optimizer.retune(&other));
    assert_eq!(state(&optimizer), before);
}

/// torch's lerp for a scalar weight.
fn lerp(start: f64, end: f64, weight: f64) -> f64 {
    if weight.abs() < 0.5 {
        start + weight * (end - start)
    } else {
        end - (end - start) * (1.0 - weight)
    }
}

#[test]
fn adam_after_new_betas_follows_the_formula() {
    // f = x^2 / 2 in each coordinate (a = b = 1), so g = x: two independent 1-D problems.
    let problem = problem(1.0, 1.0);
    let (lr, eps) = (0.1, 1e-8);
    let before = json!({"name": "Adam", "lr": lr, "betas": [0.9, 0.999]});
    let after = json!({"name": "Adam", "lr": lr, "betas": [0.5, 0.9]});
    let mut optimizer = Optimizer::new(&config(&before), 2);
    let mut untouched = optimizer.clone();
    let mut w = vec![1.5, -1.0];
    steps(&mut optimizer, &problem, &mut w, lr, 5);
    let mut w_untouched = w.clone();
    steps(&mut untouched, &problem, &mut w_untouched, lr, 5);
    assert!(optimizer.retune(&config(&after)));
    // By hand: t counts on, m and v carry over, the new betas enter the moments and the bias
    // corrections 1 - beta^t at the current t.
    let mut x = [1.5_f64, -1.0];
    let mut m = [0.0_f64; 2];
    let mut v = [0.0_f64; 2];
    for t in 1..=10 {
        let (b1, b2) = if t <= 5 { (0.9_f64, 0.999_f64) } else { (0.5, 0.9) };
        let (bc1, bc2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        for i in 0..2 {
            let g = x[i];
            m[i] = lerp(m[i], g, 1.0 - b1);
            v[i] = v[i] * b2 + (1.0 - b2) * g * g;
            x[i] -= lr / bc1 * m[i] / (v[i].sqrt() / bc2.sqrt() + eps);
        }
        if t == 5 {
            for i in 0..2 {
                assert!((w[i] - x[i]).abs() <= 1e-14 * x[i].abs().max(1.0), "before: {w:?} vs {x:?}");
            }
        }
        if t > 5 {
            steps(&mut optimizer, &problem, &mut w, lr, 1);
            for i in 0..2 {
                assert!((w[i] - x[i]).abs() <= 1e-13 * x[i].abs().max(1.0), "step {t}: {w:?} vs {x:?}");
            }
        }
    }
    // Without the retune the same five steps end elsewhere.
    steps(&mut untouched, &problem, &mut w_untouched, lr, 5);
    assert!((w_untouched[0] - w[0]).abs() > 1e-3, "{w_untouched:?} vs {w:?}");
}

#[test]
fn hypergradient_optimizers_restart_their_learned_rate_at_a_new_lr() {
    let problem = problem(1.0, 10.0);
    for value in [
        json!({"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 1e-3, "momentum": 0.9}),
        json!({"name": "AdamHD", "lr": 0.05, "hypergrad_lr": 1e-4}),
    ] {
        let c = config(&value);
        let mut optimizer = Optimizer::new(&c, 2);
        let mut w = vec![1.5, -1.0];
        steps(&mut optimizer, &problem, &mut w, c.lr(), 5);
        let learned = optimizer.learned_lr().expect("a learned lr");
        assert_ne!(learned, c.lr(), "{value}: the rate was learned");
        // The same lr keeps the learned rate; a new one restarts it there.
        assert!(optimizer.retune(&c));
        assert_eq!(optimizer.learned_lr(), Some(learned), "{value}");
        let mut plain = optimizer.clone();
        let mut w_plain = w.clone();
        let mut new = value.clone();
        new["lr"] = json!(0.02);
        assert!(optimizer.retune(&config(&new)));
        assert_eq!(optimizer.learned_lr(), Some(0.02), "{value}");
        // It keeps learning from there, whatever lr the run hands in: the hypergradient step
        // is the one the optimizer without the retune takes, from the same state and point.
        steps(&mut optimizer, &problem, &mut w, 123.0, 1);
        steps(&mut plain, &problem, &mut w_plain, 123.0, 1);
        let next = optimizer.learned_lr().expect("a learned lr");
        let next_plain = plain.learned_lr().expect("a learned lr");
        assert_ne!(next, 0.02, "{value}");
        assert!(((next - 0.02) - (next_plain - learned)).abs() <= 1e-12, "{value}: {next} {next_plain} {learned}");
    }
}
