//! Learning-rate schedules against PyTorch's reference runs, against literal re-implementations
//! of torch's recursive `get_lr` code, against hand-computed values, and validation messages.

use std::collections::BTreeMap;
use std::f64::consts::PI;

use convergence::config::validate::Validator;
use convergence::schedule::{Schedule, ScheduleConfig};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A schedule config from JSON text; panics (in tests only) on a serde error.
fn config(text: &str) -> ScheduleConfig {
    match serde_json::from_str(text) {
        Ok(config) => config,
        Err(error) => panic!("{text}: {error}"),
    }
}

/// A built schedule from JSON text.
fn schedule(text: &str, base_lr: f64) -> Schedule {
    config(text).build(base_lr)
}

/// The first `n` learning rates of a schedule.
fn lrs(s: &Schedule, n: u64) -> Vec<f64> {
    (0..n).map(|t| s.lr(t)).collect()
}

/// Asserts `actual` is within `rel` relative of `expected` (exactly equal when expected is 0).
fn assert_close(actual: f64, expected: f64, rel: f64, what: &str) {
    let ok = actual == expected || (actual - expected).abs() <= rel * expected.abs();
    assert!(ok, "{what}: got {actual:e}, expected {expected:e}");
}

/// Asserts two sequences agree entry by entry within `rel`.
fn assert_all_close(actual: &[f64], expected: &[f64], rel: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    for (t, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_close(*a, *e, rel, &format!("{what} at t={t}"));
    }
}

/// Every problem the validator finds for `text` at path `runs[0].schedule`, one per line.
fn problems(text: &str, has_momentum: bool) -> Vec<String> {
    let mut v = Validator::new();
    config(text).validate("runs[0].schedule", has_momentum, &mut v);
    match v.finish() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Reference runs recorded with PyTorch
// ---------------------------------------------------------------------------------------------

/// A JSON number, or one of the strings "inf", "-inf", "nan".
fn number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        _ => f64::NAN,
    }
}

/// Removes the human-readable `formula` and `metric` strings, also from nested schedulers.
fn strip_descriptions(schedule: &mut Value) {
    if let Value::Object(map) = schedule {
        map.remove("formula");
        map.remove("metric");
        if let Some(Value::Array(children)) = map.get_mut("schedulers") {
            children.iter_mut().for_each(strip_descriptions);
        }
    }
}

/// Whether torch's optimizer class has a `momentum` or `betas` default.
fn has_momentum(optimizer: &Value) -> bool {
    let name = optimizer["name"].as_str().unwrap_or_default();
    if name == "Lookahead" {
        return has_momentum(&optimizer["inner"]);
    }
    matches!(name, "SGD" | "RMSprop" | "Adam" | "AdamW" | "NAdam" | "RAdam" | "Adamax")
}

/// Checks one case file; returns the schedule name and the largest relative lr error.
fn check_case(path: &std::path::Path) -> (String, f64) {
    let text = std::fs::read_to_string(path).expect("readable case");
    let case: Value = serde_json::from_str(&text).expect("valid JSON");
    let id = case["id"].as_str().unwrap_or_default().to_string();
    let mut schedule_json = case["schedule"].clone();
    strip_descriptions(&mut schedule_json);
    let config: ScheduleConfig =
        serde_json::from_value(schedule_json.clone()).unwrap_or_else(|e| panic!("{id}: {schedule_json}: {e}"));

    let optimizer = &case["optimizer"];
    let mut v = Validator::new();
    config.validate("schedule", has_momentum(optimizer), &mut v);
    assert!(v.is_empty(), "{id}: {:?}", v.finish());

    let base_lr = match optimizer.get("inner") {
        Some(inner) => number(&inner["lr"]),
        None => number(&optimizer["lr"]),
    };
    let mut s = config.build(base_lr);
    let expected_lr = case["lr"].as_array().expect("lr array");
    let losses = case["loss"].as_array().expect("loss array");
    let momenta = case.get("momentum").and_then(Value::as_array);
    assert_eq!(s.momentum(0).is_some(), momenta.is_some(), "{id}: momentum presence");
    let mut worst = 0.0_f64;
    for (t, expected) in expected_lr.iter().enumerate() {
        let step = t as u64;
        let (actual, expected) = (s.lr(step), number(expected));
        assert_close(actual, expected, 1e-12, &format!("{id}: lr[{t}]"));
        if actual != expected {
            worst = worst.max((actual - expected).abs() / expected.abs());
        }
        if let Some(momenta) = momenta {
            let m = s.momentum(step).unwrap_or(f64::NAN);
            assert_close(m, number(&momenta[t]), 1e-12, &format!("{id}: momentum[{t}]"));
        }
        s.observe_loss(number(&losses[t]));
    }
    (config.name().to_string(), worst)
}

#[test]
fn every_reference_case_matches_torch() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/cases");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("case directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no reference cases in {dir}");
    // Per schedule: the number of cases and the largest relative lr error.
    let mut seen: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for path in &paths {
        let (name, worst) = check_case(path);
        let entry = seen.entry(name).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(worst);
    }
    eprintln!("checked {} reference cases (count, largest relative lr error): {seen:?}", paths.len());
    for name in ["constant", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"] {
        assert!(seen.contains_key(name), "no reference case for {name}");
    }
}

#[test]
fn reduce_on_plateau_case_reduces_and_reset_restores() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/cases/sgd__rastrigin__ReduceLROnPlateau.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        return; // The case set may change; the sweep above covers whatever is there.
    };
    let case: Value = serde_json::from_str(&text).expect("valid JSON");
    let mut schedule_json = case["schedule"].clone();
    strip_descriptions(&mut schedule_json);
    let config: ScheduleConfig = serde_json::from_value(schedule_json).expect("valid schedule");
    let mut s = config.build(number(&case["optimizer"]["lr"]));
    let initial = s.lr(0);
    for loss in case["loss"].as_array().expect("loss").iter().take(case["lr"].as_array().map_or(0, Vec::len)) {
        s.observe_loss(number(loss));
    }
    assert!(s.lr(0) < initial, "the reference run reduces its lr");
    s.reset();
    assert_eq!(s.lr(0), initial);
}

