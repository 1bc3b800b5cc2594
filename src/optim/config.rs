//! Optimizer configs with torch.optim's class names, keyword names, defaults and checks.
//!
//! `{"name": "Adam", "lr": 0.01}` takes torch's defaults for every omitted hyperparameter
//! (PyTorch 2.x documentation of each class). Extras beyond torch (`Lion`, `Newton`,
//! `Lookahead`) are named in the same style.

use serde::{Deserialize, Serialize};

use super::lookahead::LookaheadVariant;
use crate::validate::Validator;

/// Which line search L-BFGS uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineSearch {
    /// Strong Wolfe conditions (torch's only line search).
    StrongWolfe,
}

crate::tagged_enum! {
/// An optimizer as written in a config.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum OptimizerConfig via OptimizerConfigTwin = "OptimizerConfig" {
    /// torch.optim.SGD.
    SGD {
        #[serde(default = "lr_1e_3")]
        lr: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        dampening: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        nesterov: bool,
    },
    /// torch.optim.Adagrad.
    Adagrad {
        #[serde(default = "lr_1e_2")]
        lr: f64,
        #[serde(default)]
        lr_decay: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        initial_accumulator_value: f64,
        #[serde(default = "eps_1e_10")]
        eps: f64,
    },
    /// torch.optim.RMSprop.
    RMSprop {
        #[serde(default = "lr_1e_2")]
        lr: f64,
        #[serde(default = "alpha_099")]
        alpha: f64,
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        centered: bool,
    },
    /// torch.optim.Adam (coupled L2 unless `decoupled_weight_decay`).
    Adam {
        #[serde(default = "lr_1e_3")]
        lr: f64,
        #[serde(default = "adam_betas")]
        betas: [f64; 2],
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        amsgrad: bool,
        #[serde(default)]
        decoupled_weight_decay: bool,
    },
    /// torch.optim.AdamW (decoupled weight decay).
    AdamW {
        #[serde(default = "lr_1e_3")]
        lr: f64,
        #[serde(default = "adam_betas")]
        betas: [f64; 2],
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default = "wd_1e_2")]
        weight_decay: f64,
        #[serde(default)]
        amsgrad: bool,
    },
    /// torch.optim.NAdam.
    NAdam {
        #[serde(default = "lr_2e_3")]
        lr: f64,
        #[serde(default = "adam_betas")]
        betas: [f64; 2],
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default = "momentum_decay_4e_3")]
        momentum_decay: f64,
        #[serde(default)]
        decoupled_weight_decay: bool,
    },
    /// torch.optim.RAdam.
    RAdam {
        #[serde(default = "lr_1e_3")]
        lr: f64,
        #[serde(default = "adam_betas")]
        betas: [f64; 2],
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
        #[serde(default)]
        decoupled_weight_decay: bool,
    },
    /// torch.optim.Adamax.
    Adamax {
        #[serde(default = "lr_2e_3")]
        lr: f64,
        #[serde(default = "adam_betas")]
        betas: [f64; 2],
        #[serde(default = "eps_1e_8")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
    },
    /// torch.optim.Adadelta.
    Adadelta {
        #[serde(default = "lr_1")]
        lr: f64,
        #[serde(default = "rho_09")]
        rho: f64,
        #[serde(default = "eps_1e_6")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
    },
    /// torch.optim.LBFGS.
    LBFGS {
        #[serde(default = "lr_1")]
        lr: f64,
        #[serde(default = "max_iter_20")]
        max_iter: u32,
        #[serde(default)]
        max_eval: Option<u32>,
        #[serde(default = "tolerance_grad_1e_7")]
        tolerance_grad: f64,
        #[serde(default = "tolerance_change_1e_9")]
        tolerance_change: f64,
        #[serde(default = "history_100")]
        history_size: u32,
        #[serde(default)]
        line_search_fn: Option<LineSearch>,
    },
    /// Lion (Chen et al. 2023), not in torch.
    Lion {
        #[serde(default = "lr_1e_4")]
        lr: f64,
        #[serde(default = "lion_betas")]
        betas: [f64; 2],
        #[serde(default)]
        weight_decay: f64,
    },
    /// Damped Newton's method with the exact Hessian, not in torch.
    Newton {
        #[serde(default = "lr_1")]
        lr: f64,
        #[serde(default)]
        damping: f64,
    },
    /// Lookahead around any inner optimizer.
    Lookahead {
        #[serde(default = "k_5")]
        k: u32,
        #[serde(default = "half")]
        alpha: f64,
        #[serde(default)]
        variant: LookaheadVariant,
        inner: Box<OptimizerConfig>,
    },
}
}

