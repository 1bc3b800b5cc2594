//! Hypergradient descent: SGD and Adam whose learning rate is itself learned online
//! (A. G. Baydin, R. Cornish, D. Martínez Rubio, M. Schmidt and F. Wood, "Online Learning
//! Rate Adaptation with Hypergradient Descent", ICLR 2018, Algorithms 1 to 3).
//!
//! Both optimizers keep the direction `d` of their previous update (`theta -= alpha * d`, so
//! the paper's update is `u = -d`) and, before each update, take one gradient step on the
//! learning rate alpha. Since `d f(theta_{t-1}) / d alpha_{t-1} = g_t . u_{t-1}`, the paper's
//! hypergradient is `h_t = g_t . u_{t-1} = -(g_t . d_{t-1})` and
//!
//! - `alpha_t = alpha_{t-1} - beta * h_t = alpha_{t-1} + beta * (g_t . d_{t-1})`, then
//!   `theta_t = theta_{t-1} - alpha_t * d_t`.
//!
//! `SGDHD` (SGD-HD): `d_t = g_t`, so `alpha_t = alpha_{t-1} + beta * (g_t . g_{t-1})`. With
//! `momentum` the direction is torch.optim.SGD's momentum direction (`buf`, or
//! `g + momentum * buf` with Nesterov), as in the authors' `sgd_hd.py` (SGDN-HD in the paper
//! uses Nesterov's form). `AdamHD` (Adam-HD): `d_t = m_hat_t / (sqrt(v_hat_t) + eps)` with
//! `m_hat = m / (1 - beta1^t)` and `v_hat = v / (1 - beta2^t)`, exactly the paper's `u_t`
//! (eps added to the bias-corrected root, as torch.optim.Adam does). `d_0 = 0`, so the first
//! step uses the initial learning rate unchanged. Weight decay is coupled (L2 added to the
//! gradient before anything else, as in the authors' code), and the hypergradient uses the
//! decayed gradient.
//!
//! The initial learning rate alpha_0 is the lr the run hands in at the first step (the
//! configured `lr`; these optimizers accept only the constant schedule). Afterwards the handed
//! lr is ignored: the optimizer owns alpha_t and `learned_lr` reports it, which the run
//! records as the lr of the step. The names follow the authors' PyTorch classes `SGDHD` and
//! `AdamHD` (`hypergrad_lr` is beta; their defaults are 1e-6 for SGD and 1e-8 for Adam).

use super::BetaPowers;

/// SGD-HD hyperparameters and state.
#[derive(Clone, Debug)]
pub struct SgdHd {
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    hypergrad_lr: f64,
    alpha: f64,
    started: bool,
    buf: Vec<f64>,
    prev_dir: Vec<f64>,
}

impl SgdHd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(
        dim: usize,
        momentum: f64,
        dampening: f64,
        weight_decay: f64,
        nesterov: bool,
        hypergrad_lr: f64,
    ) -> Self {
        SgdHd {
            momentum,
            dampening,
            weight_decay,
            nesterov,
            hypergrad_lr,
            alpha: f64::NAN,
            started: false,
            buf: vec![0.0; dim],
            prev_dir: vec![0.0; dim],
        }
    }

    /// One update; `lr` is alpha_0 at the first step and ignored afterwards.
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64) {
        let first = !self.started;
        if first {
            self.alpha = lr;
            self.started = true;
        }
        let n = w.len().min(grad.len()).min(self.buf.len()).min(self.prev_dir.len());
        let (buf, prev) = (self.buf.as_mut_slice(), self.prev_dir.as_mut_slice());
        // The hypergradient step on alpha, from the (decayed) gradient and the last direction.
        let mut dot = 0.0;
        for i in 0..n {
            let g = grad[i] + self.weight_decay * w[i];
            dot += g * prev[i];
        }
        self.alpha += self.hypergrad_lr * dot;
        for i in 0..n {
            let mut g = grad[i];
            if self.weight_decay != 0.0 {
                g += self.weight_decay * w[i];
            }
            if self.momentum != 0.0 {
                buf[i] = if first { g } else { buf[i] * self.momentum + (1.0 - self.dampening) * g };
                g = if self.nesterov { g + self.momentum * buf[i] } else { buf[i] };
            }
            prev[i] = g;
            w[i] += -self.alpha * g;
        }
    }

    /// The learned learning rate alpha_t of the last step (NaN before the first).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Forgets the learned rate, the momentum buffer and the last direction.
    pub fn reset(&mut self) {
        self.buf.iter_mut().for_each(|b| *b = 0.0);
        self.prev_dir.iter_mut().for_each(|b| *b = 0.0);
        self.alpha = f64::NAN;
        self.started = false;
    }
}

/// Adam-HD hyperparameters and state.
#[derive(Clone, Debug)]
pub struct AdamHd {
    betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    hypergrad_lr: f64,
    alpha: f64,
    started: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    prev_dir: Vec<f64>,
    powers: BetaPowers,
}

impl AdamHd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, betas: [f64; 2], eps: f64, weight_decay: f64, hypergrad_lr: f64) -> Self {
        AdamHd {
            betas,
            eps,
            weight_decay,
            hypergrad_lr,
            alpha: f64::NAN,
            started: false,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            prev_dir: vec![0.0; dim],
            powers: BetaPowers::new(betas),
        }
    }

    /// One update; `lr` is alpha_0 at the first step and ignored afterwards; `beta1`
    /// overrides the configured first beta (cycling schedules are rejected by validation, so
    /// this is None in practice).
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        if !self.started {
            self.alpha = lr;
            self.started = true;
        }
        let [b1, b2] = [beta1.unwrap_or(self.betas[0]), self.betas[1]];
        let n = w.len().min(grad.len()).min(self.m.len()).min(self.v.len()).min(self.prev_dir.len());
        let (m, v, prev) = (self.m.as_mut_slice(), self.v.as_mut_slice(), self.prev_dir.as_mut_slice());
        let mut dot = 0.0;
        for i in 0..n {
            let g = grad[i] + self.weight_decay * w[i];
            dot += g * prev[i];
        }
        self.alpha += self.hypergrad_lr * dot;
        let (bc1, bc2) = self.powers.advance(beta1);
        let bc2_sqrt = bc2.sqrt();
        for i in 0..n {
            let mut g = grad[i];
            if self.weight_decay != 0.0 {
                g += self.weight_decay * w[i];
            }
            m[i] = super::lerp(m[i], g, 1.0 - b1);
            v[i] = v[i] * b2 + (1.0 - b2) * g * g;
            let dir = (m[i] / bc1) / (v[i].sqrt() / bc2_sqrt + self.eps);
            prev[i] = dir;
            w[i] += -self.alpha * dir;
        }
    }

    /// The learned learning rate alpha_t of the last step (NaN before the first).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Forgets the learned rate, the moments and the last direction.
    pub fn reset(&mut self) {
        for x in [&mut self.m, &mut self.v, &mut self.prev_dir] {
            x.iter_mut().for_each(|x| *x = 0.0);
        }
        self.powers = BetaPowers::new(self.betas);
        self.alpha = f64::NAN;
        self.started = false;
    }
}
