//! L-BFGS (Nocedal 1980; Liu and Nocedal 1989) exactly as torch.optim.LBFGS runs it, with
//! the optional strong-Wolfe line search (Nocedal and Wright, algorithms 3.5 and 3.6, by way
//! of torch's port of minFunc's lswolfe).
//!
//! One `step` is one `LBFGS.step(closure)`: up to `max_iter` iterations and `max_eval`
//! function evaluations. Direction by the two-loop recursion over the last `history_size`
//! pairs (s, y), skipping a pair when `y.s <= 1e-10`, with `H0 = y.s / y.y`. The first step
//! length ever is `min(1, 1/sum|g|) * lr`, later ones `lr`. The loop stops when
//! `max|g| <= tolerance_grad`, `g.d > -tolerance_change`, `max|t*d| <= tolerance_change` or
//! `|loss - prev_loss| < tolerance_change`.

use std::collections::VecDeque;

use crate::math::copy_into;
use crate::problem::Problem;

/// L-BFGS: its settings and the state kept across steps.
#[derive(Clone, Debug)]
pub struct Lbfgs {
    pub(crate) settings: LbfgsSettings,
    total_iterations: u64,
    evaluations: u64,
    d: Vec<f64>,
    t: f64,
    old_dirs: VecDeque<Vec<f64>>,
    old_stps: VecDeque<Vec<f64>>,
    ro: VecDeque<f64>,
    al: Vec<f64>,
    h_diag: f64,
    prev_flat_grad: Vec<f64>,
    prev_loss: f64,
    /// Reused buffers, so that a step allocates nothing once warm.
    scratch: Scratch,
}

/// Buffers reused from step to step. Every step overwrites them before reading them, so they
/// are not part of the optimizer's state: a reset keeps their allocations, and their `Debug`
/// form (which tests compare to check that a reset restores the state) leaves them out.
#[derive(Clone, Default)]
struct Scratch {
    flat_grad: Vec<f64>,
    q: Vec<f64>,
    x_init: Vec<f64>,
    spare: Vec<Vec<f64>>,
    line: LineSearchScratch,
}

/// The settings of an L-BFGS optimizer, as torch names them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsSettings {
    pub max_iter: u32,
    pub max_eval: u32,
    pub tolerance_grad: f64,
    pub tolerance_change: f64,
    pub history_size: usize,
    pub strong_wolfe: bool,
}

// The vector helpers below are plain index loops: the size-optimised wasm build calls
// iterator adapters and `memory.copy` out of line, which costs more than the arithmetic on the
// short vectors of a landscape.

/// a.b, summed in index order (a and b have the same length).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let mut sum = 0.0;
    for i in 0..n {
        sum += a[i] * b[i];
    }
    sum
}

/// max |a_i * scale| (NaN if any product is NaN).
fn max_abs_scaled(a: &[f64], scale: f64) -> f64 {
    let mut m = 0.0_f64;
    for &v in a {
        let x = (v * scale).abs();
        if x > m || x.is_nan() {
            m = x;
        }
    }
    m
}

/// max |a_i| (NaN if any element is NaN).
fn max_abs(a: &[f64]) -> f64 {
    max_abs_scaled(a, 1.0)
}

/// Makes `dst` a copy of `src`, reusing its allocation.
fn assign(dst: &mut Vec<f64>, src: &[f64]) {
    dst.resize(src.len(), 0.0);
    copy_into(dst, src);
}

/// Makes `dst` the vector scale*a, reusing its allocation.
fn assign_scaled(dst: &mut Vec<f64>, scale: f64, a: &[f64]) {
    dst.resize(a.len(), 0.0);
    let dst = dst.as_mut_slice();
    for i in 0..a.len() {
        dst[i] = scale * a[i];
    }
}

/// Makes `dst` the vector b + scale*a, reusing its allocation.
fn assign_scaled_sum(dst: &mut Vec<f64>, scale: f64, a: &[f64], b: &[f64]) {
    assign(dst, b);
    add_scaled(dst, scale, a);
}

/// y += scale*x, element by element.
fn add_scaled(y: &mut [f64], scale: f64, x: &[f64]) {
    let n = y.len().min(x.len());
    for i in 0..n {
        y[i] += scale * x[i];
    }
}

