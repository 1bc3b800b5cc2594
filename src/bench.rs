//! The benchmark suite shared by `converge bench` (native) and `www/bench.html` (wasm), so
//! the two report comparable steps per second.
//!
//! Each benchmark repeats chunks of steps until at least `MIN_MILLIS` have passed on the
//! given clock; each chunk starts from x0 again. Convergence criteria are switched off so
//! that every chunk does the same work.
//!
//! `mlp_spiral_boundary` times the page's decision-boundary image of `mlp_spiral` after 100
//! epochs of training: the 100 x 100 probability grid, its colors and the data points, as
//! TensorFlow Playground recomputes its 100 x 100 boundary; it reports images per second and
//! milliseconds per image.

use serde::Serialize;

use crate::chart::model_view::{boundary_rgba, data_view, BOUNDARY_GRID};
use crate::config::{Experiment, RunConfig};
use crate::data::DataConfig;
use crate::model::{Activation, Init, ModelConfig, OutputActivation, Regularization};
use crate::optim::{LineSearch, OptimizerConfig};
use crate::problem::{Problem, ProblemConfig, TrainingConfig};
use crate::run::monitor::{StopConfig, MAX_STEPS_LIMIT};
use crate::run::session::Session;
use crate::schedule::ScheduleConfig;

/// How long each benchmark runs at least, in milliseconds.
pub const MIN_MILLIS: f64 = 400.0;

/// How long each benchmark runs untimed first, in milliseconds. Chromium compiles wasm with a
/// fast baseline compiler (Liftoff) and recompiles hot functions with its optimising compiler
/// (TurboFan) in the background while they run; without this warm-up the first benchmark of the
/// suite was timed half in baseline code (adam_rosenbrock: 12.0 M steps/s in a page's first
/// round, 17.2 M in its fourth). The native build warms up alike, so the two compare steady
/// states, as criterion's own warm-up does.
pub const WARM_UP_MILLIS: f64 = 200.0;

/// One benchmark result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    pub name: String,
    /// Units per second (the field keeps its name for every unit).
    pub steps_per_s: f64,
    /// What is counted: "steps", "epochs" or "images".
    pub unit: &'static str,
    /// Milliseconds per unit, for benchmarks measured against a time budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms: Option<f64>,
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
    Experiment { seed: 1, problem, runs, stop: endless_stop(), view: None, search: None, analysis: None }
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

