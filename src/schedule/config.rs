//! The schedule as written in a config: torch class names and torch keyword names.

use serde::{Deserialize, Serialize};

use super::cyclic::{Cyclic, OneCycle};
use super::plateau::Plateau;
use super::sequential::Sequential;
use super::{Kind, Schedule};

crate::tagged_enum! {
/// A learning-rate schedule as written in a config.
///
/// The tag `name` is the torch class (or `constant`); the other fields carry torch's keyword
/// names and defaults. Unknown names and unknown fields are rejected by serde, which lists the
/// allowed ones.
#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleConfig {
    /// lr_t = lr.
    Constant as "constant" {  },
    /// lr_t = lr * gamma^floor(t / step_size).
    StepLR as "StepLR" {
        step_size: u64,
        gamma: f64 = 0.1,
    },
    /// lr_t = lr * gamma^(number of milestones <= t).
    MultiStepLR as "MultiStepLR" {
        milestones: Vec<u64>,
        gamma: f64 = 0.1,
    },
    /// lr_t = lr * gamma^t.
    ExponentialLR as "ExponentialLR" { gamma: f64 },
    /// lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max)) / 2, periodic past T_max.
    CosineAnnealingLR as "CosineAnnealingLR" {
        t_max as "T_max": u64,
        eta_min: f64 = 0.0,
    },
    /// Cosine annealing restarted after T_0, T_0*T_mult, T_0*T_mult^2, ... steps.
    CosineAnnealingWarmRestarts as "CosineAnnealingWarmRestarts" {
        t_0 as "T_0": u64,
        t_mult as "T_mult": u64 = 1,
        eta_min: f64 = 0.0,
    },
    /// lr_t = lr * factor for t < total_iters, then lr.
    ConstantLR as "ConstantLR" {
        factor: f64 = 1.0 / 3.0,
        total_iters: u64 = 5,
    },
    /// The factor goes linearly from start_factor to end_factor over total_iters steps.
    LinearLR as "LinearLR" {
        start_factor: f64 = 1.0 / 3.0,
        end_factor: f64 = 1.0,
        total_iters: u64 = 5,
    },
    /// lr_t = lr * (1 - min(t, total_iters) / total_iters)^power.
    PolynomialLR as "PolynomialLR" {
        total_iters: u64 = 5,
        power: f64 = 1.0,
    },
    /// lr_t = lr * lambda(t) for one of the named lambdas.
    LambdaLR as "LambdaLR" {
        function as "lambda": LrLambda,
        /// The time constant of `inverse_time`; not used by `inverse_sqrt`.
        #[serde(skip_serializing_if = "Option::is_none")]
        t0: Option<f64> = None,
    },
    /// The first schedule until milestones[0], then the next one restarted at 0, and so on.
    SequentialLR as "SequentialLR" { schedulers: Vec<ScheduleConfig>, milestones: Vec<u64> },
    /// The 1cycle policy (Smith and Topin 2017): warm up to max_lr, then anneal far below.
    OneCycleLR as "OneCycleLR" {
        max_lr: f64,
        total_steps: u64,
        pct_start: f64 = 0.3,
        anneal_strategy: AnnealStrategy = Default::default(),
        cycle_momentum: bool = true,
        base_momentum: f64 = 0.85,
        max_momentum: f64 = 0.95,
        div_factor: f64 = 25.0,
        final_div_factor: f64 = 1e4,
        three_phase: bool = false,
    },
    /// Cyclical learning rates (Smith 2017) between base_lr and max_lr.
    CyclicLR as "CyclicLR" {
        base_lr: f64,
        max_lr: f64,
        step_size_up: f64 = 2000.0,
        /// Defaults to `step_size_up` when absent or null.
        #[serde(skip_serializing_if = "Option::is_none")]
        step_size_down: Option<f64> = None,
        mode: CyclicMode = Default::default(),
        gamma: f64 = 1.0,
        cycle_momentum: bool = true,
        base_momentum: f64 = 0.8,
        max_momentum: f64 = 0.9,
    },
    /// Divides the lr by 1/factor when the loss has stopped improving for `patience` steps.
    ReduceLROnPlateau as "ReduceLROnPlateau" {
        mode: PlateauMode = Default::default(),
        factor: f64 = 0.1,
        patience: u64 = 10,
        threshold: f64 = 1e-4,
        threshold_mode: ThresholdMode = Default::default(),
        cooldown: u64 = Default::default(),
        min_lr: f64 = 0.0,
        eps: f64 = 1e-8,
    },
}
}

/// The named lambdas LambdaLR offers (torch takes a Python callable instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LrLambda {
    /// lambda(t) = 1 / (1 + t / t0).
    #[serde(rename = "inverse_time")]
    InverseTime,
    /// lambda(t) = 1 / sqrt(t + 1).
    #[serde(rename = "inverse_sqrt")]
    InverseSqrt,
}

