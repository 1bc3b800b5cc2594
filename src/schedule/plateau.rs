//! ReduceLROnPlateau: the one schedule with state, driven by the loss after each step.

use super::config::{PlateauMode, ScheduleConfig, ThresholdMode};

/// torch's ReduceLROnPlateau for one parameter group.
#[derive(Clone, Debug)]
pub(super) struct Plateau {
    mode: PlateauMode,
    factor: f64,
    patience: u64,
    threshold: f64,
    threshold_mode: ThresholdMode,
    cooldown: u64,
    min_lr: f64,
    eps: f64,
    /// The optimizer's lr at construction, restored by `reset`.
    initial_lr: f64,
    /// The lr in effect now.
    lr: f64,
    /// The best metric seen; starts at +inf (min mode) or -inf (max mode).
    best: f64,
    num_bad_epochs: u64,
    cooldown_counter: u64,
}

impl Plateau {
    /// The schedule of a `ReduceLROnPlateau` config starting from `lr` (None for any other
    /// variant).
    pub(super) fn from_config(config: &ScheduleConfig, lr: f64) -> Option<Self> {
        let ScheduleConfig::ReduceLROnPlateau {
            mode,
            factor,
            patience,
            threshold,
            threshold_mode,
            cooldown,
            min_lr,
            eps,
        } = *config
        else {
            return None;
        };
        Some(Plateau {
            mode,
            factor,
            patience,
            threshold,
            threshold_mode,
            cooldown,
            min_lr,
            eps,
            initial_lr: lr,
            lr,
            best: worst(mode),
            num_bad_epochs: 0,
            cooldown_counter: 0,
        })
    }

    /// The lr in effect now.
    #[inline]
    pub(super) fn lr(&self) -> f64 {
        self.lr
    }

    /// torch's `is_better(a, best)`; every comparison with NaN is false, so NaN never improves.
    #[inline]
    fn is_better(&self, a: f64) -> bool {
        let best = self.best;
        match (self.mode, self.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => a < best * (1.0 - self.threshold),
            (PlateauMode::Min, ThresholdMode::Abs) => a < best - self.threshold,
            (PlateauMode::Max, ThresholdMode::Rel) => a > best * (self.threshold + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => a > best + self.threshold,
        }
    }

    /// torch's `step(metrics)`.
    #[inline]
    pub(super) fn observe(&mut self, metric: f64) {
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs = self.num_bad_epochs.saturating_add(1);
        }
        // Bad steps during the cooldown are ignored.
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > self.patience {
            self.reduce();
            self.cooldown_counter = self.cooldown;
            self.num_bad_epochs = 0;
        }
    }

    /// torch's `_reduce_lr`: `new = max(old * factor, min_lr)`, applied only when it lowers the
    /// lr by more than eps. Python's `max` keeps its first argument unless the second is larger.
    fn reduce(&mut self) {
        let old = self.lr;
        let scaled = old * self.factor;
        let new = if self.min_lr > scaled { self.min_lr } else { scaled };
        if old - new > self.eps {
            self.lr = new;
        }
    }

    /// Back to the state at construction.
    pub(super) fn reset(&mut self) {
        self.lr = self.initial_lr;
        self.best = worst(self.mode);
        self.num_bad_epochs = 0;
        self.cooldown_counter = 0;
    }
}

/// torch's `mode_worse`, the starting value of `best`.
fn worst(mode: PlateauMode) -> f64 {
    match mode {
        PlateauMode::Min => f64::INFINITY,
        PlateauMode::Max => f64::NEG_INFINITY,
    }
}
