//! Adamax, the infinity-norm variant of Adam (Kingma and Ba 2015, section 7.1).
//!
//! torch.optim.Adamax: `t += 1; g = grad + wd*p; m = lerp(m, g, 1 - b1);
//! u = max(b2*u, |g| + eps); p -= (lr / (1 - b1^t)) * m / u`.

use super::BetaPowers;

/// Adamax hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Adamax {
    pub(crate) betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    m: Vec<f64>,
    u: Vec<f64>,
    powers: BetaPowers,
}

impl Adamax {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, betas: [f64; 2], eps: f64, weight_decay: f64) -> Self {
        Adamax { betas, eps, weight_decay, m: vec![0.0; dim], u: vec![0.0; dim], powers: BetaPowers::new(betas) }
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let [b1, b2] = [beta1.unwrap_or(self.betas[0]), self.betas[1]];
        let (bc1, _) = self.powers.advance(beta1);
        let clr = lr / bc1;
        let n = w.len().min(grad.len()).min(self.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, u) = (self.m.as_mut_slice(), self.u.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if self.weight_decay != 0.0 {
                g += self.weight_decay * w[i];
            }
            m[i] = super::lerp(m[i], g, 1.0 - b1);
            let candidate = g.abs() + self.eps;
            let decayed = u[i] * b2;
            u[i] = super::max_nan(decayed, candidate);
            w[i] += -clr * m[i] / u[i];
        }
    }

    /// Forgets the moments.
    pub fn reset(&mut self) {
        for v in [&mut self.m, &mut self.u] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        self.powers = BetaPowers::new(self.betas);
    }
}
