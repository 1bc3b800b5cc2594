//! Critical points of a 2-D landscape: classify any point from the eigenvalues of its Hessian,
//! name the known minimum whose basin it lies in, and find every critical point in a view.
//!
//! - Classification: the eigenvalues l1 <= l2 of the symmetric 2x2 Hessian (closed form,
//!   `run::report::hessian_eigenvalues`) give the local shape: both above the tolerance a
//!   minimum, both below its negative a maximum, opposite signs a saddle, otherwise degenerate
//!   (the tolerance is `EIGEN_TOL` times the larger magnitude, and at least `EIGEN_TOL`). A point is critical when its
//!   gradient norm is below `GRAD_TOL * (1 + |f|)`.
//! - Basin: the gradient flow dw/dt = -grad f is followed from the point by gradient descent
//!   with Armijo backtracking (Nocedal and Wright, "Numerical Optimization", 2nd ed., 2006,
//!   Algorithm 3.1, c = 1e-4), each step no longer than `FLOW_STEP_SHARE` of the view's diagonal
//!   so that it does not jump across a basin; the known minimum within `MATCH_SHARE` of the
//!   diagonal of where it stops names the basin.
//! - Every critical point in view: Newton's method on grad f = 0 (w <- w - H^-1 grad f, which
//!   converges to minima, maxima and saddles alike) from an n x n grid of seeds at the cells'
//!   centres; a point is kept when it converged inside the view, and merged with one already
//!   found closer than `MERGE_SHARE` of the diagonal. The search advances a few seeds at a time
//!   (`advance(budget)`), so the page can run it between frames.

use serde::Serialize;

use crate::config::validate::{ValidationErrors, Validator};
use crate::math::{norm2, sqrt};
use crate::problem::{Problem, ViewBox};
use crate::run::report::hessian_eigenvalues;

/// A point's gradient counts as zero below this, relative to 1 + |f|.
const GRAD_TOL: f64 = 1e-7;
/// Eigenvalues below this share of the larger magnitude, or of 1 when that is smaller, count as
/// zero (an absolute floor: at a monkey saddle both eigenvalues vanish together).
const EIGEN_TOL: f64 = 1e-7;
/// Longest gradient-flow step, as a share of the view's diagonal.
const FLOW_STEP_SHARE: f64 = 0.01;
/// Most gradient-flow steps from a clicked point.
const FLOW_MAX_STEPS: usize = 20_000;
/// A flow's end names a known minimum within this share of the view's diagonal.
const MATCH_SHARE: f64 = 1e-3;
/// Newton iterations per seed: enough for the linear rate 2/3 of a quartic's degenerate point
/// to get from the view's scale to 1e-17 of it.
const NEWTON_MAX_STEPS: usize = 100;
/// A Newton step this short, relative to 1 + |w|, ends the iteration.
const NEWTON_STEP_TOL: f64 = 1e-14;
/// Critical points closer than this share of the view's diagonal are one point.
const MERGE_SHARE: f64 = 1e-6;
/// Most seeds per side of the grid.
pub const MAX_SEEDS_PER_SIDE: usize = 64;

/// The local shape of f from its Hessian's eigenvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    Minimum,
    Maximum,
    Saddle,
    /// An eigenvalue is (nearly) zero, or the Hessian is not finite.
    Degenerate,
}

/// What a click on the landscape learns about a point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointReport {
    pub x: [f64; 2],
    pub value: f64,
    pub gradient_norm: f64,
    /// True when the gradient is (nearly) zero: then `kind` is what the point is; otherwise
    /// `kind` is only the shape of f around it (a slope curving like a minimum, ...).
    pub critical: bool,
    pub kind: PointKind,
    pub eigenvalues: [f64; 2],
    /// Where the gradient flow from the point stops (None when it left the finite values).
    pub flows_to: Option<[f64; 2]>,
    /// The index in `Problem::known_minima()` of the minimum whose basin holds the point.
    pub basin: Option<usize>,
}

impl crate::json::InfallibleJson for PointReport {}

/// A critical point found in the view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CriticalPoint {
    pub x: [f64; 2],
    pub value: f64,
    pub kind: PointKind,
    pub eigenvalues: [f64; 2],
}

