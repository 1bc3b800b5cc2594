//! Run reports in words: how each run ended, where it is and what to try, for the page's status
//! lines and `el.report()`. The verdict itself (the end point's kind and the mark) comes from
//! [`crate::run::verdict`], which the snapshot shares, so the words never disagree with `end`.
//!
//! A status line reads "{how it ended}, {where it is}. {advice}": the plain words first, the
//! formal test second in parentheses ("the slope is flat enough to stop (||∇f|| < 1e-8)").
//! The advice never contradicts the verdict: a run that converged at a minimum gets none (or
//! a word on the local minimum or the L2 penalty), a run stopped short on a slope is told which
//! tolerance to tighten (or, when its loss went flat because its steps bounce across a valley,
//! to lower the learning rate), a run out of steps what to change. A run whose loss or gradient
//! is not finite at its start is told so: no learning rate can help there.

use serde::Serialize;

use crate::problem::Problem;
use crate::run::history::EvalPoint;
use crate::run::monitor::{ChangeMode, Criterion, Divergence, Status};
pub use crate::run::verdict::{classify, hessian_eigenvalues, EndKind};
use crate::run::verdict::{judge, nothing_learned, overfit_ratio, EndPoint, Mark, Verdict};
use crate::run::Run;

/// One run in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub label: String,
    /// `running`, `converged`, `diverged` or `stopped`, as in the snapshot's status.
    pub state: &'static str,
    /// The mark of the status line: `running`, `success` (a criterion fired at a minimum),
    /// `caution` (a criterion fired elsewhere), `early_stopped`, `stopped`, `diverged`.
    pub mark: Mark,
    /// The mark in one or two words, for the page's runs list (`mark_word`).
    pub word: &'static str,
    /// The whole status line: `ended`, `place` and `advice` together.
    pub text: String,
    /// How the run ended, e.g. "converged at step 188: the slope is flat enough to stop
    /// (||∇f|| < 1e-8)".
    pub ended: String,
    /// Where it is, e.g. "at a global minimum (Hessian eigenvalues 2, 8)" (empty when unknown).
    pub place: String,
    /// One sentence on why and what to try (empty when there is nothing to fix).
    pub advice: String,
    /// Where it is, as in the snapshot's `end`.
    pub end: EndKind,
    pub hessian_eigenvalues: Option<[f64; 2]>,
}

impl crate::json::InfallibleJson for RunReport {}

/// A number for people: 4 significant digits, in exponent form outside [1e-3, 1e5).
///
/// Rounded by arithmetic and printed in Rust's shortest form, rather than with a precision
/// format, which keeps the exact-precision float formatter out of the wasm binary.
pub fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let exponent = crate::math::log10(x.abs()).floor();
    let round_to = |value: f64, digits: f64| {
        let scale = crate::math::pow(10.0, digits);
        (value * scale).round() / scale
    };
    if (1e-3..1e5).contains(&x.abs()) {
        format!("{}", round_to(x, 3.0 - exponent))
    } else {
        let mantissa = round_to(x / crate::math::pow(10.0, exponent), 3.0);
        format!("{mantissa}e{exponent}")
    }
}

/// The criterion in plain words, then its formal test in parentheses.
fn criterion_words(run: &Run, criterion: Criterion) -> String {
    let stop = run.monitor().config();
    match criterion {
        Criterion::LossPlateau => {
            let test = stop.loss_plateau.as_ref().map_or(String::new(), |c| {
                let how = match c.mode {
                    ChangeMode::Rel => "relative loss change",
                    ChangeMode::Abs => "loss change",
                };
                format!(" ({how} < {} for {} steps)", short(c.tol), c.patience)
            });
            format!("the loss stopped falling{test}")
        }
        Criterion::ParamChange => {
            let test = stop
                .param_change
                .as_ref()
                .map_or(String::new(), |c| format!(" (||Δw|| < {} for {} steps)", short(c.tol), c.patience));
            format!("the steps became too small to matter{test}")
        }
        Criterion::GradNorm => {
            let test = stop.grad_norm.as_ref().map_or(String::new(), |c| format!(" (||∇f|| < {})", short(c.tol)));
            format!("the slope is flat enough to stop{test}")
        }
        Criterion::TargetLoss => {
            let test = stop.target_loss.as_ref().map_or(String::new(), |c| format!(" (loss <= {})", short(c.value)));
            format!("the loss reached the target{test}")
        }
        Criterion::EarlyStopping => {
            let patience = stop.early_stopping.as_ref().map_or(0, |c| c.patience);
            format!("the validation loss stopped improving (no new best for {patience} evaluations)")
        }
    }
}

