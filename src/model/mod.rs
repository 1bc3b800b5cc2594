//! Models trained on data: configs, validation and the runnable `Model`.
//!
//! A model maps the input row x of a `Dataset` to one raw output: the prediction in regression,
//! the logit z in classification (probability of class 1: p = sigmoid(z)). The config, as users
//! write it (`{"name": "mlp", "hidden": [8, 8], "activation": "tanh"}`), is one of:
//! - `linear {}`: y = w·x + b on the input features (regression).
//! - `polynomial {degree = 3}`: 1-D input expanded to (x, x^2, ..., x^degree), degree 1..=15,
//!   then y = w·phi(x) + b (regression). Scaling x to [-1, 1] is the data's job (see
//!   `features.rs`).
//! - `logistic {}`: p = sigmoid(w·x + b) (classification).
//! - `mlp {hidden = [8, 8], activation = "tanh", output = "linear", init = "glorot_he"}`: up to
//!   6 hidden layers of 1..=32 units with `tanh`, `relu`, `leaky_relu` (slope 0.01), `sigmoid`
//!   or `linear` activations, and a linear output unit (read as a logit in classification).
//!   Either task. `output = "tanh"` makes the output tanh(z) trained on the labels -1/+1 with
//!   the squared loss (classification only; `head.rs`), and `init = "tf_playground"` draws
//!   TensorFlow Playground's initial parameters (`activation.rs`): together with the data's
//!   `scale` 5 and the training's `shuffle = false` this is Playground's own classifier.
//!
//! Training objective on a batch B (see `loss.rs` for the per-example loss l):
//!   L(w) = (1/|B|)*sum_{i in B} l(out(x_i; w), y_i) + l2*sum_k W_k^2 + l1*sum_k |W_k|,
//! where the penalties run over the weights W only, never the biases, and the derivative of |W|
//! is sign(W) with sign(0) = 0, the convention of the reference `linreg`/`logreg` cases in
//! `tests/reference/cases` (PyTorch autograd). The default loss is the mean squared error
//! (1/n)*sum (pred - y)^2 for regression (no factor 1/2, as in `linreg`) and the mean binary
//! cross-entropy from the logit (1/n)*sum [log(1 + exp(z)) - y*z] for classification (as in
//! `logreg`). Inverted dropout with probability `dropout` on the hidden units applies only to
//! `loss_grad` calls given a random number generator.
//!
//! Every model takes at most 32 input features (the input is stored like a hidden layer).
//!
//! Parameters live in one flat `Vec<f64>`; `mlp.rs` documents the layout. For `linear` and
//! `logistic` on d inputs it is [w_1, ..., w_d, b], the order of the reference cases.
//! Initialisation: Glorot/Xavier uniform (X. Glorot and Y. Bengio, AISTATS 2010) or He normal
//! (K. He et al., ICCV 2015) weights and zero biases for an MLP (or TensorFlow Playground's
//! U(-0.5, 0.5) weights and 0.1 biases), all zeros for the others.
//!
//! Speed: `loss_grad`, `predict` and `predict_grid` never allocate; examples go through the
//! network in blocks of 8 lanes on fixed stack buffers (see `mlp.rs`). The Hessian is computed
//! by central finite differences of the analytic gradient and is meant for small models.
//!
//! Robustness: nothing here panics. A config that `validate` would reject builds a model with no
//! parameters whose losses are NaN; a weight, gradient, data or output buffer of the wrong length
//! gives a NaN loss (and a NaN-filled gradient) rather than a panic.
//!
//! Files: `activation.rs` (hidden activations, initialisation schemes), `features.rs`
//! (polynomial features), `head.rs` (how the output unit is read: identity, logit or tanh),
//! `loss.rs` (per-example losses), `mlp.rs` (layout, forward pass,
//! backpropagation, dropout, initialisation), `lanes.rs` (arithmetic on blocks of examples),
//! `tanh.rs` (the branch-free tanh of the hidden units), `workspace.rs` (scratch space kept
//! between training calls).

mod activation;
mod features;
mod head;
mod lanes;
mod loss;
mod mlp;
mod tanh;
mod workspace;

use serde::{Deserialize, Serialize};

use crate::config::validate::{join, Validator};
use crate::data::{Dataset, Rng, Task};

pub use activation::{sigmoid, Activation, Init, InitScheme, LEAKY_SLOPE, PLAYGROUND_BIAS, PLAYGROUND_WEIGHT_RANGE};
pub use features::{powers, MAX_DEGREE};
pub use head::{Head, OutputActivation};
pub use loss::{constant_baseline, softplus, Loss};
pub use mlp::{MAX_HIDDEN_LAYERS, MAX_INPUTS, MAX_UNITS};

