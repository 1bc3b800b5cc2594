//! The rate readout: how fast the error e_t (f - f*, or ||w - w*||) falls with the step t.
//!
//! Two models are fitted by least squares on ln e_t over the tail of the run (the second half of
//! the points above the round-off floor, where the asymptotic regime shows):
//! - linear convergence, e_t = C q^t: ln e = ln C + t ln q, the rate q per step;
//! - sublinear convergence, e_t = C t^-p: ln e = ln C - p ln t, the exponent p.
//!
//! The model with the smaller residual wins (both fitted to the same points). At that rate, the
//! error reaches a tolerance tol at t = (ln tol - ln C)/ln q, or t = (C/tol)^(1/p). (See e.g.
//! Nocedal and Wright, "Numerical Optimization", 2nd ed., 2006, section 2.2, on rates of
//! convergence.)

use serde::Serialize;

use crate::analysis::theory::QuadraticTheory;
use crate::math::{exp, ln, sqrt};
use crate::problem::{Problem, ProblemConfig};
use crate::run::Run;

/// Errors below this share of the first one are round-off, not progress, and are not fitted.
const NOISE_FLOOR: f64 = 1e-12;
/// The error the step prediction aims at when a config gives none.
pub const DEFAULT_TOLERANCE: f64 = 1e-8;
/// Fewest points a fit needs.
const MIN_POINTS: usize = 3;

/// Which law fits the error best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateModel {
    /// e_t = C q^t.
    Linear,
    /// e_t = C t^-p.
    Sublinear,
    /// The fitted error does not fall.
    NotConverging,
}

/// A fitted rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateFit {
    pub model: RateModel,
    /// q of the linear model (also given when the sublinear one wins, for comparison).
    pub rate: f64,
    /// p of the sublinear model.
    pub exponent: f64,
    /// The root-mean-square residual of the winning model, in ln e.
    pub rms_residual: f64,
    /// The error the step prediction aims at (`analysis.rate.tolerance`, `DEFAULT_TOLERANCE`
    /// unless set): a yardstick of the readout, not one of the run's stopping tests.
    pub tolerance: f64,
    /// The step at which the winning model reaches the tolerance (None when not converging).
    pub steps_to_tolerance: Option<f64>,
    /// The first and last step of the fitted points.
    pub fitted_steps: [u64; 2],
    /// The winning model's error at `CURVE_POINTS` steps across the fitted ones (evenly spaced,
    /// or evenly in ln t for the sublinear model), for drawing the fit beside the data.
    pub curve: Vec<(f64, f64)>,
}

/// Points of a fitted model's curve.
const CURVE_POINTS: usize = 16;

/// `CURVE_POINTS` points of e(t) = exp(a + b x(t)) from step `t0` to `t1`, with x(t) = t, or
/// x(t) = ln t when `log_t` (points evenly spaced in x).
fn model_curve(a: f64, b: f64, t0: f64, t1: f64, log_t: bool) -> Vec<(f64, f64)> {
    let (x0, x1) = if log_t { (ln(t0), ln(t1)) } else { (t0, t1) };
    (0..CURVE_POINTS)
        .map(|k| {
            let x = x0 + (x1 - x0) * k as f64 / (CURVE_POINTS - 1) as f64;
            (if log_t { exp(x) } else { x }, exp(a + b * x))
        })
        .collect()
}

impl crate::json::InfallibleJson for RateFit {}

/// A straight-line least-squares fit y = a + b x: (a, b, residual sum of squares).
fn line(xs: &[f64], ys: &[f64]) -> Option<(f64, f64, f64)> {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    if sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    let a = my - b * mx;
    let rss = xs.iter().zip(ys).map(|(x, y)| (y - a - b * x) * (y - a - b * x)).sum();
    Some((a, b, rss))
}

