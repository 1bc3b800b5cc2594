//! Learning-rate schedules with the semantics of `torch.optim.lr_scheduler` (PyTorch 2.x,
//! `torch/optim/lr_scheduler.py`), as closed forms in the step t.
//!
//! `lr(t)` is the lr in effect during step t (0-based): torch's value after the constructor and
//! t calls of `scheduler.step()`. With `lr` the optimizer's configured lr:
//!
//! | schedule | lr_t |
//! |---|---|
//! | `constant` | lr |
//! | StepLR | lr * gamma^floor(t / step_size) |
//! | MultiStepLR | lr * gamma^(number of milestones <= t) |
//! | ExponentialLR | lr * gamma^t |
//! | CosineAnnealingLR | eta_min + (lr - eta_min) * (1 + cos(pi*t/T_max)) / 2 (periodic past T_max) |
//! | CosineAnnealingWarmRestarts | the same with t -> T_cur, T_max -> T_i, where T_i = T_0, T_cur = t, and while T_cur >= T_i: T_cur -= T_i, T_i *= T_mult |
//! | ConstantLR | lr * factor for t < total_iters, then lr |
//! | LinearLR | lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters) |
//! | PolynomialLR | lr * (1 - min(t, total_iters) / total_iters)^power (0 from total_iters on) |
//! | LambdaLR | lr * lambda(t): `inverse_time` 1 / (1 + t/t0), `inverse_sqrt` 1 / sqrt(t + 1) |
//! | SequentialLR | child 0 at t for t < m_1; child i at t - m_i from milestone m_i on |
//! | OneCycleLR | see below; ignores the optimizer's lr |
//! | CyclicLR | see below; ignores the optimizer's lr |
//! | ReduceLROnPlateau | lr, divided by 1/factor when the loss stalls (see below) |
//!
//! **Closed forms.** torch's `step()` computes StepLR, MultiStepLR, ExponentialLR,
//! CosineAnnealingLR, ConstantLR, LinearLR and PolynomialLR recursively from the previous lr;
//! this module uses torch's own closed forms (`_get_closed_form_lr`), with torch's operation
//! order. The two agree to a few ulps (at most 9e-16 relative on the reference runs); the rest
//! are closed forms in torch too, and are reproduced operation by operation.
//!
//! **OneCycleLR** (torch's `get_lr`): initial_lr = max_lr / div_factor, min_lr = initial_lr /
//! final_div_factor. The phases end at the float steps e_1 = pct_start*total_steps - 1 and
//! total_steps - 1 (three_phase: pct_start*total_steps - 1, 2*pct_start*total_steps - 2,
//! total_steps - 1) and go initial_lr -> max_lr -> min_lr (three_phase: initial_lr -> max_lr ->
//! initial_lr -> min_lr). Step t belongs to the first phase whose end is >= t (else the last),
//! and with `start` the previous end (0 for the first phase), pct = (t - start) / (end - start).
//! `cos` anneals as end + (start - end)/2 * (cos(pi*pct) + 1), `linear` as (end - start)*pct +
//! start. With cycle_momentum the momentum (or beta1) anneals with the same pct from
//! max_momentum to base_momentum in the warm-up phase and back after (three_phase: max -> base
//! -> max -> max). torch raises past total_steps; here every step from total_steps - 1 on keeps
//! the final values (min_lr and max_momentum).
//!
//! **CyclicLR** (torch's `get_lr`): total = step_size_up + step_size_down (down defaults to up),
//! ratio = step_size_up / total, cycle = floor(1 + t/total), x = 1 + t/total - cycle, scale = x /
//! ratio if x <= ratio else (x - 1)/(ratio - 1); lr = base_lr + (max_lr - base_lr)*scale*f and
//! momentum = max_momentum - (max_momentum - base_momentum)*scale*f, where f = 1
//! (`triangular`), 1/2^(cycle - 1) (`triangular2`) or gamma^t (`exp_range`).
//!
//! **ReduceLROnPlateau** (torch's `step(metric)`, fed by `observe_loss(loss[t])` after step t):
//! an improvement is a < best*(1 - threshold) (rel, min), a < best - threshold (abs, min),
//! a > best*(1 + threshold) (rel, max) or a > best + threshold (abs, max); best starts at +inf
//! (min) or -inf (max) and NaN never improves. An improvement sets best = a and zeroes the bad
//! count, anything else increments it; during a cooldown the counter is decremented and the bad
//! count zeroed. When the bad count exceeds patience, new = max(lr*factor, min_lr) replaces lr
//! only if lr - new > eps, the cooldown restarts and the bad count is zeroed.
//!
//! **SequentialLR**: at milestone m_i torch calls `step(0)` on the next child, which restarts it
//! from its closed form at 0; every child uses the optimizer's lr as its base lr (in torch a
//! OneCycleLR or CyclicLR child may first rewrite the optimizer's `initial_lr`; that quirk is
//! not reproduced). The momentum follows torch's optimizer state: see [`Schedule::momentum`].
//!
//! **Beyond torch**: LambdaLR takes a named lambda instead of a Python callable, and validation
//! adds the rules that keep the formulas finite (for example T_max >= 1, total_iters >= 1, and
//! pct_start * total_steps != 1, where torch divides by zero).
//!
//! Transcendental functions come from `crate::math`, so native and wasm runs agree bit for bit.

