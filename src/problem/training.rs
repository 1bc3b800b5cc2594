//! A model trained on data: the problem behind "training on data".
//!
//! `{"name": "model", "data": {"name": "spiral"}, "model": {"name": "mlp", "hidden": [8, 8, 8]},
//!   "validation_share": 0.5, "batch_size": 10, "regularization": {"l2": 0.001}}`
//!
//! The data are generated from the experiment seed and split into training and validation
//! sets (`data::split`). As an objective the problem is the full-batch training loss (data
//! term plus penalties), which full-batch gradient descent, L-BFGS and Newton use; runs with
//! `batch_size` below the training-set size (or with dropout) draw seeded minibatches instead
//! (`run::Batches`), reshuffled every epoch, or with `shuffle: false` always in the order of
//! the training set, which the split has already shuffled once (TensorFlow Playground's
//! `oneStep` loop). Evaluations report the data term alone, on both sets, as TensorFlow
//! Playground does.

use serde::{Deserialize, Serialize};

use crate::config::validate::{join, Validator};
use crate::data::{split, DataConfig, Dataset, Rng, Task};
use crate::model::{Loss, Model, ModelConfig, Regularization, Workspace};

/// Stream of the random generator that draws the initial weights.
pub const STREAM_INIT: u64 = 11;
/// The smallest share of the points held out for validation.
pub const MIN_VALIDATION_SHARE: f64 = 0.1;
/// The largest share of the points held out for validation.
pub const MAX_VALIDATION_SHARE: f64 = 0.9;

/// A model trained on data, as written in a config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Where the data come from.
    pub data: DataConfig,
    /// What is fitted.
    #[serde(default = "default_model")]
    pub model: ModelConfig,
    /// Share of the points held out for validation, 0.1 to 0.9.
    #[serde(default = "default_validation_share")]
    pub validation_share: f64,
    /// Minibatch size; `null` (the default) is full-batch gradient descent.
    #[serde(default)]
    pub batch_size: Option<u32>,
    /// L1 and L2 penalties on the weights (coupled: in the loss) and dropout.
    #[serde(default)]
    pub regularization: Regularization,
    /// The data term; `null` picks MSE for regression, cross-entropy for classification.
    #[serde(default)]
    pub loss: Option<Loss>,
    /// Evaluate training and validation loss every this many epochs (0: never).
    #[serde(default = "one")]
    pub eval_every: u32,
    /// Reshuffle the minibatch order every epoch (true, the default), or visit the training set
    /// in the same order every epoch (false).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub shuffle: bool,
}

fn default_model() -> ModelConfig {
    ModelConfig::Mlp {
        hidden: vec![8, 8],
        activation: Default::default(),
        output: Default::default(),
        init: Default::default(),
    }
}
fn default_validation_share() -> f64 {
    0.3
}
fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
/// True for the default `shuffle` (left out of the JSON, so that older configs read the same).
fn is_true(shuffle: &bool) -> bool {
    *shuffle
}

impl TrainingConfig {
    /// Checks the data, the model against the data's shape, and the training settings.
    pub fn validate(&self, path: &str, v: &mut Validator) {
        self.data.validate(&join(path, "data"), v);
        let (task, input_dim) = (self.data.task(), self.data.input_dim());
        self.model.validate(&join(path, "model"), input_dim, task, v);
        self.regularization.validate(&join(path, "regularization"), v);
        let share = self.validation_share;
        v.require(
            (MIN_VALIDATION_SHARE..=MAX_VALIDATION_SHARE).contains(&share),
            join(path, "validation_share"),
            format!("must be in [{MIN_VALIDATION_SHARE}, {MAX_VALIDATION_SHARE}], got {share}"),
        );
        if let Some(batch) = self.batch_size {
            v.require(batch >= 1, join(path, "batch_size"), "must be >= 1 (or null for full batch), got 0");
        }
        if let (Some(Loss::CrossEntropy), Task::Regression) = (self.loss, task) {
            v.error(join(path, "loss"), "cross_entropy needs classification data (labels 0/1); use mse");
        }
        if self.loss == Some(Loss::CrossEntropy) && self.model.has_tanh_output() {
            v.error(
                join(path, "loss"),
                "cross_entropy needs the linear output (a logit); the tanh output trains with mse",
            );
        }
    }