use mlp::{activations, Activations, Dropout, Layout, Net, TrainScratch, LANES, NARROW, WIDE};
pub use workspace::Workspace;
use workspace::{Scratches, TAIL_LANES};

/// The largest dropout probability accepted (exclusive).
pub const MAX_DROPOUT: f64 = 0.9;

/// Relative step of the central finite differences in `Model::hessian`: about the cube root of
/// the machine epsilon, which balances truncation and rounding error.
const HESSIAN_STEP: f64 = 6e-6;

crate::tagged_enum! {
/// A model as written in a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelConfig {
    /// y = w·x + b on the input features (regression).
    Linear as "linear" {},
    /// y = w·(x, x^2, ..., x^degree) + b on a 1-D input (regression).
    Polynomial as "polynomial" {
        /// The highest power, 1..=15.
        degree: usize = 3,
    },
    /// p = sigmoid(w·x + b) (classification).
    Logistic as "logistic" {},
    /// A multilayer perceptron with a linear output unit (either task).
    Mlp as "mlp" {
        /// Units of each hidden layer, at most 6 layers of 1..=32 units.
        hidden: Vec<usize> = vec![8, 8],
        /// Activation of every hidden unit.
        activation: Activation = Default::default(),
        /// The output unit: `linear` (a logit in classification) or `tanh` (labels -1/+1).
        /// Left out of the JSON when it is the default, so that older configs read the same.
        #[serde(skip_serializing_if = "OutputActivation::is_default")]
        output: OutputActivation = Default::default(),
        /// The initial parameters: `glorot_he` or `tf_playground` (left out when the default).
        #[serde(skip_serializing_if = "Init::is_default")]
        init: Init = Default::default(),
    },
}
}

/// Penalties and dropout used while training.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Regularization {
    /// Weight of l1*sum |w| over the weights (not the biases).
    pub l1: f64,
    /// Weight of l2*sum w^2 over the weights (not the biases).
    pub l2: f64,
    /// Probability in [0, 0.9) of dropping a hidden unit in training (no effect without hidden
    /// layers).
    pub dropout: f64,
}

/// True for classification.
#[inline]
fn is_classification(task: &Task) -> bool {
    matches!(task, Task::Classification)
}

impl Regularization {
    /// Checks l1, l2 >= 0 and dropout in [0, 0.9).
    pub fn validate(&self, path: &str, v: &mut Validator) {
        v.non_negative(join(path, "l1"), self.l1);
        v.non_negative(join(path, "l2"), self.l2);
        let ok = (0.0..MAX_DROPOUT).contains(&self.dropout);
        v.require(ok, join(path, "dropout"), format!("must be in [0, {MAX_DROPOUT}), got {}", self.dropout));
    }
}

