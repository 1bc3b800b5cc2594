//! Known minima and default view boxes of the 2-D test functions.
//!
//! At the default parameters the minima come from the embedded table `minima_table.rs`,
//! generated from `tests/reference/minima.json` (literature values from Wikipedia's "Test
//! functions for optimization" and the Surjanovic & Bingham Virtual Library, refined by Newton's
//! method in float64). For other parameters they are found again: Newton's method on
//! grad f = 0, with the exact Hessian, starts from every table point (and from the closed forms
//! (0, 0) for the quadratic bowl and (a, a^2) for Rosenbrock). A point is kept when
//! |grad f| < 1e-9 and the Hessian is positive definite; points closer than 1e-6 are merged.
//! The lowest f is global, and so is every f within 1e-9 (relative, at least absolute) of it;
//! the others are local.
//!
//! The eigenvalues of a symmetric 2 x 2 matrix [[p, q], [q, r]] are
//! m -/+ sqrt(((p - r)/2)^2 + q^2) with m = (p + r)/2 (closed form).

use serde::Serialize;

use super::landscapes::Landscape;
use super::minima_table as table;
use crate::config::validate::{join, Validator};
use crate::math::sqrt;

/// Largest magnitude of a view box coordinate. Every problem's own box lies within +-10, so a
/// view may zoom out 100,000-fold from the widest of them; the landscapes stay finite there
/// (the steepest, Goldstein-Price, is a polynomial of degree 8: about 1e54 at 1e6).
pub const MAX_VIEW_COORDINATE: f64 = 1e6;
/// Smallest width and height of a view box. At the largest coordinate, 1e6, neighbouring f64
/// values are about 1.2e-10 apart, so even there a box this narrow still spans about 8,600
/// distinct values: more than the pixels of any canvas, so that no two pixel columns map to the
/// same coordinate and the mapping from pixels to coordinates never divides by zero.
pub const MIN_VIEW_SPAN: f64 = 1e-6;

/// A rectangular plotting domain: x in [x[0], x[1]], y in [y[0], y[1]].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewBox {
    /// Range of the first parameter.
    pub x: [f64; 2],
    /// Range of the second parameter.
    pub y: [f64; 2],
}

impl ViewBox {
    /// Checks each range: finite ends within +-`MAX_VIEW_COORDINATE`, at least `MIN_VIEW_SPAN`
    /// apart, in increasing order; problems are recorded under `path.x` and `path.y`.
    pub fn validate(&self, path: &str, v: &mut Validator) {
        for (axis, [lo, hi]) in [("x", self.x), ("y", self.y)] {
            let inside = |c: f64| (-MAX_VIEW_COORDINATE..=MAX_VIEW_COORDINATE).contains(&c);
            // `hi - lo` is finite once both ends are inside the bounds.
            let ok = inside(lo) && inside(hi) && hi - lo >= MIN_VIEW_SPAN;
            v.require(
                ok,
                join(path, axis),
                format!(
                    "must satisfy -{MAX_VIEW_COORDINATE} <= {axis}[0] < {axis}[1] <= {MAX_VIEW_COORDINATE} \
                     with {axis}[1] - {axis}[0] >= {MIN_VIEW_SPAN}, got [{lo:?}, {hi:?}]"
                ),
            );
        }
    }
}

/// Whether a minimum is the lowest one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MinimumKind {
    /// The lowest value of f (ties included).
    Global,
    /// A minimum above the lowest value.
    Local,
}

/// A minimum of a 2-D function.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KnownMinimum {
    /// Its location (x, y).
    pub x: [f64; 2],
    /// f at that location.
    pub f: f64,
    /// Global or local.
    pub kind: MinimumKind,
    /// Eigenvalues of the Hessian there, ascending.
    pub hessian_eigenvalues: [f64; 2],
}

/// Newton iterations per start.
const NEWTON_MAX_ITER: usize = 100;
/// A stationary point must have a gradient norm below this.
const GRAD_TOL: f64 = 1e-9;
/// Minima closer than this are the same minimum.
const DEDUP_DIST: f64 = 1e-6;
/// Values within this (relative, at least absolute) of the lowest one are global too.
const GLOBAL_TOL: f64 = 1e-9;
/// A Newton iterate this far from the origin has run away.
const RUNAWAY: f64 = 1e8;

