//! Per-example losses and their derivatives with respect to the model's raw output.
//!
//! Every model ends in one linear unit whose value `out` is the prediction in regression and the
//! logit z in classification (the probability of class 1 is then p = sigmoid(z)). For one example
//! with target y:
//! - `mse` in regression: l = (out - y)^2, dl/dout = 2*(out - y). This is the reference `linreg`
//!   formula f = (1/n)*sum_i (w*x_i + b - y_i)^2, without a factor 1/2.
//! - `cross_entropy` in classification (binary cross-entropy with logits, PyTorch's
//!   `BCEWithLogitsLoss`): l = log(1 + exp(z)) - y*z, dl/dz = sigmoid(z) - y. This is the
//!   reference `logreg` formula. log(1 + exp(z)) is evaluated without overflow as
//!   z + log1p(exp(-z)) for z > 0 and log1p(exp(z)) otherwise (e.g. M. Mächler, "Accurately
//!   Computing log(1 - exp(-|a|))", CRAN Rmpfr vignette, 2012, section on log1pexp).
//! - `mse` in classification scores the probability (the Brier score): l = (p - y)^2,
//!   dl/dz = 2*(p - y)*p*(1 - p).
//! - `cross_entropy` in regression reads the raw output as a logit, exactly as in classification;
//!   it only makes sense for targets in [0, 1].
//! - `mse` with the `tanh` output (`head.rs`, TensorFlow Playground's classifier): a = tanh(z),
//!   t = 2y - 1 in {-1, +1}, l = (a - t)^2, dl/dz = 2*(a - t)*(1 - a^2). Playground's `SQUARE`
//!   error is half of this, 0.5*(a - t)^2, so its learning rate and L2 rate equal twice ours.
//! - `cross_entropy` with the `tanh` output is not defined (validation rejects it): NaN.
//!
//! The model averages these over the examples of a batch (the mean, not the sum) and adds the
//! weight penalties afterwards.

use serde::{Deserialize, Serialize};

use super::activation::sigmoid;
use super::head::Head;
use super::tanh::tanh;
use crate::math::{exp, ln, ln_1p};

/// The data term of the training objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean squared error (1/n)*sum (pred - y)^2.
    Mse,
    /// Mean binary cross-entropy from the logit, (1/n)*sum [log(1 + exp(z)) - y*z].
    CrossEntropy,
}

/// log(1 + exp(z)) without overflow or cancellation.
#[inline]
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + ln_1p(exp(-z))
    } else {
        ln_1p(exp(z))
    }
}

impl Loss {
    /// The name used in configs and charts.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::CrossEntropy => "cross_entropy",
        }
    }

    /// The loss of one example from the raw output `out` and the dataset target `y`, read
    /// through the model's `head`.
    #[inline]
    pub fn value(self, out: f64, y: f64, head: Head) -> f64 {
        match (self, head) {
            (Loss::Mse, Head::Identity) => {
                let r = out - y;
                r * r
            }
            (Loss::Mse, Head::Logit) => {
                let r = sigmoid(out) - y;
                r * r
            }
            (Loss::Mse, Head::Tanh) => {
                let r = tanh(out) - head.target(y);
                r * r
            }
            (Loss::CrossEntropy, Head::Tanh) => f64::NAN,
            (Loss::CrossEntropy, _) => softplus(out) - y * out,
        }
    }

    /// The loss of one example and its derivative with respect to the raw output.
    #[inline(always)]
    pub fn value_grad(self, out: f64, y: f64, head: Head) -> (f64, f64) {
        match (self, head) {
            (Loss::Mse, Head::Identity) => {
                let r = out - y;
                (r * r, 2.0 * r)
            }
            (Loss::Mse, Head::Logit) => {
                let p = sigmoid(out);
                let r = p - y;
                (r * r, 2.0 * r * p * (1.0 - p))
            }
            (Loss::Mse, Head::Tanh) => {
                let a = tanh(out);
                let r = a - head.target(y);
                (r * r, 2.0 * r * (1.0 - a * a))
            }
            (Loss::CrossEntropy, Head::Tanh) => (f64::NAN, f64::NAN),
            (Loss::CrossEntropy, _) => {
                // softplus and sigmoid share e = exp(-|z|); the results are bit-identical to
                // `softplus(z)` and `sigmoid(z)`.
                let e = exp(-out.abs());
                let (softplus, p) = if out > 0.0 {
                    (out + ln_1p(e), 1.0 / (1.0 + e))
                } else if out < 0.0 {
                    (ln_1p(e), e / (1.0 + e))
                } else {
                    // z = 0 (or -0): e = 1, softplus = ln 2, p = 1/2; NaN falls through to here
                    // too and stays NaN.
                    (ln_1p(e), 1.0 / (1.0 + e))
                };
                (softplus - y * out, p - y)
            }
        }
    }
}

