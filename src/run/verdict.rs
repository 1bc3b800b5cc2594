//! The verdict on a run: how it ended (its `Status`), where it is (`EndKind`) and the mark the
//! page shows for the two together. A convergence criterion firing is not the same as reaching
//! a minimum, and a local minimum is not the global one; this module keeps the three apart.
//!
//! Where a 2-D run is comes from the gradient and the Hessian eigenvalues there (closed form
//! for a symmetric 2x2 matrix: `(tr/2) ± sqrt((tr/2)^2 - det)`): a clear gradient
//! (`||∇f|| > 1e-3·(1 + |f|)`) is a slope; at a stationary point both eigenvalues positive is
//! a minimum, global or local according to the landscape's known minima (or "not in the known
//! list"), mixed signs a saddle point, both negative a maximum, and a (numerically) singular
//! Hessian is unknown. A run with coupled weight decay λ (L2 in the gradient) minimises
//! `f + (λ/2)·||w||²`, not f, so its point is classified against that objective: gradient
//! `∇f + λw`, Hessian `H + λI` (its minimum is then not one of f's listed minima). A run that
//! diverged "unbounded below" is `Unbounded`; other divergences and models trained on data
//! (whose Hessian is not computed) are `Unknown`: a model's status gives its losses instead.
//!
//! The mark: only a criterion firing at a minimum is `success`, and at a local minimum that is
//! not the global one `local_minimum` (the run converged, but not to the best point the
//! landscape has; the page marks it apart from success); a criterion firing anywhere else (a
//! saddle, a slope, a singular point) is `caution`. For a model, whose end point is not
//! classified, a criterion on the training loss firing is `success` and early stopping is
//! `early_stopped`, unless the model overfits: a criterion on the training loss says nothing
//! about unseen data, so a model whose last validation loss is more than `OVERFIT_RATIO` times
//! its training loss (and above it by more than `OVERFIT_MIN_GAP`, so that two losses near zero
//! are not called overfitting for their ratio alone) gets `caution` (fit-over: 7.0 against
//! 0.011). So does a model that learned nothing: a training loss above `NOTHING_LEARNED_SHARE`
//! of the best constant prediction's (`TrainingProblem::constant_baseline`, ln 2 for a coin toss
//! between balanced classes) means a gradient test fired on a flat region, not at a useful fit.
//! Running, diverged and stopped (out of steps or stalled) runs have their own marks.

use serde::Serialize;

use crate::problem::{MinimumKind, Problem};
use crate::run::monitor::{Criterion, Divergence, Status};
use crate::run::Run;

/// A model that converged on its training loss overfits when its validation loss is more than
/// this many times its training loss (and `OVERFIT_MIN_GAP` above it). A good fit has the two
/// about equal (fit-good: 0.031 against 0.029; cure-l2: 0.034 against 0.029); twice is a gap
/// no noise of the playground's data explains.
pub const OVERFIT_RATIO: f64 = 2.0;
/// The least gap, validation minus training loss, that counts as overfitting: the playground's
/// losses are on the scale of 0.01 to 1 (a noise variance of 0.04, a coin toss's 0.69), so
/// 0.001 is small beside any of them.
pub const OVERFIT_MIN_GAP: f64 = 1e-3;

/// A model whose last training loss is above this share of the best constant prediction's has
/// learned nothing from its inputs: 0.95 leaves room for the sampling noise of a data set of a
/// few hundred points, while any model that separates the classes at all is far below it (the
/// spiral's networks reach 0.01 against ln 2 = 0.69).
pub const NOTHING_LEARNED_SHARE: f64 = 0.95;

/// The last training loss of a model run and the best constant prediction's loss, when the
/// first is above `NOTHING_LEARNED_SHARE` of the second (the model learned nothing); None for
/// any other run.
pub fn nothing_learned(run: &Run, problem: &Problem) -> Option<(f64, f64)> {
    let Problem::Model(model) = problem else {
        return None;
    };
    let train = run.evaluations().last()?.train_loss;
    let baseline = model.constant_baseline();
    (baseline > 0.0 && train.is_finite() && train > NOTHING_LEARNED_SHARE * baseline).then_some((train, baseline))
}

/// How many times its training loss a model's last validation loss is, when that is an
/// overfitting (see `OVERFIT_RATIO`); None for a model that does not overfit or any other run.
pub fn overfit_ratio(run: &Run) -> Option<f64> {
    let e = run.evaluations().last()?;
    overfits(e.train_loss, e.validation_loss).then(|| e.validation_loss / e.train_loss.max(f64::MIN_POSITIVE))
}

/// True when a validation loss is an overfitting beside its training loss: more than
/// `OVERFIT_RATIO` times it and more than `OVERFIT_MIN_GAP` above it.
pub fn overfits(train_loss: f64, validation_loss: f64) -> bool {
    validation_loss > OVERFIT_RATIO * train_loss
        && validation_loss - train_loss > OVERFIT_MIN_GAP
        && train_loss.is_finite()
}

