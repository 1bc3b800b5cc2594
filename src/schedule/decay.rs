//! Closed forms of torch's stateless decay schedules, written with torch's own operation order
//! (each one is torch's `_get_closed_form_lr`, or its `get_lr` where that is already closed).
//!
//! Integer divisions are checked: a zero step size or period (which validation rejects) gives
//! NaN instead of a panic.

use crate::math::{cos, pow, sqrt, PI};

/// StepLR: `lr * gamma^(t // step_size)`.
#[inline]
pub(super) fn step(lr: f64, step_size: u64, gamma: f64, t: u64) -> f64 {
    match t.checked_div(step_size) {
        Some(decays) => lr * pow(gamma, decays as f64),
        None => f64::NAN,
    }
}

/// MultiStepLR: `lr * gamma^bisect_right(milestones, t)`; the milestones are sorted.
#[inline]
pub(super) fn multi_step(lr: f64, milestones: &[u64], gamma: f64, t: u64) -> f64 {
    let passed = milestones.partition_point(|&m| m <= t);
    lr * pow(gamma, passed as f64)
}

/// ExponentialLR: `lr * gamma^t`.
#[inline]
pub(super) fn exponential(lr: f64, gamma: f64, t: u64) -> f64 {
    lr * pow(gamma, t as f64)
}

/// The cosine curve shared by CosineAnnealingLR and CosineAnnealingWarmRestarts:
/// `eta_min + (lr - eta_min) * (1 + cos(pi * t_cur / period)) / 2`.
#[inline]
fn cosine_curve(lr: f64, eta_min: f64, t_cur: u64, period: u64) -> f64 {
    eta_min + (lr - eta_min) * (1.0 + cos(PI * t_cur as f64 / period as f64)) / 2.0
}

/// CosineAnnealingLR. The closed form is periodic with period 2*T_max, as torch's recursive
/// form is; the two agree to a few ulps.
#[inline]
pub(super) fn cosine(lr: f64, t_max: u64, eta_min: f64, t: u64) -> f64 {
    cosine_curve(lr, eta_min, t, t_max)
}

/// CosineAnnealingWarmRestarts: torch's step() loop (`T_cur += 1; if T_cur >= T_i: T_cur -= T_i,
/// T_i *= T_mult`) replayed in closed form, one iteration per restart.
#[inline]
pub(super) fn warm_restarts(lr: f64, t_0: u64, t_mult: u64, eta_min: f64, t: u64) -> f64 {
    match restart_position(t_0, t_mult, t) {
        Some((t_cur, period)) => cosine_curve(lr, eta_min, t_cur, period),
        None => f64::NAN,
    }
}

/// The position `(T_cur, T_i)` of step t inside its restart cycle, or None when T_0 or T_mult
/// is 0 (a period that never ends or never grows past 0).
fn restart_position(t_0: u64, t_mult: u64, t: u64) -> Option<(u64, u64)> {
    if t_0 == 0 || t_mult == 0 {
        return None;
    }
    if t_mult == 1 {
        return Some((t % t_0, t_0));
    }
    let mut t_cur = t;
    let mut period = t_0;
    // With T_mult >= 2 the period at least doubles, so this runs at most 64 times.
    while t_cur >= period {
        t_cur -= period;
        match period.checked_mul(t_mult) {
            Some(next) => period = next,
            // A period beyond u64 is longer than any remaining t_cur: the cycle never ends.
            None => return Some((t_cur, u64::MAX)),
        }
    }
    Some((t_cur, period))
}

/// ConstantLR: `lr * (factor + (t >= total_iters) * (1 - factor))`.
#[inline]
pub(super) fn constant_factor(lr: f64, factor: f64, total_iters: u64, t: u64) -> f64 {
    let done = if t >= total_iters { 1.0 } else { 0.0 };
    lr * (factor + done * (1.0 - factor))
}

/// LinearLR: `lr * (start + (end - start) * min(total_iters, t) / total_iters)`.
#[inline]
pub(super) fn linear(lr: f64, start_factor: f64, end_factor: f64, total_iters: u64, t: u64) -> f64 {
    let progress = t.min(total_iters) as f64;
    lr * (start_factor + (end_factor - start_factor) * progress / total_iters as f64)
}

/// PolynomialLR: `lr * (1 - min(total_iters, t) / total_iters)^power`, 0 from total_iters on
/// (for power > 0).
#[inline]
pub(super) fn polynomial(lr: f64, total_iters: u64, power: f64, t: u64) -> f64 {
    let progress = t.min(total_iters) as f64;
    lr * pow(1.0 - progress / total_iters as f64, power)
}

/// LambdaLR with `inverse_time`: `lr * (1 / (1 + t / t0))` (torch multiplies lr by the lambda).
#[inline]
pub(super) fn inverse_time(lr: f64, t0: f64, t: u64) -> f64 {
    lr * (1.0 / (1.0 + t as f64 / t0))
}

/// LambdaLR with `inverse_sqrt`: `lr * (1 / sqrt(t + 1))`.
#[inline]
pub(super) fn inverse_sqrt(lr: f64, t: u64) -> f64 {
    lr * (1.0 / sqrt(t as f64 + 1.0))
}
