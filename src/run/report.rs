//! Run reports in words: what happened to each run, where it ended and what to change.
//!
//! The end point of a 2-D run is classified from the Hessian eigenvalues there (closed form
//! for a symmetric 2x2 matrix: `(tr/2) ± sqrt((tr/2)^2 - det)`): both positive is a minimum,
//! which is global or local according to the known minima of the landscape (or "not in the
//! known list"); mixed signs is a saddle point; both negative a maximum.

use serde::Serialize;

use crate::problem::{MinimumKind, Problem};
use crate::run::monitor::{Criterion, Divergence, Status};
use crate::run::Run;

/// What kind of point a run ended at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    GlobalMinimum,
    LocalMinimum,
    Minimum,
    Saddle,
    Maximum,
    /// The gradient is not small: a slope, not a stationary point.
    Slope,
    Unknown,
}

/// One run in words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub label: String,
    pub state: &'static str,
    /// The status line, e.g. "converged at step 412: ||Δw|| < 1e-10 for 10 steps, at a global minimum".
    pub text: String,
    pub end_kind: EndKind,
    pub hessian_eigenvalues: Option<[f64; 2]>,
}

impl crate::json::InfallibleJson for RunReport {}

/// Eigenvalues of the 2x2 Hessian at `w`, smallest first (None for other dimensions).
pub fn hessian_eigenvalues(problem: &Problem, w: &[f64]) -> Option<[f64; 2]> {
    if problem.dim() != 2 || w.len() != 2 {
        return None;
    }
    let mut h = [0.0; 4];
    problem.hessian(w, &mut h);
    let half_trace = 0.5 * (h[0] + h[3]);
    let det = h[0] * h[3] - h[1] * h[2];
    let root = (half_trace * half_trace - det).max(0.0).sqrt();
    let eig = [half_trace - root, half_trace + root];
    eig.iter().all(|e| e.is_finite()).then_some(eig)
}

/// Classifies the point `w` of a 2-D landscape.
pub fn classify(problem: &Problem, w: &[f64]) -> (EndKind, Option<[f64; 2]>) {
    let Some(eig) = hessian_eigenvalues(problem, w) else {
        return (EndKind::Unknown, None);
    };
    let mut grad = vec![0.0; w.len()];
    let loss = problem.loss_grad(w, &mut grad);
    if crate::math::norm2(&grad) > 1e-3 * (1.0 + loss.abs()) {
        return (EndKind::Slope, Some(eig));
    }
    let scale = eig[1].abs().max(eig[0].abs()).max(1e-12);
    let tiny = 1e-9 * scale;
    let kind = if eig[0] > tiny {
        let near = problem.known_minima().into_iter().find(|m| {
            let dx = m.x[0] - w[0];
            let dy = m.x[1] - w[1];
            (dx * dx + dy * dy).sqrt() <= 1e-3 * (1.0 + m.x[0].abs().max(m.x[1].abs()))
        });
        match near.map(|m| m.kind) {
            Some(MinimumKind::Global) => EndKind::GlobalMinimum,
            Some(MinimumKind::Local) => EndKind::LocalMinimum,
            None => EndKind::Minimum,
        }
    } else if eig[1] < -tiny {
        EndKind::Maximum
    } else if eig[0] < -tiny && eig[1] > tiny {
        EndKind::Saddle
    } else {
        EndKind::Unknown
    };
    (kind, Some(eig))
}

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