impl crate::json::InfallibleJson for CriticalPoint {}

/// The kind of point from the Hessian's eigenvalues, ascending.
pub fn kind_of(eigenvalues: [f64; 2]) -> PointKind {
    let [low, high] = eigenvalues;
    if !(low.is_finite() && high.is_finite()) {
        return PointKind::Degenerate;
    }
    let tiny = EIGEN_TOL * low.abs().max(high.abs()).max(1.0);
    if low > tiny {
        PointKind::Minimum
    } else if high < -tiny {
        PointKind::Maximum
    } else if low < -tiny && high > tiny {
        PointKind::Saddle
    } else {
        PointKind::Degenerate
    }
}

fn diagonal(view: &ViewBox) -> f64 {
    let (dx, dy) = (view.x[1] - view.x[0], view.y[1] - view.y[0]);
    sqrt(dx * dx + dy * dy)
}

/// f and its gradient at a 2-D point.
fn value_grad(problem: &Problem, w: [f64; 2]) -> (f64, [f64; 2]) {
    let mut g = [0.0; 2];
    let f = problem.loss_grad(&w, &mut g);
    (f, g)
}

/// Follows the gradient flow from `start` (see the module header) and returns where it stops.
fn flow(problem: &Problem, start: [f64; 2], view: &ViewBox) -> Option<[f64; 2]> {
    let longest = FLOW_STEP_SHARE * diagonal(view);
    let mut w = start;
    let (mut f, mut g) = value_grad(problem, w);
    let mut t: f64 = 1.0;
    for _ in 0..FLOW_MAX_STEPS {
        let norm = norm2(&g);
        if !(f.is_finite() && norm.is_finite()) {
            return None;
        }
        if norm <= GRAD_TOL * (1.0 + f.abs()) {
            break;
        }
        t = (2.0 * t).min(longest / norm);
        let mut moved = false;
        // Armijo backtracking: halve t until f falls by at least c * t * |g|^2.
        for _ in 0..60 {
            let next = [w[0] - t * g[0], w[1] - t * g[1]];
            let (f_next, g_next) = value_grad(problem, next);
            if f_next <= f - 1e-4 * t * norm * norm {
                (w, f, g, moved) = (next, f_next, g_next, true);
                break;
            }
            t *= 0.5;
        }
        if !moved {
            break;
        }
    }
    Some(w)
}

/// The index of the known minimum within `MATCH_SHARE` of the diagonal of `w`.
fn basin_of(problem: &Problem, w: [f64; 2], view: &ViewBox) -> Option<usize> {
    let reach = MATCH_SHARE * diagonal(view);
    problem.known_minima().iter().position(|m| {
        let (dx, dy) = (m.x[0] - w[0], m.x[1] - w[1]);
        sqrt(dx * dx + dy * dy) <= reach
    })
}

/// Classifies the point `x` of a 2-D problem and names its basin (`None` for other problems).
pub fn classify_point(problem: &Problem, x: [f64; 2], view: &ViewBox) -> Option<PointReport> {
    if problem.dim() != 2 {
        return None;
    }
    let eigenvalues = hessian_eigenvalues(problem, &x).unwrap_or([f64::NAN; 2]);
    let (value, g) = value_grad(problem, x);
    let gradient_norm = norm2(&g);
    let flows_to = flow(problem, x, view);
    Some(PointReport {
        x,
        value,
        gradient_norm,
        critical: gradient_norm <= GRAD_TOL * (1.0 + value.abs()),
        kind: kind_of(eigenvalues),
        eigenvalues,
        flows_to,
        basin: flows_to.and_then(|w| basin_of(problem, w, view)),
    })
}