fn lr_1() -> f64 {
    1.0
}
fn lr_1e_2() -> f64 {
    1e-2
}
fn lr_2e_3() -> f64 {
    2e-3
}
fn lr_1e_3() -> f64 {
    1e-3
}
fn lr_1e_4() -> f64 {
    1e-4
}
fn eps_1e_6() -> f64 {
    1e-6
}
fn eps_1e_8() -> f64 {
    1e-8
}
fn eps_1e_10() -> f64 {
    1e-10
}
fn alpha_099() -> f64 {
    0.99
}
fn rho_09() -> f64 {
    0.9
}
fn wd_1e_2() -> f64 {
    1e-2
}
fn momentum_decay_4e_3() -> f64 {
    4e-3
}
fn adam_betas() -> [f64; 2] {
    [0.9, 0.999]
}
fn lion_betas() -> [f64; 2] {
    [0.9, 0.99]
}
fn max_iter_20() -> u32 {
    20
}
fn tolerance_grad_1e_7() -> f64 {
    1e-7
}
fn tolerance_change_1e_9() -> f64 {
    1e-9
}
fn history_100() -> u32 {
    100
}
fn k_5() -> u32 {
    5
}
fn half() -> f64 {
    0.5
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig::Adam {
            lr: 1e-3,
            betas: adam_betas(),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            decoupled_weight_decay: false,
        }
    }
}

