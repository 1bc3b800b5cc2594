//! RMSprop (Hinton, Coursera lecture 6e) with torch's centered and momentum variants.
//!
//! torch.optim.RMSprop: `g = grad + wd*p; v = alpha*v + (1 - alpha)*g^2`; centered:
//! `ga = lerp(ga, g, 1 - alpha); avg = sqrt(v - ga^2)`, else `avg = sqrt(v)`; `avg += eps`;
//! with momentum `buf = momentum*buf + g/avg; p -= lr*buf`, else `p -= lr*g/avg`.

/// The hyperparameters of RMSprop, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RmspropSettings {
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub centered: bool,
}

/// RMSprop: settings and state.
#[derive(Clone, Debug)]
pub struct Rmsprop {
    pub(crate) settings: RmspropSettings,
    square_avg: Vec<f64>,
    grad_avg: Vec<f64>,
    buf: Vec<f64>,
}

impl Rmsprop {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: RmspropSettings) -> Self {
        Rmsprop { settings, square_avg: vec![0.0; dim], grad_avg: vec![0.0; dim], buf: vec![0.0; dim] }
    }

    /// Takes new settings, keeping the running averages and the momentum buffer, as torch
    /// keeps its state when a param group changes. Every setting applies from the next step.
    /// The gradient average and the momentum buffer are left as they are while `centered` or
    /// momentum is off, and used again from where they were when it is turned back on (from
    /// zero if it never was on, where torch has no buffer to use).
    pub fn retune(&mut self, settings: RmspropSettings) {
        self.settings = settings;
    }

    /// One update; `momentum` overrides the configured momentum (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, momentum: Option<f64>) {
        let s = self.settings;
        let momentum = momentum.unwrap_or(s.momentum);
        let alpha = s.alpha;
        let n = w.len().min(grad.len()).min(self.square_avg.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (square_avg, grad_avg, buf) =
            (self.square_avg.as_mut_slice(), self.grad_avg.as_mut_slice(), self.buf.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if s.weight_decay != 0.0 {
                g += s.weight_decay * w[i];
            }
            square_avg[i] = square_avg[i] * alpha + (1.0 - alpha) * g * g;
            let mut avg = if s.centered {
                grad_avg[i] = super::lerp(grad_avg[i], g, 1.0 - alpha);
                let ga = grad_avg[i];
                (square_avg[i] - ga * ga).sqrt()
            } else {
                square_avg[i].sqrt()
            };
            avg += s.eps;
            if momentum > 0.0 {
                buf[i] = buf[i] * momentum + g / avg;
                w[i] += -lr * buf[i];
            } else {
                w[i] += -lr * g / avg;
            }
        }
    }

    /// Forgets the running averages.
    pub fn reset(&mut self) {
        for v in [&mut self.square_avg, &mut self.grad_avg, &mut self.buf] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
    }
}
