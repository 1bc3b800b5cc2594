//! The doctor's nine rules (see `mod.rs` for what each one looks for and suggests). Each is a
//! function of the run's trace and the experiment, and returns a diagnosis only when its
//! symptom is there.

use serde_json::json;

use super::{Change, Context, Diagnosis, Symptom};
use crate::math::{norm2, sqrt};
use crate::model::ModelConfig;
use crate::run::history::TracePoint;
use crate::run::monitor::{Criterion, Status};
use crate::run::report::short;
use crate::run::verdict::eigenvector;

/// Consecutive reversing updates that make an oscillation.
const OSCILLATION_WINDOW: usize = 10;
/// Relative change of the loss over the last half below which a stopped run is on a plateau.
const PLATEAU_CHANGE: f64 = 1e-3;
/// A plateau's gradient is below this share of the first one.
const PLATEAU_GRADIENT: f64 = 1e-2;
/// A plateau's gradient is above this, relative to 1 + |f|: not yet a stationary point.
const PLATEAU_MIN_GRADIENT: f64 = 1e-6;
/// A gradient norm above this, relative to 1 + |f|, is a slope, not a stationary point.
const SLOPE_GRADIENT: f64 = 1e-3;
/// The validation loss rose this share above its best.
const OVERFIT_RISE: f64 = 0.1;
/// Mean step-to-step jump of the loss, as a share of its mean, that makes a run noisy.
const NOISE_SHARE: f64 = 0.05;
/// A classifier's training accuracy under this is underfitting.
const UNDERFIT_ACCURACY: f64 = 0.8;

pub(super) fn diverged(c: &Context) -> Option<Diagnosis> {
    let Status::Diverged { reason, at_step } = c.trace.status else {
        return None;
    };
    Some(Diagnosis {
        symptom: Symptom::Diverged,
        step: at_step,
        text: format!(
            "Diverged at step {at_step} ({}): the steps were too large. Lower the learning rate \
             (the remedy tries a tenth of it), clip the gradient, or warm the learning rate up.",
            reason.name()
        ),
        remedy: c.scale_lr(0.1),
    })
}

pub(super) fn oscillating(c: &Context) -> Option<Diagnosis> {
    if c.converged() || matches!(c.trace.status, Status::Diverged { .. }) {
        return None;
    }
    let points = &c.trace.points;
    let mut reversals = 0usize;
    for (k, w) in points.windows(3).enumerate() {
        let consecutive = w[1].step == w[0].step + 1 && w[2].step == w[1].step + 1;
        let d1 = [w[1].xy[0] - w[0].xy[0], w[1].xy[1] - w[0].xy[1]];
        let d2 = [w[2].xy[0] - w[1].xy[0], w[2].xy[1] - w[1].xy[1]];
        let lengths = norm2(&d1) * norm2(&d2);
        let reverses = consecutive && lengths > 0.0 && (d1[0] * d2[0] + d1[1] * d2[1]) < -0.5 * lengths;
        reversals = if reverses { reversals + 1 } else { 0 };
        if reversals >= OSCILLATION_WINDOW {
            let step = points.get(k + 2 - OSCILLATION_WINDOW).map_or(0, |p| p.step);
            return Some(Diagnosis {
                symptom: Symptom::Oscillating,
                step,
                text: format!(
                    "From step {step} each step undoes the last one: the run bounces across a valley \
                     instead of moving along it. Lower the learning rate (the remedy tries half of it) \
                     or add momentum, which averages the bounces out."
                ),
                remedy: c.scale_lr(0.5),
            });
        }
    }
    None
}

/// The loss at the point halfway through the recorded history.
pub(super) fn halfway(points: &[TracePoint]) -> Option<&TracePoint> {
    points.get(points.len() / 2)
}