impl OptimizerConfig {
    /// The torch class name.
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::SGD { .. } => "SGD",
            OptimizerConfig::Adagrad { .. } => "Adagrad",
            OptimizerConfig::RMSprop { .. } => "RMSprop",
            OptimizerConfig::Adam { .. } => "Adam",
            OptimizerConfig::AdamW { .. } => "AdamW",
            OptimizerConfig::NAdam { .. } => "NAdam",
            OptimizerConfig::RAdam { .. } => "RAdam",
            OptimizerConfig::Adamax { .. } => "Adamax",
            OptimizerConfig::Adadelta { .. } => "Adadelta",
            OptimizerConfig::LBFGS { .. } => "LBFGS",
            OptimizerConfig::Lion { .. } => "Lion",
            OptimizerConfig::Newton { .. } => "Newton",
            OptimizerConfig::Lookahead { .. } => "Lookahead",
        }
    }

    /// The configured learning rate (the inner one for Lookahead).
    pub fn lr(&self) -> f64 {
        match self {
            OptimizerConfig::SGD { lr, .. }
            | OptimizerConfig::Adagrad { lr, .. }
            | OptimizerConfig::RMSprop { lr, .. }
            | OptimizerConfig::Adam { lr, .. }
            | OptimizerConfig::AdamW { lr, .. }
            | OptimizerConfig::NAdam { lr, .. }
            | OptimizerConfig::RAdam { lr, .. }
            | OptimizerConfig::Adamax { lr, .. }
            | OptimizerConfig::Adadelta { lr, .. }
            | OptimizerConfig::LBFGS { lr, .. }
            | OptimizerConfig::Lion { lr, .. }
            | OptimizerConfig::Newton { lr, .. } => *lr,
            OptimizerConfig::Lookahead { inner, .. } => inner.lr(),
        }
    }

    /// True when torch's optimizer has a `momentum` or `betas` hyperparameter, which
    /// OneCycleLR and CyclicLR can cycle.
    pub fn has_momentum(&self) -> bool {
        match self {
            OptimizerConfig::SGD { .. }
            | OptimizerConfig::RMSprop { .. }
            | OptimizerConfig::Adam { .. }
            | OptimizerConfig::AdamW { .. }
            | OptimizerConfig::NAdam { .. }
            | OptimizerConfig::RAdam { .. }
            | OptimizerConfig::Adamax { .. }
            | OptimizerConfig::Lion { .. } => true,
            OptimizerConfig::Adagrad { .. }
            | OptimizerConfig::Adadelta { .. }
            | OptimizerConfig::LBFGS { .. }
            | OptimizerConfig::Newton { .. } => false,
            OptimizerConfig::Lookahead { inner, .. } => inner.has_momentum(),
        }
    }

    /// True for optimizers that evaluate the objective themselves (line search, Hessian).
    pub fn needs_objective(&self) -> bool {
        match self {
            OptimizerConfig::LBFGS { .. } | OptimizerConfig::Newton { .. } => true,
            OptimizerConfig::Lookahead { inner, .. } => inner.needs_objective(),
            _ => false,
        }
    }

    /// Checks every hyperparameter with torch's rules, recording problems under `path`.
    pub fn validate(&self, path: &str, v: &mut Validator) {
        let at = |field: &str| format!("{path}.{field}");
        if !matches!(self, OptimizerConfig::Lookahead { .. }) {
            v.non_negative(at("lr"), self.lr());
        }
        match self {
            OptimizerConfig::SGD { momentum, dampening, weight_decay, nesterov, .. } => {
                v.non_negative(at("momentum"), *momentum);
                v.finite(at("dampening"), *dampening);
                v.non_negative(at("weight_decay"), *weight_decay);
                if *nesterov && (*momentum <= 0.0 || *dampening != 0.0) {
                    v.error(at("nesterov"), "Nesterov momentum requires momentum > 0 and dampening = 0");
                }
            }
            OptimizerConfig::Adagrad { lr_decay, weight_decay, initial_accumulator_value, eps, .. } => {
                v.non_negative(at("lr_decay"), *lr_decay);
                v.non_negative(at("weight_decay"), *weight_decay);
                v.non_negative(at("initial_accumulator_value"), *initial_accumulator_value);
                v.non_negative(at("eps"), *eps);
            }
            OptimizerConfig::RMSprop { alpha, eps, weight_decay, momentum, .. } => {
                v.non_negative(at("alpha"), *alpha);
                v.non_negative(at("eps"), *eps);
                v.non_negative(at("weight_decay"), *weight_decay);
                v.non_negative(at("momentum"), *momentum);
            }
            OptimizerConfig::Adam { betas, eps, weight_decay, .. }
            | OptimizerConfig::AdamW { betas, eps, weight_decay, .. }
            | OptimizerConfig::RAdam { betas, eps, weight_decay, .. }
            | OptimizerConfig::Adamax { betas, eps, weight_decay, .. } => {
                validate_betas(&at("betas"), betas, v);
                v.non_negative(at("eps"), *eps);
                v.non_negative(at("weight_decay"), *weight_decay);
            }
            OptimizerConfig::NAdam { betas, eps, weight_decay, momentum_decay, .. } => {
                validate_betas(&at("betas"), betas, v);
                v.non_negative(at("eps"), *eps);
                v.non_negative(at("weight_decay"), *weight_decay);
                v.non_negative(at("momentum_decay"), *momentum_decay);
            }
            OptimizerConfig::Adadelta { rho, eps, weight_decay, .. } => {
                v.unit_interval_closed(at("rho"), *rho);
                v.non_negative(at("eps"), *eps);
                v.non_negative(at("weight_decay"), *weight_decay);
            }
            OptimizerConfig::LBFGS { max_iter, max_eval, tolerance_grad, tolerance_change, history_size, .. } => {
                v.require(*max_iter >= 1, at("max_iter"), format!("must be >= 1, got {max_iter}"));
                if let Some(max_eval) = max_eval {
                    v.require(*max_eval >= 1, at("max_eval"), format!("must be >= 1, got {max_eval}"));
                }
                v.non_negative(at("tolerance_grad"), *tolerance_grad);
                v.non_negative(at("tolerance_change"), *tolerance_change);
                v.require(
                    (1..=1000).contains(history_size),
                    at("history_size"),
                    format!("must be in [1, 1000], got {history_size}"),
                );
            }
            OptimizerConfig::Lion { betas, weight_decay, .. } => {
                validate_betas(&at("betas"), betas, v);
                v.non_negative(at("weight_decay"), *weight_decay);
            }
            OptimizerConfig::Newton { damping, .. } => v.non_negative(at("damping"), *damping),
            OptimizerConfig::Lookahead { k, alpha, inner, .. } => {
                v.require(*k >= 1, at("k"), format!("must be >= 1, got {k}"));
                v.unit_interval_closed(at("alpha"), *alpha);
                if matches!(**inner, OptimizerConfig::Lookahead { .. }) {
                    v.error(at("inner"), "a Lookahead cannot wrap another Lookahead");
                } else {
                    inner.validate(&at("inner"), v);
                }
            }
        }
    }
}

fn validate_betas(path: &str, betas: &[f64; 2], v: &mut Validator) {
    v.unit_interval_open(format!("{path}[0]"), betas[0]);
    v.unit_interval_open(format!("{path}[1]"), betas[1]);
}
