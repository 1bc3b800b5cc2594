//! Optimizer configs with torch.optim's class names, keyword names, defaults and checks.
//!
//! `{"name": "Adam", "lr": 0.01}` takes torch's defaults for every omitted hyperparameter
//! (PyTorch 2.x documentation of each class). Extras beyond torch (`Lion`, `Newton`,
//! `Lookahead`) are named in the same style.

use serde::{Deserialize, Serialize};

use super::lookahead::LookaheadVariant;
use crate::config::validate::{join, Validator};
use crate::problem::ProblemSize;

/// Most iterations one L-BFGS step may run (`max_iter`). torch's default is 20; a step runs up
/// to `max_iter` iterations, each with at least one evaluation of the objective, so this bounds
/// the work of one step at 50 times torch's default.
pub const MAX_LBFGS_ITER: u32 = 1000;
/// Most evaluations of the objective one L-BFGS step may make (`max_eval`): torch's default
/// ratio, `max_iter * 5 / 4`, at `MAX_LBFGS_ITER`.
pub const MAX_LBFGS_EVAL: u32 = MAX_LBFGS_ITER / 4 * 5;
/// Most parameters a problem may have for Newton's method. A step computes the Hessian, which
/// for a model on data costs two full-batch gradients per parameter (central differences), and
/// solves a dense system in O(n^3). On the largest training set (5000 points with validation
/// share 0.1: 4500 training points), natively in release mode, one Newton step of an MLP took
/// 13 to 22 ms with `hidden` [1, 1, 1, 1, 1, 1] (15 parameters), 19 to 60 ms with [2, 2, 2]
/// (21, on a busy machine), 64 ms with [4, 4] (37), 164 ms with [8, 8] (105) and about 34 s
/// with six layers of 32 units (5409). At 20 parameters a step is at most 40 gradients of well
/// under 1 ms each. Every 2-D landscape (2), `linreg` (2), `logreg` (3), the linear and logistic
/// models (2 and 3), a polynomial up to degree 15 (16) and an MLP with one hidden layer of up to
/// 4 units on 2-D data (17) fit.
pub const MAX_NEWTON_PARAMS: usize = 20;
/// Most work one step of one run may do, counted in example-parameter passes (`step_work`): a
/// gradient is three passes over its examples (the forward pass and the backward pass, which
/// costs about two), the step's over its batch and any further one (L-BFGS, Newton) over the
/// whole training set; an evaluation is one pass over every example. In the wasm build in Chromium a
/// pass cost 0.6 to 1.1 ns (an MLP with 6 hidden layers of 32 units, 5409 parameters, on 5000
/// points), so 30 million passes take 20 to 35 ms, and a first step (which also evaluates the
/// start and allocates) took up to twice that: a step stays within the page's 100 ms for one
/// task. The largest network trains on the largest data set with minibatches of up to 150
/// points (29.5 million passes, of which 27 million are the evaluation of all 5000 points), or
/// full batch on up to 1,400 points.
pub const MAX_STEP_WORK: u64 = 30_000_000;

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
pub enum OptimizerConfig {
    /// torch.optim.SGD.
    SGD as "SGD" {
        lr: f64 = 1e-3,
        momentum: f64 = 0.0,
        dampening: f64 = 0.0,
        weight_decay: f64 = 0.0,
        nesterov: bool = false,
    },
    /// torch.optim.Adagrad.
    Adagrad as "Adagrad" {
        lr: f64 = 1e-2,
        lr_decay: f64 = 0.0,
        weight_decay: f64 = 0.0,
        initial_accumulator_value: f64 = 0.0,
        eps: f64 = 1e-10,
    },
    /// torch.optim.RMSprop.
    RMSprop as "RMSprop" {
        lr: f64 = 1e-2,
        alpha: f64 = 0.99,
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        momentum: f64 = 0.0,
        centered: bool = false,
    },
    /// torch.optim.Adam (coupled L2 unless `decoupled_weight_decay`).
    Adam as "Adam" {
        lr: f64 = 1e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        amsgrad: bool = false,
        decoupled_weight_decay: bool = false,
    },
    /// torch.optim.AdamW (decoupled weight decay).
    AdamW as "AdamW" {
        lr: f64 = 1e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 1e-2,
        amsgrad: bool = false,
    },
    /// torch.optim.NAdam.
    NAdam as "NAdam" {
        lr: f64 = 2e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        momentum_decay: f64 = 4e-3,
        decoupled_weight_decay: bool = false,
    },
    /// torch.optim.RAdam.
    RAdam as "RAdam" {
        lr: f64 = 1e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        decoupled_weight_decay: bool = false,
    },
    /// torch.optim.Adamax.
    Adamax as "Adamax" {
        lr: f64 = 2e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
    },
    /// torch.optim.Adadelta.
    Adadelta as "Adadelta" {
        lr: f64 = 1.0,
        rho: f64 = 0.9,
        eps: f64 = 1e-6,
        weight_decay: f64 = 0.0,
    },
    /// torch.optim.LBFGS.
    LBFGS as "LBFGS" {
        lr: f64 = 1.0,
        max_iter: u32 = 20,
        max_eval: Option<u32> = None,
        tolerance_grad: f64 = 1e-7,
        tolerance_change: f64 = 1e-9,
        history_size: u32 = 100,
        line_search_fn: Option<LineSearch> = None,
    },
    /// Lion (Chen et al. 2023), not in torch.
    Lion as "Lion" {
        lr: f64 = 1e-4,
        betas: [f64; 2] = [0.9, 0.99],
        weight_decay: f64 = 0.0,
    },
    /// Damped Newton's method with the exact Hessian, not in torch.
    Newton as "Newton" {
        lr: f64 = 1.0,
        damping: f64 = 0.0,
    },
    /// Lookahead around any inner optimizer.
    Lookahead as "Lookahead" {
        k: u32 = 5,
        alpha: f64 = 0.5,
        variant: LookaheadVariant = Default::default(),
        inner: Box<OptimizerConfig>,
    },
    /// SGD with hypergradient descent on the learning rate (Baydin et al. 2018), not in torch.
    SGDHD as "SGDHD" {
        lr: f64 = 1e-3,
        momentum: f64 = 0.0,
        dampening: f64 = 0.0,
        weight_decay: f64 = 0.0,
        nesterov: bool = false,
        hypergrad_lr: f64 = 1e-6,
    },
    /// Adam with hypergradient descent on the learning rate (Baydin et al. 2018), not in torch.
    AdamHD as "AdamHD" {
        lr: f64 = 1e-3,
        betas: [f64; 2] = [0.9, 0.999],
        eps: f64 = 1e-8,
        weight_decay: f64 = 0.0,
        hypergrad_lr: f64 = 1e-8,
    },
}
}