/// Newton's method on grad f = 0 from `seed`; the point where it converged, if it did. It stops
/// when a step is negligible against the point (so that the linear convergence at a degenerate
/// point runs its course too) and accepts the point when the gradient is (nearly) zero there.
fn newton(problem: &Problem, seed: [f64; 2]) -> Option<[f64; 2]> {
    let mut w = seed;
    let mut h = [0.0; 4];
    for _ in 0..NEWTON_MAX_STEPS {
        let (f, g) = value_grad(problem, w);
        if !f.is_finite() || g == [0.0; 2] {
            break;
        }
        problem.hessian(&w, &mut h);
        let det = h[0] * h[3] - h[1] * h[2];
        if det == 0.0 || !det.is_finite() {
            break;
        }
        // The step solves H d = -g by Cramer's rule.
        let d = [(-g[0] * h[3] + g[1] * h[1]) / det, (g[0] * h[2] - g[1] * h[0]) / det];
        w = [w[0] + d[0], w[1] + d[1]];
        if norm2(&d) <= NEWTON_STEP_TOL * (1.0 + norm2(&w)) {
            break;
        }
    }
    let (f, g) = value_grad(problem, w);
    (f.is_finite() && norm2(&g) <= GRAD_TOL * (1.0 + f.abs())).then_some(w)
}

/// The seeds per side of the grid when a config gives none.
pub const DEFAULT_SEEDS_PER_SIDE: usize = 20;

/// Checks a search's settings for a problem of `dim` parameters.
pub fn check(dim: usize, side: usize, v: &mut Validator) {
    v.require(dim == 2, "problem", "critical points need a 2-D landscape");
    v.require(
        (1..=MAX_SEEDS_PER_SIDE).contains(&side),
        "analysis.critical_points.seeds",
        format!("must be 1 to {MAX_SEEDS_PER_SIDE} seeds per side, got {side}"),
    );
}

/// The search for every critical point in a view, in chunks of seeds.
#[derive(Clone, Debug)]
pub struct CriticalSearch {
    problem: Problem,
    view: ViewBox,
    side: usize,
    next: usize,
    found: Vec<CriticalPoint>,
}

impl CriticalSearch {
    /// A search from `side` x `side` seeds over `view` (the problem must be 2-D).
    pub fn new(problem: &Problem, view: ViewBox, side: usize) -> Result<CriticalSearch, ValidationErrors> {
        let mut v = Validator::new();
        check(problem.dim(), side, &mut v);
        view.validate("view", &mut v);
        v.finish()?;
        Ok(CriticalSearch { problem: problem.clone(), view, side, next: 0, found: Vec::new() })
    }

    /// Runs Newton from at most `budget` more seeds (at least one); true when every seed is done.
    pub fn advance(&mut self, budget: usize) -> bool {
        let total = self.side * self.side;
        let end = self.next.saturating_add(budget.max(1)).min(total);
        let (x, y) = (self.view.x, self.view.y);
        let merge = MERGE_SHARE * diagonal(&self.view);
        let margin = 1e-9 * diagonal(&self.view);
        for k in self.next..end {
            let (i, j) = ((k % self.side) as f64, (k / self.side) as f64);
            let n = self.side as f64;
            let seed = [x[0] + (i + 0.5) / n * (x[1] - x[0]), y[0] + (j + 0.5) / n * (y[1] - y[0])];
            let Some(w) = newton(&self.problem, seed) else {
                continue;
            };
            let inside =
                w[0] >= x[0] - margin && w[0] <= x[1] + margin && w[1] >= y[0] - margin && w[1] <= y[1] + margin;
            let known = self.found.iter().any(|p| {
                let (dx, dy) = (p.x[0] - w[0], p.x[1] - w[1]);
                sqrt(dx * dx + dy * dy) <= merge
            });
            if inside && !known {
                let eigenvalues = hessian_eigenvalues(&self.problem, &w).unwrap_or([f64::NAN; 2]);
                let value = self.problem.loss(&w);
                self.found.push(CriticalPoint { x: w, value, kind: kind_of(eigenvalues), eigenvalues });
            }
        }
        self.next = end;
        self.done()
    }

    /// The share of seeds done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.next as f64 / (self.side * self.side) as f64
    }

    /// True when every seed is done.
    pub fn done(&self) -> bool {
        self.next >= self.side * self.side
    }

    /// The critical points found so far: minima, then saddles, maxima and degenerate points,
    /// each group by increasing value.
    pub fn result(&self) -> Vec<CriticalPoint> {
        let rank = |k: PointKind| match k {
            PointKind::Minimum => 0,
            PointKind::Saddle => 1,
            PointKind::Maximum => 2,
            PointKind::Degenerate => 3,
        };
        crate::math::order::sorted_by(self.found.clone(), |p| (rank(p.kind), p.value))
    }
}