/// The default view box (the standard search domain) and the minima table of `l`'s function
/// at its default parameters.
fn table_for(l: &Landscape) -> (ViewBox, &'static [KnownMinimum]) {
    match l {
        Landscape::Quadratic { .. } => (table::QUADRATIC_BOX, table::QUADRATIC_MINIMA),
        Landscape::Rosenbrock { .. } => (table::ROSENBROCK_BOX, table::ROSENBROCK_MINIMA),
        Landscape::Himmelblau => (table::HIMMELBLAU_BOX, table::HIMMELBLAU_MINIMA),
        Landscape::Rastrigin { .. } => (table::RASTRIGIN_BOX, table::RASTRIGIN_MINIMA),
        Landscape::Beale => (table::BEALE_BOX, table::BEALE_MINIMA),
        Landscape::Booth => (table::BOOTH_BOX, table::BOOTH_MINIMA),
        Landscape::ThreeHumpCamel => (table::THREE_HUMP_CAMEL_BOX, table::THREE_HUMP_CAMEL_MINIMA),
        Landscape::SixHumpCamel => (table::SIX_HUMP_CAMEL_BOX, table::SIX_HUMP_CAMEL_MINIMA),
        Landscape::StyblinskiTang => (table::STYBLINSKI_TANG_BOX, table::STYBLINSKI_TANG_MINIMA),
        Landscape::GoldsteinPrice => (table::GOLDSTEIN_PRICE_BOX, table::GOLDSTEIN_PRICE_MINIMA),
        Landscape::Ackley { .. } => (table::ACKLEY_BOX, table::ACKLEY_MINIMA),
        Landscape::Saddle => (table::SADDLE_BOX, table::SADDLE_MINIMA),
        Landscape::Matyas => (table::MATYAS_BOX, table::MATYAS_MINIMA),
        Landscape::McCormick => (table::MCCORMICK_BOX, table::MCCORMICK_MINIMA),
    }
}

/// The default plotting domain of `l`.
pub(super) fn view_box(l: &Landscape) -> ViewBox {
    table_for(l).0
}

/// Every minimum of `l` (see the module documentation for how it is found).
pub(super) fn known_minima(l: &Landscape) -> Vec<KnownMinimum> {
    let (_, minima) = table_for(l);
    if l.has_default_params() {
        minima.to_vec()
    } else {
        search_minima(l)
    }
}

/// Eigenvalues of the symmetric matrix [[p, q], [q, r]], ascending.
pub(super) fn eigenvalues_2x2(p: f64, q: f64, r: f64) -> [f64; 2] {
    let m = 0.5 * (p + r);
    let half = 0.5 * (p - r);
    let radius = sqrt(half * half + q * q);
    [m - radius, m + radius]
}

/// The Euclidean norm of a 2-vector.
fn norm(v: [f64; 2]) -> f64 {
    sqrt(v[0] * v[0] + v[1] * v[1])
}

/// The Newton starts for `l`: the table points and the closed-form minima.
fn starts(l: &Landscape) -> Vec<[f64; 2]> {
    let (_, minima) = table_for(l);
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(minima.len() + 1);
    match *l {
        Landscape::Quadratic { .. } => out.push([0.0, 0.0]),
        Landscape::Rosenbrock { a, .. } => out.push([a, a * a]),
        _ => {}
    }
    out.extend(minima.iter().map(|m| m.x));
    out
}

/// Newton's method on grad f = 0 from `start`. Returns the iterate with the smallest gradient
/// norm, or `None` when the iteration fails (singular Hessian, non-finite numbers, runaway).
fn newton(l: &Landscape, start: [f64; 2]) -> Option<[f64; 2]> {
    let mut p = start;
    let mut best: Option<([f64; 2], f64)> = None;
    for _ in 0..NEWTON_MAX_ITER {
        let (_, g) = l.value_grad(p[0], p[1]);
        let gn = norm(g);
        if !gn.is_finite() {
            break;
        }
        if best.is_none_or(|(_, b)| gn < b) {
            best = Some((p, gn));
        }
        if gn == 0.0 {
            break;
        }
        let [hxx, hxy, _, hyy] = l.hessian(p[0], p[1]);
        let det = hxx * hyy - hxy * hxy;
        if det == 0.0 || !det.is_finite() {
            break;
        }
        // The step solves H d = -g (Cramer's rule).
        let dx = -(hyy * g[0] - hxy * g[1]) / det;
        let dy = -(hxx * g[1] - hxy * g[0]) / det;
        let next = [p[0] + dx, p[1] + dy];
        if !(next[0].is_finite() && next[1].is_finite()) || norm(next) > RUNAWAY {
            break;
        }
        if next == p {
            break;
        }
        p = next;
    }
    best.map(|(point, _)| point)
}