// ---------------------------------------------------------------------------------------------
// Literal torch recursions (torch's `get_lr` as called by `step()`), written out independently
// ---------------------------------------------------------------------------------------------

/// Runs a recursive torch scheduler: `first` is the lr at construction, `next(epoch, lr)` the
/// lr after the step that makes last_epoch = epoch.
fn recursion(first: f64, n: u64, next: impl Fn(u64, f64) -> f64) -> Vec<f64> {
    let mut out = vec![first];
    let mut lr = first;
    for epoch in 1..n {
        lr = next(epoch, lr);
        out.push(lr);
    }
    out
}

#[test]
fn step_lr_matches_torch_recursion() {
    let s = schedule(r#"{"name": "StepLR", "step_size": 3, "gamma": 0.3}"#, 0.2);
    let expected = recursion(0.2, 20, |e, lr| if e % 3 == 0 { lr * 0.3 } else { lr });
    assert_all_close(&lrs(&s, 20), &expected, 1e-14, "StepLR");
    assert_eq!(s.lr(2), 0.2);
    assert_close(s.lr(3), 0.06, 1e-15, "StepLR at 3");
}

#[test]
fn multi_step_lr_matches_torch_recursion() {
    let s = schedule(r#"{"name": "MultiStepLR", "milestones": [2, 5, 9]}"#, 1.0);
    let expected = recursion(1.0, 15, |e, lr| if [2, 5, 9].contains(&e) { lr * 0.1 } else { lr });
    assert_all_close(&lrs(&s, 15), &expected, 1e-14, "MultiStepLR");
    // Hand-computed: 1 until 2, 0.1 until 5, 0.01 until 9, then 0.001.
    assert_eq!([s.lr(1), s.lr(2), s.lr(4)], [1.0, 0.1, 0.1]);
    assert_close(s.lr(5), 0.01, 1e-15, "MultiStepLR at 5");
    assert_close(s.lr(100), 0.001, 1e-15, "MultiStepLR at 100");
    let none = schedule(r#"{"name": "MultiStepLR", "milestones": [], "gamma": 0.5}"#, 0.3);
    assert_eq!(none.lr(1000), 0.3);
}

#[test]
fn exponential_lr_matches_torch_recursion() {
    let s = schedule(r#"{"name": "ExponentialLR", "gamma": 0.9}"#, 0.5);
    let expected = recursion(0.5, 100, |_, lr| lr * 0.9);
    assert_all_close(&lrs(&s, 100), &expected, 1e-13, "ExponentialLR");
}

/// torch's CosineAnnealingLR.get_lr for step() calls after construction.
fn torch_cosine(base: f64, t_max: u64, eta_min: f64, n: u64) -> Vec<f64> {
    let tm = t_max as f64;
    recursion(base, n, |e, lr| {
        if (e as i64 - 1 - t_max as i64).rem_euclid(2 * t_max as i64) == 0 {
            lr + (base - eta_min) * (1.0 - (PI / tm).cos()) / 2.0
        } else {
            (1.0 + (PI * e as f64 / tm).cos()) / (1.0 + (PI * (e - 1) as f64 / tm).cos()) * (lr - eta_min) + eta_min
        }
    })
}

#[test]
fn cosine_annealing_is_periodic_past_t_max_like_torch() {
    let s = schedule(r#"{"name": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.01}"#, 0.1);
    assert_all_close(&lrs(&s, 55), &torch_cosine(0.1, 10, 0.01, 55), 1e-12, "CosineAnnealingLR");
    // Hand-computed: the minimum at T_max, back to the start at 2*T_max, half-way at T_max/2.
    assert_close(s.lr(10), 0.01, 1e-15, "at T_max");
    assert_close(s.lr(20), 0.1, 1e-15, "at 2*T_max");
    assert_close(s.lr(5), 0.055, 1e-14, "at T_max/2");
    assert_close(s.lr(15), 0.055, 1e-14, "at 3*T_max/2");

    let zero_floor = schedule(r#"{"name": "CosineAnnealingLR", "T_max": 7}"#, 1.0);
    let expected = torch_cosine(1.0, 7, 0.0, 30);
    for (t, e) in expected.iter().enumerate() {
        let a = zero_floor.lr(t as u64);
        assert!((a - e).abs() <= 1e-14, "eta_min = 0 at t={t}: {a} vs {e}");
    }
    assert_eq!(zero_floor.lr(7), 0.0);
}

#[test]
fn warm_restarts_match_torch_step_loop() {
    for (t_0, t_mult) in [(5_u64, 1_u64), (3, 2), (2, 3)] {
        let text =
            format!(r#"{{"name": "CosineAnnealingWarmRestarts", "T_0": {t_0}, "T_mult": {t_mult}, "eta_min": 0.05}}"#);
        let s = schedule(&text, 0.5);
        let (mut t_cur, mut t_i) = (0_u64, t_0);
        for t in 0..100_u64 {
            if t > 0 {
                t_cur += 1;
                if t_cur >= t_i {
                    t_cur -= t_i;
                    t_i *= t_mult;
                }
            }
            let expected = 0.05 + (0.5 - 0.05) * (1.0 + (PI * t_cur as f64 / t_i as f64).cos()) / 2.0;
            assert_close(s.lr(t), expected, 1e-12, &format!("T_0={t_0} T_mult={t_mult} t={t}"));
        }
    }
    // Hand-computed restarts for T_0 = 3, T_mult = 2: cycles start at 0, 3, 9, 21.
    let s = schedule(r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 2}"#, 1.0);
    for start in [0, 3, 9, 21] {
        assert_eq!(s.lr(start), 1.0, "restart at {start}");
    }
    assert_close(s.lr(6), 0.5, 1e-15, "half-way through the 6-step cycle");
}

#[test]
fn linear_lr_matches_torch_recursion() {
    let (start, end, total) = (0.25, 0.75, 8_u64);
    let s = schedule(r#"{"name": "LinearLR", "start_factor": 0.25, "end_factor": 0.75, "total_iters": 8}"#, 0.4);
    let expected = recursion(0.4 * start, 20, |e, lr| {
        if e > total {
            lr
        } else {
            lr * (1.0 + (end - start) / (total as f64 * start + (e - 1) as f64 * (end - start)))
        }
    });
    assert_all_close(&lrs(&s, 20), &expected, 1e-14, "LinearLR");
    assert_close(s.lr(4), 0.4 * 0.5, 1e-15, "LinearLR half-way");

    // torch's defaults: start 1/3, end 1, 5 iterations.
    let d = schedule(r#"{"name": "LinearLR"}"#, 3.0);
    assert_close(d.lr(0), 1.0, 1e-15, "default start");
    assert_close(d.lr(5), 3.0, 1e-15, "default end");
}

#[test]
fn constant_lr_matches_torch_recursion() {
    let s = schedule(r#"{"name": "ConstantLR", "factor": 0.5, "total_iters": 4}"#, 0.2);
    let expected = recursion(0.1, 10, |e, lr| if e == 4 { lr * (1.0 / 0.5) } else { lr });
    assert_all_close(&lrs(&s, 10), &expected, 1e-15, "ConstantLR");
}

#[test]
fn polynomial_lr_reaches_zero_and_stays() {
    let (total, power) = (6_u64, 2.0);
    let s = schedule(r#"{"name": "PolynomialLR", "total_iters": 6, "power": 2.0}"#, 0.9);
    let expected = recursion(0.9, 12, |e, lr| {
        if e > total {
            lr
        } else {
            let ratio = (1.0 - e as f64 / total as f64) / (1.0 - (e - 1) as f64 / total as f64);
            lr * ratio.powf(power)
        }
    });
    assert_all_close(&lrs(&s, 12), &expected, 1e-13, "PolynomialLR");
    assert_close(s.lr(3), 0.9 * 0.25, 1e-15, "half-way, squared");
    for t in [6, 7, 100, u64::MAX] {
        assert_eq!(s.lr(t), 0.0, "PolynomialLR at {t}");
    }
    // torch's defaults: 5 iterations, power 1.
    let d = schedule(r#"{"name": "PolynomialLR"}"#, 1.0);
    assert_close(d.lr(1), 0.8, 1e-15, "default at 1");
    assert_eq!(d.lr(5), 0.0);
}

#[test]
fn lambda_lr_named_lambdas() {
    let s = schedule(r#"{"name": "LambdaLR", "lambda": "inverse_time", "t0": 10.0}"#, 0.6);
    assert_eq!(s.lr(0), 0.6);
    assert_close(s.lr(10), 0.3, 1e-15, "inverse_time at t0");
    assert_close(s.lr(30), 0.15, 1e-15, "inverse_time at 3*t0");
    let s = schedule(r#"{"name": "LambdaLR", "lambda": "inverse_sqrt"}"#, 0.6);
    assert_close(s.lr(3), 0.3, 1e-15, "inverse_sqrt at 3");
    assert_close(s.lr(99), 0.06, 1e-15, "inverse_sqrt at 99");
}

#[test]
fn constant_schedule_is_constant() {
    let s = ScheduleConfig::default().build(0.07);
    assert!(s.is_constant());
    assert_eq!([s.lr(0), s.lr(u64::MAX)], [0.07, 0.07]);
    assert_eq!(s.momentum(3), None);
    assert!(!schedule(r#"{"name": "ExponentialLR", "gamma": 1.0}"#, 0.1).is_constant());
    assert_eq!(config(r#"{"name": "constant"}"#), ScheduleConfig::Constant {});
}

// ---------------------------------------------------------------------------------------------
// OneCycleLR and CyclicLR
// ---------------------------------------------------------------------------------------------

/// torch's OneCycleLR.get_lr written out: returns (lr, momentum) at step `step_num`.
#[allow(clippy::too_many_arguments)]
fn torch_one_cycle(
    max_lr: f64,
    total: u64,
    pct_start: f64,
    linear: bool,
    three_phase: bool,
    (base_m, max_m): (f64, f64),
    (div, final_div): (f64, f64),
    step_num: u64,
) -> (f64, f64) {
    let initial = max_lr / div;
    let min_lr = initial / final_div;
    let total_f = total as f64;
    // (end_step, start_lr, end_lr, start_momentum, end_momentum)
    let phases: Vec<(f64, f64, f64, f64, f64)> = if three_phase {
        vec![
            (pct_start * total_f - 1.0, initial, max_lr, max_m, base_m),
            (2.0 * pct_start * total_f - 2.0, max_lr, initial, base_m, max_m),
            (total_f - 1.0, initial, min_lr, max_m, max_m),
        ]
    } else {
        vec![
            (pct_start * total_f - 1.0, initial, max_lr, max_m, base_m),
            (total_f - 1.0, max_lr, min_lr, base_m, max_m),
        ]
    };
    let anneal = |start: f64, end: f64, pct: f64| {
        if linear {
            (end - start) * pct + start
        } else {
            end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0)
        }
    };
    let step = step_num as f64;
    let mut start_step = 0.0;
    for (i, &(end_step, lr0, lr1, m0, m1)) in phases.iter().enumerate() {
        if step <= end_step || i == phases.len() - 1 {
            let pct = (step - start_step) / (end_step - start_step);
            return (anneal(lr0, lr1, pct), anneal(m0, m1, pct));
        }
        start_step = end_step;
    }
    unreachable!()
}

fn one_cycle_json(total: u64, pct: f64, strategy: &str, three_phase: bool) -> String {
    json!({
        "name": "OneCycleLR", "max_lr": 0.8, "total_steps": total, "pct_start": pct,
        "anneal_strategy": strategy, "three_phase": three_phase, "div_factor": 8.0,
        "final_div_factor": 50.0,
    })
    .to_string()
}

#[test]
fn one_cycle_variants_match_torch_get_lr_with_momentum() {
    for (total, pct) in [(40_u64, 0.3), (37, 0.25), (10, 0.45), (3, 0.5), (1, 0.3)] {
        for strategy in ["cos", "linear"] {
            for three_phase in [false, true] {
                let s = schedule(&one_cycle_json(total, pct, strategy, three_phase), 123.0);
                for t in 0..total {
                    let (lr, m) = torch_one_cycle(
                        0.8,
                        total,
                        pct,
                        strategy == "linear",
                        three_phase,
                        (0.85, 0.95),
                        (8.0, 50.0),
                        t,
                    );
                    let what = format!("total={total} pct={pct} {strategy} three_phase={three_phase} t={t}");
                    assert_close(s.lr(t), lr, 1e-12, &what);
                    assert_close(s.momentum(t).unwrap_or(f64::NAN), m, 1e-12, &what);
                }
            }
        }
    }
}

#[test]
fn one_cycle_hand_computed_linear_and_past_the_end() {
    // max 1, div 10 -> initial 0.1, final_div 100 -> min 0.001; e1 = 0.3*10 - 1 = 2.
    let s = schedule(
        r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 10, "anneal_strategy": "linear",
            "div_factor": 10.0, "final_div_factor": 100.0}"#,
        0.5,
    );
    assert_close(s.lr(0), 0.1, 1e-15, "start");
    assert_close(s.lr(1), 0.55, 1e-15, "half-way up");
    assert_eq!(s.lr(2), 1.0);
    // Second phase from step 2 to 9: pct = (t - 2)/7.
    // (end - start)*1 + start cancels: min_lr only to about 1e-13, as in torch.
    assert_close(s.lr(9), 0.001, 1e-12, "end");
    assert_close(s.lr(5), 1.0 + (0.001 - 1.0) * 3.0 / 7.0, 1e-15, "on the way down");
    // Momentum: 0.95 -> 0.85 over the warm-up, back to 0.95 at the end.
    assert_close(s.momentum(0).unwrap_or(f64::NAN), 0.95, 1e-15, "momentum start");
    assert_close(s.momentum(1).unwrap_or(f64::NAN), 0.9, 1e-15, "momentum half-way");
    assert_close(s.momentum(2).unwrap_or(f64::NAN), 0.85, 1e-15, "momentum at the peak");
    assert_close(s.momentum(9).unwrap_or(f64::NAN), 0.95, 1e-15, "momentum at the end");
    // Past total_steps (where torch raises) the final values are kept.
    for t in [10, 11, 1000, u64::MAX] {
        assert_eq!(s.lr(t), s.lr(9), "lr at {t}");
        assert_eq!(s.momentum(t), s.momentum(9), "momentum at {t}");
    }
}

#[test]
fn one_cycle_three_phase_hand_computed() {
    // total 20, pct 0.25: phases end at 4, 8, 19; lr 0.04 -> 1 -> 0.04 -> 4e-6 (div 25, final 1e4).
    let s = schedule(
        r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 20, "pct_start": 0.25, "three_phase": true}"#,
        1.0,
    );
    assert_close(s.lr(0), 0.04, 1e-12, "start");
    assert_eq!(s.lr(4), 1.0);
    assert_close(s.lr(8), 0.04, 1e-15, "back to initial");
    assert_close(s.lr(19), 0.04 / 1e4, 1e-15, "min");
    assert_close(s.lr(2), 0.52, 1e-12, "cos half-way up");
    assert_close(s.momentum(4).unwrap_or(f64::NAN), 0.85, 1e-15, "momentum at the peak");
    assert_close(s.momentum(8).unwrap_or(f64::NAN), 0.95, 1e-15, "momentum back up");
    assert_close(s.momentum(14).unwrap_or(f64::NAN), 0.95, 1e-15, "momentum flat in phase 3");
}

#[test]
fn one_cycle_ignores_optimizer_lr_and_can_leave_momentum_alone() {
    let text = r#"{"name": "OneCycleLR", "max_lr": 0.5, "total_steps": 30, "cycle_momentum": false}"#;
    let (a, b) = (schedule(text, 0.001), schedule(text, 7.0));
    assert_eq!(lrs(&a, 30), lrs(&b, 30));
    assert_eq!(a.momentum(3), None);
    assert!(!config(text).cycles_momentum());
    assert!(config(r#"{"name": "OneCycleLR", "max_lr": 0.5, "total_steps": 30}"#).cycles_momentum());
}

/// torch's CyclicLR.get_lr written out: returns (lr, momentum) at `epoch`.
fn torch_cyclic(base: f64, max: f64, up: f64, down: f64, mode: &str, gamma: f64, epoch: u64) -> (f64, f64) {
    let (base_m, max_m) = (0.8, 0.9);
    let total = up + down;
    let ratio = up / total;
    let e = epoch as f64;
    let cycle = (1.0 + e / total).floor();
    let x = 1.0 + e / total - cycle;
    let scale = if x <= ratio { x / ratio } else { (x - 1.0) / (ratio - 1.0) };
    let f = match mode {
        "triangular" => 1.0,
        "triangular2" => 1.0 / 2.0_f64.powf(cycle - 1.0),
        _ => gamma.powf(e),
    };
    (base + (max - base) * scale * f, max_m - (max_m - base_m) * scale * f)
}

#[test]
fn cyclic_modes_match_torch_get_lr_with_momentum() {
    for mode in ["triangular", "triangular2", "exp_range"] {
        for (up, down) in [(4.0, 4.0), (3.0, 7.0), (5.0, 0.0)] {
            let text = json!({
                "name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": up,
                "step_size_down": down, "mode": mode, "gamma": 0.97,
            })
            .to_string();
            let s = schedule(&text, 55.0);
            for t in 0..60 {
                let (lr, m) = torch_cyclic(0.01, 0.1, up, down, mode, 0.97, t);
                let what = format!("{mode} up={up} down={down} t={t}");
                assert_close(s.lr(t), lr, 1e-12, &what);
                assert_close(s.momentum(t).unwrap_or(f64::NAN), m, 1e-12, &what);
            }
        }
    }
}

#[test]
fn cyclic_hand_computed() {
    // triangular2, base 1, max 3, up = down = 2: the amplitude halves every cycle of 4 steps.
    let s = schedule(
        r#"{"name": "CyclicLR", "base_lr": 1.0, "max_lr": 3.0, "step_size_up": 2, "mode": "triangular2", "cycle_momentum": false}"#,
        0.1,
    );
    let expected = [1.0, 2.0, 3.0, 2.0, 1.0, 1.5, 2.0, 1.5, 1.0, 1.25, 1.5];
    assert_all_close(&lrs(&s, 11), &expected, 1e-15, "triangular2");
    assert_eq!(s.momentum(1), None);
    // exp_range: the amplitude is gamma^t; momentum mirrors the lr between 0.9 and 0.8.
    let s = schedule(
        r#"{"name": "CyclicLR", "base_lr": 1.0, "max_lr": 3.0, "step_size_up": 2, "mode": "exp_range", "gamma": 0.5}"#,
        0.1,
    );
    assert_eq!(s.lr(0), 1.0);
    assert_close(s.lr(1), 1.0 + 2.0 * 0.5 * 0.5, 1e-15, "exp_range at 1");
    assert_close(s.lr(2), 1.0 + 2.0 * 0.25, 1e-15, "exp_range at 2");
    assert_close(s.momentum(2).unwrap_or(f64::NAN), 0.9 - 0.1 * 0.25, 1e-15, "exp_range momentum at 2");
    // The default step_size_down equals step_size_up (2000).
    let d = schedule(r#"{"name": "CyclicLR", "base_lr": 0.1, "max_lr": 0.2}"#, 1.0);
    assert_close(d.lr(2000), 0.2, 1e-15, "peak at 2000");
    assert_eq!(d.lr(4000), 0.1);
    assert_close(d.momentum(2000).unwrap_or(f64::NAN), 0.8, 1e-15, "momentum at the peak");
}

// ---------------------------------------------------------------------------------------------
// ReduceLROnPlateau
// ---------------------------------------------------------------------------------------------

/// Feeds `metrics` one after another and returns the lr after each.
fn plateau_trace(text: &str, base_lr: f64, metrics: &[f64]) -> Vec<f64> {
    let mut s = schedule(text, base_lr);
    metrics
        .iter()
        .map(|&m| {
            s.observe_loss(m);
            s.lr(0)
        })
        .collect()
}

#[test]
fn plateau_min_rel_patience_and_nan() {
    // patience 2: the third step without a 10% improvement reduces.
    let text = r#"{"name": "ReduceLROnPlateau", "factor": 0.5, "patience": 2, "threshold": 0.1}"#;
    let trace = plateau_trace(text, 1.0, &[10.0, 9.5, 9.2, 9.1, 8.0, f64::NAN, f64::NAN, f64::NAN]);
    // 10 best; 9.5 >= 9 bad 1; 9.2 bad 2; 9.1 bad 3 > 2 -> 0.5; 8 < 9 best; NaN x3 -> 0.25.
    assert_eq!(trace, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]);
}

#[test]
fn plateau_max_mode_with_cooldown() {
    // max mode, abs threshold 0.1, patience 1, cooldown 2.
    let text = r#"{"name": "ReduceLROnPlateau", "mode": "max", "factor": 0.5, "patience": 1,
                  "threshold": 0.1, "threshold_mode": "abs", "cooldown": 2}"#;
    let metrics = [1.0, 1.05, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    // t0: 1 > -inf best=1; t1: 1.05 <= 1.1 bad 1; t2: bad 2 > 1 -> 0.5, cooldown 2;
    // t3: 2 > 1.1 best=2, cooldown 2->1; t4: bad 1, cooldown 1->0 zeroes it;
    // t5: bad 1; t6: bad 2 -> 0.25, cooldown 2; t7, t8: cooldown; t9: bad 1.
    let trace = plateau_trace(text, 1.0, &metrics);
    assert_eq!(trace, [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]);
}

#[test]
fn plateau_max_rel_and_min_abs() {
    let max_rel = r#"{"name": "ReduceLROnPlateau", "mode": "max", "patience": 0, "threshold": 0.5}"#;
    // best 2; 2.9 <= 3 bad -> 0.1; 3.1 > 3 improves; 3.1 bad -> 0.01.
    let trace = plateau_trace(max_rel, 1.0, &[2.0, 2.9, 3.1, 3.1]);
    assert_all_close(&trace, &[1.0, 0.1, 0.1, 0.01], 1e-15, "max rel");
    let min_abs = r#"{"name": "ReduceLROnPlateau", "patience": 0, "threshold": 1.0, "threshold_mode": "abs"}"#;
    let trace = plateau_trace(min_abs, 1.0, &[5.0, 4.5, 3.9, 3.9]);
    assert_all_close(&trace, &[1.0, 0.1, 0.1, 0.01], 1e-15, "min abs");
}

#[test]
fn plateau_min_lr_and_eps() {
    // The floor min_lr = 0.3: 1 -> 0.5 -> 0.3, then no further change.
    let text = r#"{"name": "ReduceLROnPlateau", "factor": 0.5, "patience": 0, "min_lr": 0.3}"#;
    assert_eq!(plateau_trace(text, 1.0, &[1.0, 1.0, 1.0, 1.0]), [1.0, 0.5, 0.3, 0.3]);
    // A reduction smaller than eps is skipped: 1e-8 * 0.9 lowers it by 1e-9 < eps.
    let text = r#"{"name": "ReduceLROnPlateau", "factor": 0.9, "patience": 0}"#;
    assert_eq!(plateau_trace(text, 1e-8, &[1.0, 1.0, 1.0]), [1e-8, 1e-8, 1e-8]);
}

#[test]
fn plateau_reset_restores_construction_state() {
    let text = r#"{"name": "ReduceLROnPlateau", "patience": 0}"#;
    let mut s = schedule(text, 1.0);
    for m in [3.0, 3.0, 3.0] {
        s.observe_loss(m);
    }
    assert_close(s.lr(0), 0.01, 1e-15, "after two reductions");
    s.reset();
    assert_eq!(s.lr(0), 1.0);
    // best is back to +inf: 3.0 is an improvement again, so one bad step gives one reduction.
    s.observe_loss(3.0);
    s.observe_loss(3.0);
    assert_close(s.lr(0), 0.1, 1e-15, "after reset");
    // Other schedules ignore losses.
    let mut other = schedule(r#"{"name": "StepLR", "step_size": 1}"#, 1.0);
    other.observe_loss(f64::NAN);
    other.reset();
    assert_close(other.lr(1), 0.1, 1e-15, "StepLR ignores losses");
}

// ---------------------------------------------------------------------------------------------
// SequentialLR
// ---------------------------------------------------------------------------------------------

#[test]
fn sequential_three_children_restart_at_milestones() {
    let text = r#"{"name": "SequentialLR", "milestones": [4, 10], "schedulers": [
        {"name": "LinearLR", "start_factor": 0.25, "total_iters": 4},
        {"name": "ExponentialLR", "gamma": 0.5},
        {"name": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.1}]}"#;
    let s = schedule(text, 1.0);
    let linear = |t: u64| 0.25 + 0.75 * t.min(4) as f64 / 4.0;
    let exponential = |t: u64| 0.5_f64.powi(t as i32);
    let cosine = |t: u64| 0.1 + 0.9 * (1.0 + (PI * t as f64 / 6.0).cos()) / 2.0;
    for t in 0..30_u64 {
        let expected = match t {
            0..4 => linear(t),
            4..10 => exponential(t - 4),
            _ => cosine(t - 10),
        };
        assert_close(s.lr(t), expected, 1e-14, &format!("SequentialLR at {t}"));
    }
    assert_eq!([s.lr(3), s.lr(4), s.lr(10)], [0.8125, 1.0, 1.0]);
    assert_eq!(s.momentum(5), None);
}

#[test]
fn sequential_momentum_follows_torch_optimizer_state() {
    // [LinearLR, OneCycleLR with momentum, StepLR]: OneCycleLR writes its step-0 momentum at
    // construction, so it holds during the warm-up; after OneCycleLR its last value stays.
    let text = r#"{"name": "SequentialLR", "milestones": [3, 8], "schedulers": [
        {"name": "LinearLR"},
        {"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 5, "anneal_strategy": "linear", "pct_start": 0.4},
        {"name": "StepLR", "step_size": 2}]}"#;
    let c = config(text);
    assert!(c.cycles_momentum());
    let s = c.build(1.0);
    let one_cycle = schedule(
        r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 5, "anneal_strategy": "linear", "pct_start": 0.4}"#,
        1.0,
    );
    for t in 0..3 {
        assert_eq!(s.momentum(t), one_cycle.momentum(0), "warm-up at {t}");
    }
    for t in 3..8 {
        assert_eq!(s.momentum(t), one_cycle.momentum(t - 3), "OneCycleLR at {t}");
        assert_eq!(s.lr(t), one_cycle.lr(t - 3), "OneCycleLR lr at {t}");
    }
    for t in 8..12 {
        assert_eq!(s.momentum(t), one_cycle.momentum(4), "after OneCycleLR at {t}");
    }
    // Hand-computed: pct_start 0.4 of 5 -> peak at step 1, momentum 0.85 there, 0.95 at the end.
    assert_close(s.momentum(4).unwrap_or(f64::NAN), 0.85, 1e-15, "peak");
    assert_close(s.momentum(9).unwrap_or(f64::NAN), 0.95, 1e-15, "kept");
}

// ---------------------------------------------------------------------------------------------
// Serde
// ---------------------------------------------------------------------------------------------

#[test]
fn configs_round_trip_through_json() {
    let texts = [
        r#"{"name": "constant"}"#,
        r#"{"name": "StepLR", "step_size": 3}"#,
        r#"{"name": "MultiStepLR", "milestones": [1, 2]}"#,
        r#"{"name": "ExponentialLR", "gamma": 0.9}"#,
        r#"{"name": "CosineAnnealingLR", "T_max": 9}"#,
        r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 9}"#,
        r#"{"name": "ConstantLR"}"#,
        r#"{"name": "LinearLR"}"#,
        r#"{"name": "PolynomialLR"}"#,
        r#"{"name": "LambdaLR", "lambda": "inverse_sqrt"}"#,
        r#"{"name": "LambdaLR", "lambda": "inverse_time", "t0": 5}"#,
        r#"{"name": "SequentialLR", "milestones": [3], "schedulers": [{"name": "constant"}, {"name": "LinearLR"}]}"#,
        r#"{"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 100}"#,
        r#"{"name": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_down": null}"#,
        r#"{"name": "ReduceLROnPlateau"}"#,
    ];
    for text in texts {
        let c = config(text);
        let back: ScheduleConfig =
            serde_json::from_str(&serde_json::to_string(&c).expect("serializes")).expect("parses");
        assert_eq!(back, c, "{text}");
        assert!(problems(text, true).is_empty(), "{text}: {:?}", problems(text, true));
    }
    // torch's defaults.
    let ScheduleConfig::OneCycleLR { pct_start, div_factor, final_div_factor, base_momentum, max_momentum, .. } =
        config(texts[12])
    else {
        panic!("OneCycleLR expected");
    };
    assert_eq!([pct_start, div_factor, final_div_factor, base_momentum, max_momentum], [0.3, 25.0, 1e4, 0.85, 0.95]);
}

#[test]
fn unknown_names_and_fields_are_rejected_with_the_allowed_list() {
    let error = serde_json::from_str::<ScheduleConfig>(r#"{"name": "WarmupLR"}"#).expect_err("unknown name");
    let message = error.to_string();
    assert!(message.contains("unknown variant `WarmupLR`"), "{message}");
    for allowed in ["constant", "StepLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR"] {
        assert!(message.contains(allowed), "{message} lacks {allowed}");
    }
    let error = serde_json::from_str::<ScheduleConfig>(r#"{"name": "StepLR", "step_size": 2, "gama": 0.5}"#)
        .expect_err("unknown field");
    let message = error.to_string();
    assert!(message.contains("unknown field `gama`") && message.contains("`gamma`"), "{message}");
    let error =
        serde_json::from_str::<ScheduleConfig>(r#"{"name": "CyclicLR", "base_lr": 1, "max_lr": 2, "mode": "sine"}"#)
            .expect_err("unknown mode");
    let message = error.to_string();
    assert!(message.contains("sine") && message.contains("exp_range"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[test]
fn validation_reports_each_problem_with_its_path() {
    assert_eq!(
        problems(r#"{"name": "StepLR", "step_size": 0, "gamma": -1}"#, true),
        ["runs[0].schedule.step_size: must be >= 1, got 0", "runs[0].schedule.gamma: must be > 0, got -1",]
    );
    assert_eq!(
        problems(r#"{"name": "MultiStepLR", "milestones": [3, 7, 5]}"#, true),
        ["runs[0].schedule.milestones[2]: milestones must be strictly increasing, got 5 after 7"]
    );
    assert_eq!(
        problems(r#"{"name": "CosineAnnealingLR", "T_max": 0, "eta_min": -0.5}"#, true),
        ["runs[0].schedule.T_max: must be >= 1, got 0", "runs[0].schedule.eta_min: must be >= 0, got -0.5",]
    );
    assert_eq!(
        problems(r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 0, "T_mult": 0}"#, true),
        ["runs[0].schedule.T_0: must be >= 1, got 0", "runs[0].schedule.T_mult: must be >= 1, got 0"]
    );
    assert_eq!(
        problems(r#"{"name": "LinearLR", "start_factor": 0, "end_factor": 1.5, "total_iters": 0}"#, true),
        [
            "runs[0].schedule.start_factor: must be in (0, 1], got 0",
            "runs[0].schedule.end_factor: must be in [0, 1], got 1.5",
            "runs[0].schedule.total_iters: must be >= 1, got 0",
        ]
    );
    assert_eq!(
        problems(r#"{"name": "PolynomialLR", "total_iters": 0, "power": -1}"#, true),
        ["runs[0].schedule.total_iters: must be >= 1, got 0", "runs[0].schedule.power: must be >= 0, got -1"]
    );
    assert_eq!(
        problems(r#"{"name": "ExponentialLR", "gamma": 0}"#, true),
        ["runs[0].schedule.gamma: must be > 0, got 0"]
    );
}

#[test]
fn validation_of_lambda_and_plateau() {
    assert_eq!(
        problems(r#"{"name": "LambdaLR", "lambda": "inverse_time"}"#, true),
        ["runs[0].schedule.t0: is required by inverse_time (lr / (1 + t/t0))"]
    );
    assert_eq!(
        problems(r#"{"name": "LambdaLR", "lambda": "inverse_time", "t0": 0}"#, true),
        ["runs[0].schedule.t0: must be > 0, got 0"]
    );
    assert_eq!(
        problems(r#"{"name": "LambdaLR", "lambda": "inverse_sqrt", "t0": 3}"#, true),
        ["runs[0].schedule.t0: is not used by inverse_sqrt (lr / sqrt(t + 1)); remove it"]
    );
    assert_eq!(
        problems(r#"{"name": "ReduceLROnPlateau", "factor": 1.0, "threshold": 1.0, "min_lr": -1, "eps": -1}"#, true),
        [
            "runs[0].schedule.factor: must be in [0, 1), got 1",
            "runs[0].schedule.threshold: must be in [0, 1), got 1",
            "runs[0].schedule.min_lr: must be >= 0, got -1",
            "runs[0].schedule.eps: must be >= 0, got -1",
        ]
    );
    assert!(problems(r#"{"name": "ReduceLROnPlateau", "threshold": 2, "threshold_mode": "abs"}"#, false).is_empty());
    assert!(problems(r#"{"name": "ReduceLROnPlateau", "mode": "max", "threshold": 2}"#, false).is_empty());
    assert_eq!(
        problems(r#"{"name": "ReduceLROnPlateau", "mode": "max", "threshold": -0.5}"#, true),
        ["runs[0].schedule.threshold: must be >= 0, got -0.5"]
    );
}

#[test]
fn validation_of_cycling_schedules() {
    let one_cycle = r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 100}"#;
    assert!(problems(one_cycle, true).is_empty());
    assert_eq!(
        problems(one_cycle, false),
        ["runs[0].schedule.cycle_momentum: the optimizer has no momentum or betas to cycle (torch: optimizer \
          must support momentum or beta1 with `cycle_momentum` option enabled); set cycle_momentum to false"]
    );
    assert!(problems(r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 100, "cycle_momentum": false}"#, false)
        .is_empty());
    assert_eq!(
        problems(
            r#"{"name": "OneCycleLR", "max_lr": 0, "total_steps": 0, "pct_start": 1.5, "div_factor": 0,
                "final_div_factor": -1, "base_momentum": 1.0}"#,
            true
        ),
        [
            "runs[0].schedule.max_lr: must be > 0, got 0",
            "runs[0].schedule.total_steps: must be >= 1, got 0",
            "runs[0].schedule.pct_start: must be in [0, 1], got 1.5",
            "runs[0].schedule.div_factor: must be > 0, got 0",
            "runs[0].schedule.final_div_factor: must be > 0, got -1",
            "runs[0].schedule.base_momentum: must be in [0, 1), got 1",
        ]
    );
    assert_eq!(
        problems(r#"{"name": "OneCycleLR", "max_lr": 1.0, "total_steps": 10, "pct_start": 0.1}"#, true),
        ["runs[0].schedule.pct_start: pct_start * total_steps must not be exactly 1 (the warm-up would end at \
          step 0, where torch divides by zero), got 0.1 * 10"]
    );
    assert_eq!(
        problems(
            r#"{"name": "CyclicLR", "base_lr": -1, "max_lr": 0, "step_size_up": 0, "step_size_down": -2, "gamma": 0}"#,
            false
        ),
        [
            "runs[0].schedule.base_lr: must be > 0, got -1",
            "runs[0].schedule.max_lr: must be > 0, got 0",
            "runs[0].schedule.step_size_up: must be > 0, got 0",
            "runs[0].schedule.step_size_down: must be >= 0, got -2",
            "runs[0].schedule.gamma: must be > 0, got 0",
            "runs[0].schedule.cycle_momentum: the optimizer has no momentum or betas to cycle (torch: optimizer \
             must support momentum or beta1 with `cycle_momentum` option enabled); set cycle_momentum to false",
        ]
    );
}

#[test]
fn validation_of_sequential_children() {
    let text = r#"{"name": "SequentialLR", "milestones": [0, 5, 5], "schedulers": [
        {"name": "constant"},
        {"name": "ExponentialLR", "gamma": -2},
        {"name": "ReduceLROnPlateau"},
        {"name": "OneCycleLR", "max_lr": 1, "total_steps": 10}]}"#;
    assert_eq!(
        problems(text, false),
        [
            "runs[0].schedule.milestones[0]: must be >= 1, got 0 (the first scheduler always runs at step 0)",
            "runs[0].schedule.milestones[2]: milestones must be strictly increasing, got 5 after 5",
            "runs[0].schedule.schedulers[1].gamma: must be > 0, got -2",
            "runs[0].schedule.schedulers[2]: SequentialLR does not support ReduceLROnPlateau (it needs the loss at \
             each step)",
            "runs[0].schedule.schedulers[3].cycle_momentum: the optimizer has no momentum or betas to cycle (torch: \
             optimizer must support momentum or beta1 with `cycle_momentum` option enabled); set cycle_momentum to \
             false",
        ]
    );
    assert_eq!(
        problems(r#"{"name": "SequentialLR", "milestones": [3], "schedulers": [{"name": "constant"}]}"#, true),
        ["runs[0].schedule.milestones: needs one milestone fewer than schedulers, got 1 milestones for 1 schedulers"]
    );
    assert_eq!(
        problems(r#"{"name": "SequentialLR", "milestones": [], "schedulers": []}"#, true),
        ["runs[0].schedule.schedulers: SequentialLR needs at least one scheduler"]
    );
    assert_eq!(
        problems(
            r#"{"name": "SequentialLR", "milestones": [2], "schedulers": [{"name": "constant"},
                {"name": "SequentialLR", "milestones": [], "schedulers": [{"name": "constant"}]}]}"#,
            true
        ),
        ["runs[0].schedule.schedulers[1]: SequentialLR cannot be nested"]
    );
}

#[test]
fn invalid_configs_build_without_panicking() {
    let texts = [
        r#"{"name": "StepLR", "step_size": 0}"#,
        r#"{"name": "CosineAnnealingLR", "T_max": 0}"#,
        r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 0}"#,
        r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 0}"#,
        r#"{"name": "CosineAnnealingWarmRestarts", "T_0": 3, "T_mult": 1000000}"#,
        r#"{"name": "LinearLR", "total_iters": 0}"#,
        r#"{"name": "PolynomialLR", "total_iters": 0}"#,
        r#"{"name": "LambdaLR", "lambda": "inverse_time"}"#,
        r#"{"name": "SequentialLR", "milestones": [], "schedulers": []}"#,
        r#"{"name": "SequentialLR", "milestones": [5, 2, 9], "schedulers": [{"name": "constant"}]}"#,
        r#"{"name": "OneCycleLR", "max_lr": 1, "total_steps": 0}"#,
        r#"{"name": "OneCycleLR", "max_lr": 1, "total_steps": 10, "pct_start": 0.1}"#,
        r#"{"name": "CyclicLR", "base_lr": 1, "max_lr": 2, "step_size_up": 0, "step_size_down": 0}"#,
    ];
    for text in texts {
        let mut s = schedule(text, 0.1);
        for t in [0, 1, 2, 7, 1 << 40, u64::MAX] {
            let _ = (s.lr(t), s.momentum(t));
        }
        s.observe_loss(1.0);
        s.reset();
    }
}