pub(super) fn crawling(c: &Context) -> Option<Diagnosis> {
    if let Status::Stalled { at_step, .. } = c.trace.status {
        return Some(Diagnosis {
            symptom: Symptom::Crawling,
            step: at_step,
            text: format!(
                "Stalled: by step {at_step} the run had not left its start. The learning rate is too \
                 small for this landscape (the remedy tries ten times it), or use Adam."
            ),
            remedy: c.scale_lr(10.0),
        });
    }
    let at = c.stopped_at_limit()?;
    let (mid, last) = (halfway(&c.trace.points)?, c.last()?);
    let change = (mid.loss - last.loss) / mid.loss.abs().max(f64::MIN_POSITIVE);
    // NaN losses (no comparison holds) are never called crawling.
    if change.is_nan() || change <= PLATEAU_CHANGE {
        return None;
    }
    Some(Diagnosis {
        symptom: Symptom::Crawling,
        step: at,
        text: format!(
            "Still going down at step {at} when the step limit came: the run is crawling. Raise the \
             learning rate (the remedy tries twice it), use momentum or Adam, or a schedule."
        ),
        remedy: c.scale_lr(2.0),
    })
}

pub(super) fn plateau(c: &Context) -> Option<Diagnosis> {
    c.stopped_at_limit()?;
    let (first, mid, last) = (c.trace.points.first()?, halfway(&c.trace.points)?, c.last()?);
    let change = (mid.loss - last.loss).abs() / mid.loss.abs().max(f64::MIN_POSITIVE);
    let flat = change <= PLATEAU_CHANGE && last.grad_norm < PLATEAU_GRADIENT * first.grad_norm;
    let slope = last.grad_norm > PLATEAU_MIN_GRADIENT * (1.0 + last.loss.abs());
    if !(flat && slope) {
        return None;
    }
    Some(Diagnosis {
        symptom: Symptom::Plateau,
        step: mid.step,
        text: format!(
            "On a plateau from about step {}: the loss hardly changes and the gradient is small but \
             not zero. Raise the learning rate (the remedy tries twice it), use momentum or Adam.",
            mid.step
        ),
        remedy: c.scale_lr(2.0),
    })
}

/// The run converged at a known local minimum that is not the global one: nothing went wrong on
/// the way, but it is not the lowest point. No remedy is applied: which start reaches which
/// minimum is what the basins analysis shows.
pub(super) fn local_minimum(c: &Context) -> Option<Diagnosis> {
    let Status::Converged { at_step, .. } = c.trace.status else {
        return None;
    };
    c.trace.end_hessian?;
    let problem = c.experiment.problem.build_with_seed(c.experiment.seed);
    let end = crate::run::verdict::classify_point(&problem, &c.trace.end, 0.0);
    if end.kind != crate::run::verdict::EndKind::LocalMinimum {
        return None;
    }
    let gap = end.above_global.map_or(String::new(), |g| format!(" (f − f_global = {})", short(g)));
    Some(Diagnosis {
        symptom: Symptom::LocalMinimum,
        step: at_step,
        text: format!(
            "Ended at a local minimum, not the global one{gap}: nothing went wrong on the way, but a \
             gradient method stops at the first minimum it reaches. Start elsewhere (Basins of \
             attraction shows which starts reach which minimum), or add momentum to roll through \
             shallow ones."
        ),
        remedy: Vec::new(),
    })
}

