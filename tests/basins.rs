//! Basins of attraction: Himmelblau's four basins on a coarse grid agree with the gradient flow,
//! the grid does not depend on the chunk sizes, and divergence and the step limit are outcomes.

use convergence::analysis::basins::{BasinResult, Basins, OutcomeKind};
use convergence::analysis::critical::classify_point;
use convergence::config::Experiment;
use serde_json::{json, Value};

fn experiment(config: Value) -> Experiment {
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn compute(e: &Experiment, side: usize, chunk: u64) -> BasinResult {
    let mut b = Basins::new(e, 0, side, None).unwrap_or_else(|e| panic!("{e}"));
    let mut last = 0.0;
    while !b.advance(chunk) {
        assert!(b.progress() >= last);
        last = b.progress();
    }
    b.result()
}

fn himmelblau(lr: f64) -> Experiment {
    experiment(json!({"problem": {"name": "himmelblau"},
        "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": lr}}], "stop": {"max_steps": 5000}}))
}

#[test]
fn himmelblau_splits_into_four_basins_that_follow_the_gradient_flow() {
    let e = himmelblau(0.005);
    let r = compute(&e, 16, 10_000);
    assert_eq!(r.grid.len(), 256);
    assert_eq!(r.outcomes.len(), 6, "diverged, not converged and the four minima: {:?}", r.outcomes);
    let shares: Vec<f64> = r.outcomes.iter().map(|o| o.share).collect();
    assert_eq!(shares[0], 0.0, "no start diverges at lr 0.005");
    assert_eq!(shares[1], 0.0, "every start converges within 5000 steps");
    for (i, o) in r.outcomes[2..].iter().enumerate() {
        assert_eq!(o.kind, OutcomeKind::KnownMinimum);
        assert!(o.share > 0.1, "minimum {i} has only {} of the starts", o.share);
    }
    assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // Small-step gradient descent follows the gradient flow: nearly every start ends in the
    // basin that the flow from it names (starts on a basin boundary may differ).
    let problem = e.problem.build();
    let view = problem.view_box().unwrap_or_else(|| panic!("a view"));
    let mut agree = 0;
    for (k, &index) in r.grid.iter().enumerate() {
        let (i, j) = ((k % 16) as f64, (k / 16) as f64);
        let start = [
            view.x[0] + (i + 0.5) / 16.0 * (view.x[1] - view.x[0]),
            view.y[1] - (j + 0.5) / 16.0 * (view.y[1] - view.y[0]),
        ];
        let flow = classify_point(&problem, start, &view).and_then(|p| p.basin);
        if flow.map(|b| b + 2) == Some(usize::from(index)) {
            agree += 1;
        }
    }
    assert!(agree >= 250, "only {agree} of 256 starts agree with the gradient flow");
}

#[test]
fn the_grid_does_not_depend_on_the_chunks() {
    let e = himmelblau(0.01);
    let whole = compute(&e, 8, u64::MAX);
    let pieces = compute(&e, 8, 37);
    assert_eq!(whole, pieces);
    assert_eq!(serde_json::to_string(&whole).ok(), serde_json::to_string(&pieces).ok());
}

#[test]
fn divergence_and_the_step_limit_are_outcomes() {
    // lr = 0.3 > 2/L on the bowl with b = 10: every start diverges, except those with y = 0
    // exactly (there are none on an even grid with cell centres).
    let bowl = |lr: f64, steps: u64| {
        experiment(json!({"problem": {"name": "quadratic"},
            "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": lr}}], "stop": {"max_steps": steps}}))
    };
    let r = compute(&bowl(0.3, 1000), 6, 1000);
    assert_eq!(r.outcomes[0].share, 1.0, "{:?}", r.outcomes);
    assert!(r.grid.iter().all(|&i| i == 0));
    let r = compute(&bowl(0.01, 5), 6, 1000);
    assert_eq!(r.outcomes[1].share, 1.0, "{:?}", r.outcomes);
    assert_eq!(r.steps, 36 * 5);
}