/// True when the origin of Ackley's function is a minimum despite its cone point: the cone
/// -a*exp(-b*r) rises away from the origin exactly when a*b > 0, and for a*b = 0 the function is
/// smooth there and the Hessian decides.
fn ackley_origin_allowed(l: &Landscape, p: [f64; 2]) -> bool {
    match *l {
        Landscape::Ackley { a, b, .. } if p == [0.0, 0.0] => a * b >= 0.0,
        _ => true,
    }
}

/// The minima found by Newton's method from every start, merged and classified.
fn search_minima(l: &Landscape) -> Vec<KnownMinimum> {
    let mut found: Vec<KnownMinimum> = Vec::new();
    for start in starts(l) {
        let Some(p) = newton(l, start) else {
            continue;
        };
        let (f, g) = l.value_grad(p[0], p[1]);
        let [hxx, hxy, _, hyy] = l.hessian(p[0], p[1]);
        let eig = eigenvalues_2x2(hxx, hxy, hyy);
        let stationary = norm(g) < GRAD_TOL && f.is_finite();
        let positive_definite = eig[0] > 0.0 && eig[1].is_finite();
        if !(stationary && positive_definite && ackley_origin_allowed(l, p)) {
            continue;
        }
        let duplicate = found.iter().any(|m| norm([m.x[0] - p[0], m.x[1] - p[1]]) < DEDUP_DIST);
        if !duplicate {
            found.push(KnownMinimum { x: p, f, kind: MinimumKind::Local, hessian_eigenvalues: eig });
        }
    }
    let lowest = found.iter().map(|m| m.f).fold(f64::INFINITY, f64::min);
    let tol = GLOBAL_TOL * lowest.abs().max(1.0);
    for m in &mut found {
        if m.f - lowest <= tol {
            m.kind = MinimumKind::Global;
        }
    }
    crate::math::order::sorted_by_f64(found, |m| m.f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every landscape at its default parameters.
    fn defaults() -> Vec<Landscape> {
        vec![
            Landscape::Quadratic { a: 1.0, b: 10.0 },
            Landscape::Rosenbrock { a: 1.0, b: 100.0 },
            Landscape::Himmelblau,
            Landscape::Rastrigin { a: 10.0 },
            Landscape::Beale,
            Landscape::Booth,
            Landscape::ThreeHumpCamel,
            Landscape::SixHumpCamel,
            Landscape::StyblinskiTang,
            Landscape::GoldsteinPrice,
            Landscape::Ackley { a: 20.0, b: 0.2, c: 2.0 * crate::math::PI },
            Landscape::Saddle,
            Landscape::Matyas,
            Landscape::McCormick,
        ]
    }

    #[test]
    fn search_reproduces_the_table_at_default_parameters() {
        for l in defaults() {
            assert!(l.has_default_params(), "{l:?}");
            let table = table_for(&l).1;
            let found = search_minima(&l);
            assert_eq!(found.len(), table.len(), "{l:?}");
            for t in table {
                let m = found
                    .iter()
                    .find(|m| norm([m.x[0] - t.x[0], m.x[1] - t.x[1]]) < 1e-6)
                    .unwrap_or_else(|| panic!("{l:?}: {t:?} not found"));
                assert_eq!(m.kind, t.kind, "{l:?} {t:?}");
                assert!((m.f - t.f).abs() <= 1e-9 * t.f.abs().max(1.0), "{l:?} {t:?}");
                for k in 0..2 {
                    let (a, b) = (m.hessian_eigenvalues[k], t.hessian_eigenvalues[k]);
                    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{l:?} {t:?} {m:?}");
                }
            }
        }
    }

    #[test]
    fn eigenvalues_of_diagonal_and_coupled_matrices() {
        assert_eq!(eigenvalues_2x2(100.0, 0.0, 1.0), [1.0, 100.0]);
        assert_eq!(eigenvalues_2x2(2.0, 1.0, 2.0), [1.0, 3.0]);
    }

    #[test]
    fn ackley_origin_is_rejected_when_the_cone_points_down() {
        let l = Landscape::Ackley { a: -20.0, b: 0.2, c: 2.0 * crate::math::PI };
        assert!(search_minima(&l).iter().all(|m| m.x != [0.0, 0.0]));
    }
}