impl OptimizerConfig {
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

    /// The weight decay as it acts, `(coupled, decoupled)`: coupled weight decay (torch's
    /// `weight_decay` of SGD, Adam and most others) adds `λ·w` to the gradient, so the run
    /// minimises `f + (λ/2)·||w||²`; decoupled weight decay (AdamW, Lion, or
    /// `decoupled_weight_decay`) shrinks `w` by `lr·λ·w` outside the update, which minimises no
    /// fixed objective. Lookahead: its inner optimizer's.
    pub fn weight_decay(&self) -> (f64, f64) {
        match self {
            OptimizerConfig::SGD { weight_decay, .. }
            | OptimizerConfig::Adagrad { weight_decay, .. }
            | OptimizerConfig::RMSprop { weight_decay, .. }
            | OptimizerConfig::Adamax { weight_decay, .. }
            | OptimizerConfig::Adadelta { weight_decay, .. }
            | OptimizerConfig::SGDHD { weight_decay, .. }
            | OptimizerConfig::AdamHD { weight_decay, .. } => (*weight_decay, 0.0),
            OptimizerConfig::Adam { weight_decay, decoupled_weight_decay, .. }
            | OptimizerConfig::NAdam { weight_decay, decoupled_weight_decay, .. }
            | OptimizerConfig::RAdam { weight_decay, decoupled_weight_decay, .. } => {
                if *decoupled_weight_decay {
                    (0.0, *weight_decay)
                } else {
                    (*weight_decay, 0.0)
                }
            }
            OptimizerConfig::AdamW { weight_decay, .. } | OptimizerConfig::Lion { weight_decay, .. } => {
                (0.0, *weight_decay)
            }
            OptimizerConfig::LBFGS { .. } | OptimizerConfig::Newton { .. } => (0.0, 0.0),
            OptimizerConfig::Lookahead { inner, .. } => inner.weight_decay(),
        }
    }

    /// Gradients one step evaluates at most (L-BFGS: `max_eval`, or torch's `max_iter * 5 / 4`;
    /// Newton: the gradient and two per parameter for the Hessian by central differences;
    /// Lookahead: its inner optimizer's).
    pub fn gradients_per_step(&self, dim: usize) -> u64 {
        match self {
            OptimizerConfig::LBFGS { max_iter, max_eval, .. } => {
                u64::from(max_eval.unwrap_or(max_iter.saturating_mul(5) / 4)).max(1)
            }
            OptimizerConfig::Newton { .. } => 2 * dim as u64 + 1,
            OptimizerConfig::Lookahead { inner, .. } => inner.gradients_per_step(dim),
            _ => 1,
        }
    }

