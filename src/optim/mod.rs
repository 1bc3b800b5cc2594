//! Optimizers with torch.optim semantics, one file per family, behind one enum.
//!
//! The run asks its schedule for the learning rate of step t and hands it to `step`; an
//! optimizer never owns its schedule. A cycling schedule (OneCycleLR, CyclicLR) may also hand
//! in the momentum or beta1 of the step. Element-wise helpers follow torch's kernels:
//! `lerp(a, b, w) = a + w*(b - a)` for `|w| < 0.5`, else `b - (b - a)*(1 - w)`.

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod config;
mod hypergradient;
mod lbfgs;
mod lion;
mod lookahead;
mod nadam;
mod newton;
mod radam;
mod rmsprop;
mod sgd;

pub use config::{LineSearch, OptimizerConfig, MAX_LBFGS_EVAL, MAX_LBFGS_ITER, MAX_NEWTON_PARAMS, MAX_STEP_WORK};
pub use lookahead::LookaheadVariant;

use crate::problem::Problem;

/// torch's `lerp` kernel for a scalar weight.
#[inline(always)]
pub(crate) fn lerp(start: f64, end: f64, weight: f64) -> f64 {
    if weight.abs() < 0.5 {
        start + weight * (end - start)
    } else {
        end - (end - start) * (1.0 - weight)
    }
}

/// torch's `maximum`: NaN in either argument gives NaN.
#[inline(always)]
pub(crate) fn max_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Running powers beta^t for the bias corrections `1 - beta^t`.
///
/// A running product is far cheaper than `pow` each step. It is flushed to zero below 1e-30,
/// where `1 - beta^t` is exactly 1 anyway, so that it never drifts into subnormal numbers
/// (which make every step several times slower). When a schedule overrides beta1, torch
/// computes `beta1^t` with the current beta1, so `pow` is used for that step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BetaPowers {
    betas: [f64; 2],
    powers: [f64; 2],
    step: u64,
}

const POWER_FLUSH: f64 = 1e-30;

impl BetaPowers {
    pub(crate) fn new(betas: [f64; 2]) -> Self {
        BetaPowers { betas, powers: [1.0, 1.0], step: 0 }
    }

    /// Advances to the next step and returns `(1 - beta1^t, 1 - beta2^t)`.
    #[inline(always)]
    pub(crate) fn advance(&mut self, beta1_override: Option<f64>) -> (f64, f64) {
        self.step += 1;
        for (p, b) in self.powers.iter_mut().zip(self.betas) {
            *p *= b;
            if *p < POWER_FLUSH {
                *p = 0.0;
            }
        }
        let b1_power = match beta1_override {
            Some(b1) => crate::math::pow(b1, self.step as f64),
            None => self.powers[0],
        };
        (1.0 - b1_power, 1.0 - self.powers[1])
    }

    /// The current step number t (1 after the first `advance`).
    #[inline(always)]
    pub(crate) fn step(&self) -> u64 {
        self.step
    }

    /// beta2^t at the current step.
    #[inline(always)]
    pub(crate) fn beta2_power(&self) -> f64 {
        self.powers[1]
    }
}

/// A runnable optimizer.
#[derive(Clone, Debug)]
pub enum Optimizer {
    Sgd(sgd::Sgd),
    Adagrad(adagrad::Adagrad),
    Rmsprop(rmsprop::Rmsprop),
    Adam(adam::Adam),
    Nadam(nadam::Nadam),
    Radam(radam::Radam),
    Adamax(adamax::Adamax),
    Adadelta(adadelta::Adadelta),
    Lion(lion::Lion),
    Newton(newton::Newton),
    Lbfgs(Box<lbfgs::Lbfgs>),
    Lookahead(Box<Optimizer>, lookahead::SlowWeights),
    SgdHd(hypergradient::SgdHd),
    AdamHd(hypergradient::AdamHd),
}

