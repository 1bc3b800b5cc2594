//! Tests of the model module: analytic gradients against central finite differences for every
//! model, activation, loss and penalty; dropout; initialisation; the reference `linreg` and
//! `logreg` cases; training to full accuracy; `predict_grid`; the Hessian; validation messages;
//! and robustness against buffers of the wrong length.

use std::path::PathBuf;

use convergence::config::validate::Validator;
use convergence::data::{Dataset, Rng, Task};
use convergence::model::*;
use proptest::prelude::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn dataset(inputs: Vec<f64>, targets: Vec<f64>, input_dim: usize, task: Task) -> Dataset {
    Dataset { inputs, targets, input_dim, task }
}

/// `n` points with inputs uniform in [-1, 1]; regression targets N(0, 1), classification labels
/// 0 or 1 at random.
fn random_dataset(rng: &mut Rng, n: usize, input_dim: usize, task: Task) -> Dataset {
    let inputs = (0..n * input_dim).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let targets = (0..n)
        .map(|_| match task {
            Task::Regression => rng.normal(),
            Task::Classification => f64::from(u8::from(rng.coin())),
        })
        .collect();
    dataset(inputs, targets, input_dim, task)
}

/// Random weights N(0, scale^2), pushed at least 0.02 away from 0 so that the kink of |w| stays
/// far from the finite-difference steps.
fn random_weights(rng: &mut Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let v = scale * rng.normal();
            if v.abs() < 0.02 {
                0.02_f64.copysign(v)
            } else {
                v
            }
        })
        .collect()
}

fn mlp(hidden: &[usize], activation: Activation) -> ModelConfig {
    ModelConfig::Mlp { hidden: hidden.to_vec(), activation, output: Default::default(), init: Default::default() }
}

const HIDDEN_SHAPES: [&[usize]; 5] = [&[], &[5], &[4, 3], &[3, 2, 3, 2, 3, 2], &[12, 3]];

/// Every model that fits data with `input_dim` features and the task.
fn configs(input_dim: usize, task: Task) -> Vec<ModelConfig> {
    let mut out = Vec::new();
    match task {
        Task::Regression => {
            out.push(ModelConfig::Linear {});
            if input_dim == 1 {
                for degree in [1, 3, 15] {
                    out.push(ModelConfig::Polynomial { degree });
                }
            }
        }
        Task::Classification => out.push(ModelConfig::Logistic {}),
    }
    for hidden in HIDDEN_SHAPES {
        for activation in Activation::ALL {
            out.push(mlp(hidden, activation));
        }
    }
    out
}

fn reg(l1: f64, l2: f64, dropout: f64) -> Regularization {
    Regularization { l1, l2, dropout }
}

const REGULARIZATIONS: [(f64, f64); 4] = [(0.0, 0.0), (0.0, 0.1), (0.05, 0.0), (0.03, 0.07)];

fn other_loss(loss: Loss) -> Loss {
    match loss {
        Loss::Mse => Loss::CrossEntropy,
        Loss::CrossEntropy => Loss::Mse,
    }
}

/// The loss returned by `loss_grad` at `w`, with a fresh copy of `rng` for dropout if given.
fn batch_loss(model: &Model, w: &[f64], data: &Dataset, batch: &[u32], rng: Option<&Rng>) -> f64 {
    let mut g = vec![0.0; model.num_params()];
    let mut rng = rng.cloned();
    model.loss_grad(w, data, batch, &mut g, rng.as_mut())
}

/// Outcome of one gradient check.
#[derive(Debug, Default)]
struct Check {
    /// Parameters compared.
    compared: usize,
    /// Parameters skipped because the difference quotient is not stable (a kink of relu
    /// between w - h and w + h).
    skipped: usize,
}

/// Compares `loss_grad`'s gradient with central differences of its returned loss. A parameter
/// whose difference quotients at steps h and h/2 disagree lies next to a kink and is skipped.
fn gradient_check(model: &Model, w: &[f64], data: &Dataset, batch: &[u32], rng: Option<&Rng>, what: &str) -> Check {
    gradient_check_every(model, w, data, batch, rng, what, 1)
}

/// `gradient_check` on every `every`-th parameter only (for large networks).
fn gradient_check_every(
    model: &Model,
    w: &[f64],
    data: &Dataset,
    batch: &[u32],
    rng: Option<&Rng>,
    what: &str,
    every: usize,
) -> Check {
    let p = model.num_params();
    let mut g = vec![0.0; p];
    let mut rng_copy = rng.cloned();
    let f = model.loss_grad(w, data, batch, &mut g, rng_copy.as_mut());
    assert!(f.is_finite(), "{what}: loss {f}");
    assert_eq!(f.to_bits(), batch_loss(model, w, data, batch, rng).to_bits(), "{what}: not deterministic");
    let mut check = Check::default();
    let quotient = |k: usize, h: f64| {
        let mut wp = w.to_vec();
        wp[k] = w[k] + h;
        let up = batch_loss(model, &wp, data, batch, rng);
        wp[k] = w[k] - h;
        let down = batch_loss(model, &wp, data, batch, rng);
        (up - down) / (2.0 * h)
    };
    for k in (0..p).step_by(every) {
        let h = 1e-6 * w[k].abs().max(1.0);
        let fd = quotient(k, h);
        let fd_half = quotient(k, h / 2.0);
        let scale = fd.abs().max(1.0);
        if (fd - fd_half).abs() > 1e-6 * scale {
            check.skipped += 1;
            continue;
        }
        check.compared += 1;
        assert!(
            (g[k] - fd).abs() <= 2e-6 * scale,
            "{what}: d/dw[{k}] analytic {} vs finite differences {fd} (w = {w:?})",
            g[k]
        );
    }
    check
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/cases")
}

fn read_case(name: &str) -> Value {
    let path = cases_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// |a - b| <= tol * max(1, |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn all_rows(data: &Dataset) -> Vec<u32> {
    (0..data.len() as u32).collect()
}