/// The mean loss of the best constant output on examples with dataset targets `targets`: what a
/// model that ignores its inputs can reach, the yardstick of having learned anything at all.
///
/// - `mse` (any head): the head's targets t (y, or 2y - 1 for `tanh`) are best predicted by
///   their mean, which every head can reach (or approach), leaving their variance
///   (1/n)*sum (t_i - mean t)^2.
/// - `cross_entropy` (a logit): the mean loss of a constant probability p is
///   -(ybar*ln p + (1 - ybar)*ln(1 - p)) with ybar the mean target, least at p = ybar, where it is
///   the binary entropy H(ybar) (ln 2 for balanced classes); NaN for targets outside [0, 1],
///   whose loss is not a cross-entropy, and with the `tanh` head, which has none.
///
/// NaN for no examples.
pub fn constant_baseline(loss: Loss, head: Head, targets: &[f64]) -> f64 {
    if targets.is_empty() {
        return f64::NAN;
    }
    let n = targets.len() as f64;
    match (loss, head) {
        (Loss::Mse, _) => {
            let mean = targets.iter().map(|&y| head.target(y)).sum::<f64>() / n;
            targets.iter().map(|&y| (head.target(y) - mean).powi(2)).sum::<f64>() / n
        }
        (Loss::CrossEntropy, Head::Tanh) => f64::NAN,
        (Loss::CrossEntropy, _) => {
            let ybar = targets.iter().sum::<f64>() / n;
            let term = |p: f64| if p > 0.0 { -p * ln(p) } else { 0.0 };
            if (0.0..=1.0).contains(&ybar) {
                term(ybar) + term(1.0 - ybar)
            } else {
                f64::NAN
            }
        }
    }
}

#[cfg(test)]
mod baseline_tests {
    use super::*;

    #[test]
    fn the_constant_baseline_is_the_variance_or_the_entropy_of_the_targets() {
        let balanced = [0.0, 1.0, 0.0, 1.0];
        assert!((constant_baseline(Loss::CrossEntropy, Head::Logit, &balanced) - std::f64::consts::LN_2).abs() < 1e-15);
        // Brier score of p = 1/2 on 0/1 labels: 1/4; tanh's -1/+1 targets around 0: 1.
        assert_eq!(constant_baseline(Loss::Mse, Head::Logit, &balanced), 0.25);
        assert_eq!(constant_baseline(Loss::Mse, Head::Tanh, &balanced), 1.0);
        // Regression: the variance of 1, 2, 3, 6 about their mean 3 is (4 + 1 + 0 + 9) / 4.
        assert_eq!(constant_baseline(Loss::Mse, Head::Identity, &[1.0, 2.0, 3.0, 6.0]), 3.5);
        // One class only: a constant predicts it perfectly (in the limit).
        assert_eq!(constant_baseline(Loss::CrossEntropy, Head::Logit, &[1.0, 1.0]), 0.0);
        // A quarter of ones: H(1/4) = -(1/4) ln(1/4) - (3/4) ln(3/4).
        let h = -(0.25f64 * 0.25f64.ln()) - 0.75 * 0.75f64.ln();
        assert!((constant_baseline(Loss::CrossEntropy, Head::Logit, &[1.0, 0.0, 0.0, 0.0]) - h).abs() < 1e-15);
        assert!(constant_baseline(Loss::CrossEntropy, Head::Logit, &[2.0, 3.0]).is_nan());
        assert!(constant_baseline(Loss::Mse, Head::Identity, &[]).is_nan());
    }
}