    /// The runnable problem, with data generated from `seed`.
    pub fn build(&self, seed: u64) -> TrainingProblem {
        let data = self.data.generate(seed);
        let (train, validation) = split(&data, self.validation_share, seed);
        let task = self.data.task();
        let mut model = Model::new(&self.model, self.data.input_dim(), task, &self.regularization);
        if let Some(loss) = self.loss {
            model = model.with_loss(loss);
        }
        let all: Vec<u32> = (0..train.len() as u32).collect();
        let batch_size = self.batch_size.map_or(train.len(), |b| (b as usize).clamp(1, train.len().max(1)));
        let baseline = crate::model::constant_baseline(model.loss_function(), model.head(), &train.targets);
        TrainingProblem {
            baseline,
            model,
            train,
            validation,
            all,
            batch_size,
            dropout: self.regularization.dropout > 0.0,
            eval_every: self.eval_every,
            shuffle: self.shuffle,
            data: self.data.clone(),
            model_config: self.model.clone(),
            seed,
        }
    }
}

/// A model with its training and validation sets.
#[derive(Clone, Debug)]
pub struct TrainingProblem {
    pub model: Model,
    /// `constant_baseline`, computed once from the training set.
    baseline: f64,
    pub train: Dataset,
    pub validation: Dataset,
    all: Vec<u32>,
    batch_size: usize,
    dropout: bool,
    eval_every: u32,
    shuffle: bool,
    data: DataConfig,
    model_config: ModelConfig,
    seed: u64,
}

impl PartialEq for TrainingProblem {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data
            && self.seed == other.seed
            && self.train == other.train
            && self.validation == other.validation
            && self.batch_size == other.batch_size
            && self.model.num_params() == other.model.num_params()
    }
}

impl TrainingProblem {
    /// Number of weights.
    pub fn dim(&self) -> usize {
        self.model.num_params()
    }

    /// Full-batch training loss with penalties.
    pub fn loss(&self, w: &[f64]) -> f64 {
        self.model.loss(w, &self.train)
    }

    /// Full-batch training loss with penalties and its gradient.
    #[inline]
    pub fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        self.model.loss_grad(w, &self.train, &self.all, g, None)
    }

    /// `loss_grad` with the scratch space of a run (see `Model::loss_grad_in`).
    #[inline]
    pub fn loss_grad_in(&self, workspace: &mut Workspace, w: &[f64], g: &mut [f64]) -> f64 {
        self.model.loss_grad_in(workspace, w, &self.train, &self.all, g, None)
    }

    /// Hessian of the full-batch training loss (finite differences of the gradient).
    pub fn hessian(&self, w: &[f64], h: &mut [f64]) {
        self.model.hessian(w, &self.train, h);
    }

    /// Minibatch size (the training-set size for full batch).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// True when steps use minibatches or dropout rather than the full-batch objective.
    pub fn is_stochastic(&self) -> bool {
        self.batch_size < self.train.len() || self.dropout
    }

    /// True when the minibatch order is reshuffled every epoch.
    pub fn shuffles(&self) -> bool {
        self.shuffle
    }

    /// Epochs between evaluations (0: never).
    pub fn eval_every(&self) -> u32 {
        self.eval_every
    }

    /// The data config (for the true function of regression sets).
    pub fn data_config(&self) -> &DataConfig {
        &self.data
    }

    /// The model's name for people, e.g. "multilayer perceptron".
    pub fn display_name(&self) -> &'static str {
        self.model_config.display_name()
    }

    /// The model config.
    pub fn model_config(&self) -> &ModelConfig {
        &self.model_config
    }

    /// The task of the data.
    pub fn task(&self) -> Task {
        self.model.task()
    }

    /// Seeded initial weights (Xavier or He for networks, zeros for linear models); every run
    /// of an experiment starts from the same weights, so that comparisons are fair.
    pub fn initial_weights(&self) -> Vec<f64> {
        let mut rng = Rng::new(self.seed, STREAM_INIT);
        self.model.init(&mut rng)
    }

    /// The data loss of the best constant output on the training set
    /// (`model::constant_baseline`): a model whose training loss is not clearly below it
    /// has learned nothing from its inputs.
    pub fn constant_baseline(&self) -> f64 {
        self.baseline
    }

    /// Evaluates the data term and accuracy on both sets, one forward pass per set.
    pub fn evaluate(&self, w: &[f64]) -> Evaluation {
        let (train_loss, train_accuracy) = self.model.loss_and_accuracy(w, &self.train);
        let (validation_loss, validation_accuracy) = self.model.loss_and_accuracy(w, &self.validation);
        Evaluation { train_loss, validation_loss, train_accuracy, validation_accuracy }
    }
}

/// Losses and accuracies on both sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub train_loss: f64,
    pub validation_loss: f64,
    pub train_accuracy: f64,
    pub validation_accuracy: f64,
}