/// Evaluates f and its gradient at `x + t*d` (`point` is a reused buffer).
fn evaluate_along(problem: &Problem, x: &[f64], t: f64, d: &[f64], point: &mut Vec<f64>, grad: &mut Vec<f64>) -> f64 {
    assign_scaled_sum(point, t, d, x);
    grad.resize(x.len(), 0.0);
    problem.loss_grad(point, grad)
}

impl Lbfgs {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, s: LbfgsSettings) -> Self {
        Lbfgs {
            settings: s,
            total_iterations: 0,
            evaluations: 0,
            d: vec![0.0; dim],
            t: 0.0,
            old_dirs: VecDeque::new(),
            old_stps: VecDeque::new(),
            ro: VecDeque::new(),
            al: vec![0.0; s.history_size],
            h_diag: 1.0,
            prev_flat_grad: vec![0.0; dim],
            prev_loss: 0.0,
            scratch: Scratch::default(),
        }
    }

    /// Takes new settings, keeping the curvature history, the last direction and step length
    /// and the counters. Every setting applies from the next step. A smaller `history_size`
    /// drops the oldest pairs (s, y) beyond it at once, which leaves exactly the pairs a
    /// history of that size would hold now; a larger one keeps every pair and lets the history
    /// grow to the new size.
    pub fn retune(&mut self, s: LbfgsSettings) {
        self.settings = s;
        while self.old_dirs.len() > s.history_size {
            self.scratch.spare.extend(self.old_dirs.pop_front());
            self.scratch.spare.extend(self.old_stps.pop_front());
            self.ro.pop_front();
        }
        self.al.resize(s.history_size, 0.0);
    }

    /// Function evaluations made so far beyond the one handed in by each step.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// One `LBFGS.step(closure)` from `w`, where `loss` and `grad` are f and its gradient at w.
    pub fn step(&mut self, w: &mut [f64], loss: f64, grad: &[f64], lr: f64, problem: &Problem) {
        let mut loss = loss;
        let mut flat_grad = std::mem::take(&mut self.scratch.flat_grad);
        assign(&mut flat_grad, grad);
        self.run_iterations(w, &mut loss, &mut flat_grad, lr, problem);
        self.scratch.flat_grad = flat_grad;
    }

    /// The iterations of one step (torch's `while n_iter < max_iter` loop).
    fn run_iterations(&mut self, w: &mut [f64], loss: &mut f64, flat_grad: &mut Vec<f64>, lr: f64, problem: &Problem) {
        let mut current_evals: u32 = 1;
        if max_abs(flat_grad) <= self.settings.tolerance_grad {
            return;
        }
        let mut n_iter = 0;
        while n_iter < self.settings.max_iter {
            n_iter += 1;
            self.total_iterations += 1;
            self.update_direction(flat_grad);
            assign(&mut self.prev_flat_grad, flat_grad);
            self.prev_loss = *loss;
            self.t = if self.total_iterations == 1 {
                let mut sum = 0.0;
                for g in flat_grad.iter() {
                    sum += g.abs();
                }
                (1.0_f64).min(1.0 / sum) * lr
            } else {
                lr
            };
            let gtd = dot(flat_grad, &self.d);
            if gtd > -self.settings.tolerance_change {
                break;
            }
            let mut ls_evals = 0;
            let opt_cond;
            if self.settings.strong_wolfe {
                assign(&mut self.scratch.x_init, w);
                let search = LineSearch {
                    problem,
                    x: &self.scratch.x_init,
                    d: &self.d,
                    tolerance_change: self.settings.tolerance_change,
                };
                let found = search.run(&mut self.scratch.line, self.t, *loss, flat_grad, gtd);
                *loss = found.f;
                assign(flat_grad, &self.scratch.line.best_g);
                self.t = found.t;
                ls_evals = found.evaluations;
                add_scaled(w, self.t, &self.d);
                opt_cond = max_abs(flat_grad) <= self.settings.tolerance_grad;
            } else {
                add_scaled(w, self.t, &self.d);
                if n_iter != self.settings.max_iter {
                    *loss = problem.loss_grad(w, flat_grad);
                    ls_evals = 1;
                    opt_cond = max_abs(flat_grad) <= self.settings.tolerance_grad;
                } else {
                    opt_cond = false;
                }
            }
            current_evals += ls_evals;
            self.evaluations += u64::from(ls_evals);
            if n_iter == self.settings.max_iter || current_evals >= self.settings.max_eval || opt_cond {
                break;
            }
            if max_abs_scaled(&self.d, self.t) <= self.settings.tolerance_change {
                break;
            }
            if (*loss - self.prev_loss).abs() < self.settings.tolerance_change {
                break;
            }
        }
    }

    /// Computes the search direction d from the gradient and the curvature history.
    fn update_direction(&mut self, flat_grad: &[f64]) {
        if self.total_iterations == 1 {
            assign_scaled(&mut self.d, -1.0, flat_grad);
            let spare = &mut self.scratch.spare;
            spare.extend(self.old_dirs.drain(..));
            spare.extend(self.old_stps.drain(..));
            self.ro.clear();
            self.h_diag = 1.0;
            return;
        }
        // y = g - g_prev (as -1*g_prev + g) and s = t*d.
        let mut y = self.scratch.spare.pop().unwrap_or_default();
        assign_scaled_sum(&mut y, -1.0, &self.prev_flat_grad, flat_grad);
        let mut s = self.scratch.spare.pop().unwrap_or_default();
        assign_scaled(&mut s, self.t, &self.d);
        let ys = dot(&y, &s);
        if ys > 1e-10 {
            if self.old_dirs.len() == self.settings.history_size {
                self.scratch.spare.extend(self.old_dirs.pop_front());
                self.scratch.spare.extend(self.old_stps.pop_front());
                self.ro.pop_front();
            }
            self.h_diag = ys / dot(&y, &y);
            self.old_dirs.push_back(y);
            self.old_stps.push_back(s);
            self.ro.push_back(1.0 / ys);
        } else {
            self.scratch.spare.push(y);
            self.scratch.spare.push(s);
        }
        // The two-loop recursion on contiguous views of the history (indexing a VecDeque is a
        // call per element in the size-optimised wasm build).
        let old_dirs = self.old_dirs.make_contiguous();
        let old_stps = self.old_stps.make_contiguous();
        let ro = self.ro.make_contiguous();
        let num_old = old_dirs.len().min(old_stps.len()).min(ro.len()).min(self.al.len());
        let q = &mut self.scratch.q;
        assign_scaled(q, -1.0, flat_grad);
        for i in (0..num_old).rev() {
            self.al[i] = dot(&old_stps[i], q) * ro[i];
            add_scaled(q, -self.al[i], &old_dirs[i]);
        }
        let r = &mut self.d;
        assign_scaled(r, self.h_diag, q);
        for i in 0..num_old {
            let be_i = dot(&old_dirs[i], r) * ro[i];
            add_scaled(r, self.al[i] - be_i, &old_stps[i]);
        }
    }

    /// Forgets the history, keeping the buffers (a reset allocates nothing).
    pub fn reset(&mut self) {
        self.total_iterations = 0;
        self.evaluations = 0;
        self.d.fill(0.0);
        self.t = 0.0;
        let spare = &mut self.scratch.spare;
        spare.extend(self.old_dirs.drain(..));
        spare.extend(self.old_stps.drain(..));
        self.ro.clear();
        self.al.fill(0.0);
        self.h_diag = 1.0;
        self.prev_flat_grad.fill(0.0);
        self.prev_loss = 0.0;
    }
}

/// Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds.
fn cubic_interpolate(x1: f64, f1: f64, g1: f64, x2: f64, f2: f64, g2: f64, bounds: Option<(f64, f64)>) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        py_min(py_max(min_pos, lo), hi)
    } else {
        (lo + hi) / 2.0
    }
}

/// Python's `max(a, b)`: returns a unless b > a (NaN-order as Python).
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: returns a unless b < a.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Result of a line search; the gradient at the chosen point is left in
/// `LineSearchScratch::best_g`.
struct LineSearchResult {
    f: f64,
    t: f64,
    evaluations: u32,
}

/// One end of a bracket: step, value, gradient and directional derivative.
#[derive(Clone, Debug, Default)]
struct BracketPoint {
    t: f64,
    f: f64,
    g: Vec<f64>,
    gtd: f64,
}

impl BracketPoint {
    /// Overwrites the point, reusing the gradient buffer.
    fn set(&mut self, t: f64, f: f64, g: &[f64], gtd: f64) {
        self.t = t;
        self.f = f;
        assign(&mut self.g, g);
        self.gtd = gtd;
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch { .. }")
    }
}

/// Buffers of the line search, reused from call to call.
#[derive(Clone, Debug, Default)]
struct LineSearchScratch {
    point: Vec<f64>,
    g_new: Vec<f64>,
    prev: BracketPoint,
    bracket: [BracketPoint; 2],
    best_g: Vec<f64>,
}