impl ModelConfig {
    /// A short human-readable name, e.g. "Neural network (MLP)".
    pub fn display_name(&self) -> &'static str {
        match self {
            ModelConfig::Linear {} => "Linear regression",
            ModelConfig::Polynomial { .. } => "Polynomial regression",
            ModelConfig::Logistic {} => "Logistic regression",
            ModelConfig::Mlp { .. } => "Neural network (MLP)",
        }
    }

    /// The usual loss of a task: mean squared error for regression, cross-entropy for
    /// classification.
    pub fn default_loss(task: Task) -> Loss {
        if is_classification(&task) {
            Loss::CrossEntropy
        } else {
            Loss::Mse
        }
    }

    /// The loss this model trains with when the config names none: the squared loss for the
    /// tanh output, otherwise the usual loss of the task.
    pub fn usual_loss(&self, task: Task) -> Loss {
        match self {
            ModelConfig::Mlp { output: OutputActivation::Tanh, .. } => Loss::Mse,
            _ => ModelConfig::default_loss(task),
        }
    }

    /// True when the output is tanh, trained on the labels -1/+1.
    pub fn has_tanh_output(&self) -> bool {
        matches!(self, ModelConfig::Mlp { output: OutputActivation::Tanh, .. })
    }

    /// Checks the config against the data it will be trained on (`input_dim` features, `task`),
    /// recording problems under `path`, e.g. `model.hidden[2]: must be from 1 to 32 units, got 0`.
    pub fn validate(&self, path: &str, input_dim: usize, task: Task, v: &mut Validator) {
        let classification = is_classification(&task);
        let here = if path.is_empty() { "model" } else { path };
        v.require(input_dim >= 1, here, "needs data with at least one input feature, got 0");
        v.require(
            input_dim <= MAX_INPUTS,
            here,
            format!("takes at most {MAX_INPUTS} input features, the data has {input_dim}"),
        );
        match self {
            ModelConfig::Linear {} => {
                v.require(
                    !classification,
                    here,
                    "linear is a regression model; use logistic or mlp for classification data",
                );
            }
            ModelConfig::Polynomial { degree } => {
                v.require(
                    (1..=MAX_DEGREE).contains(degree),
                    join(path, "degree"),
                    format!("must be an integer from 1 to {MAX_DEGREE}, got {degree}"),
                );
                v.require(
                    input_dim == 1,
                    here,
                    format!("polynomial needs 1-D input (one feature x), the data has {input_dim} features"),
                );
                v.require(
                    !classification,
                    here,
                    "polynomial is a regression model; use logistic or mlp for classification data",
                );
            }
            ModelConfig::Logistic {} => {
                v.require(
                    classification,
                    here,
                    "logistic is a classification model; use linear, polynomial or mlp for regression data",
                );
            }
            ModelConfig::Mlp { hidden, output, .. } => {
                v.require(
                    classification || *output == OutputActivation::Linear,
                    join(path, "output"),
                    "tanh is a classification output (labels -1/+1); use linear for regression data",
                );
                let hidden_path = join(path, "hidden");
                v.require(
                    hidden.len() <= MAX_HIDDEN_LAYERS,
                    &hidden_path,
                    format!("must have at most {MAX_HIDDEN_LAYERS} hidden layers, got {}", hidden.len()),
                );
                for (i, &units) in hidden.iter().enumerate() {
                    v.require(
                        (1..=MAX_UNITS).contains(&units),
                        format!("{hidden_path}[{i}]"),
                        format!("must be from 1 to {MAX_UNITS} units, got {units}"),
                    );
                }
            }
        }
    }
}

/// Which config a model was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// `linear`.
    Linear,
    /// `polynomial`.
    Polynomial,
    /// `logistic`.
    Logistic,
    /// `mlp`.
    Mlp,
}

/// A runnable model: shapes, loss and regularization. Parameters are passed in separately as a
/// flat slice of length `num_params()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Which config the model was built from.
    kind: ModelKind,
    /// The dense network the model reduces to.
    net: Net,
    /// Number of input features of a data row.
    input_dim: usize,
    /// Degree of the polynomial features, 0 when the row is used as it is.
    degree: usize,
    /// Weight of the l1 penalty.
    l1: f64,
    /// Weight of the l2 penalty.
    l2: f64,
    /// Dropout probability of the hidden units.
    dropout: f64,
    /// False when the config was invalid for the data; every loss is then NaN.
    valid: bool,
    /// True when every layer has at most 8 units (smaller scratch buffers suffice).
    narrow: bool,
}

impl Model {
    /// Builds the model for data with `input_dim` features and the given task, with the default
    /// loss of the task. Call `ModelConfig::validate` first; a config it rejects still builds,
    /// as a model with no parameters whose losses are all NaN.
    pub fn new(config: &ModelConfig, input_dim: usize, task: Task, regularization: &Regularization) -> Model {
        let classification = is_classification(&task);
        let loss = config.usual_loss(task);
        // The same rules as `ModelConfig::validate`; a broken config gets no layout.
        let default_head = if classification { Head::Logit } else { Head::Identity };
        let (kind, layout, activation, degree, head, init) = match config {
            ModelConfig::Linear {} => {
                let layout = if classification { None } else { Layout::new(input_dim, &[]) };
                (ModelKind::Linear, layout, Activation::Linear, 0, default_head, Init::GlorotHe)
            }
            ModelConfig::Logistic {} => {
                let layout = if classification { Layout::new(input_dim, &[]) } else { None };
                (ModelKind::Logistic, layout, Activation::Linear, 0, default_head, Init::GlorotHe)
            }
            ModelConfig::Polynomial { degree } => {
                let ok = !classification && input_dim == 1 && (1..=MAX_DEGREE).contains(degree);
                let layout = if ok { Layout::new(*degree, &[]) } else { None };
                (ModelKind::Polynomial, layout, Activation::Linear, *degree, default_head, Init::GlorotHe)
            }
            ModelConfig::Mlp { hidden, activation, output, init } => {
                let (head, layout) = match output {
                    OutputActivation::Linear => (default_head, Layout::new(input_dim, hidden)),
                    OutputActivation::Tanh if classification => (Head::Tanh, Layout::new(input_dim, hidden)),
                    OutputActivation::Tanh => (default_head, None),
                };
                (ModelKind::Mlp, layout, *activation, 0, head, *init)
            }
        };
        let valid = layout.is_some();
        let layout = layout.unwrap_or_else(Layout::empty);
        Model {
            kind,
            net: Net { layout, activation, loss, head, init },
            input_dim,
            degree,
            l1: regularization.l1,
            l2: regularization.l2,
            dropout: regularization.dropout,
            valid,
            narrow: layout.is_narrow(),
        }
    }

