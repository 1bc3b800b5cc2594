//! Optimizers with torch.optim semantics, one file per family, behind one enum.
//!
//! The run asks its schedule for the learning rate of step t and hands it to `step`; an
//! optimizer never owns its schedule. A cycling schedule (OneCycleLR, CyclicLR) may also hand
//! in the momentum or beta1 of the step. Element-wise helpers follow torch's kernels:
//! `lerp(a, b, w) = a + w*(b - a)` for `|w| < 0.5`, else `b - (b - a)*(1 - w)`.
//!
//! Every optimizer keeps its hyperparameters in a `...Settings` struct (its `settings`),
//! apart from its state, and `Optimizer::retune` swaps the settings mid-run, keeping the
//! state. The weight decay and moment updates Adam, NAdam and RAdam share are in `moments.rs`.

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod config;
mod hypergradient;
mod lbfgs;
mod lion;
mod lookahead;
mod moments;
mod nadam;
mod newton;
mod radam;
mod rmsprop;
mod sgd;

pub(crate) use adam::{AdamLanes, AdamStep};
pub use config::{LineSearch, OptimizerConfig, MAX_LBFGS_EVAL, MAX_LBFGS_ITER, MAX_NEWTON_PARAMS, MAX_STEP_WORK};
pub use lookahead::LookaheadVariant;
pub(crate) use sgd::{SgdLanes, SgdStep};

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

    /// Takes new betas at the current step t. The power of a beta that changed becomes
    /// `beta^t` (by `pow`, flushed like the running product), since torch computes `1 - beta^t`
    /// from the current betas at every step; an unchanged beta keeps its running product bit
    /// for bit.
    pub(crate) fn set_betas(&mut self, betas: [f64; 2]) {
        let t = self.step as f64;
        for ((old, power), new) in self.betas.iter_mut().zip(self.powers.iter_mut()).zip(betas) {
            if new != *old {
                *old = new;
                *power = crate::math::pow(new, t);
                if *power < POWER_FLUSH {
                    *power = 0.0;
                }
            }
        }
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

/// The settings a config describes, one variant per kind of optimizer (Adam and AdamW are
/// one kind); Lookahead's come with its inner optimizer's config.
enum Settings<'a> {
    Sgd(sgd::SgdSettings),
    Adagrad(adagrad::AdagradSettings),
    Rmsprop(rmsprop::RmspropSettings),
    Adam(adam::AdamSettings),
    Nadam(nadam::NadamSettings),
    Radam(radam::RadamSettings),
    Adamax(adamax::AdamaxSettings),
    Adadelta(adadelta::AdadeltaSettings),
    Lion(lion::LionSettings),
    Newton(newton::NewtonSettings),
    Lbfgs(lbfgs::LbfgsSettings),
    Lookahead(lookahead::LookaheadSettings, &'a OptimizerConfig),
    SgdHd(hypergradient::SgdHdSettings),
    AdamHd(hypergradient::AdamHdSettings),
}

impl<'a> Settings<'a> {
    /// The settings of a config. The learning rate is not among them (the run hands it to
    /// every step), except for the hypergradient optimizers, where it is alpha_0.
    fn of(config: &'a OptimizerConfig) -> Settings<'a> {
        use OptimizerConfig as C;
        match config {
            C::SGD { momentum, dampening, weight_decay, nesterov, .. } => Settings::Sgd(sgd::SgdSettings {
                momentum: *momentum,
                dampening: *dampening,
                weight_decay: *weight_decay,
                nesterov: *nesterov,
            }),
            C::Adagrad { lr_decay, weight_decay, initial_accumulator_value, eps, .. } => {
                Settings::Adagrad(adagrad::AdagradSettings {
                    lr_decay: *lr_decay,
                    weight_decay: *weight_decay,
                    initial_accumulator_value: *initial_accumulator_value,
                    eps: *eps,
                })
            }
            C::RMSprop { alpha, eps, weight_decay, momentum, centered, .. } => {
                Settings::Rmsprop(rmsprop::RmspropSettings {
                    alpha: *alpha,
                    eps: *eps,
                    weight_decay: *weight_decay,
                    momentum: *momentum,
                    centered: *centered,
                })
            }
            C::Adam { betas, eps, weight_decay, amsgrad, decoupled_weight_decay, .. } => {
                Settings::Adam(adam::AdamSettings {
                    betas: *betas,
                    eps: *eps,
                    weight_decay: *weight_decay,
                    decoupled_weight_decay: *decoupled_weight_decay,
                    amsgrad: *amsgrad,
                })
            }
            C::AdamW { betas, eps, weight_decay, amsgrad, .. } => Settings::Adam(adam::AdamSettings {
                betas: *betas,
                eps: *eps,
                weight_decay: *weight_decay,
                decoupled_weight_decay: true,
                amsgrad: *amsgrad,
            }),
            C::NAdam { betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, .. } => {
                Settings::Nadam(nadam::NadamSettings {
                    betas: *betas,
                    eps: *eps,
                    weight_decay: *weight_decay,
                    momentum_decay: *momentum_decay,
                    decoupled_weight_decay: *decoupled_weight_decay,
                })
            }
            C::RAdam { betas, eps, weight_decay, decoupled_weight_decay, .. } => {
                Settings::Radam(radam::RadamSettings {
                    betas: *betas,
                    eps: *eps,
                    weight_decay: *weight_decay,
                    decoupled_weight_decay: *decoupled_weight_decay,
                })
            }
            C::Adamax { betas, eps, weight_decay, .. } => {
                Settings::Adamax(adamax::AdamaxSettings { betas: *betas, eps: *eps, weight_decay: *weight_decay })
            }
            C::Adadelta { rho, eps, weight_decay, .. } => {
                Settings::Adadelta(adadelta::AdadeltaSettings { rho: *rho, eps: *eps, weight_decay: *weight_decay })
            }
            C::LBFGS { max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn, .. } => {
                Settings::Lbfgs(lbfgs::LbfgsSettings {
                    max_iter: *max_iter,
                    max_eval: max_eval.unwrap_or(max_iter.saturating_mul(5) / 4),
                    tolerance_grad: *tolerance_grad,
                    tolerance_change: *tolerance_change,
                    history_size: *history_size as usize,
                    strong_wolfe: line_search_fn.is_some(),
                })
            }
            C::Lion { betas, weight_decay, .. } => {
                Settings::Lion(lion::LionSettings { betas: *betas, weight_decay: *weight_decay })
            }
            C::Newton { damping, .. } => Settings::Newton(newton::NewtonSettings { damping: *damping }),
            C::Lookahead { k, alpha, variant, inner } => Settings::Lookahead(
                lookahead::LookaheadSettings { k: u64::from(*k), alpha: *alpha, variant: *variant },
                inner,
            ),
            C::SGDHD { lr, momentum, dampening, weight_decay, nesterov, hypergrad_lr } => {
                Settings::SgdHd(hypergradient::SgdHdSettings {
                    lr: *lr,
                    momentum: *momentum,
                    dampening: *dampening,
                    weight_decay: *weight_decay,
                    nesterov: *nesterov,
                    hypergrad_lr: *hypergrad_lr,
                })
            }
            C::AdamHD { lr, betas, eps, weight_decay, hypergrad_lr } => {
                Settings::AdamHd(hypergradient::AdamHdSettings {
                    lr: *lr,
                    betas: *betas,
                    eps: *eps,
                    weight_decay: *weight_decay,
                    hypergrad_lr: *hypergrad_lr,
                })
            }
        }
    }
}

impl Optimizer {
    /// The optimizer for starts advancing in lockstep, when `config` is SGD or Adam (AdamW)
    /// without AMSGrad: the batched basins kernel (`analysis::basin_lanes`); None otherwise.
    pub(crate) fn lanes(config: &OptimizerConfig) -> Option<StepLanes> {
        match Settings::of(config) {
            Settings::Adam(s) => AdamLanes::new(s).map(StepLanes::Adam),
            Settings::Sgd(s) => Some(StepLanes::Sgd(SgdLanes::new(s))),
            _ => None,
        }
    }

    /// Builds the optimizer described by a validated config for `dim` parameters.
    pub fn new(config: &OptimizerConfig, dim: usize) -> Optimizer {
        match Settings::of(config) {
            Settings::Sgd(s) => Optimizer::Sgd(sgd::Sgd::new(dim, s)),
            Settings::Adagrad(s) => Optimizer::Adagrad(adagrad::Adagrad::new(dim, s)),
            Settings::Rmsprop(s) => Optimizer::Rmsprop(rmsprop::Rmsprop::new(dim, s)),
            Settings::Adam(s) => Optimizer::Adam(adam::Adam::new(dim, s)),
            Settings::Nadam(s) => Optimizer::Nadam(nadam::Nadam::new(dim, s)),
            Settings::Radam(s) => Optimizer::Radam(radam::Radam::new(dim, s)),
            Settings::Adamax(s) => Optimizer::Adamax(adamax::Adamax::new(dim, s)),
            Settings::Adadelta(s) => Optimizer::Adadelta(adadelta::Adadelta::new(dim, s)),
            Settings::Lion(s) => Optimizer::Lion(lion::Lion::new(dim, s)),
            Settings::Newton(s) => Optimizer::Newton(newton::Newton::new(dim, s)),
            Settings::Lbfgs(s) => Optimizer::Lbfgs(Box::new(lbfgs::Lbfgs::new(dim, s))),
            Settings::Lookahead(s, inner) => {
                Optimizer::Lookahead(Box::new(Optimizer::new(inner, dim)), lookahead::SlowWeights::new(dim, s))
            }
            Settings::SgdHd(s) => Optimizer::SgdHd(hypergradient::SgdHd::new(dim, s)),
            Settings::AdamHd(s) => Optimizer::AdamHd(hypergradient::AdamHd::new(dim, s)),
        }
    }

    /// Takes the settings of `config` mid-run if it describes the same kind of optimizer
    /// (Adam and AdamW are one kind; a Lookahead needs an inner optimizer of its inner kind),
    /// keeping all state: moments, step counts, buffers, curvature history, slow weights.
    /// Returns false, changing nothing, for another kind. Retuning to the settings the
    /// optimizer already has changes nothing, bit for bit.
    ///
    /// The learning rate is not a setting: the run hands it to every step from its schedule,
    /// so a new lr takes a new schedule (`Run::set_schedule`). The hypergradient optimizers
    /// are the exception: their lr is alpha_0, and once they have started a different lr
    /// restarts the learned rate there. What each change means mid-run is documented on each
    /// optimizer's `retune`.
    pub fn retune(&mut self, config: &OptimizerConfig) -> bool {
        match (self, Settings::of(config)) {
            (Optimizer::Sgd(o), Settings::Sgd(s)) => o.retune(s),
            (Optimizer::Adagrad(o), Settings::Adagrad(s)) => o.retune(s),
            (Optimizer::Rmsprop(o), Settings::Rmsprop(s)) => o.retune(s),
            (Optimizer::Adam(o), Settings::Adam(s)) => o.retune(s),
            (Optimizer::Nadam(o), Settings::Nadam(s)) => o.retune(s),
            (Optimizer::Radam(o), Settings::Radam(s)) => o.retune(s),
            (Optimizer::Adamax(o), Settings::Adamax(s)) => o.retune(s),
            (Optimizer::Adadelta(o), Settings::Adadelta(s)) => o.retune(s),
            (Optimizer::Lion(o), Settings::Lion(s)) => o.retune(s),
            (Optimizer::Newton(o), Settings::Newton(s)) => o.retune(s),
            (Optimizer::Lbfgs(o), Settings::Lbfgs(s)) => o.retune(s),
            (Optimizer::Lookahead(inner, slow), Settings::Lookahead(s, inner_config)) => {
                // The inner optimizer changes only when it is of the inner config's kind, so
                // nothing changes when it is not.
                if !inner.retune(inner_config) {
                    return false;
                }
                slow.retune(s);
            }
            (Optimizer::SgdHd(o), Settings::SgdHd(s)) => o.retune(s),
            (Optimizer::AdamHd(o), Settings::AdamHd(s)) => o.retune(s),
            _ => return false,
        }
        true
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

/// An optimizer whose state beyond two moments per parameter is the same for starts that advance
/// in lockstep (the batched basins kernel).
#[derive(Clone, Debug)]
pub(crate) enum StepLanes {
    Sgd(SgdLanes),
    Adam(AdamLanes),
}

impl StepLanes {
    /// The constants of the next step for every start.
    #[inline]
    pub(crate) fn next_step(&mut self, lr: f64, momentum: Option<f64>) -> LaneStep {
        match self {
            StepLanes::Sgd(s) => LaneStep::Sgd(s.next_step(lr, momentum)),
            StepLanes::Adam(a) => LaneStep::Adam(a.next_step(lr, momentum)),
        }
    }
}

/// One step of `StepLanes`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LaneStep {
    Sgd(SgdStep),
    Adam(AdamStep),
}

impl LaneStep {
    /// The update of one parameter `w` with its two moments (SGD keeps its momentum buffer in
    /// `m` and leaves `v` alone) and gradient `g`.
    #[inline(always)]
    pub(crate) fn update(&self, w: &mut f64, m: &mut f64, v: &mut f64, g: f64) {
        match self {
            LaneStep::Sgd(k) => k.update(w, m, g),
            LaneStep::Adam(k) => k.update(w, m, v, g),
        }
    }
}