/// How the run ended.
fn ended_words(run: &Run, problem: &Problem, status: Status) -> String {
    match status {
        // Nothing has run yet: the loss is the start point's.
        Status::Running if run.step() == 0 => {
            format!("not started: loss {} at the start point", short(run.objective(problem)))
        }
        Status::Running => format!("running: step {}, loss {}", run.step(), short(run.objective(problem))),
        Status::Converged { criterion: Criterion::EarlyStopping, at_step } => {
            let restore = run.monitor().config().early_stopping.as_ref().is_some_and(|c| c.restore_best);
            let best = match run.monitor().best_validation() {
                Some((step, loss)) if restore => {
                    format!("; best step {step} restored (validation loss {})", short(loss))
                }
                Some((step, loss)) => {
                    format!("; best validation loss {} at step {step}, last weights kept", short(loss))
                }
                None => String::new(),
            };
            format!("early-stopped at step {at_step}: {}{best}", criterion_words(run, Criterion::EarlyStopping))
        }
        Status::Converged { criterion, at_step } => {
            format!("converged at step {at_step}: {}", criterion_words(run, criterion))
        }
        Status::Diverged { reason, at_step: 0 } if undefined_at_start(reason) => {
            let (what, start) = start_words(problem);
            // A model evaluates its start before the first update: a training loss that is
            // finite there means the validation loss was the one without a value.
            let validation =
                matches!(problem, Problem::Model(_)) && run.last_record().is_some_and(|r| r.loss.is_finite());
            let what = match reason {
                Divergence::NonfiniteGradient => format!("the gradient of {what}"),
                _ if validation => "the validation loss".to_string(),
                _ => what.to_string(),
            };
            format!("diverged at step 0: {what} has no finite value at {start}, so no step was taken")
        }
        Status::Diverged { reason, at_step } => {
            let factor = short(run.monitor().config().divergence.factor);
            let why = match reason {
                Divergence::NonfiniteLoss => "the loss became inf or NaN".to_string(),
                Divergence::NonfiniteGradient => "the gradient became inf or NaN".to_string(),
                Divergence::NonfiniteParams => "the parameters became inf or NaN".to_string(),
                Divergence::LossExploded => {
                    format!("the loss blew up (loss > {factor} · max(1, |loss at step 0|))")
                }
                Divergence::UnboundedBelow => {
                    format!("the loss fell without bound (loss < -{factor} · max(1, |loss at step 0|))")
                }
            };
            format!("diverged at step {at_step}: {why}")
        }
        Status::Stopped { at_step } => {
            format!("out of steps at step {at_step}: no convergence test fired within max_steps")
        }
        Status::Stalled { criterion, at_step } => format!(
            "stalled at step {at_step}: {} while the parameters never left the start point",
            criterion_words(run, criterion)
        ),
    }
}

/// True for a divergence that step 0 can only show at the start point itself: the loss or its
/// gradient there is inf or NaN (step 0 evaluates the start, before any update).
fn undefined_at_start(reason: Divergence) -> bool {
    matches!(reason, Divergence::NonfiniteLoss | Divergence::NonfiniteGradient)
}

/// What is minimised and where a run starts, in words: "f" and "the start point" on a
/// landscape, "the loss" and "the initial weights" on a model.
fn start_words(problem: &Problem) -> (&'static str, &'static str) {
    match problem {
        Problem::Model(_) => ("the loss", "the initial weights"),
        _ => ("f", "the start point"),
    }
}