impl LineSearchScratch {
    /// Copies bracket[from] over the other end of the bracket.
    fn copy_bracket(&mut self, from: usize) {
        let [b0, b1] = &mut self.bracket;
        let (source, target) = if from == 0 { (&*b0, b1) } else { (&*b1, b0) };
        target.set(source.t, source.f, &source.g, source.gtd);
    }

    /// bracket[0] = prev and bracket[1] = the new point.
    fn bracket_prev_and_new(&mut self, t: f64, f_new: f64, gtd_new: f64) {
        let (prev, new_g) = (&self.prev, &self.g_new);
        let [b0, b1] = &mut self.bracket;
        b0.set(prev.t, prev.f, &prev.g, prev.gtd);
        b1.set(t, f_new, new_g, gtd_new);
    }
}

/// torch's `_strong_wolfe` along `d` from `x`, with c1 = 1e-4, c2 = 0.9 and at most 25
/// evaluations.
struct LineSearch<'a> {
    problem: &'a Problem,
    x: &'a [f64],
    d: &'a [f64],
    tolerance_change: f64,
}

impl LineSearch<'_> {
    fn evaluate(&self, t: f64, s: &mut LineSearchScratch) -> f64 {
        evaluate_along(self.problem, self.x, t, self.d, &mut s.point, &mut s.g_new)
    }

    fn run(&self, s: &mut LineSearchScratch, t0: f64, f: f64, g: &[f64], gtd: f64) -> LineSearchResult {
        const C1: f64 = 1e-4;
        const C2: f64 = 0.9;
        const MAX_LS: u32 = 25;
        let d_norm = max_abs(self.d);
        let mut t = t0;
        let mut f_new = self.evaluate(t, s);
        let mut evaluations = 1;
        let mut gtd_new = dot(&s.g_new, self.d);
        s.prev.set(0.0, f, g, gtd);
        let mut done = false;
        let mut ls_iter = 0;
        let mut bracket_len = 0;
        while ls_iter < MAX_LS {
            if f_new > f + C1 * t * gtd || (ls_iter > 1 && f_new >= s.prev.f) {
                s.bracket_prev_and_new(t, f_new, gtd_new);
                bracket_len = 2;
                break;
            }
            if gtd_new.abs() <= -C2 * gtd {
                let g_new = std::mem::take(&mut s.g_new);
                s.bracket[0].set(t, f_new, &g_new, gtd_new);
                s.g_new = g_new;
                bracket_len = 1;
                done = true;
                break;
            }
            if gtd_new >= 0.0 {
                s.bracket_prev_and_new(t, f_new, gtd_new);
                bracket_len = 2;
                break;
            }
            let min_step = t + 0.01 * (t - s.prev.t);
            let max_step = t * 10.0;
            let tmp = t;
            t = cubic_interpolate(s.prev.t, s.prev.f, s.prev.gtd, t, f_new, gtd_new, Some((min_step, max_step)));
            let g_new = std::mem::take(&mut s.g_new);
            s.prev.set(tmp, f_new, &g_new, gtd_new);
            s.g_new = g_new;
            f_new = self.evaluate(t, s);
            evaluations += 1;
            gtd_new = dot(&s.g_new, self.d);
            ls_iter += 1;
        }
        if ls_iter == MAX_LS {
            let g_new = std::mem::take(&mut s.g_new);
            s.bracket[0].set(0.0, f, g, gtd);
            s.bracket[1].set(t, f_new, &g_new, gtd_new);
            s.g_new = g_new;
            bracket_len = 2;
        }
        let last = bracket_len.max(1) - 1;
        let (mut low, mut high) = if s.bracket[0].f <= s.bracket[last].f { (0, 1) } else { (1, 0) };
        let mut insufficient_progress = false;
        while !done && ls_iter < MAX_LS && bracket_len == 2 {
            let (b0, b1) = (&s.bracket[0], &s.bracket[1]);
            if (b1.t - b0.t).abs() * d_norm < self.tolerance_change {
                break;
            }
            t = cubic_interpolate(b0.t, b0.f, b0.gtd, b1.t, b1.f, b1.gtd, None);
            let b_max = py_max(b0.t, b1.t);
            let b_min = py_min(b0.t, b1.t);
            let eps = 0.1 * (b_max - b_min);
            if py_min(b_max - t, t - b_min) < eps {
                if insufficient_progress || t >= b_max || t <= b_min {
                    t = if (t - b_max).abs() < (t - b_min).abs() { b_max - eps } else { b_min + eps };
                    insufficient_progress = false;
                } else {
                    insufficient_progress = true;
                }
            } else {
                insufficient_progress = false;
            }
            f_new = self.evaluate(t, s);
            evaluations += 1;
            gtd_new = dot(&s.g_new, self.d);
            ls_iter += 1;
            let g_new = std::mem::take(&mut s.g_new);
            if f_new > f + C1 * t * gtd || f_new >= s.bracket[low].f {
                s.bracket[high].set(t, f_new, &g_new, gtd_new);
                (low, high) = if s.bracket[0].f <= s.bracket[1].f { (0, 1) } else { (1, 0) };
            } else {
                if gtd_new.abs() <= -C2 * gtd {
                    done = true;
                } else if gtd_new * (s.bracket[high].t - s.bracket[low].t) >= 0.0 {
                    s.copy_bracket(low);
                }
                s.bracket[low].set(t, f_new, &g_new, gtd_new);
            }
            s.g_new = g_new;
        }
        if low < bracket_len {
            let best = &s.bracket[low];
            assign(&mut s.best_g, &best.g);
            LineSearchResult { f: best.f, t: best.t, evaluations }
        } else {
            assign(&mut s.best_g, &s.g_new);
            LineSearchResult { f: f_new, t, evaluations }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Lbfgs, LbfgsSettings};
    use crate::problem::{Problem, ProblemConfig};

    fn settings(history_size: usize) -> LbfgsSettings {
        LbfgsSettings {
            max_iter: 3,
            max_eval: 4,
            tolerance_grad: 0.0,
            tolerance_change: 0.0,
            history_size,
            strong_wolfe: false,
        }
    }

    #[test]
    fn a_smaller_history_keeps_the_newest_pairs() {
        let problem: Problem = ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 }.build_with_seed(0);
        let mut w = vec![-1.5, 2.0];
        let mut g = vec![0.0; 2];
        let mut lbfgs = Lbfgs::new(2, settings(6));
        for _ in 0..3 {
            let loss = problem.loss_grad(&w, &mut g);
            lbfgs.step(&mut w, loss, &g, 1e-3, &problem);
        }
        assert!(lbfgs.old_dirs.len() > 2, "{}", lbfgs.old_dirs.len());
        let newest: Vec<Vec<f64>> = lbfgs.old_dirs.iter().rev().take(2).rev().cloned().collect();
        let newest_ro: Vec<f64> = lbfgs.ro.iter().rev().take(2).rev().copied().collect();
        lbfgs.retune(settings(2));
        assert_eq!(lbfgs.old_dirs.iter().cloned().collect::<Vec<_>>(), newest);
        assert_eq!(lbfgs.ro.iter().copied().collect::<Vec<_>>(), newest_ro);
        assert_eq!((lbfgs.old_stps.len(), lbfgs.al.len()), (2, 2));
        // It keeps stepping within the new bound, and a larger bound lets the history grow.
        for _ in 0..2 {
            let loss = problem.loss_grad(&w, &mut g);
            lbfgs.step(&mut w, loss, &g, 1e-3, &problem);
            assert!(lbfgs.old_dirs.len() <= 2);
        }
        lbfgs.retune(settings(8));
        for _ in 0..2 {
            let loss = problem.loss_grad(&w, &mut g);
            lbfgs.step(&mut w, loss, &g, 1e-3, &problem);
        }
        assert!(lbfgs.old_dirs.len() > 2 && lbfgs.al.len() == 8, "{}", lbfgs.old_dirs.len());
        assert!(w.iter().all(|x| x.is_finite()), "{w:?}");
    }
}
