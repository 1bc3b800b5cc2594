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
        let k = SgdStep::new(&self.settings, &mut self.started, lr, momentum);
        for ((p, &g0), b) in w.iter_mut().zip(grad).zip(self.buf.iter_mut()) {
            k.update(p, b, g0);
        }
    }

    pub fn reset(&mut self) {
        self.buf.iter_mut().for_each(|b| *b = 0.0);
        self.started = false;
    }
}

/// The constants of one SGD step and its update of one element, shared by `Sgd::step` and by
/// SGD over many independent starts advancing in lockstep (`SgdLanes`, the batched basins
/// kernel), so that both do the same operations in the same order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SgdStep {
    lr: f64,
    momentum: f64,
    /// The first step with momentum: the buffer starts as the gradient.
    first: bool,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
}

impl SgdStep {
    /// The step's constants; `started` (whether a step with momentum was taken) is updated.
    #[inline(always)]
    fn new(s: &SgdSettings, started: &mut bool, lr: f64, momentum: Option<f64>) -> SgdStep {
        let momentum = momentum.unwrap_or(s.momentum);
        let first = !*started;
        if momentum != 0.0 {
            *started = true;
        }
        SgdStep { lr, momentum, first, dampening: s.dampening, weight_decay: s.weight_decay, nesterov: s.nesterov }
    }

    /// The update of one element `p` with momentum buffer `b` and gradient `g0`.
    #[inline(always)]
    pub(crate) fn update(&self, p: &mut f64, b: &mut f64, g0: f64) {
        let mut g = g0;
        if self.weight_decay != 0.0 {
            g += self.weight_decay * *p;
        }
        if self.momentum != 0.0 {
            if self.first {
                *b = g;
            } else {
                *b = *b * self.momentum + (1.0 - self.dampening) * g;
            }
            g = if self.nesterov { g + self.momentum * *b } else { *b };
        }
        *p += -self.lr * g;
    }
}

/// SGD over many independent starts that all take their step t + 1 together: whether momentum
/// has started is the same for every start.
#[derive(Clone, Debug)]
pub(crate) struct SgdLanes {
    settings: SgdSettings,
    started: bool,
}

impl SgdLanes {
    pub(crate) fn new(settings: SgdSettings) -> SgdLanes {
        SgdLanes { settings, started: false }
    }

    /// The constants of the next step for every start.
    #[inline]
    pub(crate) fn next_step(&mut self, lr: f64, momentum: Option<f64>) -> SgdStep {
        SgdStep::new(&self.settings, &mut self.started, lr, momentum)
    }
}
