//! Validation of schedule configs: torch's own rules where torch has them, plus the rules that
//! keep every formula free of division by zero.

use super::config::{LrLambda, PlateauMode, ScheduleConfig, ThresholdMode};
use crate::config::validate::{join, Validator};

/// A count that must be at least 1.
fn at_least_one(v: &mut Validator, path: String, value: u64) {
    v.require(value >= 1, path, format!("must be >= 1, got {value}"));
}

/// A value that must lie in (0, 1].
fn in_open_closed_unit(v: &mut Validator, path: String, value: f64) {
    let ok = value > 0.0 && value <= 1.0;
    v.require(ok, path, format!("must be in (0, 1], got {value}"));
}

/// Milestones must be strictly increasing, as torch documents.
fn increasing(v: &mut Validator, path: &str, milestones: &[u64]) {
    for (i, pair) in milestones.windows(2).enumerate() {
        if let [previous, current] = *pair {
            v.require(
                current > previous,
                format!("{path}[{}]", i + 1),
                format!("milestones must be strictly increasing, got {current} after {previous}"),
            );
        }
    }
}

/// `cycle_momentum` needs a momentum or betas hyperparameter; the momentum range is checked only
/// when it is cycled.
fn cycled_momentum(v: &mut Validator, path: &str, has_momentum: bool, cycle: bool, base: f64, max: f64) {
    if !cycle {
        return;
    }
    v.require(
        has_momentum,
        join(path, "cycle_momentum"),
        "the optimizer has no momentum or betas to cycle (torch: optimizer must support momentum \
         or beta1 with `cycle_momentum` option enabled); set cycle_momentum to false",
    );
    v.unit_interval_open(join(path, "base_momentum"), base);
    v.unit_interval_open(join(path, "max_momentum"), max);
}

impl ScheduleConfig {
    /// Checks every parameter under `path`, recording each problem with its path (for example
    /// `runs[0].schedule.gamma: must be > 0, got -1`). `optimizer_has_momentum` tells whether
    /// the optimizer has a momentum or betas hyperparameter, which `cycle_momentum` needs.
    pub fn validate(&self, path: &str, optimizer_has_momentum: bool, v: &mut Validator) {
        match self {
            ScheduleConfig::Constant {} => {}
            ScheduleConfig::StepLR { step_size, gamma } => {
                at_least_one(v, join(path, "step_size"), *step_size);
                v.positive(join(path, "gamma"), *gamma);
            }
            ScheduleConfig::MultiStepLR { milestones, gamma } => {
                increasing(v, &join(path, "milestones"), milestones);
                v.positive(join(path, "gamma"), *gamma);
            }
            ScheduleConfig::ExponentialLR { gamma } => v.positive(join(path, "gamma"), *gamma),
            ScheduleConfig::CosineAnnealingLR { t_max, eta_min } => {
                at_least_one(v, join(path, "T_max"), *t_max);
                v.non_negative(join(path, "eta_min"), *eta_min);
            }
            ScheduleConfig::CosineAnnealingWarmRestarts { t_0, t_mult, eta_min } => {
                at_least_one(v, join(path, "T_0"), *t_0);
                at_least_one(v, join(path, "T_mult"), *t_mult);
                v.non_negative(join(path, "eta_min"), *eta_min);
            }
            // torch allows ConstantLR factor 0 but then divides by it at total_iters.
            ScheduleConfig::ConstantLR { factor, total_iters } => {
                in_open_closed_unit(v, join(path, "factor"), *factor);
                at_least_one(v, join(path, "total_iters"), *total_iters);
            }
            ScheduleConfig::LinearLR { start_factor, end_factor, total_iters } => {
                in_open_closed_unit(v, join(path, "start_factor"), *start_factor);
                v.unit_interval_closed(join(path, "end_factor"), *end_factor);
                at_least_one(v, join(path, "total_iters"), *total_iters);
            }
            ScheduleConfig::PolynomialLR { total_iters, power } => {
                at_least_one(v, join(path, "total_iters"), *total_iters);
                v.non_negative(join(path, "power"), *power);
            }
            ScheduleConfig::LambdaLR { function, t0 } => match (function, t0) {
                (LrLambda::InverseTime, Some(t0)) => v.positive(join(path, "t0"), *t0),
                (LrLambda::InverseTime, None) => {
                    v.error(join(path, "t0"), "is required by inverse_time (lr / (1 + t/t0))")
                }
                (LrLambda::InverseSqrt, Some(_)) => {
                    v.error(join(path, "t0"), "is not used by inverse_sqrt (lr / sqrt(t + 1)); remove it")
                }
                (LrLambda::InverseSqrt, None) => {}
            },
            ScheduleConfig::SequentialLR { schedulers, milestones } => {
                validate_sequential(path, schedulers, milestones, optimizer_has_momentum, v);
            }
            ScheduleConfig::OneCycleLR { .. } => validate_one_cycle(self, path, optimizer_has_momentum, v),
            ScheduleConfig::CyclicLR { .. } => validate_cyclic(self, path, optimizer_has_momentum, v),
            ScheduleConfig::ReduceLROnPlateau { mode, factor, threshold, threshold_mode, min_lr, eps, .. } => {
                // torch: "Factor should be < 1.0."; a negative factor would act as 0.
                v.unit_interval_open(join(path, "factor"), *factor);
                match (mode, threshold_mode) {
                    // In min mode a relative threshold of 1 or more makes no positive loss an
                    // improvement (loss < best * (1 - threshold) <= 0).
                    (PlateauMode::Min, ThresholdMode::Rel) => v.unit_interval_open(join(path, "threshold"), *threshold),
                    _ => v.non_negative(join(path, "threshold"), *threshold),
                }
                v.non_negative(join(path, "min_lr"), *min_lr);
                v.non_negative(join(path, "eps"), *eps);
            }
        }
    }
}