/// SGD with the given lr, momentum and Nesterov flag, torch's defaults otherwise.
pub fn sgd(lr: f64, momentum: f64, nesterov: bool) -> OptimizerConfig {
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

/// The spiral network of the comparison with TensorFlow Playground in our own convention:
/// 500 points, half for training, hidden [8, 8, 8], tanh, a logit output with the cross-entropy,
/// batch 10 reshuffled every epoch, SGD lr 0.03, L2 0.001; no evaluations, as nn.ts's own
/// timing. The config is built as a typed value, so that it cannot fail to parse; a test checks
/// that it is valid.
pub fn mlp_spiral() -> Experiment {
    let training = TrainingConfig {
        data: DataConfig::Spiral { n: 500, noise: 0.0, label_noise: 0.0, scale: 1.0 },
        model: ModelConfig::Mlp {
            hidden: vec![8, 8, 8],
            activation: Activation::Tanh,
            output: OutputActivation::Linear,
            init: Init::GlorotHe,
        },
        validation_share: 0.5,
        batch_size: Some(10),
        regularization: Regularization { l2: 0.001, ..Regularization::default() },
        loss: None,
        eval_every: 0,
        shuffle: true,
    };
    experiment(ProblemConfig::Model(Box::new(training)), vec![sgd_run(0.03)])
}

/// The same network on TensorFlow Playground's exact task (`nn.ts`, `dataset.ts` and
/// `playground.ts` of <https://github.com/tensorflow/playground>): the spiral in its units
/// (radius 5), a tanh output trained with the squared loss on the labels -1/+1, weights
/// U(-0.5, 0.5) and biases 0.1, the training set visited in one fixed order (shuffled once,
/// at generation), batches of 10, and Playground's learning rate 0.03 and L2 rate 0.001.
/// Playground's squared error 0.5*(a - t)^2 and L2 penalty 0.5*rate*w^2 are both half of ours,
/// so its gradient is half of ours: lr 0.015 and l2 0.001 here take its steps.
pub fn mlp_spiral_tf() -> Experiment {
    let training = TrainingConfig {
        data: DataConfig::Spiral { n: 500, noise: 0.0, label_noise: 0.0, scale: 5.0 },
        model: ModelConfig::Mlp {
            hidden: vec![8, 8, 8],
            activation: Activation::Tanh,
            output: OutputActivation::Tanh,
            init: Init::TfPlayground,
        },
        validation_share: 0.5,
        batch_size: Some(10),
        regularization: Regularization { l2: 0.001, ..Regularization::default() },
        loss: None,
        eval_every: 0,
        shuffle: false,
    };
    experiment(ProblemConfig::Model(Box::new(training)), vec![sgd_run(0.015)])
}

/// A plain SGD run from the problem's initial weights.
fn sgd_run(lr: f64) -> RunConfig {
    RunConfig {
        label: "sgd".into(),
        x0: None,
        optimizer: sgd(lr, 0.0, false),
        schedule: ScheduleConfig::Constant {},
        color: None,
    }
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
        ("mlp_spiral_tf_epoch", mlp_spiral_tf(), false, 40 * MLP_SPIRAL_STEPS_PER_EPOCH, MLP_SPIRAL_STEPS_PER_EPOCH),
    ]
}

/// Steps per second of one experiment: every run counts its own steps.
pub fn measure(experiment: &Experiment, recording: bool, chunk: u64, clock: Clock) -> f64 {
    let mut session = Session::new(experiment.clone());
    session.set_recording(recording);
    per_second(clock, || {
        // Every chunk starts afresh from x0, so that converging runs never drift into subnormal
        // numbers (which would measure the FPU's slow path, not the optimizer).
        session.reset();
        session.step(chunk) as f64
    })
}

/// Units per second of `work` (which returns the units it did), repeated until at least
/// `MIN_MILLIS` have passed on `clock`, after `WARM_UP_MILLIS` of untimed repetitions.
fn per_second(clock: Clock, mut work: impl FnMut() -> f64) -> f64 {
    let warm_up = clock();
    while clock() - warm_up < WARM_UP_MILLIS {
        work();
    }
    let start = clock();
    let mut units = 0.0;
    loop {
        units += work();
        let elapsed = clock() - start;
        if elapsed >= MIN_MILLIS {
            return units / (elapsed / 1000.0);
        }
    }
}

/// Images per second of the decision boundary of `mlp_spiral` after 100 epochs of training
/// (None if the experiment is not a model trained on data).
pub fn boundary_images_per_s(clock: Clock) -> Option<f64> {
    let mut session = Session::new(mlp_spiral());
    session.set_recording(false);
    session.step(100 * MLP_SPIRAL_STEPS_PER_EPOCH);
    let Problem::Model(problem) = session.problem() else {
        return None;
    };
    let params = session.runs().first()?.params();
    let view = data_view(problem);
    Some(per_second(clock, || {
        std::hint::black_box(boundary_rgba(problem, params, view, (BOUNDARY_GRID, BOUNDARY_GRID), 1.0));
        1.0
    }))
}

/// The starts per side and the updates per start of `basins_himmelblau_256`.
pub const BASINS_BENCH_SIDE: usize = 256;
pub const BASINS_BENCH_STEPS: u64 = 1_000;
/// The cells of the grid each timed piece of `basins_himmelblau_256` runs (four rows).
pub const BASINS_BENCH_CELLS: usize = 1_024;