/// Fits the error `points` (step, e) and predicts the step where e reaches `tolerance`.
pub fn fit_rate(points: &[(u64, f64)], tolerance: f64) -> Option<RateFit> {
    let first = points.iter().find(|(_, e)| e.is_finite() && *e > 0.0)?.1;
    let kept: Vec<(u64, f64)> =
        points.iter().copied().filter(|&(t, e)| t >= 1 && e.is_finite() && e > NOISE_FLOOR * first).collect();
    let tail = kept.get(kept.len() / 2..)?;
    if tail.len() < MIN_POINTS {
        return None;
    }
    let ts: Vec<f64> = tail.iter().map(|&(t, _)| t as f64).collect();
    let log_ts: Vec<f64> = ts.iter().map(|&t| ln(t)).collect();
    let log_es: Vec<f64> = tail.iter().map(|&(_, e)| ln(e)).collect();
    let (la, lb, lrss) = line(&ts, &log_es)?;
    let (sa, sb, srss) = line(&log_ts, &log_es).unwrap_or((0.0, 0.0, f64::INFINITY));
    let n = tail.len() as f64;
    let log_tol = ln(tolerance);
    let (t0, t1) = (ts.first().copied().unwrap_or(1.0), ts.last().copied().unwrap_or(1.0));
    let (model, rss, steps) = if lrss <= srss {
        let steps = (lb < 0.0).then(|| ((log_tol - la) / lb).max(0.0));
        (if lb < 0.0 { RateModel::Linear } else { RateModel::NotConverging }, lrss, steps)
    } else {
        let steps = (sb < 0.0).then(|| exp((log_tol - sa) / sb).max(0.0));
        (if sb < 0.0 { RateModel::Sublinear } else { RateModel::NotConverging }, srss, steps)
    };
    let curve = match model {
        RateModel::Sublinear => model_curve(sa, sb, t0, t1, true),
        _ => model_curve(la, lb, t0, t1, false),
    };
    Some(RateFit {
        curve,
        model,
        rate: exp(lb),
        exponent: -sb,
        rms_residual: sqrt(rss / n),
        tolerance,
        steps_to_tolerance: steps.filter(|s| s.is_finite()),
        fitted_steps: [tail.first()?.0, tail.last()?.0],
    })
}

/// Where the errors are measured from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// The exact minimizer of a quadratic.
    ExactMinimizer,
    /// The known minimum nearest the run's end.
    KnownMinimum,
}

/// A run's errors against step and their fitted rates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateReadout {
    pub reference: Reference,
    pub minimizer: Vec<f64>,
    pub minimum: f64,
    /// (step, f - f*) and (step, ||w - w*||) over the run's recorded history.
    pub value_gap: Vec<(u64, f64)>,
    pub distance: Vec<(u64, f64)>,
    pub value_fit: Option<RateFit>,
    pub distance_fit: Option<RateFit>,
}

impl crate::json::InfallibleJson for RateReadout {}

/// The readout of a 2-D run: None when f* is unknown (not a quadratic, and the run did not end
/// near a known minimum). `tolerance` is the error the step prediction aims at.
pub fn readout(config: &ProblemConfig, problem: &Problem, run: &Run, tolerance: f64) -> Option<RateReadout> {
    if problem.dim() != 2 {
        return None;
    }
    let (reference, minimizer, minimum) = match QuadraticTheory::of(config) {
        Ok(theory) => (Reference::ExactMinimizer, theory.minimizer, theory.minimum),
        Err(_) => {
            let end = run.params();
            let near = problem.known_minima().into_iter().find(|m| {
                let (dx, dy) = (m.x[0] - end[0], m.x[1] - end[1]);
                sqrt(dx * dx + dy * dy) <= 1e-3 * (1.0 + m.x[0].abs().max(m.x[1].abs()))
            })?;
            (Reference::KnownMinimum, near.x, near.f)
        }
    };
    let points: Vec<_> = run.history().points().copied().collect();
    let value_gap: Vec<(u64, f64)> = points.iter().map(|p| (p.step, p.loss - minimum)).collect();
    let distance: Vec<(u64, f64)> = points
        .iter()
        .map(|p| {
            let (dx, dy) = (p.xy[0] - minimizer[0], p.xy[1] - minimizer[1]);
            (p.step, sqrt(dx * dx + dy * dy))
        })
        .collect();
    Some(RateReadout {
        reference,
        minimizer: minimizer.to_vec(),
        minimum,
        value_fit: fit_rate(&value_gap, tolerance),
        distance_fit: fit_rate(&distance, tolerance),
        value_gap,
        distance,
    })
}