mod checks;
mod config;
mod cyclic;
mod decay;
mod plateau;
mod sequential;

pub use config::{AnnealStrategy, CyclicMode, LrLambda, PlateauMode, ScheduleConfig, ThresholdMode};

use cyclic::{Cyclic, OneCycle};
use plateau::Plateau;
use sequential::Sequential;

/// A runnable schedule, built by [`ScheduleConfig::build`].
#[derive(Clone, Debug)]
pub struct Schedule {
    kind: Kind,
}

/// The schedules with their parameters; `lr` is the optimizer's configured lr.
#[derive(Clone, Debug)]
enum Kind {
    Constant { lr: f64 },
    Step { lr: f64, step_size: u64, gamma: f64 },
    MultiStep { lr: f64, milestones: Vec<u64>, gamma: f64 },
    Exponential { lr: f64, gamma: f64 },
    Cosine { lr: f64, t_max: u64, eta_min: f64 },
    WarmRestarts { lr: f64, t_0: u64, t_mult: u64, eta_min: f64 },
    ConstantFactor { lr: f64, factor: f64, total_iters: u64 },
    Linear { lr: f64, start_factor: f64, end_factor: f64, total_iters: u64 },
    Polynomial { lr: f64, total_iters: u64, power: f64 },
    InverseTime { lr: f64, t0: f64 },
    InverseSqrt { lr: f64 },
    Sequential(Sequential),
    OneCycle(OneCycle),
    Cyclic(Cyclic),
    Plateau(Plateau),
}

impl Schedule {
    /// The lr in effect during step t (0-based). ReduceLROnPlateau ignores t and returns the lr
    /// its observed losses have led to.
    #[inline(always)]
    pub fn lr(&self, t: u64) -> f64 {
        // The common case inline, the others out of line (the wasm build inlines little).
        match &self.kind {
            Kind::Constant { lr } => *lr,
            _ => self.scheduled_lr(t),
        }
    }

    /// `lr` of every schedule but the constant one.
    fn scheduled_lr(&self, t: u64) -> f64 {
        match &self.kind {
            Kind::Constant { lr } => *lr,
            Kind::Step { lr, step_size, gamma } => decay::step(*lr, *step_size, *gamma, t),
            Kind::MultiStep { lr, milestones, gamma } => decay::multi_step(*lr, milestones, *gamma, t),
            Kind::Exponential { lr, gamma } => decay::exponential(*lr, *gamma, t),
            Kind::Cosine { lr, t_max, eta_min } => decay::cosine(*lr, *t_max, *eta_min, t),
            Kind::WarmRestarts { lr, t_0, t_mult, eta_min } => decay::warm_restarts(*lr, *t_0, *t_mult, *eta_min, t),
            Kind::ConstantFactor { lr, factor, total_iters } => decay::constant_factor(*lr, *factor, *total_iters, t),
            Kind::Linear { lr, start_factor, end_factor, total_iters } => {
                decay::linear(*lr, *start_factor, *end_factor, *total_iters, t)
            }
            Kind::Polynomial { lr, total_iters, power } => decay::polynomial(*lr, *total_iters, *power, t),
            Kind::InverseTime { lr, t0 } => decay::inverse_time(*lr, *t0, t),
            Kind::InverseSqrt { lr } => decay::inverse_sqrt(*lr, t),
            Kind::Sequential(sequential) => sequential.lr(t),
            Kind::OneCycle(one_cycle) => one_cycle.lr(t),
            Kind::Cyclic(cyclic) => cyclic.lr(t),
            Kind::Plateau(plateau) => plateau.lr(),
        }
    }

    /// The momentum (or beta1) imposed during step t by OneCycleLR or CyclicLR with
    /// `cycle_momentum`, else None (the optimizer keeps its own).
    ///
    /// Inside SequentialLR this follows torch's optimizer state, which keeps the value last
    /// written: the active child's if it cycles, else the value an earlier cycling child wrote at
    /// its last step, else the value written when the children were constructed (the last
    /// cycling child in the list, at its step 0).
    #[inline(always)]
    pub fn momentum(&self, t: u64) -> Option<f64> {
        match &self.kind {
            Kind::OneCycle(one_cycle) => one_cycle.momentum(t),
            Kind::Cyclic(cyclic) => cyclic.momentum(t),
            Kind::Sequential(sequential) => sequential.momentum(t),
            _ => None,
        }
    }

    /// Feeds loss[t] after step t; only ReduceLROnPlateau uses it.
    #[inline]
    pub fn observe_loss(&mut self, loss: f64) {
        if let Kind::Plateau(plateau) = &mut self.kind {
            plateau.observe(loss);
        }
    }

    /// Back to the state at construction (only ReduceLROnPlateau has state).
    pub fn reset(&mut self) {
        if let Kind::Plateau(plateau) = &mut self.kind {
            plateau.reset();
        }
    }

    /// True when the schedule learns from the losses it observes (ReduceLROnPlateau): its lr
    /// then differs from run to run, so runs cannot share one.
    pub fn observes_loss(&self) -> bool {
        matches!(self.kind, Kind::Plateau(_))
    }

    /// True for the `constant` schedule, whose lr never changes and which imposes no momentum.
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant { .. })
    }
}