pub(super) fn saddle(c: &Context) -> Option<Diagnosis> {
    let at = match c.trace.status {
        Status::Converged { at_step, .. } | Status::Stopped { at_step } => at_step,
        _ => return None,
    };
    let (last, h) = (c.last()?, c.trace.end_hessian?);
    let (p, q, r) = (h[0], 0.5 * (h[1] + h[2]), h[3]);
    let radius = sqrt(0.25 * (p - r) * (p - r) + q * q);
    let (low, high) = (0.5 * (p + r) - radius, 0.5 * (p + r) + radius);
    let tiny = 1e-7 * low.abs().max(high.abs()).max(1.0);
    let flat = last.grad_norm <= SLOPE_GRADIENT * (1.0 + last.loss.abs());
    if !(flat && low < -tiny && high > tiny) {
        return None;
    }
    let run = c.experiment.runs.get(c.run)?;
    // Newton's method is drawn to saddles wherever f curves down: damping above the negative
    // curvature, (H + damping I) positive definite, turns its step downhill again.
    if let crate::optim::OptimizerConfig::Newton { damping, .. } = run.optimizer {
        let stronger = damping.max(0.0) + 2.0 * low.abs();
        return Some(Diagnosis {
            symptom: Symptom::Saddle,
            step: at,
            text: format!(
                "Stuck at a saddle point from about step {at}: the gradient vanishes there but f still \
                 falls along one direction (Hessian eigenvalue {}). Newton's method heads for any point \
                 where the gradient vanishes; damp it (the remedy tries a damping of {}) so that it \
                 only goes downhill.",
                short(low),
                short(stronger)
            ),
            remedy: vec![Change { path: format!("runs[{}].optimizer.damping", c.run), value: json!(stronger) }],
        });
    }
    let v = eigenvector(h, low);
    let x0 = run.x0.clone().unwrap_or_else(|| {
        crate::run::session::default_start(&c.experiment.problem.build_with_seed(c.experiment.seed))
    });
    let nudged: Vec<f64> = x0.iter().zip(v).map(|(x, d)| x + 0.05 * (1.0 + x.abs()) * d).collect();
    Some(Diagnosis {
        symptom: Symptom::Saddle,
        step: at,
        text: format!(
            "Stuck at a saddle point from about step {at}: the gradient vanishes there but f still \
             falls along one direction (Hessian eigenvalue {}). Start elsewhere (the remedy \
             moves the start along that direction), or add noise with minibatches.",
            short(low)
        ),
        remedy: vec![Change { path: format!("runs[{}].x0", c.run), value: json!(nudged) }],
    })
}

pub(super) fn stopped_short(c: &Context) -> Option<Diagnosis> {
    let Status::Converged { criterion, at_step } = c.trace.status else {
        return None;
    };
    let last = c.last()?;
    if last.grad_norm <= SLOPE_GRADIENT * (1.0 + last.loss.abs()) {
        return None;
    }
    let stop = &c.experiment.stop;
    let (key, tol) = match criterion {
        Criterion::LossPlateau => ("loss_plateau", stop.loss_plateau.as_ref()?.tol),
        Criterion::ParamChange => ("param_change", stop.param_change.as_ref()?.tol),
        _ => return None,
    };
    Some(Diagnosis {
        symptom: Symptom::StoppedShort,
        step: at_step,
        text: format!(
            "Stopped short at step {at_step}: the {} criterion fired on a slope (gradient norm {}). \
             Tighten its tolerance (the remedy tries a hundredth of {}).",
            criterion.name(),
            short(last.grad_norm),
            short(tol)
        ),
        remedy: vec![Change { path: format!("stop.{key}.tol"), value: json!(tol * 0.01) }],
    })
}

pub(super) fn overfitting(c: &Context) -> Option<Diagnosis> {
    let training = c.training()?;
    let evals = &c.trace.evaluations;
    let (best_index, best) = evals
        .iter()
        .enumerate()
        .filter(|(_, e)| e.validation_loss.is_finite())
        .min_by(|a, b| a.1.validation_loss.total_cmp(&b.1.validation_loss))?;
    let last = evals.last()?;
    let rose = last.validation_loss > best.validation_loss + OVERFIT_RISE * best.validation_loss.abs();
    let still_learning = last.train_loss < best.train_loss;
    if !(best_index + 1 < evals.len() && rose && still_learning) {
        return None;
    }
    let l2 = training.regularization.l2;
    let remedy = if c.experiment.stop.early_stopping.is_none() {
        vec![Change { path: "stop.early_stopping".into(), value: json!({"patience": 10}) }]
    } else {
        vec![Change { path: "problem.regularization.l2".into(), value: json!((l2 * 10.0).max(1e-3)) }]
    };
    Some(Diagnosis {
        symptom: Symptom::Overfitting,
        step: best.step,
        text: format!(
            "Overfitting from step {}: the validation loss rose from its best {} to {} while the \
             training loss kept falling. Stop early, regularize, or use a simpler model.",
            best.step,
            short(best.validation_loss),
            short(last.validation_loss)
        ),
        remedy,
    })
}

