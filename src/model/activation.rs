//! Activation functions of the hidden units and their derivatives.
//!
//! A hidden unit computes a = f(z) from its pre-activation z:
//! - `tanh`: a = tanh(z), f'(z) = 1 - a^2.
//! - `relu`: a = max(0, z), f'(z) = 1 for z > 0 and 0 otherwise (0 at the kink z = 0, as in
//!   PyTorch's `threshold_backward`) (Nair & Hinton, "Rectified Linear Units Improve Restricted
//!   Boltzmann Machines", ICML 2010).
//! - `leaky_relu`: a = z for z > 0 and 0.01*z otherwise, f'(z) = 1 for z > 0 and 0.01 otherwise
//!   (0.01 at z = 0, as in PyTorch's `leaky_relu_backward`) (Maas, Hannun & Ng, "Rectifier
//!   Nonlinearities Improve Neural Network Acoustic Models", ICML 2013).
//! - `sigmoid`: a = 1/(1 + exp(-z)), f'(z) = a*(1 - a).
//! - `linear`: a = z, f'(z) = 1.
//!
//! Every derivative is written as a function of the output a alone (for the rectifiers, a > 0
//! exactly when z > 0), so backpropagation never needs the pre-activations again.
//!
//! The activation also chooses the weight initialisation of the layer it follows:
//! - Glorot/Xavier uniform for `tanh`, `sigmoid` and `linear`: W ~ U(-r, r) with
//!   r = sqrt(6/(n_in + n_out)), so Var(W) = 2/(n_in + n_out) (X. Glorot and Y. Bengio,
//!   "Understanding the difficulty of training deep feedforward neural networks", AISTATS 2010,
//!   eq. 16).
//! - He normal for `relu` and `leaky_relu`: W ~ N(0, 2/n_in) (K. He, X. Zhang, S. Ren and J. Sun,
//!   "Delving Deep into Rectifiers", ICCV 2015, eq. 10).
//!
//! The config's `init` can replace these by TensorFlow Playground's (`tf_playground`, from
//! `nn.ts` of <https://github.com/tensorflow/playground>): every weight W ~ U(-0.5, 0.5)
//! (`Math.random() - 0.5`) and every bias 0.1, whatever the activation.
//!
//! tanh is the branch-free `tanh.rs` (two lanes per instruction in wasm32), exp goes through
//! `crate::math`, so the numbers are bit-identical natively and in wasm32.

use serde::{Deserialize, Serialize};

use super::lanes::{self, Lanes};
use super::tanh::tanh;
use crate::math::exp;

/// Slope of `leaky_relu` for negative inputs.
pub const LEAKY_SLOPE: f64 = 0.01;

/// The activation function of the hidden units of an MLP.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// a = tanh(z).
    #[default]
    Tanh,
    /// a = max(0, z).
    Relu,
    /// a = z for z > 0, 0.01*z otherwise.
    LeakyRelu,
    /// a = 1/(1 + exp(-z)).
    Sigmoid,
    /// a = z.
    Linear,
}

/// The initialisation of an MLP as written in a config (`"init": "tf_playground"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Glorot uniform or He normal weights by activation, zero biases.
    #[default]
    GlorotHe,
    /// TensorFlow Playground's: weights U(-0.5, 0.5), biases 0.1.
    TfPlayground,
}

impl Init {
    /// True for the default, `glorot_he`.
    pub fn is_default(&self) -> bool {
        *self == Init::GlorotHe
    }
}

/// Half the width of TensorFlow Playground's uniform initial weights.
pub const PLAYGROUND_WEIGHT_RANGE: f64 = 0.5;
/// TensorFlow Playground's initial bias.
pub const PLAYGROUND_BIAS: f64 = 0.1;

/// How the weights of a layer are drawn at initialisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitScheme {
    /// W ~ U(-r, r) with r = sqrt(6/(n_in + n_out)).
    GlorotUniform,
    /// W ~ N(0, 2/n_in).
    HeNormal,
    /// W ~ U(-0.5, 0.5), with biases 0.1 (TensorFlow Playground).
    Playground,
}

/// The logistic sigmoid 1/(1 + exp(-z)), computed from exp(-|z|) so that it never overflows.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + exp(-z))
    } else {
        let e = exp(z);
        e / (1.0 + e)
    }
}

impl Activation {
    /// Every activation, in the order of the docs (useful for tests and menus).
    pub const ALL: [Activation; 5] =
        [Activation::Tanh, Activation::Relu, Activation::LeakyRelu, Activation::Sigmoid, Activation::Linear];

    /// The name used in configs, e.g. `leaky_relu`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
        }
    }

    /// f(z) for one pre-activation. NaN stays NaN.
    #[inline]
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Activation::Tanh => tanh(z),
            // Written with `z < 0` so that a NaN input propagates instead of becoming 0.
            Activation::Relu => {
                if z < 0.0 {
                    0.0
                } else {
                    z
                }
            }
            Activation::LeakyRelu => {
                if z < 0.0 {
                    LEAKY_SLOPE * z
                } else {
                    z
                }
            }
            Activation::Sigmoid => sigmoid(z),
            Activation::Linear => z,
        }
    }

    /// f'(z) expressed through the output a = f(z).
    #[inline]
    pub fn derivative_from_output(self, a: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - a * a,
            Activation::Relu => {
                if a > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if a > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Linear => 1.0,
        }
    }

    /// Replaces every pre-activation of a block of lanes by f(z). The match sits outside the
    /// loops so that every loop compiles to branch-free vector code.
    #[inline(always)]
    pub(crate) fn apply_lanes<const L: usize>(self, z: &mut Lanes<L>) {
        match self {
            Activation::Tanh => lanes::tanh(z),
            Activation::Relu => z.iter_mut().for_each(|v| *v = if *v < 0.0 { 0.0 } else { *v }),
            Activation::LeakyRelu => z.iter_mut().for_each(|v| *v = if *v < 0.0 { LEAKY_SLOPE * *v } else { *v }),
            Activation::Sigmoid => z.iter_mut().for_each(|v| *v = sigmoid(*v)),
            Activation::Linear => {}
        }
    }

    /// Writes f'(z) of every lane of a block into `d`, from the outputs `a`.
    #[inline(always)]
    pub(crate) fn derivative_lanes<const L: usize>(self, a: &Lanes<L>, d: &mut Lanes<L>) {
        match self {
            Activation::Tanh => lanes::one_minus_square(d, a),
            _ => {
                for (dv, &av) in d.iter_mut().zip(a) {
                    *dv = self.derivative_from_output(av);
                }
            }
        }
    }

    /// The initialisation of the weights feeding units with this activation.
    pub fn init_scheme(self) -> InitScheme {
        match self {
            Activation::Relu | Activation::LeakyRelu => InitScheme::HeNormal,
            Activation::Tanh | Activation::Sigmoid | Activation::Linear => InitScheme::GlorotUniform,
        }
    }
}
