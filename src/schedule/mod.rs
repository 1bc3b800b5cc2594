//! Learning-rate schedules. (Interface stub: being filled in.)

use serde::{Deserialize, Serialize};

use crate::validate::Validator;

/// A schedule as written in a config, with torch.optim.lr_scheduler names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", deny_unknown_fields)]
pub enum ScheduleConfig {
    /// lr_t = lr.
    #[serde(rename = "constant")]
    Constant {},
    /// lr_t = lr * gamma^floor(t / step_size).
    StepLR {
        step_size: u64,
        #[serde(default = "default_gamma")]
        gamma: f64,
    },
}

fn default_gamma() -> f64 {
    0.1
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig::Constant {}
    }
}

impl ScheduleConfig {
    /// Checks every parameter under `path`; `optimizer_has_momentum` tells whether the
    /// optimizer has a momentum or betas hyperparameter (needed by `cycle_momentum`).
    pub fn validate(&self, _path: &str, _optimizer_has_momentum: bool, _v: &mut Validator) {}

    /// The runnable schedule for an optimizer whose configured lr is `base_lr`.
    pub fn build(&self, base_lr: f64) -> Schedule {
        Schedule {
            config: self.clone(),
            base_lr,
        }
    }
}

/// A runnable schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    config: ScheduleConfig,
    base_lr: f64,
}

impl Schedule {
    /// The lr in effect during step t (0-based).
    #[inline]
    pub fn lr(&self, t: u64) -> f64 {
        match self.config {
            ScheduleConfig::Constant {} => self.base_lr,
            ScheduleConfig::StepLR { step_size, gamma } => {
                self.base_lr * crate::math::pow(gamma, (t / step_size) as f64)
            }
        }
    }

    /// The momentum (or beta1) imposed during step t by a cycling schedule, if any.
    #[inline]
    pub fn momentum(&self, _t: u64) -> Option<f64> {
        None
    }

    /// Feeds loss[t] after step t (only ReduceLROnPlateau uses it).
    #[inline]
    pub fn observe_loss(&mut self, _loss: f64) {}

    /// Back to the state at construction.
    pub fn reset(&mut self) {}
}