/// What kind of point a run ended at (the snapshot's `end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    GlobalMinimum,
    LocalMinimum,
    /// A minimum that is not in the landscape's known list (or of a regularised objective).
    Minimum,
    Saddle,
    Maximum,
    /// The gradient is not small: a slope, not a stationary point.
    Slope,
    /// The gradient is nearly zero and the curvature positive, but f is lower a little way
    /// along the flattest direction (as x³ near 0): a shoulder, not a minimum.
    Shoulder,
    /// The loss fell without bound: there is no minimum in that direction.
    Unbounded,
    Unknown,
}

impl EndKind {
    /// True for the three kinds of minimum.
    pub fn is_minimum(self) -> bool {
        matches!(self, EndKind::GlobalMinimum | EndKind::LocalMinimum | EndKind::Minimum)
    }
}

/// The mark of a run's status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Running,
    /// A convergence criterion fired at a minimum (or, for a model, on the training loss
    /// without overfitting).
    Success,
    /// A convergence criterion fired at a known local minimum that is not the global one.
    LocalMinimum,
    /// A convergence criterion fired away from a minimum, or a model converged on its training
    /// loss while it overfits.
    Caution,
    /// Early stopping on the validation loss ended the run.
    EarlyStopped,
    /// Out of steps, or stalled at the start point.
    Stopped,
    Diverged,
}

/// Where a point is and the numbers that say so.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EndPoint {
    pub kind: EndKind,
    /// Eigenvalues of the (regularised) Hessian, smallest first.
    pub eigenvalues: Option<[f64; 2]>,
    /// `||∇f||` of the (regularised) objective there.
    pub grad_norm: f64,
    /// For a local minimum: f there minus the lowest known minimum.
    pub above_global: Option<f64>,
}

/// A run's verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub end: EndPoint,
    pub mark: Mark,
    /// Coupled weight decay λ: the end point is classified on `f + (λ/2)·||w||²`.
    pub l2: f64,
    /// Decoupled weight decay (AdamW, Lion).
    pub decoupled_decay: f64,
}

/// Eigenvalues of the 2x2 Hessian at `w`, smallest first (None for other dimensions).
pub fn hessian_eigenvalues(problem: &Problem, w: &[f64]) -> Option<[f64; 2]> {
    regularised_eigenvalues(problem, w, 0.0)
}

fn regularised_eigenvalues(problem: &Problem, w: &[f64], l2: f64) -> Option<[f64; 2]> {
    regularised_hessian(problem, w, l2).map(|(eig, _)| eig)
}

/// The eigenvalues (smallest first) and the entries (row-major) of the Hessian of
/// `f + (l2/2)·||w||²` at `w`, for a 2-D landscape.
fn regularised_hessian(problem: &Problem, w: &[f64], l2: f64) -> Option<([f64; 2], [f64; 4])> {
    if problem.dim() != 2 || w.len() != 2 || matches!(problem, Problem::Model(_)) {
        return None;
    }
    let mut h = [0.0; 4];
    problem.hessian(w, &mut h);
    h[0] += l2;
    h[3] += l2;
    let half_trace = 0.5 * (h[0] + h[3]);
    let det = h[0] * h[3] - h[1] * h[2];
    let root = (half_trace * half_trace - det).max(0.0).sqrt();
    let eig = [half_trace - root, half_trace + root];
    eig.iter().all(|e| e.is_finite()).then_some((eig, h))
}

/// Where Newton's method puts the stationary point near `w`: `w - H⁻¹ ∇f` (H positive
/// definite, so invertible).
fn newton_point(h: [f64; 4], grad: &[f64], w: &[f64]) -> [f64; 2] {
    let det = h[0] * h[3] - h[1] * h[2];
    let step = [(h[3] * grad[0] - h[1] * grad[1]) / det, (h[0] * grad[1] - h[2] * grad[0]) / det];
    [w[0] - step[0], w[1] - step[1]]
}

/// The unit eigenvector of the symmetric 2x2 matrix `h` for its eigenvalue `lambda`.
pub(crate) fn eigenvector(h: [f64; 4], lambda: f64) -> [f64; 2] {
    let (p, q, r) = (h[0], 0.5 * (h[1] + h[2]), h[3]);
    let candidates = [[q, lambda - p], [lambda - r, q]];
    let v = if crate::math::norm2(&candidates[0]) >= crate::math::norm2(&candidates[1]) {
        candidates[0]
    } else {
        candidates[1]
    };
    let n = crate::math::norm2(&v);
    if n > 0.0 {
        [v[0] / n, v[1] / n]
    } else if p <= r {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    }
}

