//! Steps per second of every optimizer on Rosenbrock from (-1.5, 2), with and without chart
//! history recording.
//!
//! Convergence criteria are off (`bench::endless_stop`) so every step does the same work; a
//! run that stops anyway (divergence) is reset and goes on. Each iteration starts the run
//! afresh from x0 and takes a fixed number of steps, reported as `Throughput::Elements`, so
//! criterion prints steps/s of the first `STEPS` steps of a run (the default `max_steps`).
//! Without the restart, runs would sit at their converged point for millions of steps, where
//! some optimizers keep a subnormal number in their state (e.g. SGD-Nesterov's momentum buffer
//! decays to the smallest subnormal and stays there, NAdam's `mu_product` likewise) and every
//! step pays for subnormal arithmetic, which a page user never sees.
//!
//! `cargo bench --bench optimizers [FILTER]`; measurement times are short so the whole suite
//! finishes in a few minutes on two cores.

use std::hint::black_box;
use std::time::Duration;

use convergence::bench::{endless_stop, sgd};
use convergence::config::{Experiment, RunConfig};
use convergence::optim::{LineSearch, LookaheadVariant, OptimizerConfig};
use convergence::problem::ProblemConfig;
use convergence::run::session::Session;
use convergence::schedule::ScheduleConfig;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Steps per iteration for the cheap first-order optimizers.
const STEPS: u64 = 10_000;
/// Steps per iteration for optimizers that evaluate the objective themselves.
const STEPS_EXPENSIVE: u64 = 1_000;

const ADAM_BETAS: [f64; 2] = [0.9, 0.999];

fn adam(lr: f64, amsgrad: bool) -> OptimizerConfig {
    OptimizerConfig::Adam {
        lr,
        betas: ADAM_BETAS,
        eps: 1e-8,
        weight_decay: 0.0,
        amsgrad,
        decoupled_weight_decay: false,
    }
}

/// (name, optimizer, steps per iteration) for every optimizer.
fn optimizers() -> Vec<(&'static str, OptimizerConfig, u64)> {
    vec![
        ("SGD", sgd(1e-3, 0.0, false), STEPS),
        ("SGD_momentum", sgd(1e-3, 0.9, false), STEPS),
        ("Nesterov", sgd(1e-3, 0.9, true), STEPS),
        (
            "Adagrad",
            OptimizerConfig::Adagrad {
                lr: 0.1,
                lr_decay: 0.0,
                weight_decay: 0.0,
                initial_accumulator_value: 0.0,
                eps: 1e-10,
            },
            STEPS,
        ),
        (
            "RMSprop",
            OptimizerConfig::RMSprop {
                lr: 1e-3,
                alpha: 0.99,
                eps: 1e-8,
                weight_decay: 0.0,
                momentum: 0.0,
                centered: false,
            },
            STEPS,
        ),
        (
            "RMSprop_centered_momentum",
            OptimizerConfig::RMSprop {
                lr: 1e-3,
                alpha: 0.99,
                eps: 1e-8,
                weight_decay: 0.0,
                momentum: 0.9,
                centered: true,
            },
            STEPS,
        ),
        ("Adam", adam(1e-3, false), STEPS),
        (
            "AdamW",
            OptimizerConfig::AdamW { lr: 1e-2, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
            STEPS,
        ),
        ("AMSGrad", adam(1e-3, true), STEPS),
        (
            "NAdam",
            OptimizerConfig::NAdam {
                lr: 2e-3,
                betas: ADAM_BETAS,
                eps: 1e-8,
                weight_decay: 0.0,
                momentum_decay: 4e-3,
                decoupled_weight_decay: false,
            },
            STEPS,
        ),
        (
            "RAdam",
            OptimizerConfig::RAdam {
                lr: 1e-3,
                betas: ADAM_BETAS,
                eps: 1e-8,
                weight_decay: 0.0,
                decoupled_weight_decay: false,
            },
            STEPS,
        ),
        ("Adamax", OptimizerConfig::Adamax { lr: 2e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0.0 }, STEPS),
        ("Adadelta", OptimizerConfig::Adadelta { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0 }, STEPS),
        ("Lion", OptimizerConfig::Lion { lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0.0 }, STEPS),
        ("Newton", OptimizerConfig::Newton { lr: 1.0, damping: 0.0 }, STEPS),
        (
            "LBFGS_strong_wolfe",
            OptimizerConfig::LBFGS {
                lr: 1.0,
                max_iter: 1,
                max_eval: None,
                tolerance_grad: 1e-7,
                tolerance_change: 1e-9,
                history_size: 10,
                line_search_fn: Some(LineSearch::StrongWolfe),
            },
            STEPS_EXPENSIVE,
        ),
        (
            "Lookahead_Adam",
            OptimizerConfig::Lookahead {
                k: 5,
                alpha: 0.5,
                variant: LookaheadVariant::Paper,
                inner: Box::new(adam(1e-3, false)),
            },
            STEPS,
        ),
    ]
}

/// A session with one run of `optimizer` on Rosenbrock from (-1.5, 2), criteria off.
fn session(name: &str, optimizer: OptimizerConfig, recording: bool) -> Session {
    let experiment = Experiment {
        seed: 1,
        problem: ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 },
        runs: vec![RunConfig {
            label: name.into(),
            x0: Some(vec![-1.5, 2.0]),
            optimizer,
            schedule: ScheduleConfig::Constant {},
            color: None,
        }],
        stop: endless_stop(),
        view: None,
        search: None,
        analysis: None,
    };
    if let Err(e) = experiment.validate() {
        panic!("benchmark config {name} is invalid:\n{e}");
    }
    let mut session = Session::new(experiment);
    session.set_recording(recording);
    session
}

/// Restarts the run from x0 and takes exactly `steps` steps, resetting it whenever it stopped.
#[inline]
fn advance(session: &mut Session, steps: u64) -> u64 {
    session.reset();
    let mut left = steps;
    while left > 0 {
        if !session.any_running() {
            session.reset();
        }
        left -= session.step(left).min(left);
    }
    steps
}

fn bench_optimizers(c: &mut Criterion) {
    for recording in [false, true] {
        let group_name = if recording { "rosenbrock_recording" } else { "rosenbrock" };
        let mut group = c.benchmark_group(group_name);
        group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
        for (name, optimizer, steps) in optimizers() {
            let mut s = session(name, optimizer, recording);
            group.throughput(Throughput::Elements(steps));
            group.bench_function(name, |b| b.iter(|| black_box(advance(&mut s, steps))));
            black_box(s.snapshot());
        }
        group.finish();
    }
}

criterion_group!(benches, bench_optimizers);
criterion_main!(benches);
