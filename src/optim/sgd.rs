//! Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay.
//!
//! torch.optim.SGD (PyTorch 2.x, single-tensor path):
//! `g = grad + wd*p`; with momentum: `buf = g` on the first step, afterwards
//! `buf = momentum*buf + (1 - dampening)*g`; `g = g + momentum*buf` (Nesterov) or `g = buf`;
//! `p -= lr*g`. The learning rate stays outside the buffer, as in torch.

/// SGD hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Sgd {
    pub(crate) momentum: f64,
    pub(crate) dampening: f64,
    pub(crate) weight_decay: f64,
    pub(crate) nesterov: bool,
    buf: Vec<f64>,
    started: bool,
}

impl Sgd {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool) -> Self {
        Sgd { momentum, dampening, weight_decay, nesterov, buf: vec![0.0; dim], started: false }
    }

    /// One update; `momentum` overrides the configured momentum (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, momentum: Option<f64>) {
        let momentum = momentum.unwrap_or(self.momentum);
        let first = !self.started;
        self.started = true;
        for ((p, &g0), b) in w.iter_mut().zip(grad).zip(self.buf.iter_mut()) {
            let mut g = g0;
            if self.weight_decay != 0.0 {
                g += self.weight_decay * *p;
            }
            if momentum != 0.0 {
                if first {
                    *b = g;
                } else {
                    *b = *b * momentum + (1.0 - self.dampening) * g;
                }
                g = if self.nesterov { g + momentum * *b } else { *b };
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
