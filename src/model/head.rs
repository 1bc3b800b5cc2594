//! The output unit of a model: how its raw value z is read, and which targets it is trained on.
//!
//! Every model ends in one linear unit z = w·h + b. Its head says what z means:
//! - `Identity` (regression): the prediction is z itself, fitted to the real targets y.
//! - `Logit` (classification with the `linear` output, the default): z is a logit, the
//!   probability of class 1 is p = sigmoid(z), the targets are the labels 0/1 and the predicted
//!   class is 1 when p >= 1/2.
//! - `Tanh` (classification with the `tanh` output, TensorFlow Playground's classifier, `nn.ts`
//!   of <https://github.com/tensorflow/playground>): the output is a = tanh(z) in (-1, 1), the
//!   targets are the labels mapped to t = 2y - 1 (so -1 or +1, Playground's labels), the
//!   predicted class is 1 when a >= 0, and (a + 1)/2 is shown as the class-1 score.
//!
//! tanh is the branch-free `tanh.rs`, so the numbers are bit-identical natively and in wasm32.

use serde::{Deserialize, Serialize};

use super::activation::sigmoid;
use super::tanh::tanh;

/// The output activation of an MLP as written in a config (`"output": "tanh"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputActivation {
    /// The raw output: the prediction in regression, a logit in classification.
    #[default]
    Linear,
    /// a = tanh(z) on the labels -1/+1 (classification only, with the squared loss).
    Tanh,
}

impl OutputActivation {
    /// True for the default, `linear`.
    pub fn is_default(&self) -> bool {
        *self == OutputActivation::Linear
    }
}

/// How the raw output of a model is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Head {
    /// The prediction is the raw output (regression).
    Identity,
    /// The raw output is a logit of class 1 (classification).
    Logit,
    /// The output is tanh of the raw output, trained on labels -1/+1 (classification).
    Tanh,
}

impl Head {
    /// True for the classification heads.
    #[inline]
    pub fn classifies(self) -> bool {
        !matches!(self, Head::Identity)
    }

    /// The target the head is trained on for a dataset target y: y itself, or 2y - 1 for
    /// `Tanh` (the labels 0/1 become -1/+1).
    #[inline(always)]
    pub fn target(self, y: f64) -> f64 {
        match self {
            Head::Tanh => 2.0 * y - 1.0,
            Head::Identity | Head::Logit => y,
        }
    }

    /// What the model shows for the raw output z: the prediction z in regression, the
    /// probability sigmoid(z) for a logit, the score (tanh(z) + 1)/2 for `Tanh`.
    #[inline]
    pub fn shown(self, z: f64) -> f64 {
        match self {
            Head::Identity => z,
            Head::Logit => sigmoid(z),
            Head::Tanh => 0.5 * (tanh(z) + 1.0),
        }
    }

    /// True when the raw output z predicts the class of the label y (0/1); false in regression.
    #[inline]
    pub fn correct(self, z: f64, y: f64) -> bool {
        match self {
            Head::Identity => false,
            Head::Logit => (sigmoid(z) >= 0.5) == (y >= 0.5),
            Head::Tanh => (tanh(z) >= 0.0) == (y >= 0.5),
        }
    }
}