fn criterion_words(run: &Run, criterion: Criterion) -> String {
    let stop = run.monitor().config();
    match criterion {
        Criterion::LossPlateau => stop.loss_plateau.as_ref().map_or("loss plateau".into(), |c| {
            let how = match c.mode {
                crate::run::monitor::ChangeMode::Rel => "relative loss change",
                crate::run::monitor::ChangeMode::Abs => "loss change",
            };
            format!("{how} < {} for {} steps", short(c.tol), c.patience)
        }),
        Criterion::ParamChange => stop
            .param_change
            .as_ref()
            .map_or("parameter change".into(), |c| format!("||Δw|| < {} for {} steps", short(c.tol), c.patience)),
        Criterion::GradNorm => {
            stop.grad_norm.as_ref().map_or("gradient norm".into(), |c| format!("||∇f|| < {}", short(c.tol)))
        }
        Criterion::TargetLoss => {
            stop.target_loss.as_ref().map_or("target loss".into(), |c| format!("loss <= {}", short(c.value)))
        }
        Criterion::EarlyStopping => {
            let patience = stop.early_stopping.as_ref().map_or(0, |c| c.patience);
            let best = run
                .monitor()
                .best_validation()
                .map_or(String::new(), |(step, loss)| format!("; best validation loss {} at step {step}", short(loss)));
            format!("early stopping: validation loss did not improve for {patience} evaluations{best}")
        }
    }
}

fn end_words(kind: EndKind, eig: Option<[f64; 2]>) -> String {
    let eig_text = eig.map(|e| format!(" (Hessian eigenvalues {}, {})", short(e[0]), short(e[1]))).unwrap_or_default();
    let place = match kind {
        EndKind::GlobalMinimum => "at a global minimum",
        EndKind::LocalMinimum => "at a local minimum, not the global one",
        EndKind::Minimum => "at a minimum",
        EndKind::Saddle => "at a saddle point",
        EndKind::Maximum => "at a maximum",
        EndKind::Slope => return ", on a slope: not at a minimum yet".to_string(),
        EndKind::Unknown => return String::new(),
    };
    format!(", {place}{eig_text}")
}

fn divergence_words(reason: Divergence) -> &'static str {
    match reason {
        Divergence::NonfiniteLoss => "loss became inf or NaN - try a smaller learning rate",
        Divergence::NonfiniteGradient => "the gradient became inf or NaN - try a smaller learning rate",
        Divergence::NonfiniteParams => "the parameters became inf or NaN - try a smaller learning rate",
        Divergence::LossExploded => "loss grew a million-fold - try a smaller learning rate or more damping",
        Divergence::UnboundedBelow => {
            "loss fell a million-fold below its start: this function has no minimum in that direction"
        }
    }
}

/// The report of one run.
pub fn describe(run: &Run, problem: &Problem) -> RunReport {
    let (kind, eig) = classify(problem, run.params());
    let (state, text) = match run.status() {
        Status::Running => {
            ("running", format!("still running: step {}, loss {}", run.step(), short(run.objective(problem))))
        }
        Status::Converged { criterion, at_step } => (
            "converged",
            format!("converged at step {at_step}: {}{}", criterion_words(run, criterion), end_words(kind, eig)),
        ),
        Status::Diverged { reason, at_step } => {
            ("diverged", format!("diverged at step {at_step}: {}", divergence_words(reason)))
        }
        Status::Stopped { at_step } => {
            let hint = match kind {
                EndKind::GlobalMinimum | EndKind::LocalMinimum | EndKind::Minimum => {
                    "; close to a minimum but not converged by the criteria - loosen the tolerances or allow more steps"
                }
                _ => "; not converged - try a larger learning rate, momentum, or more steps",
            };
            ("stopped", format!("stopped at max_steps = {at_step}{}{hint}", end_words(kind, eig)))
        }
        Status::Stalled { criterion, at_step } => (
            "stopped",
            format!(
                "stalled at step {at_step}: {} while the parameters never left the start point - the updates are too small to move them; try a larger learning rate",
                criterion_words(run, criterion)
            ),
        ),
    };
    let relevant = !matches!(run.status(), Status::Running | Status::Diverged { .. });
    RunReport {
        label: run.label().to_string(),
        state,
        text,
        end_kind: if relevant { kind } else { EndKind::Unknown },
        hessian_eigenvalues: if relevant { eig } else { None },
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