/// Adam (lr 0.05) on Himmelblau for exactly `BASINS_BENCH_STEPS` updates from every start (no
/// criterion stops a start early): the basins benchmark's experiment, whose basins the page's
/// bench also computes with a plain JavaScript loop.
pub fn basins_himmelblau() -> Experiment {
    let mut e = experiment(
        ProblemConfig::Himmelblau {},
        vec![run(
            "adam",
            OptimizerConfig::Adam {
                lr: 0.05,
                betas: [0.9, 0.999],
                eps: 1e-8,
                weight_decay: 0.0,
                amsgrad: false,
                decoupled_weight_decay: false,
            },
        )],
    );
    e.stop = StopConfig { max_steps: BASINS_BENCH_STEPS, ..endless_stop() };
    e
}

/// The basins benchmark's experiment with its `analysis` section naming the 256 x 256 basins,
/// as JSON (the page's bench runs it in its workers and its plain JavaScript loop).
pub fn basins_bench_config() -> String {
    let mut e = basins_himmelblau();
    e.analysis = Some(crate::analysis::section::AnalysisConfig {
        basins: Some(crate::analysis::section::BasinsConfig { run: 0, side: BASINS_BENCH_SIDE }),
        ..Default::default()
    });
    e.to_json()
}

/// `basins_himmelblau_256`: starts x updates per second of the basins of `basins_himmelblau`
/// on a 256 x 256 grid, timed on successive pieces of `BASINS_BENCH_CELLS` cells (the batched
/// kernel of `analysis::basin_lanes`, on one thread).
pub fn basins_bench(clock: Clock) -> BenchResult {
    let whole = crate::analysis::basins::Basins::new(&basins_himmelblau(), 0, BASINS_BENCH_SIDE, None);
    let mut first = 0;
    let per_s = match whole {
        Ok(whole) => per_second(clock, || {
            let cells = BASINS_BENCH_SIDE * BASINS_BENCH_SIDE;
            let mut piece = whole.clone().range(first, first + BASINS_BENCH_CELLS);
            first = (first + BASINS_BENCH_CELLS) % cells;
            while !piece.advance(u64::MAX) {}
            piece.steps() as f64
        }),
        Err(_) => 0.0,
    };
    BenchResult { name: "basins_himmelblau_256".into(), steps_per_s: per_s, unit: "steps", ms: None }
}

/// Runs the whole suite.
pub fn run_suite(clock: Clock) -> Vec<BenchResult> {
    let mut results: Vec<BenchResult> = suite()
        .into_iter()
        .map(|(name, exp, recording, chunk, unit)| BenchResult {
            name: name.into(),
            steps_per_s: measure(&exp, recording, chunk, clock) / unit as f64,
            unit: if unit == 1 { "steps" } else { "epochs" },
            ms: None,
        })
        .collect();
    if let Some(per_s) = boundary_images_per_s(clock) {
        let ms = Some(1000.0 / per_s);
        results.push(BenchResult { name: "mlp_spiral_boundary".into(), steps_per_s: per_s, unit: "images", ms });
    }
    results
}

/// `{"benchmarks": [{"name", "steps_per_s"}]}`.
/// The suite's results as `converge bench --json` prints them and `www/bench.html` reads them.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub benchmarks: Vec<BenchResult>,
}

impl crate::json::InfallibleJson for Results {}

