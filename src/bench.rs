//! The benchmark suite shared by `converge bench` (native) and `www/bench.html` (wasm), so
//! the two report comparable steps per second.
//!
//! Each benchmark repeats chunks of steps until at least `MIN_MILLIS` have passed on the
//! given clock; each chunk starts from x0 again. Convergence criteria are switched off so
//! that every chunk does the same work.

use serde::Serialize;

use crate::config::{Experiment, RunConfig};
use crate::monitor::{StopConfig, MAX_STEPS_LIMIT};
use crate::optim::{LineSearch, OptimizerConfig};
use crate::problem::ProblemConfig;
use crate::schedule::ScheduleConfig;
use crate::session::Session;

/// How long each benchmark runs at least, in milliseconds.
pub const MIN_MILLIS: f64 = 400.0;

/// One benchmark result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    pub name: String,
    pub steps_per_s: f64,
}

/// A monotonic clock in milliseconds (std::time::Instant natively, performance.now in wasm).
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// The native clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn native_clock() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// Stop rules with every criterion off.
pub fn endless_stop() -> StopConfig {
    StopConfig {
        max_steps: MAX_STEPS_LIMIT,
        loss_plateau: None,
        param_change: None,
        grad_norm: None,
        target_loss: None,
        ..StopConfig::default()
    }
}

fn run(label: &str, optimizer: OptimizerConfig) -> RunConfig {
    RunConfig {
        label: label.into(),
        x0: Some(vec![-1.5, 2.0]),
        optimizer,
        schedule: ScheduleConfig::Constant {},
        color: None,
    }
}

fn experiment(problem: ProblemConfig, runs: Vec<RunConfig>) -> Experiment {
    Experiment { seed: 1, problem, runs, stop: endless_stop(), view: None }
}

fn rosenbrock() -> ProblemConfig {
    ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 }
}

fn adam(lr: f64) -> OptimizerConfig {
    OptimizerConfig::Adam {
        lr,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 0.0,
        amsgrad: false,
        decoupled_weight_decay: false,
    }
}

fn sgd(lr: f64, momentum: f64, nesterov: bool) -> OptimizerConfig {
    OptimizerConfig::SGD { lr, momentum, dampening: 0.0, weight_decay: 0.0, nesterov }
}

/// The eight runs of the `eight_runs_frame` benchmark (and of the page's busiest preset).
pub fn eight_runs() -> Experiment {
    let runs = vec![
        run("sgd", sgd(1e-3, 0.0, false)),
        run("momentum", sgd(1e-3, 0.9, false)),
        run("nesterov", sgd(1e-3, 0.9, true)),
        run("adam", adam(1e-2)),
        run(
            "adamw",
            OptimizerConfig::AdamW { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
        ),
        run(
            "rmsprop",
            OptimizerConfig::RMSprop {
                lr: 1e-3,
                alpha: 0.99,
                eps: 1e-8,
                weight_decay: 0.0,
                momentum: 0.0,
                centered: false,
            },
        ),
        run(
            "adagrad",
            OptimizerConfig::Adagrad {
                lr: 0.1,
                lr_decay: 0.0,
                weight_decay: 0.0,
                initial_accumulator_value: 0.0,
                eps: 1e-10,
            },
        ),
        run(
            "nadam",
            OptimizerConfig::NAdam {
                lr: 1e-2,
                betas: [0.9, 0.999],
                eps: 1e-8,
                weight_decay: 0.0,
                momentum_decay: 4e-3,
                decoupled_weight_decay: false,
            },
        ),
    ];
    experiment(rosenbrock(), runs)
}

/// TensorFlow Playground's spiral config: 500 points, half for training, hidden [8, 8, 8],
/// tanh, batch 10, SGD lr 0.03, L2 0.001; no evaluations, as nn.ts's own timing.
pub fn mlp_spiral() -> Experiment {
    let text = r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "spiral", "n": 500},
        "model": {"name": "mlp", "hidden": [8, 8, 8], "activation": "tanh"}, "validation_share": 0.5,
        "batch_size": 10, "regularization": {"l2": 0.001}, "eval_every": 0},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.03}}]}"#;
    let mut experiment = Experiment::from_json(text).unwrap_or_else(|_| eight_runs());
    experiment.stop = endless_stop();
    experiment
}

/// Steps of one epoch of `mlp_spiral` (250 training points in batches of 10).
pub const MLP_SPIRAL_STEPS_PER_EPOCH: u64 = 25;

/// The named benchmarks: (name, experiment, chart recording on, steps per chunk, steps per
/// reported unit: 1 for steps, the steps of an epoch for epochs).
pub fn suite() -> Vec<(&'static str, Experiment, bool, u64, u64)> {
    let lbfgs = OptimizerConfig::LBFGS {
        lr: 1.0,
        max_iter: 1,
        max_eval: None,
        tolerance_grad: 1e-7,
        tolerance_change: 1e-9,
        history_size: 10,
        line_search_fn: Some(LineSearch::StrongWolfe),
    };
    vec![
        ("adam_rosenbrock", experiment(rosenbrock(), vec![run("adam", adam(1e-3))]), false, 2_000, 1),
        (
            "sgd_momentum_quadratic",
            experiment(ProblemConfig::Quadratic { a: 1.0, b: 10.0 }, vec![run("momentum", sgd(1e-2, 0.9, false))]),
            false,
            2_000,
            1,
        ),
        ("lbfgs_rosenbrock", experiment(rosenbrock(), vec![run("lbfgs", lbfgs)]), false, 50, 1),
        ("eight_runs_frame", eight_runs(), true, 1_000, 1),
        ("mlp_spiral_epoch", mlp_spiral(), false, 40 * MLP_SPIRAL_STEPS_PER_EPOCH, MLP_SPIRAL_STEPS_PER_EPOCH),
    ]
}

/// Steps per second of one experiment: every run counts its own steps.
pub fn measure(experiment: &Experiment, recording: bool, chunk: u64, clock: Clock) -> f64 {
    let mut session = Session::new(experiment.clone());
    session.set_recording(recording);
    let start = clock();
    let mut steps = 0.0;
    loop {
        // Every chunk starts afresh from x0, so that converging runs never drift into subnormal
        // numbers (which would measure the FPU's slow path, not the optimizer).
        session.reset();
        steps += session.step(chunk) as f64;
        let elapsed = clock() - start;
        if elapsed >= MIN_MILLIS {
            return steps / (elapsed / 1000.0);
        }
    }
}

/// Runs the whole suite.
pub fn run_suite(clock: Clock) -> Vec<BenchResult> {
    suite()
        .into_iter()
        .map(|(name, exp, recording, chunk, unit)| BenchResult {
            name: name.into(),
            steps_per_s: measure(&exp, recording, chunk, clock) / unit as f64,
        })
        .collect()
}

/// `{"benchmarks": [{"name", "steps_per_s"}]}`.
pub fn results_json(results: &[BenchResult]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        benchmarks: &'a [BenchResult],
    }
    serde_json::to_string(&Out { benchmarks: results }).unwrap_or_default()
}