    /// The same model trained with another loss (see `loss.rs` for what each loss means on
    /// each task).
    pub fn with_loss(mut self, loss: Loss) -> Model {
        self.net.loss = loss;
        if self.net.head == Head::Tanh && loss == Loss::CrossEntropy {
            // The tanh output has no cross-entropy (validation rejects the pair).
            self.valid = false;
            self.net.layout = Layout::empty();
            self.narrow = self.net.layout.is_narrow();
        }
        self
    }

    /// True when the config was valid for the data it was built for.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Number of weights and biases (0 for an invalid config).
    pub fn num_params(&self) -> usize {
        self.net.layout.num_params()
    }

    /// Number of input features of a data row.
    pub fn input_dim(&self) -> usize {
        self.input_dim
    }

    /// The task: classification models output a probability.
    pub fn task(&self) -> Task {
        if self.net.head.classifies() {
            Task::Classification
        } else {
            Task::Regression
        }
    }

    /// The per-example loss.
    pub fn loss_function(&self) -> Loss {
        self.net.loss
    }

    /// How the raw output is read.
    pub fn head(&self) -> Head {
        self.net.head
    }

    /// The activation of the hidden units (`linear` for models without hidden layers).
    pub fn activation(&self) -> Activation {
        self.net.activation
    }

    /// The regularization the model trains with.
    pub fn regularization(&self) -> Regularization {
        Regularization { l1: self.l1, l2: self.l2, dropout: self.dropout }
    }

    /// Widths of the dense layers for display: features (the powers for `polynomial`), hidden
    /// layers, output; e.g. [2, 8, 8, 1]. Empty for an invalid config.
    pub fn layer_sizes(&self) -> Vec<usize> {
        if self.valid {
            self.net.layout.widths().to_vec()
        } else {
            Vec::new()
        }
    }

    /// Initial parameters: Glorot/Xavier uniform weights for tanh, sigmoid and linear hidden
    /// layers and for the output unit of an MLP, He normal weights for relu and leaky_relu
    /// hidden layers, zero biases; `linear`, `polynomial` and `logistic` start at all zeros
    /// (their losses are convex, so no symmetry needs breaking).
    pub fn init(&self, rng: &mut Rng) -> Vec<f64> {
        let mut w = Vec::with_capacity(self.num_params());
        if !self.valid {
            return w;
        }
        if self.kind == ModelKind::Mlp {
            self.net.init(rng, &mut w);
        } else {
            w.resize(self.num_params(), 0.0);
        }
        w
    }

    /// Which config the model was built from.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// Writes the features of the input row `x` (the row itself, or its powers for
    /// `polynomial`) into lane `r` of the input layer of a block.
    #[inline]
    fn load<const W: usize, const L: usize>(&self, x: &[f64], act: &mut Activations<W, L>, r: usize) {
        if self.degree == 0 {
            Self::load_features(x, act, r);
        } else {
            // Only polynomial models pay for the buffer of powers.
            let mut powers_buf = [0.0; MAX_DEGREE];
            let features = powers(x.first().copied().unwrap_or(f64::NAN), self.degree, &mut powers_buf);
            Self::load_features(features, act, r);
        }
    }

    /// Writes `features` into lane `r` of the input layer (plain indexing: the size-optimised
    /// build does not inline `zip`).
    #[inline(always)]
    fn load_features<const W: usize, const L: usize>(features: &[f64], act: &mut Activations<W, L>, r: usize) {
        let input = &mut act[0];
        if r >= L {
            return;
        }
        for k in 0..features.len().min(W) {
            input[k][r] = features[k];
        }
    }