/// How OneCycleLR moves between the ends of a phase.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnnealStrategy {
    /// Half a cosine wave.
    #[default]
    #[serde(rename = "cos")]
    Cos,
    /// A straight line.
    #[serde(rename = "linear")]
    Linear,
}

/// CyclicLR's amplitude policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CyclicMode {
    /// Constant amplitude.
    #[default]
    #[serde(rename = "triangular")]
    Triangular,
    /// The amplitude halves every cycle.
    #[serde(rename = "triangular2")]
    Triangular2,
    /// The amplitude is scaled by gamma^t.
    #[serde(rename = "exp_range")]
    ExpRange,
}

/// Whether ReduceLROnPlateau watches for a falling (`min`) or rising (`max`) metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlateauMode {
    /// Lower is better.
    #[default]
    #[serde(rename = "min")]
    Min,
    /// Higher is better.
    #[serde(rename = "max")]
    Max,
}

/// Whether ReduceLROnPlateau's threshold is relative to the best value or absolute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThresholdMode {
    /// An improvement must beat best * (1 -/+ threshold).
    #[default]
    #[serde(rename = "rel")]
    Rel,
    /// An improvement must beat best -/+ threshold.
    #[serde(rename = "abs")]
    Abs,
}

/// What `build` would return for a variant mismatch it never meets: NaN rather than a panic.
const NOT_BUILT: Kind = Kind::Constant { lr: f64::NAN };

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig::Constant {}
    }
}

impl ScheduleConfig {
    /// The runnable schedule for an optimizer whose configured lr is `base_lr`.
    ///
    /// OneCycleLR and CyclicLR ignore `base_lr`, as torch overwrites the optimizer's lr. The
    /// config should have passed `validate`; an invalid one never panics here, but may give
    /// NaN learning rates (a step size of 0, for example).
    pub fn build(&self, base_lr: f64) -> Schedule {
        let lr = base_lr;
        let kind = match self {
            ScheduleConfig::Constant {} => Kind::Constant { lr },
            ScheduleConfig::StepLR { step_size, gamma } => Kind::Step { lr, step_size: *step_size, gamma: *gamma },
            ScheduleConfig::MultiStepLR { milestones, gamma } => {
                Kind::MultiStep { lr, milestones: milestones.clone(), gamma: *gamma }
            }
            ScheduleConfig::ExponentialLR { gamma } => Kind::Exponential { lr, gamma: *gamma },
            ScheduleConfig::CosineAnnealingLR { t_max, eta_min } => {
                Kind::Cosine { lr, t_max: *t_max, eta_min: *eta_min }
            }
            ScheduleConfig::CosineAnnealingWarmRestarts { t_0, t_mult, eta_min } => {
                Kind::WarmRestarts { lr, t_0: *t_0, t_mult: *t_mult, eta_min: *eta_min }
            }
            ScheduleConfig::ConstantLR { factor, total_iters } => {
                Kind::ConstantFactor { lr, factor: *factor, total_iters: *total_iters }
            }
            ScheduleConfig::LinearLR { start_factor, end_factor, total_iters } => {
                Kind::Linear { lr, start_factor: *start_factor, end_factor: *end_factor, total_iters: *total_iters }
            }
            ScheduleConfig::PolynomialLR { total_iters, power } => {
                Kind::Polynomial { lr, total_iters: *total_iters, power: *power }
            }
            ScheduleConfig::LambdaLR { function, t0 } => match function {
                // A missing t0 fails validation; NaN keeps an unvalidated build from panicking.
                LrLambda::InverseTime => Kind::InverseTime { lr, t0: t0.unwrap_or(f64::NAN) },
                LrLambda::InverseSqrt => Kind::InverseSqrt { lr },
            },
            ScheduleConfig::SequentialLR { schedulers, milestones } => {
                let children = schedulers.iter().map(|child| child.build(base_lr)).collect();
                Kind::Sequential(Sequential::new(children, milestones.clone()))
            }
            // from_config returns None only for another variant, which cannot happen here.
            ScheduleConfig::OneCycleLR { .. } => OneCycle::from_config(self).map_or(NOT_BUILT, Kind::OneCycle),
            ScheduleConfig::CyclicLR { .. } => Cyclic::from_config(self).map_or(NOT_BUILT, Kind::Cyclic),
            ScheduleConfig::ReduceLROnPlateau { .. } => {
                Plateau::from_config(self, base_lr).map_or(NOT_BUILT, Kind::Plateau)
            }
        };
        Schedule { kind }
    }

    /// True when the schedule imposes the optimizer's momentum or beta1 (OneCycleLR or CyclicLR
    /// with `cycle_momentum`, also as a child of SequentialLR).
    pub fn cycles_momentum(&self) -> bool {
        match self {
            ScheduleConfig::OneCycleLR { cycle_momentum, .. } | ScheduleConfig::CyclicLR { cycle_momentum, .. } => {
                *cycle_momentum
            }
            ScheduleConfig::SequentialLR { schedulers, .. } => schedulers.iter().any(ScheduleConfig::cycles_momentum),
            _ => false,
        }
    }
}
