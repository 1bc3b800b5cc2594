//! Damped Newton's method with the exact Hessian (Nocedal and Wright, "Numerical
//! Optimization", section 3.3). Not in torch.optim; named in the same style.
//!
//! Solve `(H + damping*I) d = g` by Gaussian elimination with partial pivoting, then
//! `p -= lr*d`. A singular system gives a non-finite step, which the run reports as diverged.
//! Newton's method is attracted to any stationary point: on a saddle it converges to the
//! saddle, which is exactly what a learner should see.

use crate::problem::Problem;

/// The hyperparameters of Newton's method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewtonSettings {
    pub damping: f64,
}

/// Newton's method: settings and scratch space (it keeps no state from step to step).
#[derive(Clone, Debug)]
pub struct Newton {
    pub(crate) settings: NewtonSettings,
    hessian: Vec<f64>,
    direction: Vec<f64>,
}

impl Newton {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: NewtonSettings) -> Self {
        Newton { settings, hessian: vec![0.0; dim * dim], direction: vec![0.0; dim] }
    }

    /// Takes new settings: the damping applies from the next step.
    pub fn retune(&mut self, settings: NewtonSettings) {
        self.settings = settings;
    }

    /// One update using the Hessian of `problem` at `w`.
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, problem: &Problem) {
        let n = w.len();
        if self.hessian.len() != n * n || grad.len() != n {
            return;
        }
        problem.hessian(w, &mut self.hessian);
        for i in 0..n {
            self.hessian[i * n + i] += self.settings.damping;
        }
        self.direction.copy_from_slice(grad);
        solve_in_place(&mut self.hessian, &mut self.direction, n);
        for (p, d) in w.iter_mut().zip(&self.direction) {
            *p += -lr * d;
        }
    }
}

/// Solves `a x = b` for x (written into b); a is row-major n x n and is overwritten.
/// A zero pivot leaves NaN in b.
fn solve_in_place(a: &mut [f64], b: &mut [f64], n: usize) {
    for col in 0..n {
        let mut pivot = col;
        for row in col + 1..n {
            if a[row * n + col].abs() > a[pivot * n + col].abs() {
                pivot = row;
            }
        }
        if a[pivot * n + col] == 0.0 {
            b.iter_mut().for_each(|x| *x = f64::NAN);
            return;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= factor * a[col * n + k];
            }
            b[row] -= factor * b[col];
        }
    }
    for col in (0..n).rev() {
        let mut sum = b[col];
        for k in col + 1..n {
            sum -= a[col * n + k] * b[k];
        }
        b[col] = sum / a[col * n + col];
    }
}

#[cfg(test)]
mod tests {
    use super::solve_in_place;

    #[test]
    fn solves_a_permuted_system() {
        let mut a = vec![0.0, 2.0, 1.0, 1.0];
        let mut b = vec![4.0, 3.0];
        solve_in_place(&mut a, &mut b, 2);
        assert_eq!(b, vec![1.0, 2.0]);
    }

    #[test]
    fn singular_system_gives_nan() {
        let mut a = vec![1.0, 2.0, 2.0, 4.0];
        let mut b = vec![1.0, 1.0];
        solve_in_place(&mut a, &mut b, 2);
        assert!(b.iter().all(|x| x.is_nan()));
    }
}