/// Where the run is.
fn place_words(run: &Run, problem: &Problem, verdict: &Verdict) -> String {
    let end = &verdict.end;
    let eig = end.eigenvalues.map(|e| format!(" (Hessian eigenvalues {}, {})", short(e[0]), short(e[1])));
    let eig = eig.unwrap_or_default();
    match end.kind {
        EndKind::GlobalMinimum => format!("at a global minimum{eig}"),
        EndKind::LocalMinimum => match end.above_global {
            Some(gap) => format!("at a local minimum, not the global one: f − f_global = {}{eig}", short(gap)),
            None => format!("at a local minimum, not the global one{eig}"),
        },
        EndKind::Minimum if verdict.l2 != 0.0 => format!(
            "at a minimum of the regularised loss f + (λ/2)·||w||² with λ = {}, not of f{eig}",
            short(verdict.l2)
        ),
        // A typed function has no list of minima to compare with.
        EndKind::Minimum if problem.known_minima().is_empty() => format!("at a minimum{eig}"),
        EndKind::Minimum => format!("at a minimum that is not one of the landscape's known minima{eig}"),
        EndKind::Saddle => format!("at a saddle point, not a minimum{eig}"),
        EndKind::Maximum => format!("at a maximum{eig}"),
        EndKind::Slope => format!("on a slope, not at a minimum (||∇f|| = {})", short(end.grad_norm)),
        EndKind::Shoulder => {
            format!("on a flat shoulder, not at a minimum: f is lower a little way along the flattest direction{eig}")
        }
        EndKind::Unbounded => "heading for f = −∞".to_string(),
        EndKind::Unknown => match (problem, run.evaluations().last()) {
            (Problem::Model(_), Some(e)) => evaluation_words(e),
            _ if verdict.end.eigenvalues.is_some() => {
                format!("at a point where the Hessian is singular, so its kind cannot be told{eig}")
            }
            _ => String::new(),
        },
    }
}

/// A model's evaluation in words: "training loss 0.1, validation loss 0.2" and, for a
/// classifier, ", accuracy 97 % training, 90 % validation".
pub fn evaluation_words(e: &EvalPoint) -> String {
    let mut text = format!("training loss {}, validation loss {}", short(e.train_loss), short(e.validation_loss));
    if e.train_accuracy.is_finite() {
        text.push_str(&format!(
            ", accuracy {} % training, {} % validation",
            short(100.0 * e.train_accuracy),
            short(100.0 * e.validation_accuracy)
        ));
    }
    text
}

/// Why a criterion fired away from a minimum, and what to try. On a landscape with no minimum
/// at all (`x² − y²`), sliding off the saddle is no remedy: it falls without bound.
fn caution_advice(run: &Run, problem: &Problem, criterion: Criterion, end: &EndPoint) -> String {
    match end.kind {
        EndKind::Saddle | EndKind::Maximum => {
            let what = "The gradient vanishes at saddle points and maxima too, so a small gradient does not prove a minimum";
            let no_minimum = matches!(problem, Problem::Landscape(_)) && problem.known_minima().is_empty();
            let newton = matches!(run.optimizer(), crate::optim::Optimizer::Newton(_));
            if no_minimum {
                let jump = if newton { "; Newton's method jumps to a point where it vanishes, whatever its kind" } else { "" };
                format!("{what}{jump}. This function has no minimum at all: a method that slides off this point, such as gradient descent with momentum, falls without bound, so there is no minimum for any optimizer to reach.")
            } else if newton {
                let depth = end.eigenvalues.map_or(String::new(), |e| format!(" (here {})", short(-e[0])));
                format!("{what}; Newton's method jumps to a point where it vanishes, whatever its kind: use a first-order method such as gradient descent with momentum, which slides off, or give Newton a damping above the size of the most negative Hessian eigenvalue{depth}.")
            } else {
                format!("{what}: start elsewhere, or add momentum to slide off.")
            }
        }
        EndKind::Slope => match criterion {
            Criterion::ParamChange => "The steps shrank below the ||Δw|| tolerance while the slope was still clear (a learning rate that decayed too fast or is too small): tighten param_change.tol or switch it off and let the gradient test decide, or decay the learning rate more slowly.".to_string(),
            Criterion::LossPlateau => match bouncing(run, end) {
                Some(step) => {
                    let (moved, slope) = (short(step), short(end.grad_norm));
                    let why = if plain_gradient_descent(run) {
                        "as gradient descent does when its learning rate is at the stability limit 2/L of some direction (L the curvature along it) and it jumps back and forth across the valley: lower it."
                    } else {
                        "(they jump across the valley, or this method's steps do not shrink as the slope does): lower the learning rate, or let a schedule decay it."
                    };
                    format!("Each step still moves the parameters by ||Δw|| = {moved} on a slope of ||∇f|| = {slope}, yet the loss no longer changes: the steps land on points as high as the last instead of going down, {why}")
                }
                None => "The loss changed less than the plateau tolerance while the slope was still clear: tighten loss_plateau.tol or raise its patience.".to_string(),
            },
            Criterion::TargetLoss => "Reaching a target loss says nothing about a minimum: lower target_loss or switch it off to see where the run goes.".to_string(),
            Criterion::GradNorm => "The gradient tolerance is larger than the slope here: tighten grad_norm.tol.".to_string(),
            Criterion::EarlyStopping => String::new(),
        },
        EndKind::Shoulder => "The slope is nearly flat and curves upward here, yet f is lower a little way on (a shoulder, as x³ has at 0): the test fired before the run slid on. Tighten the tolerance of the test that fired, or switch it off, to see where the run goes.".to_string(),
        _ => "The Hessian is singular here, so no test of the gradient or the curvature can tell a minimum from a flat saddle.".to_string(),
    }
}