pub(super) fn noisy(c: &Context) -> Option<Diagnosis> {
    let training = c.training()?;
    let batch = training.batch_size? as usize;
    let train = c.experiment.problem.size().train;
    if batch >= train {
        return None;
    }
    let points = &c.trace.points;
    let tail = points.get(points.len() - points.len() / 4..)?;
    if tail.len() < 8 {
        return None;
    }
    let mean = tail.iter().map(|p| p.loss).sum::<f64>() / tail.len() as f64;
    let jumps = tail.windows(2).map(|w| (w[1].loss - w[0].loss).abs()).sum::<f64>() / (tail.len() - 1) as f64;
    if jumps.is_nan() || jumps <= NOISE_SHARE * mean.abs() {
        return None;
    }
    let step = tail.first().map_or(0, |p| p.step);
    let bigger = (4 * batch).min(train);
    Some(Diagnosis {
        symptom: Symptom::Noisy,
        step,
        text: format!(
            "Noisy: over the last quarter the loss jumps by {}% of its mean from step to step, the \
             minibatches of {batch} disagree. Use bigger batches (the remedy tries {bigger}) or a \
             decaying learning rate.",
            (100.0 * jumps / mean.abs()).round()
        ),
        remedy: vec![Change { path: "problem.batch_size".into(), value: json!(bigger) }],
    })
}

pub(super) fn underfitting(c: &Context) -> Option<Diagnosis> {
    let training = c.training()?;
    let evals = &c.trace.evaluations;
    let last = evals.last()?;
    let mid = evals.get(evals.len() / 2)?;
    if last.train_accuracy.is_nan()
        || last.train_accuracy >= UNDERFIT_ACCURACY
        || matches!(c.trace.status, Status::Diverged { .. })
    {
        return None;
    }
    let change = (mid.train_loss - last.train_loss).abs() / mid.train_loss.abs().max(f64::MIN_POSITIVE);
    if change > 0.01 {
        return None;
    }
    // Another run that fits the same model well shows the model is big enough: its optimizer
    // is the remedy, not a bigger model.
    let fitted = c
        .peers
        .iter()
        .filter_map(|(i, t)| t.evaluations.last().map(|e| (*i, e.train_accuracy)))
        .filter(|(_, accuracy)| *accuracy >= UNDERFIT_ACCURACY)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((other, accuracy)) = fitted {
        let experiment = c.experiment.to_value();
        let label = experiment["runs"][other]["label"].as_str().unwrap_or("another run");
        let optimizer = experiment["runs"][other]["optimizer"].clone();
        return Some(Diagnosis {
            symptom: Symptom::Underfitting,
            step: mid.step,
            text: format!(
                "Stuck: the training accuracy stays at {}% while the training loss has flattened, yet \
                 {label} reaches {}% with the same model, so the model is not too simple: this \
                 optimizer is stuck or too slow here. Use {label}'s optimizer (the remedy), or \
                 change the learning rate.",
                (100.0 * last.train_accuracy).round(),
                (100.0 * accuracy).round()
            ),
            remedy: vec![Change { path: format!("runs[{}].optimizer", c.run), value: optimizer }],
        });
    }
    let remedy = match &training.model {
        ModelConfig::Mlp { hidden, .. } => {
            let wider: Vec<usize> = hidden.iter().map(|h| (2 * h).min(32)).collect();
            vec![Change { path: "problem.model.hidden".into(), value: json!(wider) }]
        }
        _ => vec![Change { path: "problem.model".into(), value: json!({"name": "mlp", "hidden": [16, 16]}) }],
    };
    Some(Diagnosis {
        symptom: Symptom::Underfitting,
        step: mid.step,
        text: format!(
            "Underfitting: the training accuracy stays at {}% while the training loss has flattened; \
             the model is too simple for the data. Use a bigger model.",
            (100.0 * last.train_accuracy).round()
        ),
        remedy,
    })
}
