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
//! records as the lr of the step. Retuning mid-run (`Optimizer::retune`, population-based
//! training) with a different `lr` restarts the learned rate at that lr, keeping the moments,
//! the momentum buffer and the last direction; the same lr keeps the learned alpha_t. Adam-HD
//! shares its moment updates with Adam (`moments.rs`). The names follow the authors' PyTorch
//! classes `SGDHD` and `AdamHD` (`hypergrad_lr` is beta; their defaults are 1e-6 for SGD and
//! 1e-8 for Adam).

use super::moments::{self, Moments};

/// The hyperparameters of SGD-HD: torch.optim.SGD's, the initial learning rate alpha_0 and
/// the hypergradient learning rate beta.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdHdSettings {
    /// alpha_0, the learning rate the learning starts from (see `retune`).
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    pub hypergrad_lr: f64,
}

/// SGD-HD: settings and state.
#[derive(Clone, Debug)]
pub struct SgdHd {
    pub(crate) settings: SgdHdSettings,
    alpha: f64,
    started: bool,
    /// True once the momentum buffer holds a value (after a step with momentum != 0).
    buffered: bool,
    buf: Vec<f64>,
    prev_dir: Vec<f64>,
}

impl SgdHd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: SgdHdSettings) -> Self {
        SgdHd {
            settings,
            alpha: f64::NAN,
            started: false,
            buffered: false,
            buf: vec![0.0; dim],
            prev_dir: vec![0.0; dim],
        }
    }

    /// Takes new settings, keeping the momentum buffer and the last direction. Once the
    /// optimizer has started, a different `lr` restarts the learned rate there (alpha = lr,
    /// then the next hypergradient step as usual), while the same lr keeps the learned alpha;
    /// before the first step the lr handed in at that step is alpha_0, as always. The other
    /// settings apply from the next step; momentum turned on after steps without it starts the
    /// buffer at that step's direction, as torch.optim.SGD does.
    pub fn retune(&mut self, settings: SgdHdSettings) {
        if self.started && settings.lr != self.settings.lr {
            self.alpha = settings.lr;
        }
        self.settings = settings;
    }

    /// One update; `lr` is alpha_0 at the first step and ignored afterwards.
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64) {
        let s = self.settings;
        if !self.started {
            self.alpha = lr;
            self.started = true;
        }
        let first = !self.buffered;
        if s.momentum != 0.0 {
            self.buffered = true;
        }
        let n = w.len().min(grad.len()).min(self.buf.len()).min(self.prev_dir.len());
        let (buf, prev) = (self.buf.as_mut_slice(), self.prev_dir.as_mut_slice());
        // The hypergradient step on alpha, from the (decayed) gradient and the last direction.
        let mut dot = 0.0;
        for i in 0..n {
            let g = grad[i] + s.weight_decay * w[i];
            dot += g * prev[i];
        }
        self.alpha += s.hypergrad_lr * dot;
        for i in 0..n {
            let mut g = grad[i];
            if s.weight_decay != 0.0 {
                g += s.weight_decay * w[i];
            }
            if s.momentum != 0.0 {
                buf[i] = if first { g } else { buf[i] * s.momentum + (1.0 - s.dampening) * g };
                g = if s.nesterov { g + s.momentum * buf[i] } else { buf[i] };
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
        self.buffered = false;
    }
}

/// The hyperparameters of Adam-HD: torch.optim.Adam's (coupled weight decay only), the
/// initial learning rate alpha_0 and the hypergradient learning rate beta.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamHdSettings {
    /// alpha_0, the learning rate the learning starts from (see `retune`).
    pub lr: f64,
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
    pub hypergrad_lr: f64,
}

/// Adam-HD: settings and state.
#[derive(Clone, Debug)]
pub struct AdamHd {
    pub(crate) settings: AdamHdSettings,
    alpha: f64,
    started: bool,
    moments: Moments,
    prev_dir: Vec<f64>,
}

impl AdamHd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: AdamHdSettings) -> Self {
        AdamHd {
            settings,
            alpha: f64::NAN,
            started: false,
            moments: Moments::new(dim, settings.betas),
            prev_dir: vec![0.0; dim],
        }
    }

    /// Takes new settings, keeping m, v, the step count t and the last direction. The lr is
    /// handled as in `SgdHd::retune` (a different lr restarts the learned rate there). New
    /// betas apply from the next step, the bias corrections `1 - beta^t` computed with them
    /// at the current t as in Adam; eps, the weight decay and beta apply from the next step.
    pub fn retune(&mut self, settings: AdamHdSettings) {
        if self.started && settings.lr != self.settings.lr {
            self.alpha = settings.lr;
        }
        self.settings = settings;
        self.moments.powers.set_betas(settings.betas);
    }

    /// One update; `lr` is alpha_0 at the first step and ignored afterwards; `beta1`
    /// overrides the configured first beta (cycling schedules are rejected by validation, so
    /// this is None in practice).
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        if !self.started {
            self.alpha = lr;
            self.started = true;
        }
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let n = w.len().min(grad.len()).min(self.moments.m.len()).min(self.moments.v.len()).min(self.prev_dir.len());
        let (m, v, prev) = (self.moments.m.as_mut_slice(), self.moments.v.as_mut_slice(), self.prev_dir.as_mut_slice());
        let mut dot = 0.0;
        for i in 0..n {
            let g = grad[i] + s.weight_decay * w[i];
            dot += g * prev[i];
        }
        self.alpha += s.hypergrad_lr * dot;
        let (bc1, bc2) = self.moments.powers.advance(beta1);
        let bc2_sqrt = bc2.sqrt();
        for i in 0..n {
            let mut g = grad[i];
            if s.weight_decay != 0.0 {
                g += s.weight_decay * w[i];
            }
            moments::update(&mut m[i], &mut v[i], g, b1, b2);
            let dir = (m[i] / bc1) / (v[i].sqrt() / bc2_sqrt + s.eps);
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
        self.moments.reset(self.settings.betas);
        self.prev_dir.fill(0.0);
        self.alpha = f64::NAN;
        self.started = false;
    }
}