/// How many times the plateau test's largest change a step may bring, to first order, before a
/// flat loss on a slope counts as bouncing rather than crawling.
const BOUNCE_FACTOR: f64 = 100.0;

/// The size of the last update when a run whose loss went flat on a slope is bouncing across a
/// valley rather than crawling: its last step could change f by up to ||Δw||·||∇f|| to first
/// order (a crawl's steps bring about that much, below the plateau's tolerance), yet that is
/// more than `BOUNCE_FACTOR` times the change the plateau test allows: the loss stays flat
/// because the steps land at points of equal loss, not because they are small.
fn bouncing(run: &Run, end: &EndPoint) -> Option<f64> {
    let plateau = run.monitor().config().loss_plateau.as_ref()?;
    let step = run.last_delta_norm();
    if !step.is_finite() {
        return None;
    }
    let loss = run.last_record().map_or(f64::NAN, |r| r.loss);
    let allowed = match plateau.mode {
        ChangeMode::Abs => plateau.tol,
        ChangeMode::Rel => plateau.tol * loss.abs(),
    };
    (step * end.grad_norm > BOUNCE_FACTOR * allowed).then_some(step)
}

/// The fewest steps without a new lowest loss before a run that stopped on a slope counts as
/// stuck there rather than still descending (heavy ball spiralling in makes a new low only
/// every half turn, some tens of steps).
const STUCK_STEPS: u64 = 50;
/// The least share of the run, as a divisor (a quarter), without a new lowest loss before such
/// a run counts as stuck.
const STUCK_SHARE: u64 = 4;

/// The step and loss of the best point of a run that has made no progress lately: its lowest
/// loss is at least `STUCK_STEPS` steps and a quarter of the run old (a run still descending
/// reaches a new low at nearly every step).
fn stuck_since(run: &Run) -> Option<(u64, f64)> {
    let (step, loss) = run.monitor().best_loss()?;
    let idle = run.step().saturating_sub(step);
    (idle >= STUCK_STEPS && idle >= run.step() / STUCK_SHARE).then_some((step, loss))
}

/// True for SGD without momentum (none set and none imposed by the schedule): the method whose
/// stability limit on a quadratic is the learning rate 2/L.
fn plain_gradient_descent(run: &Run) -> bool {
    let scheduled = run.schedule().momentum(run.step()).unwrap_or(0.0);
    matches!(run.optimizer(), crate::optim::Optimizer::Sgd(sgd) if sgd.settings.momentum == 0.0 && scheduled == 0.0)
}