#[test]
fn a_typed_function_gets_its_outcomes_as_they_are_found() {
    // (x^2 - 1)^2 + y^2: minima at (+-1, 0), a saddle at the origin; no known list.
    let e = experiment(
        json!({"problem": {"name": "custom", "f": "(x^2 - 1)^2 + y^2"}, "view": {"x": [-2, 2], "y": [-1, 1]},
        "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.05}}], "stop": {"max_steps": 3000}}),
    );
    let r = compute(&e, 8, 500);
    let found: Vec<_> =
        r.outcomes[2..].iter().map(|o| (o.kind, o.x.map(|x| [x[0].round(), x[1].round()]), o.share)).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(k, _, share)| *k == OutcomeKind::Minimum && *share == 0.5), "{found:?}");
    // Left half of the grid to (-1, 0), right half to (1, 0).
    let first_row: Vec<u16> = r.grid[..8].to_vec();
    assert_eq!(first_row[..4].iter().collect::<std::collections::BTreeSet<_>>().len(), 1);
    assert_ne!(first_row[0], first_row[7]);
}

#[test]
fn bad_requests_are_refused() {
    let e = himmelblau(0.01);
    assert!(Basins::new(&e, 0, 0, None).is_err());
    assert!(Basins::new(&e, 0, 257, None).is_err());
    assert!(Basins::new(&e, 1, 8, None).is_err());
}

/// Each cell's end as one `Run` from its start gives it: [code, x, y] and the updates taken.
fn one_run_per_start(e: &Experiment, side: usize) -> (Vec<[f64; 3]>, u64) {
    use convergence::run::monitor::Status;
    use convergence::run::Run;
    let problem = e.problem.build_with_seed(e.seed);
    let view = e.view.or_else(|| problem.view_box()).unwrap_or_else(|| panic!("a view"));
    let n = side as f64;
    let mut ends = Vec::new();
    let mut steps = 0;
    for k in 0..side * side {
        let (i, j) = ((k % side) as f64, (k / side) as f64);
        let start = vec![
            view.x[0] + (i + 0.5) / n * (view.x[1] - view.x[0]),
            view.y[1] - (j + 0.5) / n * (view.y[1] - view.y[0]),
        ];
        let mut run = Run::new(&e.runs[0], start, &e.stop, &problem, e.seed);
        run.set_recording(false);
        while run.status().is_running() {
            run.advance(&problem, 1 << 20);
        }
        steps += run.step();
        let p = run.params();
        ends.push(match run.status() {
            Status::Diverged { .. } => [0.0, f64::NAN, f64::NAN],
            Status::Converged { .. } => [2.0, p[0], p[1]],
            _ => [1.0, f64::NAN, f64::NAN],
        });
    }
    (ends, steps)
}

/// The ends of a basins computation as numbers (NaN compared as equal through the bits).
fn bits(ends: &[[f64; 3]]) -> Vec<[u64; 3]> {
    ends.iter().map(|e| e.map(f64::to_bits)).collect()
}

fn adam(problem: Value, lr: f64, schedule: Value, stop: Value) -> Experiment {
    experiment(json!({"problem": problem,
        "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": lr}, "schedule": schedule}], "stop": stop}))
}