/// `{"benchmarks": [{"name", "steps_per_s", "unit", "ms"?}]}` as JSON text.
pub fn results_json(results: &[BenchResult]) -> String {
    crate::json::to_string(&Results { benchmarks: results.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn mlp_spiral_is_valid_and_equals_its_json() {
        // The typed config must say what the JSON of TensorFlow Playground's spiral says.
        let text = r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "spiral", "n": 500},
            "model": {"name": "mlp", "hidden": [8, 8, 8], "activation": "tanh"}, "validation_share": 0.5,
            "batch_size": 10, "regularization": {"l2": 0.001}, "eval_every": 0},
            "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.03}}]}"#;
        let mut parsed = Experiment::from_json(text).expect("the spiral JSON is valid");
        parsed.stop = endless_stop();
        let typed = mlp_spiral();
        assert_eq!(typed.validate(), Ok(()));
        assert_eq!(typed, parsed);
    }

    #[test]
    fn mlp_spiral_tf_is_valid_and_equals_its_json() {
        let text = r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "spiral", "n": 500, "scale": 5},
            "model": {"name": "mlp", "hidden": [8, 8, 8], "activation": "tanh", "output": "tanh",
            "init": "tf_playground"}, "validation_share": 0.5, "batch_size": 10, "shuffle": false,
            "regularization": {"l2": 0.001}, "eval_every": 0},
            "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.015}}]}"#;
        let mut parsed = Experiment::from_json(text).expect("the Playground spiral JSON is valid");
        parsed.stop = endless_stop();
        let typed = mlp_spiral_tf();
        assert_eq!(typed.validate(), Ok(()));
        assert_eq!(typed, parsed);
    }

    #[test]
    fn repetitions_during_the_warm_up_are_not_counted() {
        // A clock that advances by 100 ms per reading: one untimed repetition in the 200 ms of
        // warm-up, then four timed ones in the 400 ms measured.
        let now = Cell::new(0.0);
        let clock = || {
            now.set(now.get() + 100.0);
            now.get()
        };
        let calls = Cell::new(0);
        let per_s = per_second(&clock, || {
            calls.set(calls.get() + 1);
            1.0
        });
        assert_eq!(calls.get(), 5);
        assert_eq!(per_s, 4.0 / 0.4);
    }

    #[test]
    fn the_basins_benchmark_counts_starts_times_steps() {
        // One piece of BASINS_BENCH_CELLS starts, every one running all its steps (no criterion
        // stops a start early), in one fake time step of MIN_MILLIS.
        let now = Cell::new(0.0);
        let clock = || {
            now.set(now.get() + MIN_MILLIS);
            now.get()
        };
        let result = basins_bench(&clock);
        assert_eq!(result.name, "basins_himmelblau_256");
        let units = (BASINS_BENCH_CELLS as u64 * BASINS_BENCH_STEPS) as f64;
        assert_eq!(result.steps_per_s, units / (MIN_MILLIS / 1000.0));
        let config = Experiment::from_json(&basins_bench_config()).expect("the bench config is valid");
        assert_eq!(config.analysis.and_then(|a| a.basins).map(|b| b.side), Some(BASINS_BENCH_SIDE));
    }

    #[test]
    fn the_suite_reports_every_benchmark_in_its_unit() {
        // A fake clock that advances by MIN_MILLIS per reading: every benchmark runs one chunk.
        let now = Cell::new(0.0);
        let clock = || {
            now.set(now.get() + MIN_MILLIS);
            now.get()
        };
        let results = run_suite(&clock);
        let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "adam_rosenbrock",
                "sgd_momentum_quadratic",
                "lbfgs_rosenbrock",
                "eight_runs_frame",
                "mlp_spiral_epoch",
                "mlp_spiral_tf_epoch",
                "mlp_spiral_boundary"
            ]
        );
        // One chunk of 40 epochs in one fake time step of MIN_MILLIS.
        for epochs in &results[4..6] {
            assert_eq!((epochs.unit, epochs.steps_per_s), ("epochs", 40.0 / (MIN_MILLIS / 1000.0)));
        }
        let boundary = &results[6];
        assert_eq!((boundary.unit, boundary.steps_per_s), ("images", 1000.0 / MIN_MILLIS));
        assert_eq!(boundary.ms, Some(MIN_MILLIS));
        let json = results_json(&results);
        assert!(
            json.contains(r#""name":"mlp_spiral_boundary","steps_per_s":2.5,"unit":"images","ms":400.0"#),
            "{json}"
        );
    }
}