/// SequentialLR: torch's rules (at least one child, one milestone fewer than children, no
/// ReduceLROnPlateau child), plus strictly increasing milestones from 1 and no nesting (torch's
/// SequentialLR cannot be restarted with `step(0)`).
fn validate_sequential(
    path: &str,
    schedulers: &[ScheduleConfig],
    milestones: &[u64],
    has_momentum: bool,
    v: &mut Validator,
) {
    let children_path = join(path, "schedulers");
    let milestones_path = join(path, "milestones");
    if schedulers.is_empty() {
        v.error(&children_path, "SequentialLR needs at least one scheduler");
    } else if milestones.len() + 1 != schedulers.len() {
        v.error(
            &milestones_path,
            format!(
                "needs one milestone fewer than schedulers, got {} milestones for {} schedulers",
                milestones.len(),
                schedulers.len()
            ),
        );
    }
    if let Some(&first) = milestones.first() {
        v.require(
            first >= 1,
            format!("{milestones_path}[0]"),
            "must be >= 1, got 0 (the first scheduler always runs at step 0)",
        );
    }
    increasing(v, &milestones_path, milestones);
    for (i, child) in schedulers.iter().enumerate() {
        let child_path = format!("{children_path}[{i}]");
        match child {
            ScheduleConfig::ReduceLROnPlateau { .. } => {
                v.error(child_path, "SequentialLR does not support ReduceLROnPlateau (it needs the loss at each step)")
            }
            ScheduleConfig::SequentialLR { .. } => v.error(child_path, "SequentialLR cannot be nested"),
            _ => child.validate(&child_path, has_momentum, v),
        }
    }
}

/// OneCycleLR: torch's rules (total_steps >= 1, pct_start in [0, 1]), positive lr and
/// divisors, and a first phase that does not end exactly at step 0, where torch divides by zero.
fn validate_one_cycle(config: &ScheduleConfig, path: &str, has_momentum: bool, v: &mut Validator) {
    let ScheduleConfig::OneCycleLR {
        max_lr,
        total_steps,
        pct_start,
        cycle_momentum,
        base_momentum,
        max_momentum,
        div_factor,
        final_div_factor,
        ..
    } = *config
    else {
        return;
    };
    v.positive(join(path, "max_lr"), max_lr);
    at_least_one(v, join(path, "total_steps"), total_steps);
    v.unit_interval_closed(join(path, "pct_start"), pct_start);
    v.positive(join(path, "div_factor"), div_factor);
    v.positive(join(path, "final_div_factor"), final_div_factor);
    let warmup_steps = pct_start * total_steps as f64;
    v.require(
        warmup_steps != 1.0,
        join(path, "pct_start"),
        format!(
            "pct_start * total_steps must not be exactly 1 (the warm-up would end at step 0, where \
             torch divides by zero), got {pct_start} * {total_steps}"
        ),
    );
    cycled_momentum(v, path, has_momentum, cycle_momentum, base_momentum, max_momentum);
}

/// CyclicLR: positive lrs, a rising half of at least some length, a falling half that may be 0,
/// and a positive gamma.
fn validate_cyclic(config: &ScheduleConfig, path: &str, has_momentum: bool, v: &mut Validator) {
    let ScheduleConfig::CyclicLR {
        base_lr,
        max_lr,
        step_size_up,
        step_size_down,
        gamma,
        cycle_momentum,
        base_momentum,
        max_momentum,
        ..
    } = *config
    else {
        return;
    };
    v.positive(join(path, "base_lr"), base_lr);
    v.positive(join(path, "max_lr"), max_lr);
    v.positive(join(path, "step_size_up"), step_size_up);
    if let Some(down) = step_size_down {
        v.non_negative(join(path, "step_size_down"), down);
    }
    v.positive(join(path, "gamma"), gamma);
    cycled_momentum(v, path, has_momentum, cycle_momentum, base_momentum, max_momentum);
}