/// One sentence on why and what to try.
fn advice_words(run: &Run, problem: &Problem, verdict: &Verdict) -> String {
    let model = matches!(problem, Problem::Model(_));
    let end = &verdict.end;
    match (verdict.mark, verdict.status) {
        (Mark::LocalMinimum, _) => "Every convergence test is local and cannot see a lower minimum elsewhere: start from another point, or try more momentum or a larger step to carry the run over the ridges.".to_string(),
        (Mark::Success, _) => match end.kind {
            EndKind::Minimum if verdict.l2 != 0.0 => "The L2 penalty (coupled weight_decay) pulls the minimum toward the origin; set weight_decay to 0 to minimise f itself.".to_string(),
            _ => String::new(),
        },
        (Mark::Caution, Status::Converged { .. }) if model => match (nothing_learned(run, problem), overfit_ratio(run)) {
            (Some((train, baseline)), _) => format!(
                "Its training loss {} is about that of predicting the same output for every example ({}, the best a model can do without looking at its inputs): it learned nothing, and the test fired on a flat region, not at a useful fit. Units saturated or silenced by too large a learning rate leave such plateaus: lower the learning rate, or change the seed or the initialisation.",
                short(train),
                short(baseline)
            ),
            (None, Some(ratio)) => format!(
                "It converged on the training data, but its validation loss is {}× its training loss: it overfits; try L2, early stopping or a smaller model.",
                short(ratio)
            ),
            (None, None) => String::new(),
        },
        (Mark::Caution, Status::Converged { criterion, .. }) => caution_advice(run, problem, criterion, end),
        (Mark::Stopped, Status::Stalled { .. }) => {
            "The updates are too small to move the parameters: try a larger learning rate.".to_string()
        }
        (Mark::Stopped, _) if matches!(problem, Problem::Model(m) if m.is_stochastic()) => {
            "With minibatches (or dropout) each step's gradient is noisy and never vanishes on noisy data, so a gradient test may never fire: use the full batch, decay the learning rate, or stop on the validation loss (early stopping); if the losses are still falling, allow more steps.".to_string()
        }
        (Mark::Stopped, _) if model => {
            "If the losses are still falling, allow more steps; the training vs validation chart shows whether they are.".to_string()
        }
        (Mark::Stopped, _) if end.kind.is_minimum() => {
            "It is close to a minimum, but no test fired yet: allow more steps or loosen the tolerances.".to_string()
        }
        (Mark::Stopped, _) if verdict.decoupled_decay != 0.0 => format!(
            "Decoupled weight decay (λ = {}) shrinks the weights by lr·λ·w every step, so the run hovers where the decay balances its step instead of settling at a minimum of f: lower weight_decay.",
            short(verdict.decoupled_decay)
        ),
        (Mark::Stopped, _) => match stuck_since(run).filter(|_| end.kind == EndKind::Slope) {
            Some((best_step, best_loss)) => format!(
                "Its loss has not gone below the {} of step {} in the last {} steps, although the gradient is not small: the steps overshoot, bouncing across the minimum (or a valley) instead of settling, and more steps will not help. Try a smaller or decaying learning rate.",
                short(best_loss),
                best_step,
                run.step() - best_step
            ),
            None => "Allow more steps, or try a larger learning rate or momentum.".to_string(),
        },
        (Mark::Diverged, Status::Diverged { reason: Divergence::UnboundedBelow, .. }) => {
            "This function has no minimum in that direction, so no learning rate can make it converge.".to_string()
        }
        (Mark::Diverged, Status::Diverged { reason, at_step: 0 }) if undefined_at_start(reason) => match problem {
            Problem::Model(_) => "No learning rate can help before the first step: check the data for values too large for the model, or its initialisation.".to_string(),
            _ => "No learning rate can help before the first step: start where f and its gradient are finite (drag the start point, or change x0).".to_string(),
        },
        (Mark::Diverged, _) => "Try a smaller learning rate (or more damping).".to_string(),
        _ => String::new(),
    }
}

/// The mark of `run` in one or two words. A model's caution is about what it learned (nothing,
/// or the training data too well), not about where it ended, so its word does not speak of
/// minima.
pub(crate) fn mark_word(mark: Mark, run: &Run, problem: &Problem) -> &'static str {
    match mark {
        Mark::Running if run.step() == 0 => "not started",
        Mark::Running => "running",
        Mark::Success => "converged",
        Mark::LocalMinimum => "local minimum",
        Mark::Caution if nothing_learned(run, problem).is_some() => "learned nothing",
        Mark::Caution if overfit_ratio(run).is_some() => "overfits",
        Mark::Caution => "not at a minimum",
        Mark::EarlyStopped => "early-stopped",
        Mark::Stopped => "stopped",
        Mark::Diverged => "diverged",
    }
}

/// The report of one run.
pub fn describe(run: &Run, problem: &Problem) -> RunReport {
    let verdict = judge(run, problem);
    let ended = ended_words(run, problem, verdict.status);
    let place = if verdict.mark == Mark::Running { String::new() } else { place_words(run, problem, &verdict) };
    let advice = advice_words(run, problem, &verdict);
    let mut text = ended.clone();
    if !place.is_empty() {
        text.push_str(", ");
        text.push_str(&place);
    }
    if !advice.is_empty() {
        text.push_str(". ");
        text.push_str(&advice);
    }
    RunReport {
        label: run.label().to_string(),
        state: crate::run::snapshot::StatusView::from(verdict.status).state,
        mark: verdict.mark,
        word: mark_word(verdict.mark, run, problem),
        text,
        ended,
        place,
        advice,
        end: verdict.end.kind,
        hessian_eigenvalues: verdict.end.eigenvalues,
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers_read_well() {
        assert_eq!(short(0.123456), "0.1235");
        assert_eq!(short(1001.6006), "1002");
        assert_eq!(short(-2.5), "-2.5");
        assert_eq!(short(1e-8), "1e-8");
        assert_eq!(short(2.501311281038423e-6), "2.501e-6");
        assert_eq!(short(123456.0), "1.235e5");
        assert_eq!(short(0.0), "0");
    }
}
