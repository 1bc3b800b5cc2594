//! Speed of the model hot paths on TensorFlow Playground's spiral configuration: 2 inputs,
//! hidden layers [8, 8, 8] with tanh, minibatches of 10 out of 250 training points, plain SGD.
//!
//! - `loss_grad/*`: one minibatch gradient (10 rows), reported per call.
//! - `epoch/*`: one epoch = a reshuffle plus 25 minibatch SGD steps, reported as epochs/s (the
//!   page's target is >= 7,000 epochs/s in the browser).
//! - `predict_grid/*`: the 100 x 100 decision-boundary grid (target: well under 3 ms).
//!
//! The spiral follows Playground's `classifySpiralData` (`src/dataset.ts` of
//! <https://github.com/tensorflow/playground>): for class k in {0, 1} and i = 0..n/2,
//! r = 5*i/(n/2), t = 1.75*i/(n/2)*2*pi + k*pi, point (r*sin t, r*cos t) plus uniform noise,
//! here divided by 5 so that it fills about [-1, 1]^2. Every random number comes from the
//! crate's seeded `Rng`. `cargo bench --bench models [FILTER]`.

use std::hint::black_box;
use std::time::Duration;

use convergence::data::{Dataset, Rng, Task};
use convergence::math::{cos, sin, PI};
use convergence::model::{Activation, Model, ModelConfig, Regularization};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const POINTS: usize = 250;
const BATCH: usize = 10;
const LR: f64 = 0.03;
const GRID: usize = 100;

/// The two-arm spiral with `n` points and noise amplitude 0.1 (before the division by 5).
fn spiral(n: usize, rng: &mut Rng) -> Dataset {
    let half = n / 2;
    let mut inputs = Vec::with_capacity(2 * n);
    let mut targets = Vec::with_capacity(n);
    for label in 0..2 {
        let delta = f64::from(label) * PI;
        for i in 0..half {
            let share = i as f64 / half as f64;
            let r = 5.0 * share;
            let t = 1.75 * share * 2.0 * PI + delta;
            let x = r * sin(t) + rng.uniform_in(-1.0, 1.0) * 0.1;
            let y = r * cos(t) + rng.uniform_in(-1.0, 1.0) * 0.1;
            inputs.push(x / 5.0);
            inputs.push(y / 5.0);
            targets.push(f64::from(label));
        }
    }
    Dataset { inputs, targets, input_dim: 2, task: Task::Classification }
}

fn model(activation: Activation, dropout: f64) -> Model {
    let config =
        ModelConfig::Mlp { hidden: vec![8, 8, 8], activation, output: Default::default(), init: Default::default() };
    let regularization = Regularization { l1: 0.0, l2: 0.0, dropout };
    Model::new(&config, 2, Task::Classification, &regularization)
}

/// One epoch of minibatch SGD: reshuffle, then 25 steps over consecutive batches of 10.
#[inline]
fn epoch(model: &Model, w: &mut [f64], g: &mut [f64], data: &Dataset, order: &mut [u32], rng: &mut Rng) -> f64 {
    rng.shuffle(order);
    let mut last = 0.0;
    for batch in order.chunks(BATCH) {
        last = model.loss_grad(w, data, batch, g, Some(&mut *rng));
        for (wk, gk) in w.iter_mut().zip(g.iter()) {
            *wk -= LR * gk;
        }
    }
    last
}

fn bench_models(c: &mut Criterion) {
    let mut rng = Rng::new(2024, 1);
    let data = spiral(POINTS, &mut rng);
    let batch: Vec<u32> = (0..BATCH as u32).map(|i| i * 25).collect();

    let mut group = c.benchmark_group("loss_grad");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    for (name, activation, dropout) in [
        ("spiral_8x8x8_tanh_batch10", Activation::Tanh, 0.0),
        ("spiral_8x8x8_relu_batch10", Activation::Relu, 0.0),
        ("spiral_8x8x8_tanh_dropout_batch10", Activation::Tanh, 0.2),
    ] {
        let m = model(activation, dropout);
        let w = m.init(&mut Rng::new(1, 2));
        let mut g = vec![0.0; m.num_params()];
        let mut drop_rng = Rng::new(5, 6);
        group.bench_function(name, |b| {
            b.iter(|| black_box(m.loss_grad(black_box(&w), &data, &batch, &mut g, Some(&mut drop_rng))))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("epoch");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    let m = model(Activation::Tanh, 0.0);
    let mut w = m.init(&mut Rng::new(1, 2));
    let mut g = vec![0.0; m.num_params()];
    let mut order: Vec<u32> = (0..POINTS as u32).collect();
    let mut order_rng = Rng::new(7, 7);
    group.bench_function("spiral_8x8x8_tanh_sgd", |b| {
        b.iter(|| black_box(epoch(&m, &mut w, &mut g, &data, &mut order, &mut order_rng)))
    });
    group.finish();

    let mut group = c.benchmark_group("predict_grid");
    group.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    let xs: Vec<f64> = (0..GRID).map(|i| -1.2 + 2.4 * i as f64 / (GRID - 1) as f64).collect();
    let ys = xs.clone();
    let mut out = vec![0.0; GRID * GRID];
    for (name, activation) in
        [("spiral_8x8x8_tanh_100x100", Activation::Tanh), ("spiral_8x8x8_relu_100x100", Activation::Relu)]
    {
        let m = model(activation, 0.0);
        let w = m.init(&mut Rng::new(1, 2));
        group.bench_function(name, |b| {
            b.iter(|| {
                m.predict_grid(black_box(&w), &xs, &ys, &mut out);
                black_box(out[GRID * GRID / 2])
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_models);
criterion_main!(benches);
