//! Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay.
//!
//! torch.optim.SGD (PyTorch 2.x, single-tensor path):
//! `g = grad + wd*p`; with momentum: `buf = g` on the first step with momentum (torch creates
//! the momentum buffer then), afterwards `buf = momentum*buf + (1 - dampening)*g`;
//! `g = g + momentum*buf` (Nesterov) or `g = buf`; `p -= lr*g`. The learning rate stays
//! outside the buffer, as in torch.

/// The hyperparameters of SGD, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdSettings {
    pub momentum: f64,
    pub dampening: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
}

/// SGD: settings and state.
#[derive(Clone, Debug)]
pub struct Sgd {
    pub(crate) settings: SgdSettings,
    buf: Vec<f64>,
    /// True once the momentum buffer holds a value (after a step with momentum != 0).
    started: bool,
}

impl Sgd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: SgdSettings) -> Self {
        Sgd { settings, buf: vec![0.0; dim], started: false }
    }

    /// Takes new settings, keeping the momentum buffer. Every setting applies from the next
    /// step. Turning momentum on after steps without it starts the buffer at that step's
    /// gradient, as torch does when its momentum buffer does not exist yet.
    pub fn retune(&mut self, settings: SgdSettings) {
        self.settings = settings;
    }

    /// One update; `momentum` overrides the configured momentum (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, momentum: Option<f64>) {
        let s = self.settings;
        let momentum = momentum.unwrap_or(s.momentum);
        let first = !self.started;
        if momentum != 0.0 {
            self.started = true;
        }
        for ((p, &g0), b) in w.iter_mut().zip(grad).zip(self.buf.iter_mut()) {
            let mut g = g0;
            if s.weight_decay != 0.0 {
                g += s.weight_decay * *p;
            }
            if momentum != 0.0 {
                if first {
                    *b = g;
                } else {
                    *b = *b * momentum + (1.0 - s.dampening) * g;
                }
                g = if s.nesterov { g + momentum * *b } else { *b };
            }
            *p += -lr * g;
        }
    }

    /// Forgets the momentum buffer.
    pub fn reset(&mut self) {
        self.buf.iter_mut().for_each(|b| *b = 0.0);
        self.started = false;
    }
}
