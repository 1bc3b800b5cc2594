//! OneCycleLR and CyclicLR: closed forms in t that also impose the momentum (or beta1).
//!
//! Both follow torch's `get_lr` line by line, including its operation order, so that the
//! numbers match torch to the last bit wherever the platform's cos and pow agree.

use super::config::{AnnealStrategy, CyclicMode, ScheduleConfig};
use crate::math::{cos, pow, PI};

/// One OneCycleLR phase: it ends at the float step `end_step` and moves the lr from `lr.0` to
/// `lr.1` and the momentum from `momentum.0` to `momentum.1`.
#[derive(Clone, Copy, Debug)]
struct Phase {
    end_step: f64,
    lr: (f64, f64),
    momentum: (f64, f64),
}

/// OneCycleLR with its phases precomputed.
#[derive(Clone, Debug)]
pub(super) struct OneCycle {
    /// The last step torch allows, total_steps - 1; later steps keep its values.
    last_step: u64,
    phases: [Phase; 3],
    /// 2, or 3 with `three_phase`.
    phase_count: usize,
    anneal: AnnealStrategy,
    cycle_momentum: bool,
}

impl OneCycle {
    /// The schedule of a `OneCycleLR` config (None for any other variant).
    pub(super) fn from_config(config: &ScheduleConfig) -> Option<Self> {
        let ScheduleConfig::OneCycleLR {
            max_lr,
            total_steps,
            pct_start,
            anneal_strategy,
            cycle_momentum,
            base_momentum,
            max_momentum,
            div_factor,
            final_div_factor,
            three_phase,
        } = *config
        else {
            return None;
        };
        // torch: initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor.
        let initial_lr = max_lr / div_factor;
        let min_lr = initial_lr / final_div_factor;
        let total = total_steps as f64;
        let last_end = total_steps.saturating_sub(1) as f64;
        let (base_m, max_m) = (base_momentum, max_momentum);
        let (phases, phase_count) = if three_phase {
            let phases = [
                Phase { end_step: pct_start * total - 1.0, lr: (initial_lr, max_lr), momentum: (max_m, base_m) },
                Phase { end_step: 2.0 * pct_start * total - 2.0, lr: (max_lr, initial_lr), momentum: (base_m, max_m) },
                Phase { end_step: last_end, lr: (initial_lr, min_lr), momentum: (max_m, max_m) },
            ];
            (phases, 3)
        } else {
            let last = Phase { end_step: last_end, lr: (max_lr, min_lr), momentum: (base_m, max_m) };
            let first =
                Phase { end_step: pct_start * total - 1.0, lr: (initial_lr, max_lr), momentum: (max_m, base_m) };
            ([first, last, last], 2)
        };
        Some(OneCycle {
            last_step: total_steps.saturating_sub(1),
            phases,
            phase_count,
            anneal: anneal_strategy,
            cycle_momentum,
        })
    }

    /// The phase of step t and the fraction of it done, as in torch's `get_lr` loop: the first
    /// phase whose end is at or after t, else the last phase.
    #[inline]
    fn locate(&self, t: u64) -> (Phase, f64) {
        let step = t.min(self.last_step) as f64;
        let mut start = 0.0;
        let mut chosen = self.phases[0];
        for (i, phase) in self.phases.iter().take(self.phase_count).enumerate() {
            chosen = *phase;
            if step <= phase.end_step || i + 1 == self.phase_count {
                break;
            }
            start = phase.end_step;
        }
        (chosen, (step - start) / (chosen.end_step - start))
    }

    /// torch's `_annealing_cos` or `_annealing_linear` from `start` to `end` at `pct`.
    #[inline]
    fn anneal(&self, (start, end): (f64, f64), pct: f64) -> f64 {
        match self.anneal {
            AnnealStrategy::Cos => end + (start - end) / 2.0 * (cos(PI * pct) + 1.0),
            AnnealStrategy::Linear => (end - start) * pct + start,
        }
    }

    /// The lr during step t.
    #[inline]
    pub(super) fn lr(&self, t: u64) -> f64 {
        let (phase, pct) = self.locate(t);
        self.anneal(phase.lr, pct)
    }

    /// The momentum (or beta1) during step t, if cycled.
    #[inline]
    pub(super) fn momentum(&self, t: u64) -> Option<f64> {
        if !self.cycle_momentum {
            return None;
        }
        let (phase, pct) = self.locate(t);
        Some(self.anneal(phase.momentum, pct))
    }
}

/// CyclicLR with its cycle geometry precomputed.
#[derive(Clone, Debug)]
pub(super) struct Cyclic {
    base_lr: f64,
    max_lr: f64,
    /// step_size_up + step_size_down.
    total_size: f64,
    /// step_size_up / total_size.
    step_ratio: f64,
    mode: CyclicMode,
    gamma: f64,
    /// (base_momentum, max_momentum) when momentum is cycled.
    momentum: Option<(f64, f64)>,
}

impl Cyclic {
    /// The schedule of a `CyclicLR` config (None for any other variant).
    pub(super) fn from_config(config: &ScheduleConfig) -> Option<Self> {
        let ScheduleConfig::CyclicLR {
            base_lr,
            max_lr,
            step_size_up,
            step_size_down,
            mode,
            gamma,
            cycle_momentum,
            base_momentum,
            max_momentum,
        } = *config
        else {
            return None;
        };
        let total_size = step_size_up + step_size_down.unwrap_or(step_size_up);
        Some(Cyclic {
            base_lr,
            max_lr,
            total_size,
            step_ratio: step_size_up / total_size,
            mode,
            gamma,
            momentum: cycle_momentum.then_some((base_momentum, max_momentum)),
        })
    }

    /// torch's `scale_factor * scale_fn(...)` split in two: the triangle's height in [0, 1] and
    /// the amplitude factor of the mode (by cycle for the triangular modes, by step for exp_range).
    #[inline]
    fn position(&self, t: u64) -> (f64, f64) {
        let epoch = t as f64;
        let cycle = (1.0 + epoch / self.total_size).floor();
        let x = 1.0 + epoch / self.total_size - cycle;
        let scale_factor = if x <= self.step_ratio { x / self.step_ratio } else { (x - 1.0) / (self.step_ratio - 1.0) };
        let amplitude = match self.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / pow(2.0, cycle - 1.0),
            CyclicMode::ExpRange => pow(self.gamma, epoch),
        };
        (scale_factor, amplitude)
    }

    /// The lr during step t: `base_lr + (max_lr - base_lr) * scale_factor * scale_fn`.
    #[inline]
    pub(super) fn lr(&self, t: u64) -> f64 {
        let (scale_factor, amplitude) = self.position(t);
        let base_height = (self.max_lr - self.base_lr) * scale_factor;
        self.base_lr + base_height * amplitude
    }

    /// The momentum during step t, if cycled:
    /// `max_momentum - (max_momentum - base_momentum) * scale_factor * scale_fn`.
    #[inline]
    pub(super) fn momentum(&self, t: u64) -> Option<f64> {
        let (base_momentum, max_momentum) = self.momentum?;
        let (scale_factor, amplitude) = self.position(t);
        let base_height = (max_momentum - base_momentum) * scale_factor;
        Some(max_momentum - base_height * amplitude)
    }
}
