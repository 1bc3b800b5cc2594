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

use crate::problem::Problem;

/// L-BFGS hyperparameters and state kept across steps.
#[derive(Clone, Debug)]
pub struct Lbfgs {
    max_iter: u32,
    max_eval: u32,
    tolerance_grad: f64,
    tolerance_change: f64,
    history_size: usize,
    strong_wolfe: bool,
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
}

/// The settings of an L-BFGS optimizer, as torch names them.
#[derive(Clone, Copy, Debug)]
pub struct LbfgsSettings {
    pub max_iter: u32,
    pub max_eval: u32,
    pub tolerance_grad: f64,
    pub tolerance_change: f64,
    pub history_size: usize,
    pub strong_wolfe: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0_f64, |m, x| if x.abs() > m || x.is_nan() { x.abs() } else { m })
}

/// Evaluates f and its gradient at `x + t*d`.
fn evaluate_along(problem: &Problem, x: &[f64], t: f64, d: &[f64], grad: &mut Vec<f64>) -> f64 {
    let point: Vec<f64> = x.iter().zip(d).map(|(xi, di)| xi + t * di).collect();
    grad.resize(x.len(), 0.0);
    problem.loss_grad(&point, grad)
}

impl Lbfgs {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, s: LbfgsSettings) -> Self {
        Lbfgs {
            max_iter: s.max_iter,
            max_eval: s.max_eval,
            tolerance_grad: s.tolerance_grad,
            tolerance_change: s.tolerance_change,
            history_size: s.history_size,
            strong_wolfe: s.strong_wolfe,
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
        }
    }

    /// Function evaluations made so far beyond the one handed in by each step.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// One `LBFGS.step(closure)` from `w`, where `loss` and `grad` are f and its gradient at w.
    pub fn step(&mut self, w: &mut [f64], loss: f64, grad: &[f64], lr: f64, problem: &Problem) {
        let mut loss = loss;
        let mut flat_grad = grad.to_vec();
        let mut current_evals: u32 = 1;
        if max_abs(&flat_grad) <= self.tolerance_grad {
            return;
        }
        let mut n_iter = 0;
        while n_iter < self.max_iter {
            n_iter += 1;
            self.total_iterations += 1;
            self.update_direction(&flat_grad);
            self.prev_flat_grad.clone_from(&flat_grad);
            self.prev_loss = loss;
            self.t = if self.total_iterations == 1 {
                let sum: f64 = flat_grad.iter().map(|g| g.abs()).sum();
                (1.0_f64).min(1.0 / sum) * lr
            } else {
                lr
            };
            let gtd = dot(&flat_grad, &self.d);
            if gtd > -self.tolerance_change {
                break;
            }
            let mut ls_evals = 0;
            let opt_cond;
            if self.strong_wolfe {
                let x_init = w.to_vec();
                let found =
                    strong_wolfe(problem, &x_init, self.t, &self.d, loss, &flat_grad, gtd, self.tolerance_change);
                loss = found.f;
                flat_grad = found.g;
                self.t = found.t;
                ls_evals = found.evaluations;
                for (p, di) in w.iter_mut().zip(&self.d) {
                    *p += self.t * di;
                }
                opt_cond = max_abs(&flat_grad) <= self.tolerance_grad;
            } else {
                for (p, di) in w.iter_mut().zip(&self.d) {
                    *p += self.t * di;
                }
                if n_iter != self.max_iter {
                    loss = problem.loss_grad(w, &mut flat_grad);
                    ls_evals = 1;
                    opt_cond = max_abs(&flat_grad) <= self.tolerance_grad;
                } else {
                    opt_cond = false;
                }
            }
            current_evals += ls_evals;
            self.evaluations += u64::from(ls_evals);
            if n_iter == self.max_iter || current_evals >= self.max_eval || opt_cond {
                break;
            }
            let step: Vec<f64> = self.d.iter().map(|di| di * self.t).collect();
            if max_abs(&step) <= self.tolerance_change {
                break;
            }
            if (loss - self.prev_loss).abs() < self.tolerance_change {
                break;
            }
        }
    }

    /// Computes the search direction d from the gradient and the curvature history.
    fn update_direction(&mut self, flat_grad: &[f64]) {
        if self.total_iterations == 1 {
            self.d = flat_grad.iter().map(|g| -g).collect();
            self.old_dirs.clear();
            self.old_stps.clear();
            self.ro.clear();
            self.h_diag = 1.0;
            return;
        }
        let y: Vec<f64> = flat_grad.iter().zip(&self.prev_flat_grad).map(|(g, p)| g - p).collect();
        let s: Vec<f64> = self.d.iter().map(|di| di * self.t).collect();
        let ys = dot(&y, &s);
        if ys > 1e-10 {
            if self.old_dirs.len() == self.history_size {
                self.old_dirs.pop_front();
                self.old_stps.pop_front();
                self.ro.pop_front();
            }
            self.h_diag = ys / dot(&y, &y);
            self.old_dirs.push_back(y);
            self.old_stps.push_back(s);
            self.ro.push_back(1.0 / ys);
        }
        let num_old = self.old_dirs.len();
        let mut q: Vec<f64> = flat_grad.iter().map(|g| -g).collect();
        for i in (0..num_old).rev() {
            self.al[i] = dot(&self.old_stps[i], &q) * self.ro[i];
            let a = self.al[i];
            for (qj, yj) in q.iter_mut().zip(&self.old_dirs[i]) {
                *qj += -a * yj;
            }
        }
        let h = self.h_diag;
        let mut r: Vec<f64> = q.iter().map(|qj| qj * h).collect();
        for i in 0..num_old {
            let be_i = dot(&self.old_dirs[i], &r) * self.ro[i];
            let coef = self.al[i] - be_i;
            for (rj, sj) in r.iter_mut().zip(&self.old_stps[i]) {
                *rj += coef * sj;
            }
        }
        self.d = r;
    }

    /// Forgets the history.
    pub fn reset(&mut self) {
        let dim = self.d.len();
        let settings = LbfgsSettings {
            max_iter: self.max_iter,
            max_eval: self.max_eval,
            tolerance_grad: self.tolerance_grad,
            tolerance_change: self.tolerance_change,
            history_size: self.history_size,
            strong_wolfe: self.strong_wolfe,
        };
        *self = Lbfgs::new(dim, settings);
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

/// Result of a line search.
struct LineSearchResult {
    f: f64,
    g: Vec<f64>,
    t: f64,
    evaluations: u32,
}

/// One end of a bracket: step, value, gradient and directional derivative.
#[derive(Clone)]
struct BracketPoint {
    t: f64,
    f: f64,
    g: Vec<f64>,
    gtd: f64,
}

/// torch's `_strong_wolfe` with c1 = 1e-4, c2 = 0.9 and at most 25 evaluations.
#[allow(clippy::too_many_arguments)]
fn strong_wolfe(
    problem: &Problem,
    x: &[f64],
    t0: f64,
    d: &[f64],
    f: f64,
    g: &[f64],
    gtd: f64,
    tolerance_change: f64,
) -> LineSearchResult {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    const MAX_LS: u32 = 25;
    let d_norm = max_abs(d);
    let mut t = t0;
    let mut g_new = Vec::new();
    let mut f_new = evaluate_along(problem, x, t, d, &mut g_new);
    let mut evaluations = 1;
    let mut gtd_new = dot(&g_new, d);
    let mut prev = BracketPoint { t: 0.0, f, g: g.to_vec(), gtd };
    let mut done = false;
    let mut ls_iter = 0;
    let mut bracket: Vec<BracketPoint> = Vec::new();
    while ls_iter < MAX_LS {
        let here = || BracketPoint { t, f: f_new, g: g_new.clone(), gtd: gtd_new };
        if f_new > f + C1 * t * gtd || (ls_iter > 1 && f_new >= prev.f) {
            bracket = vec![prev.clone(), here()];
            break;
        }
        if gtd_new.abs() <= -C2 * gtd {
            bracket = vec![here()];
            done = true;
            break;
        }
        if gtd_new >= 0.0 {
            bracket = vec![prev.clone(), here()];
            break;
        }
        let min_step = t + 0.01 * (t - prev.t);
        let max_step = t * 10.0;
        let tmp = t;
        t = cubic_interpolate(prev.t, prev.f, prev.gtd, t, f_new, gtd_new, Some((min_step, max_step)));
        prev = BracketPoint { t: tmp, f: f_new, g: g_new.clone(), gtd: gtd_new };
        f_new = evaluate_along(problem, x, t, d, &mut g_new);
        evaluations += 1;
        gtd_new = dot(&g_new, d);
        ls_iter += 1;
    }
    if ls_iter == MAX_LS {
        bracket = vec![
            BracketPoint { t: 0.0, f, g: g.to_vec(), gtd },
            BracketPoint { t, f: f_new, g: g_new.clone(), gtd: gtd_new },
        ];
    }
    let last = bracket.len().saturating_sub(1);
    let (mut low, mut high) =
        if bracket.first().map(|b| b.f) <= bracket.get(last).map(|b| b.f) { (0, 1) } else { (1, 0) };
    let mut insufficient_progress = false;
    while !done && ls_iter < MAX_LS && bracket.len() == 2 {
        if (bracket[1].t - bracket[0].t).abs() * d_norm < tolerance_change {
            break;
        }
        t = cubic_interpolate(
            bracket[0].t,
            bracket[0].f,
            bracket[0].gtd,
            bracket[1].t,
            bracket[1].f,
            bracket[1].gtd,
            None,
        );
        let b_max = py_max(bracket[0].t, bracket[1].t);
        let b_min = py_min(bracket[0].t, bracket[1].t);
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
        f_new = evaluate_along(problem, x, t, d, &mut g_new);
        evaluations += 1;
        gtd_new = dot(&g_new, d);
        ls_iter += 1;
        let here = BracketPoint { t, f: f_new, g: g_new.clone(), gtd: gtd_new };
        if f_new > f + C1 * t * gtd || f_new >= bracket[low].f {
            bracket[high] = here;
            (low, high) = if bracket[0].f <= bracket[1].f { (0, 1) } else { (1, 0) };
        } else {
            if gtd_new.abs() <= -C2 * gtd {
                done = true;
            } else if gtd_new * (bracket[high].t - bracket[low].t) >= 0.0 {
                bracket[high] = bracket[low].clone();
            }
            bracket[low] = here;
        }
    }
    match bracket.into_iter().nth(low) {
        Some(best) => LineSearchResult { f: best.f, g: best.g, t: best.t, evaluations },
        None => LineSearchResult { f: f_new, g: g_new, t, evaluations },
    }
}
