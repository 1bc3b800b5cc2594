//! Theory on quadratics: what gradient descent and heavy-ball momentum can do on
//! f(w) = f* + 1/2 (w - w*)^T H (w - w*), from the extreme eigenvalues mu <= L of H.
//!
//! - Condition number kappa = L / mu.
//! - Gradient descent w <- w - lr grad f contracts the error by max(|1 - lr mu|, |1 - lr L|) per
//!   step: it is stable for 0 < lr < 2/L, and fastest at lr = 2/(L + mu), with the rate
//!   (kappa - 1)/(kappa + 1).
//! - Heavy ball (Polyak 1964) w <- w - alpha grad f + beta (w - w_prev), which is torch's SGD
//!   with lr = alpha, momentum = beta and no dampening, is fastest at
//!   alpha = 4/(sqrt(L) + sqrt(mu))^2, beta = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2, with the
//!   rate (sqrt(kappa) - 1)/(sqrt(kappa) + 1) (B. T. Polyak, "Some methods of speeding up the
//!   convergence of iteration methods", 1964; G. Goh, "Why Momentum Really Works", Distill 2017).
//!
//! The quadratics are the bowl `quadratic {a, b}` (H = diag(a, b)) and the linear regression
//! `linreg` without an l1 penalty (whose loss is quadratic in (w, b)). w* solves H w* = -grad f(0).
//!
//! Beside the theory, each run's predicted contraction per step where theory has one: heavy
//! ball at (alpha, beta) (plain gradient descent is beta = 0) multiplies the error's component
//! along an eigenvector of eigenvalue lambda by the roots of z^2 - (1 + beta - alpha lambda) z +
//! beta = 0, so the error contracts by the largest root's modulus over lambda in {mu, L} (the
//! Hessian is 2 x 2). The measured contraction is the rate fitted to the run's ||w - w*||
//! (`rate.rs`).

use serde::Serialize;

use crate::math::sqrt;
use crate::optim::OptimizerConfig;
use crate::problem::ProblemConfig;
use crate::schedule::ScheduleConfig;

/// The rates and step sizes of a quadratic, with its minimizer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuadraticTheory {
    /// The smallest and largest eigenvalue of the Hessian.
    pub mu: f64,
    #[serde(rename = "L")]
    pub l: f64,
    pub kappa: f64,
    /// Gradient descent diverges for lr >= 2/L.
    pub gd_stable_below: f64,
    pub gd_optimal_lr: f64,
    pub gd_optimal_rate: f64,
    pub heavy_ball_lr: f64,
    pub heavy_ball_momentum: f64,
    pub heavy_ball_rate: f64,
    /// The minimizer w* and f(w*).
    pub minimizer: [f64; 2],
    pub minimum: f64,
}

impl crate::json::InfallibleJson for QuadraticTheory {}

impl QuadraticTheory {
    /// The theory of `config`'s problem, or why there is none.
    pub fn of(config: &ProblemConfig) -> Result<QuadraticTheory, String> {
        match config {
            ProblemConfig::Quadratic { .. } => {}
            ProblemConfig::Linreg { l1, .. } if *l1 == 0.0 => {}
            ProblemConfig::Linreg { .. } => return Err("an l1 penalty makes the loss not quadratic".into()),
            _ => return Err("the theory holds for the quadratic bowl and for linreg".into()),
        }
        let problem = config.build();
        let (mut g, mut h) = ([0.0; 2], [0.0; 4]);
        problem.loss_grad(&[0.0, 0.0], &mut g);
        problem.hessian(&[0.0, 0.0], &mut h);
        let [p, q, r] = [h[0], 0.5 * (h[1] + h[2]), h[3]];
        let m = 0.5 * (p + r);
        let half = 0.5 * (p - r);
        let radius = sqrt(half * half + q * q);
        let (mu, l) = (m - radius, m + radius);
        if !(mu > 0.0 && l.is_finite()) {
            return Err(format!("the Hessian is not positive definite (eigenvalues {mu} and {l})"));
        }
        let det = p * r - q * q;
        let minimizer = [(-g[0] * r + g[1] * q) / det, (g[0] * q - g[1] * p) / det];
        let kappa = l / mu;
        let root = sqrt(kappa);
        let heavy_ball_rate = (root - 1.0) / (root + 1.0);
        let sum_of_roots = sqrt(l) + sqrt(mu);
        Ok(QuadraticTheory {
            mu,
            l,
            kappa,
            gd_stable_below: 2.0 / l,
            gd_optimal_lr: 2.0 / (l + mu),
            gd_optimal_rate: (kappa - 1.0) / (kappa + 1.0),
            heavy_ball_lr: 4.0 / (sum_of_roots * sum_of_roots),
            heavy_ball_momentum: heavy_ball_rate * heavy_ball_rate,
            heavy_ball_rate,
            minimizer,
            minimum: problem.loss(&minimizer),
        })
    }

    /// Gradient descent's contraction of the error per step at `lr`: max(|1 - lr mu|, |1 - lr L|).
    pub fn gd_rate(&self, lr: f64) -> f64 {
        (1.0 - lr * self.mu).abs().max((1.0 - lr * self.l).abs())
    }

    /// Heavy ball's contraction of the error per step at `lr` and `momentum` (gradient descent
    /// at momentum 0): the largest modulus of the roots of z^2 - (1 + momentum - lr lambda) z +
    /// momentum over lambda in {mu, L}.
    pub fn heavy_ball_rate_at(&self, lr: f64, momentum: f64) -> f64 {
        let modulus = |lambda: f64| {
            let b = 1.0 + momentum - lr * lambda;
            let discriminant = b * b - 4.0 * momentum;
            if discriminant < 0.0 {
                // Complex roots: both have modulus sqrt(momentum).
                sqrt(momentum)
            } else {
                0.5 * (b.abs() + sqrt(discriminant))
            }
        };
        modulus(self.mu).max(modulus(self.l))
    }

    /// The contraction per step theory predicts for a run with `optimizer` and `schedule`: only
    /// for SGD (with or without heavy-ball momentum) at a constant lr, without dampening,
    /// Nesterov or weight decay; None otherwise.
    pub fn predicted_rate(&self, optimizer: &OptimizerConfig, schedule: &ScheduleConfig) -> Option<f64> {
        match (optimizer, schedule) {
            (
                OptimizerConfig::SGD { lr, momentum, dampening, weight_decay, nesterov: false },
                ScheduleConfig::Constant {},
            ) if *dampening == 0.0 && *weight_decay == 0.0 => Some(self.heavy_ball_rate_at(*lr, *momentum)),
            _ => None,
        }
    }
}

/// A run's contraction of ||w - w*|| per step: measured from its history and, where theory has
/// one, predicted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contraction {
    pub label: String,
    /// The linear rate fitted to the run's distance to w* (None when the run does not
    /// converge linearly, or has too few points).
    pub measured: Option<f64>,
    /// `QuadraticTheory::predicted_rate` for the run's optimizer and schedule.
    pub predicted: Option<f64>,
}