impl Optimizer {
    /// Builds the optimizer described by a validated config for `dim` parameters.
    pub fn new(config: &OptimizerConfig, dim: usize) -> Optimizer {
        use OptimizerConfig as C;
        match config {
            C::SGD { momentum, dampening, weight_decay, nesterov, .. } => {
                Optimizer::Sgd(sgd::Sgd::new(dim, *momentum, *dampening, *weight_decay, *nesterov))
            }
            C::Adagrad { lr_decay, weight_decay, initial_accumulator_value, eps, .. } => Optimizer::Adagrad(
                adagrad::Adagrad::new(dim, *lr_decay, *weight_decay, *initial_accumulator_value, *eps),
            ),
            C::RMSprop { alpha, eps, weight_decay, momentum, centered, .. } => {
                Optimizer::Rmsprop(rmsprop::Rmsprop::new(dim, *alpha, *eps, *weight_decay, *momentum, *centered))
            }
            C::Adam { betas, eps, weight_decay, amsgrad, decoupled_weight_decay, .. } => {
                Optimizer::Adam(adam::Adam::new(dim, *betas, *eps, *weight_decay, *decoupled_weight_decay, *amsgrad))
            }
            C::AdamW { betas, eps, weight_decay, amsgrad, .. } => {
                Optimizer::Adam(adam::Adam::new(dim, *betas, *eps, *weight_decay, true, *amsgrad))
            }
            C::NAdam { betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, .. } => Optimizer::Nadam(
                nadam::Nadam::new(dim, *betas, *eps, *weight_decay, *momentum_decay, *decoupled_weight_decay),
            ),
            C::RAdam { betas, eps, weight_decay, decoupled_weight_decay, .. } => {
                Optimizer::Radam(radam::Radam::new(dim, *betas, *eps, *weight_decay, *decoupled_weight_decay))
            }
            C::Adamax { betas, eps, weight_decay, .. } => {
                Optimizer::Adamax(adamax::Adamax::new(dim, *betas, *eps, *weight_decay))
            }
            C::Adadelta { rho, eps, weight_decay, .. } => {
                Optimizer::Adadelta(adadelta::Adadelta::new(dim, *rho, *eps, *weight_decay))
            }
            C::LBFGS { max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn, .. } => {
                let settings = lbfgs::LbfgsSettings {
                    max_iter: *max_iter,
                    max_eval: max_eval.unwrap_or(max_iter.saturating_mul(5) / 4),
                    tolerance_grad: *tolerance_grad,
                    tolerance_change: *tolerance_change,
                    history_size: *history_size as usize,
                    strong_wolfe: line_search_fn.is_some(),
                };
                Optimizer::Lbfgs(Box::new(lbfgs::Lbfgs::new(dim, settings)))
            }
            C::Lion { betas, weight_decay, .. } => Optimizer::Lion(lion::Lion::new(dim, *betas, *weight_decay)),
            C::Newton { damping, .. } => Optimizer::Newton(newton::Newton::new(dim, *damping)),
            C::Lookahead { k, alpha, variant, inner } => Optimizer::Lookahead(
                Box::new(Optimizer::new(inner, dim)),
                lookahead::SlowWeights::new(dim, u64::from(*k), *alpha, *variant),
            ),
            C::SGDHD { momentum, dampening, weight_decay, nesterov, hypergrad_lr, .. } => Optimizer::SgdHd(
                hypergradient::SgdHd::new(dim, *momentum, *dampening, *weight_decay, *nesterov, *hypergrad_lr),
            ),
            C::AdamHD { betas, eps, weight_decay, hypergrad_lr, .. } => {
                Optimizer::AdamHd(hypergradient::AdamHd::new(dim, *betas, *eps, *weight_decay, *hypergrad_lr))
            }
        }
    }

    /// One optimizer step from `w`, where `loss` and `grad` are f and its gradient at `w`.
    /// `momentum` is the momentum or beta1 a cycling schedule imposes for this step.
    #[inline]
    pub fn step(&mut self, w: &mut [f64], loss: f64, grad: &[f64], lr: f64, momentum: Option<f64>, problem: &Problem) {
        match self {
            Optimizer::Sgd(o) => o.step(w, grad, lr, momentum),
            Optimizer::Adagrad(o) => o.step(w, grad, lr),
            Optimizer::Rmsprop(o) => o.step(w, grad, lr, momentum),
            Optimizer::Adam(o) => o.step(w, grad, lr, momentum),
            Optimizer::Nadam(o) => o.step(w, grad, lr, momentum),
            Optimizer::Radam(o) => o.step(w, grad, lr, momentum),
            Optimizer::Adamax(o) => o.step(w, grad, lr, momentum),
            Optimizer::Adadelta(o) => o.step(w, grad, lr),
            Optimizer::Lion(o) => o.step(w, grad, lr, momentum),
            Optimizer::Newton(o) => o.step(w, grad, lr, problem),
            Optimizer::Lbfgs(o) => o.step(w, loss, grad, lr, problem),
            Optimizer::Lookahead(inner, slow) => {
                slow.before_inner_step(w);
                inner.step(w, loss, grad, lr, momentum, problem);
                slow.after_inner_step(w);
            }
            Optimizer::SgdHd(o) => o.step(w, grad, lr),
            Optimizer::AdamHd(o) => o.step(w, grad, lr, momentum),
        }
    }

    /// The learning rate the optimizer learned itself at its last step (hypergradient
    /// descent), which the run records instead of the schedule's; None for the others.
    pub fn learned_lr(&self) -> Option<f64> {
        match self {
            Optimizer::SgdHd(o) => Some(o.alpha()),
            Optimizer::AdamHd(o) => Some(o.alpha()),
            Optimizer::Lookahead(inner, _) => inner.learned_lr(),
            _ => None,
        }
    }

    /// Objective evaluations made so far beyond one per step (line searches), if any.
    pub fn extra_evaluations(&self) -> u64 {
        match self {
            Optimizer::Lbfgs(o) => o.evaluations(),
            Optimizer::Lookahead(inner, _) => inner.extra_evaluations(),
            _ => 0,
        }
    }

    /// Back to the state at construction.
    pub fn reset(&mut self) {
        match self {
            Optimizer::Sgd(o) => o.reset(),
            Optimizer::Adagrad(o) => o.reset(),
            Optimizer::Rmsprop(o) => o.reset(),
            Optimizer::Adam(o) => o.reset(),
            Optimizer::Nadam(o) => o.reset(),
            Optimizer::Radam(o) => o.reset(),
            Optimizer::Adamax(o) => o.reset(),
            Optimizer::Adadelta(o) => o.reset(),
            Optimizer::Lion(o) => o.reset(),
            Optimizer::Newton(_) => {}
            Optimizer::Lbfgs(o) => o.reset(),
            Optimizer::Lookahead(inner, slow) => {
                inner.reset();
                slow.reset();
            }
            Optimizer::SgdHd(o) => o.reset(),
            Optimizer::AdamHd(o) => o.reset(),
        }
    }
}