    /// Checks that the optimizer's work per step stays bounded on a problem of `size`: Newton's
    /// method is limited to `MAX_NEWTON_PARAMS` parameters, and a step of further gradients
    /// (L-BFGS's) to `MAX_STEP_WORK`; a step of one gradient over it is the problem's
    /// (`validate_problem_step`).
    pub fn validate_for_problem(&self, path: &str, size: ProblemSize, v: &mut Validator) {
        if let OptimizerConfig::Lookahead { inner, .. } = self {
            return inner.validate_for_problem(&join(path, "inner"), size, v);
        }
        if let OptimizerConfig::Newton { .. } = self {
            v.require(
                size.dim <= MAX_NEWTON_PARAMS,
                join(path, "name"),
                format!(
                    "Newton needs the Hessian, which is limited to problems with at most \
                     {MAX_NEWTON_PARAMS} parameters; this one has {} (use LBFGS instead)",
                    size.dim
                ),
            );
            return;
        }
        if let OptimizerConfig::LBFGS { max_iter, max_eval, .. } = self {
            if *max_iter > MAX_LBFGS_ITER || max_eval.is_some_and(|e| e > MAX_LBFGS_EVAL) {
                // Out of range already, which `validate` reports.
                return;
            }
        }
        let gradients = self.gradients_per_step(size.dim);
        let work = step_work(gradients, size);
        // A step of one gradient over the limit is the problem's to fix, and the experiment
        // reports it once (`validate_problem_step`).
        if work <= MAX_STEP_WORK || step_work(1, size) > MAX_STEP_WORK {
            return;
        }
        let field = match self {
            OptimizerConfig::LBFGS { max_eval: Some(_), .. } => "max_eval",
            OptimizerConfig::LBFGS { .. } => "max_iter",
            _ => "name",
        };
        v.error(
            join(path, field),
            format!(
                "one step may compute a gradient over {} examples, {} more over all {} training examples and an \
                 evaluation over {} examples, with {} parameters ({work} example-parameter passes), more than the \
                 limit of {MAX_STEP_WORK}; lower max_iter or max_eval, or use a smaller model, fewer points or a \
                 smaller batch_size",
                size.batch,
                gradients - 1,
                size.train,
                size.examples,
                size.dim
            ),
        );
    }

    /// Checks that a step of a single gradient (every optimizer's least) stays within
    /// `MAX_STEP_WORK` on a problem of `size`, recording a problem under `path` (the model's:
    /// the sizes of the model, the data and the batch set the work, not the optimizer).
    pub fn validate_problem_step(path: &str, size: ProblemSize, v: &mut Validator) {
        let work = step_work(1, size);
        v.require(
            work <= MAX_STEP_WORK,
            path,
            format!(
                "one step computes a gradient over {} examples and an evaluation over {} examples, with {} \
                 parameters ({work} example-parameter passes), more than the limit of {MAX_STEP_WORK}; use a \
                 smaller model, fewer points or a smaller batch_size",
                size.batch, size.examples, size.dim
            ),
        );
    }