#[test]
fn the_batched_kernel_equals_one_run_per_start_bit_for_bit() {
    let cases = [
        // The bench's case, the page's default stopping rule.
        adam(json!({"name": "himmelblau"}), 0.05, json!({"name": "constant"}), json!({"max_steps": 1000})),
        // A gradient-norm criterion, a decaying schedule, a cycled beta1 and coupled decay.
        adam(
            json!({"name": "six_hump_camel"}),
            0.02,
            json!({"name": "CosineAnnealingLR", "T_max": 300}),
            json!({"max_steps": 400, "grad_norm": {"tol": 1e-4}}),
        ),
        experiment(json!({"problem": {"name": "rosenbrock"},
            "runs": [{"label": "w", "optimizer": {"name": "AdamW", "lr": 0.01, "weight_decay": 0.1},
                      "schedule": {"name": "OneCycleLR", "max_lr": 0.05, "total_steps": 300}}],
            "stop": {"max_steps": 300}})),
        // So large a rate that starts diverge.
        adam(json!({"name": "himmelblau"}), 40.0, json!({"name": "constant"}), json!({"max_steps": 200})),
        // SGD as the lessons use it, and with every option: Nesterov momentum, dampening, weight
        // decay, a momentum cycled by the schedule (so the buffers start at a later step).
        himmelblau(0.01),
        experiment(json!({"problem": {"name": "six_hump_camel"},
            "runs": [{"label": "n", "optimizer": {"name": "SGD", "lr": 0.01, "momentum": 0.9, "nesterov": true,
                      "weight_decay": 0.01}, "schedule": {"name": "StepLR", "step_size": 100, "gamma": 0.5}}],
            "stop": {"max_steps": 500, "grad_norm": {"tol": 1e-5}}})),
        experiment(json!({"problem": {"name": "rosenbrock"},
            "runs": [{"label": "d", "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.5, "dampening": 0.3},
                      "schedule": {"name": "CyclicLR", "base_lr": 0.0005, "max_lr": 0.002, "step_size_up": 50,
                                   "cycle_momentum": true, "base_momentum": 0.0, "max_momentum": 0.9}}],
            "stop": {"max_steps": 300}})),
    ];
    for (c, e) in cases.iter().enumerate() {
        let side = 13;
        let mut b = Basins::new(e, 0, side, None).unwrap_or_else(|e| panic!("{e}"));
        while !b.advance(5_000) {}
        let batched: Vec<[f64; 3]> = b.ends().iter().map(|e| e.to_numbers()).collect();
        let (single, steps) = one_run_per_start(e, side);
        assert_eq!(bits(&batched), bits(&single), "case {c}");
        assert_eq!(b.result().steps, steps, "case {c}");
        let codes: std::collections::BTreeSet<u64> = single.iter().map(|e| e[0] as u64).collect();
        if c == 3 {
            assert!(codes.contains(&0), "case 3 has diverged starts");
        }
    }
}

#[test]
fn ranges_merged_in_order_equal_one_pass() {
    for e in [
        adam(json!({"name": "himmelblau"}), 0.05, json!({"name": "constant"}), json!({"max_steps": 1000})),
        himmelblau(0.01),
        // Outcomes that are no known minimum, found in a different order by each range.
        experiment(
            json!({"problem": {"name": "custom", "f": "(x^2 - 1)^2 + y^2"}, "view": {"x": [-2, 2], "y": [-1, 1]},
            "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.05}}], "stop": {"max_steps": 2000}}),
        ),
    ] {
        let side = 10;
        let whole = compute(&e, side, u64::MAX);
        let one = Basins::new(&e, 0, side, None).unwrap_or_else(|e| panic!("{e}"));
        for cuts in [vec![0, 100], vec![0, 1, 37, 38, 99, 100], vec![0, 50, 100]] {
            let mut ends = Vec::new();
            let mut steps = 0;
            for pair in cuts.windows(2) {
                let mut part = one.clone().range(pair[0], pair[1]);
                assert_eq!(part.cells(), pair[0]..pair[1]);
                while !part.advance(777) {}
                ends.extend_from_slice(part.ends());
                steps += part.result().steps;
            }
            assert_eq!(one.merge(&ends, steps), whole, "cuts {cuts:?}");
        }
    }
}

#[test]
fn himmelblau_adam_basins_share_the_grid_among_the_four_minima() {
    // Adam at lr 0.05 for 1000 steps (the bench's run) on a coarse 16 x 16 grid: every start
    // reaches one of the four minima, each minimum gets its share, and the shares add up.
    let e = adam(json!({"name": "himmelblau"}), 0.05, json!({"name": "constant"}), json!({"max_steps": 1000}));
    let r = compute(&e, 16, 10_000);
    assert_eq!(r.outcomes.len(), 6, "{:?}", r.outcomes);
    let counts: Vec<u64> = r.outcomes.iter().map(|o| o.count).collect();
    assert_eq!(counts.iter().sum::<u64>(), 256);
    assert_eq!(&counts[..2], &[0, 0], "{:?}", r.outcomes);
    assert!(counts[2..].iter().all(|&c| c >= 30), "{counts:?}");
}
