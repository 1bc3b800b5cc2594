//! RMSprop (Hinton, Coursera lecture 6e) with torch's centered and momentum variants.
//!
//! torch.optim.RMSprop: `g = grad + wd*p; v = alpha*v + (1 - alpha)*g^2`; centered:
//! `ga = lerp(ga, g, 1 - alpha); avg = sqrt(v - ga^2)`, else `avg = sqrt(v)`; `avg += eps`;
//! with momentum `buf = momentum*buf + g/avg; p -= lr*buf`, else `p -= lr*g/avg`.

/// RMSprop hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Rmsprop {
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    pub(crate) momentum: f64,
    centered: bool,
    square_avg: Vec<f64>,
    grad_avg: Vec<f64>,
    buf: Vec<f64>,
}

impl Rmsprop {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, alpha: f64, eps: f64, weight_decay: f64, momentum: f64, centered: bool) -> Self {
        Rmsprop {
            alpha,
            eps,
            weight_decay,
            momentum,
            centered,
            square_avg: vec![0.0; dim],
            grad_avg: vec![0.0; dim],
            buf: vec![0.0; dim],
        }
    }

    /// One update; `momentum` overrides the configured momentum (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, momentum: Option<f64>) {
        let momentum = momentum.unwrap_or(self.momentum);
        let alpha = self.alpha;
        let n = w.len().min(grad.len()).min(self.square_avg.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (square_avg, grad_avg, buf) =
            (self.square_avg.as_mut_slice(), self.grad_avg.as_mut_slice(), self.buf.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if self.weight_decay != 0.0 {
                g += self.weight_decay * w[i];
            }
            square_avg[i] = square_avg[i] * alpha + (1.0 - alpha) * g * g;
            let mut avg = if self.centered {
                grad_avg[i] = super::lerp(grad_avg[i], g, 1.0 - alpha);
                let ga = grad_avg[i];
                (square_avg[i] - ga * ga).sqrt()
            } else {
                square_avg[i].sqrt()
            };
            avg += self.eps;
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