    /// The number of rows of `data` when the data fits the model (same number of features, same
    /// task, `inputs` holding exactly one row per target); None otherwise.
    fn rows(&self, data: &Dataset) -> Option<usize> {
        let n = data.targets.len();
        let fits = self.valid
            && data.input_dim == self.input_dim
            && is_classification(&data.task) == self.net.head.classifies()
            && n.checked_mul(self.input_dim) == Some(data.inputs.len());
        fits.then_some(n)
    }

    /// Row i of `data` (callers check `i < rows(data)`).
    #[inline]
    fn row<'a>(&self, data: &'a Dataset, i: usize) -> &'a [f64] {
        let start = i * self.input_dim;
        data.inputs.get(start..start + self.input_dim).unwrap_or(&[])
    }

    /// `data_term + l2*sum W^2 + l1*sum |W|`, summed in this order as in the reference cases.
    #[inline]
    fn with_penalty(&self, data_term: f64, w: &[f64]) -> f64 {
        if self.l1 == 0.0 && self.l2 == 0.0 {
            return data_term;
        }
        let (sq, abs) = self.net.weight_norms(w);
        self.penalized(data_term, sq, abs)
    }

    /// `data_term + l2*sq + l1*abs` for sq = sum W^2 and abs = sum |W|.
    #[inline]
    fn penalized(&self, data_term: f64, sq: f64, abs: f64) -> f64 {
        data_term + self.l2 * sq + self.l1 * abs
    }

    /// Mean loss over the rows `batch` of `data` plus the penalties; writes the gradient into
    /// `g` (length `num_params()`). With `dropout_rng` Some and a dropout probability above 0,
    /// applies inverted dropout to the hidden units, drawing one `next_u32()` per hidden unit and
    /// row; otherwise the generator is left untouched. This is the hot path: it does not
    /// allocate. A wrong length of `w` or `g`, data that does not fit the model, an empty batch
    /// or an index out of range give NaN and a NaN-filled `g`.
    pub fn loss_grad(
        &self,
        w: &[f64],
        data: &Dataset,
        batch: &[u32],
        g: &mut [f64],
        dropout_rng: Option<&mut Rng>,
    ) -> f64 {
        if self.narrow {
            self.loss_grad_with(&mut Scratches::<NARROW>::new(), w, data, batch, g, dropout_rng)
        } else {
            self.loss_grad_with(&mut Scratches::<WIDE>::new(), w, data, batch, g, dropout_rng)
        }
    }

    /// `loss_grad`, bit for bit, with its scratch space taken from `workspace` rather than
    /// zeroed on the stack at every call (see `workspace.rs`): the per-step path of a run.
    pub fn loss_grad_in(
        &self,
        workspace: &mut Workspace,
        w: &[f64],
        data: &Dataset,
        batch: &[u32],
        g: &mut [f64],
        dropout_rng: Option<&mut Rng>,
    ) -> f64 {
        if self.narrow {
            self.loss_grad_with(workspace.narrow(), w, data, batch, g, dropout_rng)
        } else {
            self.loss_grad_with(workspace.wide(), w, data, batch, g, dropout_rng)
        }
    }

    /// `loss_grad` with the given scratch space of width W.
    #[inline(always)]
    fn loss_grad_with<const W: usize>(
        &self,
        scratch: &mut Scratches<W>,
        w: &[f64],
        data: &Dataset,
        batch: &[u32],
        g: &mut [f64],
        dropout_rng: Option<&mut Rng>,
    ) -> f64 {
        let p = self.num_params();
        let fits = match self.rows(data) {
            Some(n) => w.len() == p && g.len() == p && !batch.is_empty() && batch.iter().all(|&i| (i as usize) < n),
            None => false,
        };
        if !fits {
            g.fill(f64::NAN);
            return f64::NAN;
        }
        g.fill(0.0);
        let dropout = match dropout_rng {
            Some(rng) if self.dropout > 0.0 && self.net.layout.n_hidden() > 0 => {
                // 2^32: the number of values of one 32-bit draw.
                let threshold = self.dropout * 4_294_967_296.0;
                Some(Dropout { rng, threshold, scale: 1.0 / (1.0 - self.dropout) })
            }
            _ => None,
        };
        // The mean's factor 1/n enters each example's dloss/dout, as in PyTorch's backward of
        // `mean` (each example's upstream gradient is 1/n), so the gradient needs no division.
        let count = batch.len() as f64;
        let scale = 1.0 / count;
        let sum = self.batch_loss_grad(scratch, w, data, batch, scale, g, dropout);
        if self.l1 == 0.0 && self.l2 == 0.0 {
            return sum / count;
        }
        let (sq, abs) = self.net.add_penalty_grad(w, g, self.l1, self.l2);
        self.penalized(sum / count, sq, abs)
    }

    /// The summed loss of the rows `batch` (checked by the caller); adds the summed gradient
    /// into `g`. W is the width of the scratch buffers. Rows go through in blocks of 8; a tail
    /// of fewer than 4 rows goes through one row at a time, which wastes no work on empty lanes
    /// (measured in wasm32 on the spiral configuration, this beats both a padded block of 8 and
    /// blocks of 2).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn batch_loss_grad<const W: usize>(
        &self,
        scratch: &mut Scratches<W>,
        w: &[f64],
        data: &Dataset,
        batch: &[u32],
        scale: f64,
        g: &mut [f64],
        mut dropout: Option<Dropout<'_>>,
    ) -> f64 {
        let tail = batch.len() % LANES;
        let split = if tail >= LANES / 2 { batch.len() } else { batch.len() - tail };
        let (full, rest) = batch.split_at(split);
        let mut sum = 0.0;
        self.train_blocks::<W, LANES>(&mut scratch.full, w, data, full, scale, g, &mut sum, dropout.as_mut());
        self.train_blocks::<W, TAIL_LANES>(&mut scratch.tail, w, data, rest, scale, g, &mut sum, dropout.as_mut());
        sum
    }

    /// Trains on `rows` in blocks of L examples in the scratch space `scratch` (whose old
    /// contents are never read), adding losses into `sum` and `scale` times their gradients
    /// into `g`.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn train_blocks<const W: usize, const L: usize>(
        &self,
        scratch: &mut TrainScratch<W, L>,
        w: &[f64],
        data: &Dataset,
        rows: &[u32],
        scale: f64,
        g: &mut [f64],
        sum: &mut f64,
        mut dropout: Option<&mut Dropout<'_>>,
    ) {
        for chunk in rows.chunks(L) {
            let mut y = [0.0; L];
            for ((r, &i), yr) in chunk.iter().enumerate().zip(y.iter_mut()) {
                let i = i as usize;
                self.load(self.row(data, i), &mut scratch.act, r);
                *yr = data.targets.get(i).copied().unwrap_or(f64::NAN);
            }
            self.net.train_block(w, scratch, chunk.len(), &y, scale, g, sum, dropout.as_deref_mut());
        }
    }

    /// The mean loss over the whole set plus the penalties, without dropout.
    pub fn loss(&self, w: &[f64], data: &Dataset) -> f64 {
        let data_term = self.data_loss(w, data);
        if data_term.is_nan() {
            return data_term;
        }
        self.with_penalty(data_term, w)
    }

    /// The mean loss over the whole set without penalties or dropout (what charts show as the
    /// training or validation loss). NaN for empty or ill-fitting data or a wrong `w` length.
    pub fn data_loss(&self, w: &[f64], data: &Dataset) -> f64 {
        let mut sum = 0.0;
        let n = self.for_each_block(w, data, |out, y| {
            // Summed row by row in order, exactly like `loss_grad`.
            for (&o, &t) in out.iter().zip(y) {
                sum += self.net.loss.value(o, t, self.net.head);
            }
        });
        match n {
            Some(n) if n > 0 => sum / n as f64,
            _ => f64::NAN,
        }
    }

    /// The mean data loss and the accuracy (as `data_loss` and `accuracy` give them, bit for
    /// bit) from one forward pass over the set.
    pub fn loss_and_accuracy(&self, w: &[f64], data: &Dataset) -> (f64, f64) {
        let head = self.net.head;
        let classify = head.classifies();
        let mut sum = 0.0;
        let mut correct = 0usize;
        let n = self.for_each_block(w, data, |out, y| {
            for (&o, &t) in out.iter().zip(y) {
                sum += self.net.loss.value(o, t, head);
                if classify && head.correct(o, t) {
                    correct += 1;
                }
            }
        });
        match n {
            Some(n) if n > 0 => (sum / n as f64, if classify { correct as f64 / n as f64 } else { f64::NAN }),
            _ => (f64::NAN, f64::NAN),
        }
    }

    /// Classification: the share of rows whose predicted class (p >= 0.5, or tanh >= 0 for the
    /// tanh output) equals the label (y >= 0.5). Regression, empty or ill-fitting data, or a
    /// wrong `w` length: NaN.
    pub fn accuracy(&self, w: &[f64], data: &Dataset) -> f64 {
        let head = self.net.head;
        if !head.classifies() {
            return f64::NAN;
        }
        let mut correct = 0usize;
        let n = self.for_each_block(w, data, |out, y| {
            for (&o, &t) in out.iter().zip(y) {
                if head.correct(o, t) {
                    correct += 1;
                }
            }
        });
        match n {
            Some(n) if n > 0 => correct as f64 / n as f64,
            _ => f64::NAN,
        }
    }

    /// Runs the forward pass over the whole set in blocks and hands `f` the raw outputs and
    /// targets of each block (only the used lanes). Returns the number of rows, or None when
    /// the data or `w` does not fit.
    fn for_each_block(&self, w: &[f64], data: &Dataset, f: impl FnMut(&[f64], &[f64])) -> Option<usize> {
        let n = self.rows(data)?;
        if w.len() != self.num_params() {
            return None;
        }
        if self.narrow {
            self.blocks::<NARROW>(w, data, f);
        } else {
            self.blocks::<WIDE>(w, data, f);
        }
        Some(n)
    }

    /// The loop of `for_each_block` with buffers of width W.
    fn blocks<const W: usize>(&self, w: &[f64], data: &Dataset, mut f: impl FnMut(&[f64], &[f64])) {
        let mut act = activations::<W, LANES>();
        for (block, targets) in data.targets.chunks(LANES).enumerate() {
            for r in 0..targets.len() {
                self.load(self.row(data, block * LANES + r), &mut act, r);
            }
            let out = self.net.forward(w, &mut act, targets.len());
            f(&out[..targets.len()], targets);
        }
    }

    /// The prediction for one input row `x` (length `input_dim()`): y in regression, the
    /// probability of class 1 in classification (the score (tanh + 1)/2 for the tanh output). NaN when a length is wrong. Does not allocate.
    #[inline]
    pub fn predict(&self, w: &[f64], x: &[f64]) -> f64 {
        if !self.valid || w.len() != self.num_params() || x.len() != self.input_dim {
            return f64::NAN;
        }
        let raw = if self.narrow { self.predict_raw::<NARROW>(w, x) } else { self.predict_raw::<WIDE>(w, x) };
        self.output(raw)
    }

    /// The raw output for one row, with buffers of width W (a block of one example).
    #[inline]
    fn predict_raw<const W: usize>(&self, w: &[f64], x: &[f64]) -> f64 {
        let mut act = activations::<W, 1>();
        self.load(x, &mut act, 0);
        self.net.forward(w, &mut act, 1)[0]
    }

    /// The prediction from the raw output: the output itself, sigmoid of the logit, or the
    /// score (tanh + 1)/2 of the tanh output (see `head.rs`).
    #[inline]
    fn output(&self, raw: f64) -> f64 {
        self.net.head.shown(raw)
    }

    /// Predictions on a grid for a model with 2-D input: out[r*xs.len() + c] is the prediction
    /// at (xs[c], ys[r]), bit-identical to `predict` there. `out` must have length
    /// xs.len()*ys.len(); otherwise, or for a model whose input is not 2-D, `out` is filled with
    /// NaN. Does not allocate; points are evaluated in blocks of 8 along each grid row.
    pub fn predict_grid(&self, w: &[f64], xs: &[f64], ys: &[f64], out: &mut [f64]) {
        let fits = self.valid
            && self.input_dim == 2
            && self.degree == 0
            && w.len() == self.num_params()
            && xs.len().checked_mul(ys.len()) == Some(out.len());
        if !fits {
            out.fill(f64::NAN);
            return;
        }
        if xs.is_empty() {
            return;
        }
        if self.narrow {
            self.grid::<NARROW>(w, xs, ys, out);
        } else {
            self.grid::<WIDE>(w, xs, ys, out);
        }
    }

    /// The loop of `predict_grid` (shapes checked by the caller) with buffers of width W.
    fn grid<const W: usize>(&self, w: &[f64], xs: &[f64], ys: &[f64], out: &mut [f64]) {
        let mut act = activations::<W, LANES>();
        for (row_out, &y) in out.chunks_exact_mut(xs.len()).zip(ys) {
            for (cells, xs_block) in row_out.chunks_mut(LANES).zip(xs.chunks(LANES)) {
                for (r, &x) in xs_block.iter().enumerate() {
                    self.load(&[x, y], &mut act, r);
                }
                let raw = self.net.forward(w, &mut act, xs_block.len());
                for (cell, &z) in cells.iter_mut().zip(&raw) {
                    *cell = self.output(z);
                }
            }
        }
    }

    /// The output of every unit of an MLP with 2-D input on a grid, for the network drawing:
    /// `out[k * n + r * xs.len() + c]` is unit k's output at (xs[c], ys[r]), n = xs.len() *
    /// ys.len(), with the units numbered features first, then each hidden layer's units (their
    /// activations, no dropout), then the output unit (its prediction, as `predict`). Empty when
    /// the model does not take a 2-D row as it is or a length is wrong.
    pub fn unit_grid(&self, w: &[f64], xs: &[f64], ys: &[f64]) -> Vec<f64> {
        let fits = self.valid && self.input_dim == 2 && self.degree == 0 && w.len() == self.num_params();
        let Some(n) = xs.len().checked_mul(ys.len()) else { return Vec::new() };
        if !fits || n == 0 {
            return Vec::new();
        }
        let widths = self.net.layout.widths();
        let units: usize = widths.iter().sum();
        let mut out = vec![f64::NAN; units * n];
        // Wide buffers whatever the network: this runs a few hundred points per drawing.
        let mut act = activations::<WIDE, LANES>();
        let mut point = 0;
        for &y in ys {
            for block in xs.chunks(LANES) {
                for (r, &x) in block.iter().enumerate() {
                    self.load(&[x, y], &mut act, r);
                }
                let raw = self.net.forward(w, &mut act, block.len());
                let mut unit = 0;
                for (layer, &width) in widths.iter().take(widths.len().saturating_sub(1)).enumerate() {
                    for lanes in act[layer].iter().take(width) {
                        for (r, &value) in lanes.iter().take(block.len()).enumerate() {
                            if let Some(slot) = out.get_mut(unit * n + point + r) {
                                *slot = value;
                            }
                        }
                        unit += 1;
                    }
                }
                for (r, &z) in raw.iter().take(block.len()).enumerate() {
                    if let Some(slot) = out.get_mut(unit * n + point + r) {
                        *slot = self.output(z);
                    }
                }
                point += block.len();
            }
        }
        out
    }

    /// The weight matrix W_l of dense layer `layer` (row-major, inputs x units, see `mlp.rs`),
    /// empty for a layer that does not exist or a buffer of the wrong length.
    pub fn kernel<'a>(&self, w: &'a [f64], layer: usize) -> &'a [f64] {
        if !self.valid || w.len() != self.num_params() || layer > self.net.layout.n_hidden() {
            return &[];
        }
        self.net.layout.params(w, layer).0
    }

    /// Writes the Hessian of `loss` (penalties included, no dropout) over the whole set into
    /// `h` (row-major, num_params x num_params), by central finite differences of the analytic
    /// gradient: H[i][j] = (g_j(w + s_i e_i) - g_j(w - s_i e_i)) / (2 s_i) with
    /// s_i = 6e-6*max(1, |w_i|), then symmetrised as (H + H^T)/2. Costs 2*num_params gradient
    /// evaluations over the whole set and allocates; meant for small models. A wrong length or
    /// ill-fitting data fills `h` with NaN.
    pub fn hessian(&self, w: &[f64], data: &Dataset, h: &mut [f64]) {
        let p = self.num_params();
        let rows = self.rows(data).and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0);
        let (Some(n), true, true) = (rows, w.len() == p, p.checked_mul(p) == Some(h.len())) else {
            h.fill(f64::NAN);
            return;
        };
        let batch: Vec<u32> = (0..n).collect();
        let mut wp = w.to_vec();
        let mut g_plus = vec![0.0; p];
        let mut g_minus = vec![0.0; p];
        for (i, h_row) in h.chunks_exact_mut(p.max(1)).enumerate().take(p) {
            let wi = w[i];
            let step = HESSIAN_STEP * wi.abs().max(1.0);
            let (plus, minus) = (wi + step, wi - step);
            wp[i] = plus;
            self.loss_grad(&wp, data, &batch, &mut g_plus, None);
            wp[i] = minus;
            self.loss_grad(&wp, data, &batch, &mut g_minus, None);
            wp[i] = wi;
            // The actual distance between the two points, free of the rounding of wi +- step.
            let width = plus - minus;
            for ((hv, &gp), &gm) in h_row.iter_mut().zip(&g_plus).zip(&g_minus) {
                *hv = (gp - gm) / width;
            }
        }
        for i in 0..p {
            for j in i + 1..p {
                let mean = 0.5 * (h[i * p + j] + h[j * p + i]);
                h[i * p + j] = mean;
                h[j * p + i] = mean;
            }
        }
    }
}