fn validation_messages(f: impl FnOnce(&mut Validator)) -> Vec<String> {
    let mut v = Validator::new();
    f(&mut v);
    match v.finish() {
        Ok(()) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Gradients
// ---------------------------------------------------------------------------------------------

/// Every model x every activation x both losses x every penalty combination, for random weights
/// and data, without dropout.
#[test]
fn gradients_match_finite_differences_for_every_model() {
    let mut rng = Rng::new(7, 11);
    let mut total = Check::default();
    let mut combos = 0;
    for (input_dim, task) in [(1, Task::Regression), (3, Task::Regression), (2, Task::Classification)] {
        for config in configs(input_dim, task) {
            for (l1, l2) in REGULARIZATIONS {
                for swap_loss in [false, true] {
                    let base = Model::new(&config, input_dim, task, &reg(l1, l2, 0.0));
                    assert!(base.is_valid(), "{config:?}");
                    let other = other_loss(base.loss_function());
                    let model = if swap_loss { base.with_loss(other) } else { base };
                    let mut data = random_dataset(&mut rng, 12, input_dim, task);
                    if model.loss_function() == Loss::CrossEntropy && task == Task::Regression {
                        // Cross-entropy reads the output as a logit; give it soft labels.
                        data.targets.iter_mut().for_each(|y| *y = rng.uniform());
                    }
                    let batch: Vec<u32> = (0..11).map(|_| rng.range_u32(12)).collect();
                    let w = random_weights(&mut rng, model.num_params(), 0.7);
                    let what = format!("{config:?} {:?} l1={l1} l2={l2}", model.loss_function());
                    let check = gradient_check(&model, &w, &data, &batch, None, &what);
                    let smooth = !matches!(&config, ModelConfig::Mlp { activation: Activation::Relu | Activation::LeakyRelu, hidden, .. } if !hidden.is_empty());
                    if smooth {
                        assert_eq!(check.skipped, 0, "{what}: unexpected unstable difference quotients");
                    }
                    total.compared += check.compared;
                    total.skipped += check.skipped;
                    combos += 1;
                }
            }
        }
    }
    assert_eq!(combos, (29 + 26 + 26) * 4 * 2);
    assert!(total.skipped * 100 <= total.compared, "too many skipped parameters: {total:?}");
}

/// The largest network: 32 inputs and 6 hidden layers of 32 units (wide buffers), with dropout
/// and both penalties; every 31st parameter is checked.
#[test]
fn gradients_of_the_largest_network_match_finite_differences() {
    let mut rng = Rng::new(77, 1);
    for task in [Task::Regression, Task::Classification] {
        let model = Model::new(&mlp(&[32; 6], Activation::Tanh), 32, task, &reg(0.001, 0.002, 0.1));
        assert_eq!(model.num_params(), 6 * (32 * 32 + 32) + 33);
        let data = random_dataset(&mut rng, 13, 32, task);
        let batch = all_rows(&data);
        let w = random_weights(&mut rng, model.num_params(), 0.2);
        let check = gradient_check_every(&model, &w, &data, &batch, Some(&Rng::new(4, 4)), "largest", 31);
        assert_eq!(check.skipped, 0);
        assert!(check.compared > 180);
    }
}

/// With dropout on, a fixed seed fixes the masks, so the gradient is still the exact gradient of
/// the returned loss.
#[test]
fn gradients_with_dropout_match_finite_differences_at_fixed_masks() {
    let mut rng = Rng::new(3, 5);
    for (input_dim, task) in [(1, Task::Regression), (2, Task::Classification)] {
        for activation in [Activation::Tanh, Activation::Sigmoid, Activation::Linear] {
            let config = mlp(&[6, 5], activation);
            let model = Model::new(&config, input_dim, task, &reg(0.01, 0.02, 0.3));
            let data = random_dataset(&mut rng, 10, input_dim, task);
            let batch = all_rows(&data);
            let w = random_weights(&mut rng, model.num_params(), 0.8);
            let seed_rng = Rng::new(99, 1);
            let check = gradient_check(&model, &w, &data, &batch, Some(&seed_rng), &format!("{config:?} dropout"));
            assert_eq!(check.skipped, 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random data, batches and weights for an MLP with a smooth activation.
    #[test]
    fn mlp_gradient_matches_finite_differences(
        seed in 0u64..1_000_000,
        width in 1usize..6,
        depth in 0usize..4,
        classification in any::<bool>(),
        l2 in 0.0f64..0.5,
    ) {
        let mut rng = Rng::new(seed, 0);
        let task = if classification { Task::Classification } else { Task::Regression };
        let hidden = vec![width; depth];
        let model = Model::new(&mlp(&hidden, Activation::Tanh), 2, task, &reg(0.0, l2, 0.0));
        let data = random_dataset(&mut rng, 9, 2, task);
        let batch: Vec<u32> = (0..5).map(|_| rng.range_u32(9)).collect();
        let w = random_weights(&mut rng, model.num_params(), 1.0);
        let check = gradient_check(&model, &w, &data, &batch, None, "proptest");
        prop_assert_eq!(check.skipped, 0);
    }
}

#[test]
fn loss_grad_over_all_rows_equals_loss_and_data_loss_excludes_penalties() {
    let mut rng = Rng::new(1, 2);
    for (input_dim, task) in [(1, Task::Regression), (2, Task::Classification)] {
        for config in configs(input_dim, task) {
            let model = Model::new(&config, input_dim, task, &reg(0.02, 0.05, 0.0));
            let data = random_dataset(&mut rng, 15, input_dim, task);
            let w = random_weights(&mut rng, model.num_params(), 0.5);
            let mut g = vec![0.0; model.num_params()];
            let f = model.loss_grad(&w, &data, &all_rows(&data), &mut g, None);
            assert_eq!(f.to_bits(), model.loss(&w, &data).to_bits(), "{config:?}");
            let plain = Model::new(&config, input_dim, task, &Regularization::default());
            assert_eq!(model.data_loss(&w, &data).to_bits(), plain.loss(&w, &data).to_bits(), "{config:?}");
            assert!(model.loss(&w, &data) > model.data_loss(&w, &data));
        }
    }
}

#[test]
fn penalties_apply_to_weights_only_never_biases() {
    // A linear model on 2 inputs: parameters [w1, w2, b].
    let model = Model::new(&ModelConfig::Linear {}, 2, Task::Regression, &reg(0.5, 0.25, 0.0));
    let plain = Model::new(&ModelConfig::Linear {}, 2, Task::Regression, &Regularization::default());
    let data = dataset(vec![1.0, 2.0, -1.0, 0.5], vec![0.3, -0.2], 2, Task::Regression);
    let w = [0.4, -0.6, 3.0];
    let expected = plain.loss(&w, &data) + 0.25 * (0.16 + 0.36) + 0.5 * (0.4 + 0.6);
    assert!(close(model.loss(&w, &data), expected, 1e-14));
    let (mut g, mut g0) = ([0.0; 3], [0.0; 3]);
    model.loss_grad(&w, &data, &[0, 1], &mut g, None);
    plain.loss_grad(&w, &data, &[0, 1], &mut g0, None);
    assert!(close(g[0] - g0[0], 2.0 * 0.25 * 0.4 + 0.5, 1e-14));
    assert!(close(g[1] - g0[1], 2.0 * 0.25 * -0.6 - 0.5, 1e-14));
    assert_eq!(g[2], g0[2], "the bias is not penalised");
    // The derivative of |w| at w = 0 is 0, as in the reference cases.
    let at_zero = [0.0, 0.0, 0.0];
    model.loss_grad(&at_zero, &data, &[0, 1], &mut g, None);
    plain.loss_grad(&at_zero, &data, &[0, 1], &mut g0, None);
    assert_eq!(g, g0);
}

/// Networks with a layer wider than 8 units use wider scratch buffers; the arithmetic must not
/// change. A [9]-unit network whose ninth unit has a zero outgoing weight computes exactly what
/// the [8]-unit network computes (the extra term adds +0).
#[test]
fn narrow_and_wide_buffers_give_identical_numbers() {
    let mut rng = Rng::new(31, 0);
    let data = random_dataset(&mut rng, 19, 2, Task::Classification);
    let narrow = Model::new(&mlp(&[8], Activation::Tanh), 2, Task::Classification, &Regularization::default());
    let wide = Model::new(&mlp(&[9], Activation::Tanh), 2, Task::Classification, &Regularization::default());
    let w8 = random_weights(&mut rng, narrow.num_params(), 0.8);
    // Layout [W_0 (2x8), b_0 (8), W_1 (8), b_1] -> [W_0 (2x9), b_0 (9), W_1 (9), b_1].
    let mut w9 = Vec::new();
    for i in 0..2 {
        w9.extend_from_slice(&w8[i * 8..i * 8 + 8]);
        w9.push(0.3);
    }
    w9.extend_from_slice(&w8[16..24]);
    w9.push(-0.2);
    w9.extend_from_slice(&w8[24..32]);
    w9.push(0.0);
    w9.push(w8[32]);
    assert_eq!(w9.len(), wide.num_params());
    let batch = all_rows(&data);
    let (mut g8, mut g9) = (vec![0.0; w8.len()], vec![0.0; w9.len()]);
    let f8 = narrow.loss_grad(&w8, &data, &batch, &mut g8, None);
    let f9 = wide.loss_grad(&w9, &data, &batch, &mut g9, None);
    assert_eq!(f8.to_bits(), f9.to_bits());
    assert_eq!(narrow.data_loss(&w8, &data).to_bits(), wide.data_loss(&w9, &data).to_bits());
    for i in 0..2 {
        assert_eq!(&g8[i * 8..i * 8 + 8], &g9[i * 9..i * 9 + 8]);
    }
    assert_eq!(&g8[16..24], &g9[18..26]);
    assert_eq!(&g8[24..32], &g9[27..35]);
    assert_eq!(g8[32], g9[36]);
    for (x, y) in [(0.3, -0.7), (-1.0, 0.25)] {
        assert_eq!(narrow.predict(&w8, &[x, y]).to_bits(), wide.predict(&w9, &[x, y]).to_bits());
    }
}

#[test]
fn activations_and_their_derivatives() {
    for activation in Activation::ALL {
        for z in [-3.0, -0.7, -0.1, 0.2, 0.9, 2.5] {
            let a = activation.apply(z);
            let h = 1e-6;
            let fd = (activation.apply(z + h) - activation.apply(z - h)) / (2.0 * h);
            let d = activation.derivative_from_output(a);
            assert!((d - fd).abs() < 1e-8, "{activation:?} at {z}: {d} vs {fd}");
        }
        assert!(activation.apply(f64::NAN).is_nan(), "{activation:?} keeps NaN");
        // The network applies the same function: one hidden unit with unit weights.
        let model = Model::new(&mlp(&[1], activation), 1, Task::Regression, &Regularization::default());
        for z in [-2.0, -0.3, 0.0, 0.4, 5.0] {
            assert_eq!(model.predict(&[1.0, 0.0, 1.0, 0.0], &[z]).to_bits(), activation.apply(z).to_bits());
        }
        let name = serde_json::to_string(&activation).unwrap();
        assert_eq!(name, format!("\"{}\"", activation.name()));
    }
    // Kink conventions of PyTorch: relu'(0) = 0, leaky_relu'(0) = 0.01.
    assert_eq!(Activation::Relu.derivative_from_output(Activation::Relu.apply(0.0)), 0.0);
    assert_eq!(Activation::LeakyRelu.derivative_from_output(Activation::LeakyRelu.apply(0.0)), LEAKY_SLOPE);
    assert_eq!(Activation::LeakyRelu.apply(-2.0), -0.02);
    assert_eq!(sigmoid(-800.0), 0.0);
    assert_eq!(sigmoid(800.0), 1.0);
    assert_eq!(Activation::default(), Activation::Tanh);
}

#[test]
fn per_example_losses_match_their_formulas() {
    for z in [-800.0, -40.0, -3.5, -1e-300, -0.0, 0.0, 1e-300, 0.7, 36.0, 800.0] {
        for y in [0.0, 0.25, 1.0] {
            let (l, d) = Loss::CrossEntropy.value_grad(z, y, Head::Logit);
            assert_eq!(l.to_bits(), (softplus(z) - y * z).to_bits(), "z = {z}");
            assert_eq!(d.to_bits(), (sigmoid(z) - y).to_bits(), "z = {z}");
            assert_eq!(l.to_bits(), Loss::CrossEntropy.value(z, y, Head::Logit).to_bits());
            assert!(l.is_finite(), "z = {z}, y = {y}: {l}");
            let (m, dm) = Loss::Mse.value_grad(z, y, Head::Identity);
            assert_eq!((m, dm), ((z - y) * (z - y), 2.0 * (z - y)));
        }
    }
    assert_eq!(softplus(0.0), std::f64::consts::LN_2);
    assert_eq!(softplus(800.0), 800.0);
    assert_eq!(softplus(-800.0), 0.0);
    assert!(Loss::CrossEntropy.value_grad(f64::NAN, 1.0, Head::Logit).0.is_nan());
}

// ---------------------------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------------------------

fn dropout_setup() -> (Model, Dataset, Vec<f64>) {
    let mut rng = Rng::new(21, 0);
    let model = Model::new(&mlp(&[16, 16], Activation::Tanh), 2, Task::Classification, &reg(0.0, 0.0, 0.4));
    let data = random_dataset(&mut rng, 20, 2, Task::Classification);
    let w = model.init(&mut rng);
    (model, data, w)
}

#[test]
fn dropout_is_reproducible_with_the_same_seed() {
    let (model, data, w) = dropout_setup();
    let batch = all_rows(&data);
    let run = |seed: u64| {
        let mut rng = Rng::new(seed, 9);
        let mut g = vec![0.0; model.num_params()];
        let f = model.loss_grad(&w, &data, &batch, &mut g, Some(&mut rng));
        (f, g, rng)
    };
    let (f1, g1, r1) = run(5);
    let (f2, g2, r2) = run(5);
    assert_eq!(f1.to_bits(), f2.to_bits());
    assert_eq!(g1, g2);
    assert_eq!(r1, r2);
    let (f3, g3, _) = run(6);
    assert_ne!((f1, &g1), (f3, &g3), "another seed gives other masks");
    // Without a generator, dropout is off: the same as a model without dropout.
    let plain = Model::new(&mlp(&[16, 16], Activation::Tanh), 2, Task::Classification, &Regularization::default());
    let mut g = vec![0.0; model.num_params()];
    let mut g_plain = vec![0.0; model.num_params()];
    let f = model.loss_grad(&w, &data, &batch, &mut g, None);
    let f_plain = plain.loss_grad(&w, &data, &batch, &mut g_plain, None);
    assert_eq!(f.to_bits(), f_plain.to_bits());
    assert_eq!(g, g_plain);
    assert_ne!(f1, f, "dropout changes the training loss");
}

#[test]
fn zero_dropout_with_a_generator_is_the_same_as_none_and_draws_nothing() {
    let (_, data, w) = dropout_setup();
    let model = Model::new(&mlp(&[16, 16], Activation::Tanh), 2, Task::Classification, &reg(0.0, 0.01, 0.0));
    let batch = all_rows(&data);
    let mut rng = Rng::new(5, 9);
    let untouched = rng.clone();
    let (mut g1, mut g2) = (vec![0.0; model.num_params()], vec![0.0; model.num_params()]);
    let f1 = model.loss_grad(&w, &data, &batch, &mut g1, Some(&mut rng));
    let f2 = model.loss_grad(&w, &data, &batch, &mut g2, None);
    assert_eq!(f1.to_bits(), f2.to_bits());
    assert_eq!(g1, g2);
    assert_eq!(rng, untouched);
    // Models without hidden layers ignore dropout and draw nothing either.
    let logistic = Model::new(&ModelConfig::Logistic {}, 2, Task::Classification, &reg(0.0, 0.0, 0.5));
    let w = [0.3, -0.2, 0.1];
    let mut g = [0.0; 3];
    let mut g_none = [0.0; 3];
    let f = logistic.loss_grad(&w, &data, &batch, &mut g, Some(&mut rng));
    let f_none = logistic.loss_grad(&w, &data, &batch, &mut g_none, None);
    assert_eq!((f.to_bits(), g), (f_none.to_bits(), g_none));
    assert_eq!(rng, untouched);
}

/// Inverted dropout keeps the expected output: with one hidden layer and MSE against y = 0, the
/// gradient of the output bias is 2*out, linear in the masks, so its mean over many draws must
/// approach the value without dropout. The share of dropped units must approach p.
#[test]
fn inverted_dropout_preserves_the_expected_activation_scale() {
    let p = 0.5;
    let width = 32;
    let model = Model::new(&mlp(&[width], Activation::Tanh), 2, Task::Regression, &reg(0.0, 0.0, p));
    let mut rng = Rng::new(8, 8);
    let mut w = model.init(&mut rng);
    // Make every hidden unit contribute with the same sign so that the mean is far from 0.
    let out_weights = 2 * width + width..2 * width + width + width;
    for k in out_weights.clone() {
        w[k] = w[k].abs() + 0.1;
    }
    let data = dataset(vec![0.7, -0.4], vec![0.0], 2, Task::Regression);
    let bias_out = model.num_params() - 1;
    let mut g = vec![0.0; model.num_params()];
    model.loss_grad(&w, &data, &[0], &mut g, None);
    let expected = g[bias_out];
    let draws = 20_000;
    let (mut sum, mut sum_sq, mut dropped) = (0.0, 0.0, 0usize);
    for _ in 0..draws {
        model.loss_grad(&w, &data, &[0], &mut g, Some(&mut rng));
        sum += g[bias_out];
        sum_sq += g[bias_out] * g[bias_out];
        // A dropped unit receives no gradient on its incoming weights.
        dropped += (0..width).filter(|&j| g[j] == 0.0 && g[width + j] == 0.0).count();
    }
    let mean = sum / draws as f64;
    let std_error = ((sum_sq / draws as f64 - mean * mean) / draws as f64).sqrt();
    assert!((mean - expected).abs() < 4.0 * std_error, "mean {mean}, expected {expected}, se {std_error}");
    let share = dropped as f64 / (draws * width) as f64;
    assert!((share - p).abs() < 0.01, "dropped share {share}");
}

// ---------------------------------------------------------------------------------------------
// Initialisation
// ---------------------------------------------------------------------------------------------

#[test]
fn init_is_deterministic_per_seed() {
    for activation in Activation::ALL {
        let model = Model::new(&mlp(&[8, 8, 8], activation), 2, Task::Classification, &Regularization::default());
        let a = model.init(&mut Rng::new(42, 3));
        let b = model.init(&mut Rng::new(42, 3));
        let c = model.init(&mut Rng::new(43, 3));
        assert_eq!(a.len(), model.num_params());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
    for (config, dim, task) in [
        (ModelConfig::Linear {}, 3, Task::Regression),
        (ModelConfig::Polynomial { degree: 5 }, 1, Task::Regression),
        (ModelConfig::Logistic {}, 2, Task::Classification),
    ] {
        let model = Model::new(&config, dim, task, &Regularization::default());
        let w = model.init(&mut Rng::new(1, 1));
        assert_eq!(w.len(), model.num_params());
        assert!(w.iter().all(|&v| v == 0.0), "{config:?} starts at zero");
    }
}

/// Sample variance of the weights of layer `l` (an n_in x n_out block at `offset`) over seeds,
/// plus a check that the biases after it are 0.
fn layer_variance(model: &Model, offset: usize, n_in: usize, n_out: usize, seeds: u64) -> f64 {
    let mut values = Vec::new();
    for seed in 0..seeds {
        let w = model.init(&mut Rng::new(seed, 77));
        values.extend_from_slice(&w[offset..offset + n_in * n_out]);
        assert!(w[offset + n_in * n_out..offset + n_in * n_out + n_out].iter().all(|&b| b == 0.0));
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!(mean.abs() < 0.01, "mean {mean}");
    values.iter().map(|v| v * v).sum::<f64>() / values.len() as f64
}

#[test]
fn init_variances_follow_glorot_and_he() {
    let (n_in, width) = (20, 32);
    let layer1 = n_in * width + width;
    for activation in Activation::ALL {
        let model = Model::new(&mlp(&[width, width], activation), n_in, Task::Regression, &Regularization::default());
        assert_eq!(model.layer_sizes(), vec![n_in, width, width, 1]);
        let var0 = layer_variance(&model, 0, n_in, width, 20);
        let var1 = layer_variance(&model, layer1, width, width, 20);
        let (want0, want1) = match activation {
            Activation::Relu | Activation::LeakyRelu => (2.0 / n_in as f64, 2.0 / width as f64),
            _ => (2.0 / (n_in + width) as f64, 2.0 / (2 * width) as f64),
        };
        assert!((var0 / want0 - 1.0).abs() < 0.05, "{activation:?} layer 0: {var0} vs {want0}");
        assert!((var1 / want1 - 1.0).abs() < 0.05, "{activation:?} layer 1: {var1} vs {want1}");
        // Glorot uniform never leaves its range sqrt(6/(n_in + n_out)).
        if model.activation().init_scheme() == InitScheme::GlorotUniform {
            let r = (6.0 / (n_in + width) as f64).sqrt();
            let w = model.init(&mut Rng::new(1, 2));
            assert!(w[..n_in * width].iter().all(|v| v.abs() < r));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reference cases
// ---------------------------------------------------------------------------------------------

/// The `linear` model on the data of the reference `linreg` cases reproduces their loss and
/// gradient: the parameter layout [w, b] is the same.
#[test]
fn linear_model_reproduces_reference_linreg_cases() {
    for name in ["sgd__linreg__constant.json", "sgd__linreg_l2__constant.json", "adam__linreg_l1__PolynomialLR.json"] {
        let case = read_case(name);
        let problem = &case["problem"];
        let x = floats(&problem["data"]["x"]);
        let y = floats(&problem["data"]["y"]);
        let regularization = reg(problem["l1"].as_f64().unwrap_or(0.0), problem["l2"].as_f64().unwrap_or(0.0), 0.0);
        let data = dataset(x, y, 1, Task::Regression);
        let model = Model::new(&ModelConfig::Linear {}, 1, Task::Regression, &regularization);
        assert_eq!(model.num_params(), 2);
        let params = case["params"].as_array().unwrap();
        let losses = floats(&case["loss"]);
        let grads = case["grad"].as_array().unwrap();
        for t in [0, 1, 5, 50, params.len() - 1] {
            let w = floats(&params[t]);
            let loss = model.loss(&w, &data);
            assert!(close(loss, losses[t], 1e-12), "{name}[{t}]: {loss} vs {}", losses[t]);
            let mut g = [0.0; 2];
            let f = model.loss_grad(&w, &data, &all_rows(&data), &mut g, None);
            assert!(close(f, losses[t], 1e-12));
            if let Some(reference) = grads.get(t) {
                let reference = floats(reference);
                for k in 0..2 {
                    assert!(close(g[k], reference[k], 1e-12), "{name}[{t}] grad {k}: {} vs {}", g[k], reference[k]);
                }
            }
        }
    }
}

/// The `logistic` model reproduces the reference `logreg` cases (layout [w1, w2, b]).
#[test]
fn logistic_model_reproduces_reference_logreg_cases() {
    for name in ["sgd__logreg__constant.json", "sgd__logreg_l1__constant.json", "adam__logreg_l2__constant.json"] {
        let case = read_case(name);
        let problem = &case["problem"];
        let points = problem["data"]["x"].as_array().unwrap();
        let inputs: Vec<f64> = points.iter().flat_map(floats).collect();
        let labels = floats(&problem["data"]["y"]);
        let regularization = reg(problem["l1"].as_f64().unwrap_or(0.0), problem["l2"].as_f64().unwrap_or(0.0), 0.0);
        let data = dataset(inputs, labels, 2, Task::Classification);
        let model = Model::new(&ModelConfig::Logistic {}, 2, Task::Classification, &regularization);
        let params = case["params"].as_array().unwrap();
        let losses = floats(&case["loss"]);
        let grads = case["grad"].as_array().unwrap();
        for t in [0, 5, 100] {
            let w = floats(&params[t]);
            let loss = model.loss(&w, &data);
            assert!(close(loss, losses[t], 1e-12), "{name}[{t}]: {loss} vs {}", losses[t]);
            let mut g = [0.0; 3];
            model.loss_grad(&w, &data, &all_rows(&data), &mut g, None);
            let reference = floats(&grads[t]);
            for k in 0..3 {
                assert!(close(g[k], reference[k], 1e-12), "{name}[{t}] grad {k}: {} vs {}", g[k], reference[k]);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Training, prediction, Hessian
// ---------------------------------------------------------------------------------------------

/// Two separable clusters around (-1, -1) (class 0) and (1, 1) (class 1).
fn separable(rng: &mut Rng, n: usize) -> Dataset {
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    for i in 0..n {
        let label = (i % 2) as f64;
        let centre = 2.0 * label - 1.0;
        inputs.push(centre + 0.4 * rng.uniform_in(-1.0, 1.0));
        inputs.push(centre + 0.4 * rng.uniform_in(-1.0, 1.0));
        targets.push(label);
    }
    dataset(inputs, targets, 2, Task::Classification)
}

fn gradient_descent(model: &Model, w: &mut [f64], data: &Dataset, lr: f64, steps: usize) {
    let batch = all_rows(data);
    let mut g = vec![0.0; model.num_params()];
    for _ in 0..steps {
        model.loss_grad(w, data, &batch, &mut g, None);
        for (wk, gk) in w.iter_mut().zip(&g) {
            *wk -= lr * gk;
        }
    }
}

#[test]
fn training_reaches_full_accuracy_on_separable_data() {
    let mut rng = Rng::new(12, 0);
    let data = separable(&mut rng, 60);
    for config in [ModelConfig::Logistic {}, mlp(&[4], Activation::Tanh), mlp(&[6, 4], Activation::Relu)] {
        let model = Model::new(&config, 2, Task::Classification, &Regularization::default());
        let mut w = model.init(&mut rng);
        let before = model.loss(&w, &data);
        gradient_descent(&model, &mut w, &data, 0.5, 300);
        assert!(model.loss(&w, &data) < before, "{config:?}");
        assert_eq!(model.accuracy(&w, &data), 1.0, "{config:?}");
    }
}

#[test]
fn an_mlp_learns_xor() {
    let data = dataset(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], vec![0.0, 1.0, 1.0, 0.0], 2, Task::Classification);
    let model = Model::new(&mlp(&[4], Activation::Tanh), 2, Task::Classification, &Regularization::default());
    let mut w = model.init(&mut Rng::new(2, 0));
    gradient_descent(&model, &mut w, &data, 1.0, 2000);
    assert_eq!(model.accuracy(&w, &data), 1.0);
    assert!(model.data_loss(&w, &data) < 0.1);
}

#[test]
fn polynomial_regression_fits_a_cubic() {
    let xs: Vec<f64> = (0..21).map(|i| -1.0 + 0.1 * f64::from(i)).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 4.0 * x * x * x - 3.0 * x).collect();
    let data = dataset(xs, ys, 1, Task::Regression);
    let model = Model::new(&ModelConfig::Polynomial { degree: 3 }, 1, Task::Regression, &Regularization::default());
    assert_eq!(model.layer_sizes(), vec![3, 1]);
    let mut w = model.init(&mut Rng::new(0, 0));
    gradient_descent(&model, &mut w, &data, 0.3, 20_000);
    assert!(model.data_loss(&w, &data) < 1e-6, "loss {}", model.data_loss(&w, &data));
    assert!(close(model.predict(&w, &[0.5]), 4.0 * 0.125 - 1.5, 1e-3));
    assert!(model.accuracy(&w, &data).is_nan(), "no accuracy for regression");
}

#[test]
fn predict_matches_the_training_forward_pass() {
    let mut rng = Rng::new(4, 4);
    for (input_dim, task) in [(1, Task::Regression), (2, Task::Classification)] {
        for config in configs(input_dim, task) {
            let model = Model::new(&config, input_dim, task, &Regularization::default());
            let data = random_dataset(&mut rng, 6, input_dim, task);
            let w = random_weights(&mut rng, model.num_params(), 0.8);
            // The loss of one row, computed from predict, equals loss_grad's loss of that row.
            for i in 0..data.len() {
                let p = model.predict(&w, data.row(i));
                let y = data.targets[i];
                let from_predict = match task {
                    Task::Regression => (p - y) * (p - y),
                    Task::Classification => -(y * p.ln() + (1.0 - y) * (1.0 - p).ln()),
                };
                let mut g = vec![0.0; model.num_params()];
                let f = model.loss_grad(&w, &data, &[i as u32], &mut g, None);
                assert!(close(f, from_predict, 1e-9), "{config:?}: {f} vs {from_predict}");
                if task == Task::Classification {
                    assert!((0.0..=1.0).contains(&p));
                }
            }
        }
    }
}

#[test]
fn predict_grid_equals_predict_at_every_point() {
    let mut rng = Rng::new(6, 6);
    let xs: Vec<f64> = (0..17).map(|i| -1.2 + 0.15 * f64::from(i)).collect();
    let ys: Vec<f64> = (0..13).map(|i| 1.1 - 0.17 * f64::from(i)).collect();
    for task in [Task::Regression, Task::Classification] {
        for config in configs(2, task) {
            let model = Model::new(&config, 2, task, &reg(0.1, 0.1, 0.3));
            let w = random_weights(&mut rng, model.num_params(), 1.0);
            let mut out = vec![0.0; xs.len() * ys.len()];
            model.predict_grid(&w, &xs, &ys, &mut out);
            for (r, &y) in ys.iter().enumerate() {
                for (c, &x) in xs.iter().enumerate() {
                    let p = model.predict(&w, &[x, y]);
                    assert_eq!(out[r * xs.len() + c].to_bits(), p.to_bits(), "{config:?} at ({x}, {y})");
                }
            }
        }
    }
}

#[test]
fn predict_grid_rejects_wrong_shapes_with_nan() {
    let model = Model::new(&mlp(&[3], Activation::Relu), 2, Task::Classification, &Regularization::default());
    let w = model.init(&mut Rng::new(0, 0));
    let mut out = vec![0.0; 5];
    model.predict_grid(&w, &[0.0, 1.0], &[0.0, 1.0], &mut out);
    assert!(out.iter().all(|v| v.is_nan()));
    let mut out = vec![0.0; 4];
    model.predict_grid(&w[1..], &[0.0, 1.0], &[0.0, 1.0], &mut out);
    assert!(out.iter().all(|v| v.is_nan()));
    model.predict_grid(&w, &[], &[0.0, 1.0], &mut []);
    let one_d = Model::new(&ModelConfig::Linear {}, 1, Task::Regression, &Regularization::default());
    let mut out = vec![0.0; 4];
    one_d.predict_grid(&[1.0, 0.0], &[0.0, 1.0], &[0.0, 1.0], &mut out);
    assert!(out.iter().all(|v| v.is_nan()));
}

#[test]
fn hessian_of_linear_regression_matches_the_closed_form() {
    let case = read_case("sgd__linreg_l2__constant.json");
    let x = floats(&case["problem"]["data"]["x"]);
    let y = floats(&case["problem"]["data"]["y"]);
    let l2 = case["problem"]["l2"].as_f64().unwrap();
    let n = x.len() as f64;
    let (sxx, sx) = (x.iter().map(|v| v * v).sum::<f64>(), x.iter().sum::<f64>());
    let expected = [2.0 * sxx / n + 2.0 * l2, 2.0 * sx / n, 2.0 * sx / n, 2.0];
    let data = dataset(x, y, 1, Task::Regression);
    let model = Model::new(&ModelConfig::Linear {}, 1, Task::Regression, &reg(0.0, l2, 0.0));
    let mut h = [0.0; 4];
    model.hessian(&[1.3, -0.4], &data, &mut h);
    for k in 0..4 {
        assert!(close(h[k], expected[k], 1e-7), "{h:?} vs {expected:?}");
    }
}

#[test]
fn hessian_of_an_mlp_is_symmetric_and_matches_gradient_differences() {
    let mut rng = Rng::new(9, 9);
    let model = Model::new(&mlp(&[3, 2], Activation::Tanh), 2, Task::Classification, &reg(0.0, 0.05, 0.2));
    let data = random_dataset(&mut rng, 10, 2, Task::Classification);
    let w = random_weights(&mut rng, model.num_params(), 0.8);
    let p = model.num_params();
    let mut h = vec![0.0; p * p];
    model.hessian(&w, &data, &mut h);
    for i in 0..p {
        for j in 0..p {
            assert_eq!(h[i * p + j], h[j * p + i]);
        }
    }
    // Directional check: H v ~ (g(w + e v) - g(w - e v)) / (2e).
    let v: Vec<f64> = (0..p).map(|_| rng.normal()).collect();
    let e = 1e-5;
    let batch = all_rows(&data);
    let grad_at = |shift: f64| {
        let wp: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a + shift * b).collect();
        let mut g = vec![0.0; p];
        model.loss_grad(&wp, &data, &batch, &mut g, None);
        g
    };
    let (up, down) = (grad_at(e), grad_at(-e));
    for i in 0..p {
        let hv: f64 = (0..p).map(|j| h[i * p + j] * v[j]).sum();
        let fd = (up[i] - down[i]) / (2.0 * e);
        assert!((hv - fd).abs() <= 1e-5 * fd.abs().max(1.0), "row {i}: {hv} vs {fd}");
    }
    let mut wrong = vec![0.0; p * p - 1];
    model.hessian(&w, &data, &mut wrong);
    assert!(wrong.iter().all(|v| v.is_nan()));
}

// ---------------------------------------------------------------------------------------------
// Configs and validation
// ---------------------------------------------------------------------------------------------

#[test]
fn configs_parse_with_defaults_and_reject_unknown_fields() {
    let parse = |v: Value| serde_json::from_value::<ModelConfig>(v);
    assert_eq!(parse(json!({"name": "linear"})).unwrap(), ModelConfig::Linear {});
    assert_eq!(parse(json!({"name": "logistic"})).unwrap(), ModelConfig::Logistic {});
    assert_eq!(parse(json!({"name": "polynomial"})).unwrap(), ModelConfig::Polynomial { degree: 3 });
    assert_eq!(parse(json!({"name": "mlp"})).unwrap(), mlp(&[8, 8], Activation::Tanh));
    assert_eq!(
        parse(json!({"name": "mlp", "hidden": [4], "activation": "leaky_relu"})).unwrap(),
        mlp(&[4], Activation::LeakyRelu)
    );
    assert!(parse(json!({"name": "mlp", "activation": "gelu"})).is_err());
    assert!(parse(json!({"name": "linear", "degree": 2})).is_err());
    assert!(parse(json!({"name": "perceptron"})).is_err());
    let config = mlp(&[3, 5], Activation::Sigmoid);
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(text, r#"{"name":"mlp","hidden":[3,5],"activation":"sigmoid"}"#);
    assert_eq!(serde_json::from_str::<ModelConfig>(&text).unwrap(), config);

    let reg_parse = |v: Value| serde_json::from_value::<Regularization>(v);
    assert_eq!(reg_parse(json!({})).unwrap(), Regularization::default());
    assert_eq!(reg_parse(json!({"l2": 0.1, "dropout": 0.2})).unwrap(), reg(0.0, 0.1, 0.2));
    assert!(reg_parse(json!({"l3": 0.1})).is_err());
    assert_eq!(serde_json::to_string(&Loss::CrossEntropy).unwrap(), "\"cross_entropy\"");
    assert_eq!(ModelConfig::default_loss(Task::Regression), Loss::Mse);
    assert_eq!(ModelConfig::default_loss(Task::Classification), Loss::CrossEntropy);
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let check = |config: ModelConfig, dim: usize, task: Task| {
        validation_messages(|v| config.validate("runs[0].model", dim, task, v))
    };
    assert!(check(mlp(&[32; 6], Activation::Relu), 2, Task::Classification).is_empty());
    assert!(check(mlp(&[], Activation::Relu), 5, Task::Regression).is_empty());
    assert!(check(ModelConfig::Polynomial { degree: 15 }, 1, Task::Regression).is_empty());
    assert!(check(ModelConfig::Linear {}, 4, Task::Regression).is_empty());
    assert!(check(ModelConfig::Logistic {}, 2, Task::Classification).is_empty());

    assert_eq!(
        check(mlp(&[8, 0, 33, 8, 8, 8, 8], Activation::Tanh), 2, Task::Regression),
        vec![
            "runs[0].model.hidden: must have at most 6 hidden layers, got 7",
            "runs[0].model.hidden[1]: must be from 1 to 32 units, got 0",
            "runs[0].model.hidden[2]: must be from 1 to 32 units, got 33",
        ]
    );
    assert_eq!(
        check(ModelConfig::Polynomial { degree: 16 }, 2, Task::Classification),
        vec![
            "runs[0].model.degree: must be an integer from 1 to 15, got 16",
            "runs[0].model: polynomial needs 1-D input (one feature x), the data has 2 features",
            "runs[0].model: polynomial is a regression model; use logistic or mlp for classification data",
        ]
    );
    assert_eq!(
        check(ModelConfig::Polynomial { degree: 0 }, 1, Task::Regression),
        vec!["runs[0].model.degree: must be an integer from 1 to 15, got 0"]
    );
    assert_eq!(
        check(ModelConfig::Logistic {}, 1, Task::Regression),
        vec!["runs[0].model: logistic is a classification model; use linear, polynomial or mlp for regression data"]
    );
    assert_eq!(
        check(ModelConfig::Linear {}, 0, Task::Classification),
        vec![
            "runs[0].model: needs data with at least one input feature, got 0",
            "runs[0].model: linear is a regression model; use logistic or mlp for classification data",
        ]
    );
    assert_eq!(
        check(mlp(&[4], Activation::Tanh), 33, Task::Classification),
        vec!["runs[0].model: takes at most 32 input features, the data has 33"]
    );
    assert!(check(ModelConfig::Logistic {}, 32, Task::Classification).is_empty());
    assert_eq!(
        validation_messages(|v| reg(-1.0, f64::NAN, 0.9).validate("training.regularization", v)),
        vec![
            "training.regularization.l1: must be >= 0, got -1",
            "training.regularization.l2: must be >= 0, got NaN",
            "training.regularization.dropout: must be in [0, 0.9), got 0.9",
        ]
    );
    assert!(validation_messages(|v| reg(0.1, 0.0, 0.5).validate("r", v)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_configs_build_models_that_answer_nan() {
    let data = dataset(vec![0.5, 0.1], vec![1.0], 2, Task::Classification);
    for (config, dim, task) in [
        (mlp(&[0], Activation::Tanh), 2, Task::Classification),
        (mlp(&[1000], Activation::Tanh), 2, Task::Classification),
        (mlp(&[usize::MAX, usize::MAX], Activation::Tanh), 2, Task::Classification),
        (mlp(&[4; 7], Activation::Tanh), 2, Task::Classification),
        (ModelConfig::Polynomial { degree: 0 }, 1, Task::Regression),
        (ModelConfig::Polynomial { degree: 1000 }, 1, Task::Regression),
        (ModelConfig::Polynomial { degree: 3 }, 2, Task::Regression),
        (ModelConfig::Logistic {}, 2, Task::Regression),
        (ModelConfig::Linear {}, 2, Task::Classification),
        (ModelConfig::Linear {}, 33, Task::Regression),
        (mlp(&[4], Activation::Relu), 40, Task::Classification),
    ] {
        let model = Model::new(&config, dim, task, &Regularization::default());
        assert!(!model.is_valid(), "{config:?}");
        assert_eq!(model.num_params(), 0);
        assert!(model.init(&mut Rng::new(0, 0)).is_empty());
        assert!(model.layer_sizes().is_empty());
        assert!(model.loss_grad(&[], &data, &[0], &mut [], None).is_nan());
        assert!(model.loss(&[], &data).is_nan());
        assert!(model.data_loss(&[], &data).is_nan());
        assert!(model.accuracy(&[], &data).is_nan());
        assert!(model.predict(&[], &[0.5, 0.1]).is_nan());
        let mut out = [0.0; 4];
        model.predict_grid(&[], &[0.0, 1.0], &[0.0, 1.0], &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
        model.hessian(&[], &data, &mut []);
    }
}

#[test]
fn bad_lengths_give_nan_not_panics() {
    let model = Model::new(&mlp(&[4, 3], Activation::Tanh), 2, Task::Classification, &Regularization::default());
    let p = model.num_params();
    assert_eq!(p, (2 * 4 + 4) + (4 * 3 + 3) + (3 + 1));
    let w = model.init(&mut Rng::new(1, 1));
    let good = dataset(vec![0.1, 0.2, 0.3, 0.4], vec![0.0, 1.0], 2, Task::Classification);
    let mut g = vec![0.0; p];
    assert!(model.loss_grad(&w, &good, &[0, 1], &mut g, None).is_finite());
    let bad_data = [
        dataset(vec![0.1, 0.2, 0.3], vec![0.0, 1.0], 2, Task::Classification),
        dataset(vec![0.1, 0.2, 0.3, 0.4], vec![0.0], 2, Task::Classification),
        dataset(vec![0.1, 0.2, 0.3, 0.4], vec![0.0, 1.0, 1.0, 0.0], 1, Task::Classification),
        dataset(vec![0.1, 0.2, 0.3, 0.4], vec![0.0, 1.0], 2, Task::Regression),
        dataset(vec![], vec![], 2, Task::Classification),
    ];
    for data in &bad_data {
        let mut g = vec![0.0; p];
        assert!(model.loss_grad(&w, data, &[0], &mut g, None).is_nan(), "{data:?}");
        assert!(g.iter().all(|v| v.is_nan()));
        assert!(model.loss(&w, data).is_nan());
        assert!(model.data_loss(&w, data).is_nan());
        assert!(model.accuracy(&w, data).is_nan());
    }
    for batch in [&[][..], &[2], &[0, 1, u32::MAX]] {
        let mut g = vec![0.0; p];
        assert!(model.loss_grad(&w, &good, batch, &mut g, None).is_nan(), "{batch:?}");
    }
    let mut short = vec![0.0; p - 1];
    assert!(model.loss_grad(&w, &good, &[0], &mut short, None).is_nan());
    assert!(short.iter().all(|v| v.is_nan()));
    assert!(model.loss_grad(&w[1..], &good, &[0], &mut g, None).is_nan());
    assert!(model.loss(&w[1..], &good).is_nan());
    assert!(model.predict(&w, &[0.1]).is_nan());
    assert!(model.predict(&w, &[0.1, 0.2, 0.3]).is_nan());
    assert!(model.predict(&w[1..], &[0.1, 0.2]).is_nan());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary lengths and indices never panic, and answer NaN whenever a length is wrong.
    #[test]
    fn arbitrary_lengths_never_panic(
        hidden in proptest::collection::vec(0usize..40, 0..8),
        degree in 0usize..20,
        kind in 0u8..4,
        input_dim in 0usize..4,
        data_dim in 0usize..4,
        n_inputs in 0usize..12,
        n_targets in 0usize..6,
        w_delta in -2i64..3,
        g_delta in -2i64..3,
        batch in proptest::collection::vec(0u32..8, 0..6),
        classification in any::<bool>(),
        dropout in 0.0f64..0.95,
        seed in any::<u64>(),
    ) {
        let task = if classification { Task::Classification } else { Task::Regression };
        let config = match kind {
            0 => ModelConfig::Linear {},
            1 => ModelConfig::Polynomial { degree },
            2 => ModelConfig::Logistic {},
            _ => mlp(&hidden, Activation::ALL[(seed % 5) as usize]),
        };
        let model = Model::new(&config, input_dim, task, &reg(0.1, 0.1, dropout));
        let mut rng = Rng::new(seed, 0);
        let p = model.num_params();
        let w_len = (p as i64 + w_delta).max(0) as usize;
        let g_len = (p as i64 + g_delta).max(0) as usize;
        let w: Vec<f64> = (0..w_len).map(|_| rng.normal()).collect();
        let mut g = vec![0.0; g_len];
        let data = dataset(
            (0..n_inputs).map(|_| rng.normal()).collect(),
            (0..n_targets).map(|_| f64::from(u8::from(rng.coin()))).collect(),
            data_dim,
            task,
        );
        let f = model.loss_grad(&w, &data, &batch, &mut g, Some(&mut rng));
        let fits = model.is_valid()
            && w_len == p
            && g_len == p
            && data_dim == input_dim
            && n_inputs == n_targets * input_dim
            && !batch.is_empty()
            && batch.iter().all(|&i| (i as usize) < n_targets);
        if !fits {
            prop_assert!(f.is_nan());
        }
        let _ = model.loss(&w, &data);
        let _ = model.data_loss(&w, &data);
        let _ = model.accuracy(&w, &data);
        let x: Vec<f64> = (0..data_dim).map(|_| rng.normal()).collect();
        let y = model.predict(&w, &x);
        if x.len() != input_dim || w_len != p {
            prop_assert!(y.is_nan());
        }
        let mut out = vec![0.0; n_inputs];
        model.predict_grid(&w, &x, &x, &mut out);
        if p <= 40 {
            let mut h = vec![0.0; w_len * w_len];
            model.hessian(&w, &data, &mut h);
        }
        let _ = model.init(&mut rng);
        let _ = model.layer_sizes();
    }
}

#[test]
fn a_reused_workspace_gives_the_gradients_of_a_fresh_one_bit_for_bit() {
    // One workspace goes through networks of different depths and widths (narrow and wide),
    // batches of every size of a block and its tail, and dropout, in an order that leaves
    // stale values of a bigger network behind for a smaller one.
    let mut rng = Rng::new(9, 1);
    let data = random_dataset(&mut rng, 40, 2, Task::Classification);
    let mut workspace = Workspace::new();
    let regularization = Regularization { l1: 0.01, l2: 0.02, dropout: 0.2 };
    for hidden in [&[12, 3][..], &[8, 8, 8], &[3], &[20, 20], &[2, 5]] {
        let model = Model::new(&mlp(hidden, Activation::Tanh), 2, Task::Classification, &regularization);
        let w = random_weights(&mut rng, model.num_params(), 0.7);
        for size in [1usize, 2, 3, 5, 8, 10, 13, 17, 40, 7] {
            let batch: Vec<u32> = (0..size as u32).map(|i| (i * 7) % 40).collect();
            let (mut fresh, mut kept) = (vec![0.0; w.len()], vec![0.0; w.len()]);
            let (mut rng_fresh, mut rng_kept) = (Rng::new(3, size as u64), Rng::new(3, size as u64));
            let a = model.loss_grad(&w, &data, &batch, &mut fresh, Some(&mut rng_fresh));
            let b = model.loss_grad_in(&mut workspace, &w, &data, &batch, &mut kept, Some(&mut rng_kept));
            assert_eq!(a.to_bits(), b.to_bits(), "loss, hidden {hidden:?}, batch {size}");
            assert!(
                fresh.iter().zip(&kept).all(|(x, y)| x.to_bits() == y.to_bits()),
                "hidden {hidden:?}, batch {size}"
            );
        }
    }
}
