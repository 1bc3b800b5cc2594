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
pub enum OptimizerConfig via OptimizerConfigTwin = "OptimizerConfig" {
    /// torch.optim.SGD.
    SGD as "SGD" {
        lr as "lr": f64 = lr_1e_3(),
        momentum as "momentum": f64 = Default::default(),
        dampening as "dampening": f64 = Default::default(),
        weight_decay as "weight_decay": f64 = Default::default(),
        nesterov as "nesterov": bool = Default::default(),
    },
    /// torch.optim.Adagrad.
    Adagrad as "Adagrad" {
        lr as "lr": f64 = lr_1e_2(),
        lr_decay as "lr_decay": f64 = Default::default(),
        weight_decay as "weight_decay": f64 = Default::default(),
        initial_accumulator_value as "initial_accumulator_value": f64 = Default::default(),
        eps as "eps": f64 = eps_1e_10(),
    },
    /// torch.optim.RMSprop.
    RMSprop as "RMSprop" {
        lr as "lr": f64 = lr_1e_2(),
        alpha as "alpha": f64 = alpha_099(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
        momentum as "momentum": f64 = Default::default(),
        centered as "centered": bool = Default::default(),
    },
    /// torch.optim.Adam (coupled L2 unless `decoupled_weight_decay`).
    Adam as "Adam" {
        lr as "lr": f64 = lr_1e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
        amsgrad as "amsgrad": bool = Default::default(),
        decoupled_weight_decay as "decoupled_weight_decay": bool = Default::default(),
    },
    /// torch.optim.AdamW (decoupled weight decay).
    AdamW as "AdamW" {
        lr as "lr": f64 = lr_1e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = wd_1e_2(),
        amsgrad as "amsgrad": bool = Default::default(),
    },
    /// torch.optim.NAdam.
    NAdam as "NAdam" {
        lr as "lr": f64 = lr_2e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
        momentum_decay as "momentum_decay": f64 = momentum_decay_4e_3(),
        decoupled_weight_decay as "decoupled_weight_decay": bool = Default::default(),
    },
    /// torch.optim.RAdam.
    RAdam as "RAdam" {
        lr as "lr": f64 = lr_1e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
        decoupled_weight_decay as "decoupled_weight_decay": bool = Default::default(),
    },
    /// torch.optim.Adamax.
    Adamax as "Adamax" {
        lr as "lr": f64 = lr_2e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
    },
    /// torch.optim.Adadelta.
    Adadelta as "Adadelta" {
        lr as "lr": f64 = lr_1(),
        rho as "rho": f64 = rho_09(),
        eps as "eps": f64 = eps_1e_6(),
        weight_decay as "weight_decay": f64 = Default::default(),
    },
    /// torch.optim.LBFGS.
    LBFGS as "LBFGS" {
        lr as "lr": f64 = lr_1(),
        max_iter as "max_iter": u32 = max_iter_20(),
        max_eval as "max_eval": Option<u32> = Default::default(),
        tolerance_grad as "tolerance_grad": f64 = tolerance_grad_1e_7(),
        tolerance_change as "tolerance_change": f64 = tolerance_change_1e_9(),
        history_size as "history_size": u32 = history_100(),
        line_search_fn as "line_search_fn": Option<LineSearch> = Default::default(),
    },
    /// Lion (Chen et al. 2023), not in torch.
    Lion as "Lion" {
        lr as "lr": f64 = lr_1e_4(),
        betas as "betas": [f64; 2] = lion_betas(),
        weight_decay as "weight_decay": f64 = Default::default(),
    },
    /// Damped Newton's method with the exact Hessian, not in torch.
    Newton as "Newton" {
        lr as "lr": f64 = lr_1(),
        damping as "damping": f64 = Default::default(),
    },
    /// Lookahead around any inner optimizer.
    Lookahead as "Lookahead" {
        k as "k": u32 = k_5(),
        alpha as "alpha": f64 = half(),
        variant as "variant": LookaheadVariant = Default::default(),
        inner as "inner": Box<OptimizerConfig>,
    },
    /// SGD with hypergradient descent on the learning rate (Baydin et al. 2018), not in torch.
    SGDHD as "SGDHD" {
        lr as "lr": f64 = lr_1e_3(),
        momentum as "momentum": f64 = Default::default(),
        dampening as "dampening": f64 = Default::default(),
        weight_decay as "weight_decay": f64 = Default::default(),
        nesterov as "nesterov": bool = Default::default(),
        hypergrad_lr as "hypergrad_lr": f64 = hypergrad_1e_6(),
    },
    /// Adam with hypergradient descent on the learning rate (Baydin et al. 2018), not in torch.
    AdamHD as "AdamHD" {
        lr as "lr": f64 = lr_1e_3(),
        betas as "betas": [f64; 2] = adam_betas(),
        eps as "eps": f64 = eps_1e_8(),
        weight_decay as "weight_decay": f64 = Default::default(),
        hypergrad_lr as "hypergrad_lr": f64 = hypergrad_1e_8(),
    },
}
}

fn hypergrad_1e_6() -> f64 {
    1e-6
}
fn hypergrad_1e_8() -> f64 {
    1e-8
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
            OptimizerConfig::SGDHD { .. } => "SGDHD",
            OptimizerConfig::AdamHD { .. } => "AdamHD",
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
            | OptimizerConfig::Newton { lr, .. }
            | OptimizerConfig::SGDHD { lr, .. }
            | OptimizerConfig::AdamHD { lr, .. } => *lr,
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
            | OptimizerConfig::Lion { .. }
            | OptimizerConfig::SGDHD { .. }
            | OptimizerConfig::AdamHD { .. } => true,
            OptimizerConfig::Adagrad { .. }
            | OptimizerConfig::Adadelta { .. }
            | OptimizerConfig::LBFGS { .. }
            | OptimizerConfig::Newton { .. } => false,
            OptimizerConfig::Lookahead { inner, .. } => inner.has_momentum(),
        }
    }

    /// True for optimizers that learn their own learning rate (hypergradient descent): they
    /// take the constant schedule only, since the schedule's lr is their starting point.
    pub fn learns_lr(&self) -> bool {
        match self {
            OptimizerConfig::SGDHD { .. } | OptimizerConfig::AdamHD { .. } => true,
            OptimizerConfig::Lookahead { inner, .. } => inner.learns_lr(),
            _ => false,
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
            OptimizerConfig::SGDHD { momentum, dampening, weight_decay, nesterov, hypergrad_lr, .. } => {
                v.non_negative(at("momentum"), *momentum);
                v.finite(at("dampening"), *dampening);
                v.non_negative(at("weight_decay"), *weight_decay);
                v.non_negative(at("hypergrad_lr"), *hypergrad_lr);
                if *nesterov && (*momentum <= 0.0 || *dampening != 0.0) {
                    v.error(at("nesterov"), "Nesterov momentum requires momentum > 0 and dampening = 0");
                }
            }
            OptimizerConfig::AdamHD { betas, eps, weight_decay, hypergrad_lr, .. } => {
                validate_betas(&at("betas"), betas, v);
                v.non_negative(at("eps"), *eps);
                v.non_negative(at("weight_decay"), *weight_decay);
                v.non_negative(at("hypergrad_lr"), *hypergrad_lr);
            }
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