/// Whether f (plus the l2 term) is lower than at `w` a little way either side along the
/// Hessian's flattest direction: past the Newton step ten times over (at least 1e-3 of w's
/// scale), where a minimum's quadratic bowl has risen again, and by more than rounding.
fn lower_nearby(
    problem: &Problem,
    w: &[f64],
    l2: f64,
    loss: f64,
    h: [f64; 4],
    smallest: f64,
    newton: [f64; 2],
) -> bool {
    let v = eigenvector(h, smallest);
    let step = (newton[0] - w[0]).hypot(newton[1] - w[1]);
    let t = (10.0 * step).max(1e-3 * (1.0 + w[0].abs().max(w[1].abs())));
    let objective = |x: [f64; 2]| problem.loss(&x) + 0.5 * l2 * (x[0] * x[0] + x[1] * x[1]);
    let noise = 1e-12 * (1.0 + loss.abs());
    [-t, t].iter().any(|s| objective([w[0] + s * v[0], w[1] + s * v[1]]) < loss - noise)
}

/// Classifies the point `w` of a 2-D landscape.
pub fn classify(problem: &Problem, w: &[f64]) -> (EndKind, Option<[f64; 2]>) {
    let end = classify_point(problem, w, 0.0);
    (end.kind, end.eigenvalues)
}

/// Classifies the point `w` as a point of `f + (l2/2)·||w||²`.
pub fn classify_point(problem: &Problem, w: &[f64], l2: f64) -> EndPoint {
    let unknown = EndPoint { kind: EndKind::Unknown, eigenvalues: None, grad_norm: f64::NAN, above_global: None };
    let Some((eig, hessian)) = regularised_hessian(problem, w, l2) else {
        return unknown;
    };
    let mut grad = vec![0.0; w.len()];
    let mut loss = problem.loss_grad(w, &mut grad);
    if l2 != 0.0 {
        for (g, x) in grad.iter_mut().zip(w) {
            *g += l2 * x;
        }
        loss += 0.5 * l2 * w.iter().map(|x| x * x).sum::<f64>();
    }
    let grad_norm = crate::math::norm2(&grad);
    let at = |kind| EndPoint { kind, eigenvalues: Some(eig), grad_norm, above_global: None };
    if grad_norm > 1e-3 * (1.0 + loss.abs()) {
        return at(EndKind::Slope);
    }
    let scale = eig[1].abs().max(eig[0].abs()).max(1e-12);
    let tiny = 1e-9 * scale;
    if eig[0] > tiny {
        let newton = newton_point(hessian, &grad, w);
        if lower_nearby(problem, w, l2, loss, hessian, eig[0], newton) {
            return at(EndKind::Shoulder);
        }
        if l2 != 0.0 {
            return at(EndKind::Minimum);
        }
        // The known minimum the run is at, or the one its Newton step points to (a run that
        // stopped in a long flat valley may be far from the minimum in w, not in the model).
        let minima = problem.known_minima();
        let near = minima.iter().find(|m| {
            let tolerance = 1e-3 * (1.0 + m.x[0].abs().max(m.x[1].abs()));
            [[w[0], w[1]], newton].iter().any(|p| (m.x[0] - p[0]).hypot(m.x[1] - p[1]) <= tolerance)
        });
        return match near.map(|m| m.kind) {
            Some(MinimumKind::Global) => at(EndKind::GlobalMinimum),
            Some(MinimumKind::Local) => {
                let lowest = minima.iter().map(|m| m.f).fold(f64::INFINITY, f64::min);
                EndPoint { above_global: Some(loss - lowest), ..at(EndKind::LocalMinimum) }
            }
            None => at(EndKind::Minimum),
        };
    }
    if eig[1] < -tiny {
        at(EndKind::Maximum)
    } else if eig[0] < -tiny && eig[1] > tiny {
        at(EndKind::Saddle)
    } else {
        at(EndKind::Unknown)
    }
}

/// The verdict on `run`, a run of `problem`.
pub fn judge(run: &Run, problem: &Problem) -> Verdict {
    let status = run.status();
    let (l2, decoupled_decay) = run.weight_decay();
    let end = match status {
        Status::Diverged { reason: Divergence::UnboundedBelow, .. } => {
            EndPoint { kind: EndKind::Unbounded, eigenvalues: None, grad_norm: f64::NAN, above_global: None }
        }
        Status::Diverged { .. } => {
            EndPoint { kind: EndKind::Unknown, eigenvalues: None, grad_norm: f64::NAN, above_global: None }
        }
        _ => classify_point(problem, run.params(), l2),
    };
    let model = matches!(problem, Problem::Model(_));
    let mark = match status {
        Status::Running => Mark::Running,
        Status::Diverged { .. } => Mark::Diverged,
        Status::Stopped { .. } | Status::Stalled { .. } => Mark::Stopped,
        Status::Converged { criterion: Criterion::EarlyStopping, .. } => Mark::EarlyStopped,
        Status::Converged { .. } if model && nothing_learned(run, problem).is_some() => Mark::Caution,
        Status::Converged { .. } if model && overfit_ratio(run).is_some() => Mark::Caution,
        Status::Converged { .. } if end.kind == EndKind::LocalMinimum => Mark::LocalMinimum,
        Status::Converged { .. } if end.kind.is_minimum() || model => Mark::Success,
        Status::Converged { .. } => Mark::Caution,
    };
    Verdict { status, end, mark, l2, decoupled_decay }
}