    /// Checks every hyperparameter with torch's rules, recording problems under `path`.
    pub fn validate(&self, path: &str, v: &mut Validator) {
        if !matches!(self, OptimizerConfig::Lookahead { .. }) {
            v.non_negative(join(path, "lr"), self.lr());
        }
        match self {
            OptimizerConfig::SGD { momentum, dampening, weight_decay, nesterov, .. } => {
                v.non_negative(join(path, "momentum"), *momentum);
                v.finite(join(path, "dampening"), *dampening);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                if *nesterov && (*momentum <= 0.0 || *dampening != 0.0) {
                    v.error(join(path, "nesterov"), "Nesterov momentum requires momentum > 0 and dampening = 0");
                }
            }
            OptimizerConfig::Adagrad { lr_decay, weight_decay, initial_accumulator_value, eps, .. } => {
                v.non_negative(join(path, "lr_decay"), *lr_decay);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                v.non_negative(join(path, "initial_accumulator_value"), *initial_accumulator_value);
                v.non_negative(join(path, "eps"), *eps);
            }
            OptimizerConfig::RMSprop { alpha, eps, weight_decay, momentum, .. } => {
                v.non_negative(join(path, "alpha"), *alpha);
                v.non_negative(join(path, "eps"), *eps);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                v.non_negative(join(path, "momentum"), *momentum);
            }
            OptimizerConfig::Adam { betas, eps, weight_decay, .. }
            | OptimizerConfig::AdamW { betas, eps, weight_decay, .. }
            | OptimizerConfig::RAdam { betas, eps, weight_decay, .. }
            | OptimizerConfig::Adamax { betas, eps, weight_decay, .. } => {
                validate_betas(&join(path, "betas"), betas, v);
                v.non_negative(join(path, "eps"), *eps);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
            }
            OptimizerConfig::NAdam { betas, eps, weight_decay, momentum_decay, .. } => {
                validate_betas(&join(path, "betas"), betas, v);
                v.non_negative(join(path, "eps"), *eps);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                v.non_negative(join(path, "momentum_decay"), *momentum_decay);
            }
            OptimizerConfig::Adadelta { rho, eps, weight_decay, .. } => {
                v.unit_interval_closed(join(path, "rho"), *rho);
                v.non_negative(join(path, "eps"), *eps);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
            }
            OptimizerConfig::LBFGS { max_iter, max_eval, tolerance_grad, tolerance_change, history_size, .. } => {
                v.require(
                    (1..=MAX_LBFGS_ITER).contains(max_iter),
                    join(path, "max_iter"),
                    format!("must be in [1, {MAX_LBFGS_ITER}], got {max_iter}"),
                );
                if let Some(max_eval) = max_eval {
                    v.require(
                        (1..=MAX_LBFGS_EVAL).contains(max_eval),
                        join(path, "max_eval"),
                        format!("must be in [1, {MAX_LBFGS_EVAL}], got {max_eval}"),
                    );
                }
                v.non_negative(join(path, "tolerance_grad"), *tolerance_grad);
                v.non_negative(join(path, "tolerance_change"), *tolerance_change);
                v.require(
                    (1..=1000).contains(history_size),
                    join(path, "history_size"),
                    format!("must be in [1, 1000], got {history_size}"),
                );
            }
            OptimizerConfig::Lion { betas, weight_decay, .. } => {
                validate_betas(&join(path, "betas"), betas, v);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
            }
            OptimizerConfig::Newton { damping, .. } => v.non_negative(join(path, "damping"), *damping),
            OptimizerConfig::SGDHD { momentum, dampening, weight_decay, nesterov, hypergrad_lr, .. } => {
                v.non_negative(join(path, "momentum"), *momentum);
                v.finite(join(path, "dampening"), *dampening);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                v.non_negative(join(path, "hypergrad_lr"), *hypergrad_lr);
                if *nesterov && (*momentum <= 0.0 || *dampening != 0.0) {
                    v.error(join(path, "nesterov"), "Nesterov momentum requires momentum > 0 and dampening = 0");
                }
            }
            OptimizerConfig::AdamHD { betas, eps, weight_decay, hypergrad_lr, .. } => {
                validate_betas(&join(path, "betas"), betas, v);
                v.non_negative(join(path, "eps"), *eps);
                v.non_negative(join(path, "weight_decay"), *weight_decay);
                v.non_negative(join(path, "hypergrad_lr"), *hypergrad_lr);
            }
            OptimizerConfig::Lookahead { k, alpha, inner, .. } => {
                v.require(*k >= 1, join(path, "k"), format!("must be >= 1, got {k}"));
                v.unit_interval_closed(join(path, "alpha"), *alpha);
                if matches!(**inner, OptimizerConfig::Lookahead { .. }) {
                    v.error(join(path, "inner"), "a Lookahead cannot wrap another Lookahead");
                } else {
                    inner.validate(&join(path, "inner"), v);
                }
            }
        }
    }
}

fn validate_betas(path: &str, betas: &[f64; 2], v: &mut Validator) {
    v.unit_interval_open(format!("{path}[0]"), betas[0]);
    v.unit_interval_open(format!("{path}[1]"), betas[1]);
}

/// The example-parameter passes of one step (see `MAX_STEP_WORK`): three for the step's
/// gradient over its batch, three for every further gradient (L-BFGS's re-evaluations and
/// line search, Newton's Hessian), which go over the whole training set, and one evaluation
/// over every example.
pub fn step_work(gradients: u64, size: ProblemSize) -> u64 {
    let dim = size.dim as u64;
    let further = gradients.saturating_sub(1).saturating_mul(size.train as u64);
    further.saturating_add(size.batch as u64).saturating_mul(3).saturating_add(size.examples as u64).saturating_mul(dim)
}
