//! NAdam: Adam with Nesterov momentum (Dozat 2016), with torch's momentum-decay schedule.
//!
//! torch.optim.NAdam: `t += 1`; weight decay coupled or decoupled as in Adam;
//! `mu_t = b1*(1 - 0.5*0.96^(t*momentum_decay))`, `mu_{t+1}` likewise, `prod *= mu_t`;
//! `m = lerp(m, g, 1 - b1); v = b2*v + (1 - b2)*g^2; denom = sqrt(v / (1 - b2^t)) + eps`;
//! `p -= lr*(1 - mu_t)/(1 - prod) * g/denom; p -= lr*mu_{t+1}/(1 - prod*mu_{t+1}) * m/denom`.

use super::BetaPowers;
use crate::math::pow;

/// NAdam hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Nadam {
    pub(crate) betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    momentum_decay: f64,
    decoupled: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    mu_product: f64,
    powers: BetaPowers,
}

impl Nadam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, betas: [f64; 2], eps: f64, weight_decay: f64, momentum_decay: f64, decoupled: bool) -> Self {
        Nadam {
            betas,
            eps,
            weight_decay,
            momentum_decay,
            decoupled,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            mu_product: 1.0,
            powers: BetaPowers::new(betas),
        }
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let [b1, b2] = [beta1.unwrap_or(self.betas[0]), self.betas[1]];
        let (_, bc2) = self.powers.advance(beta1);
        let t = self.powers.step() as f64;
        let mu = b1 * (1.0 - 0.5 * pow(0.96, t * self.momentum_decay));
        let mu_next = b1 * (1.0 - 0.5 * pow(0.96, (t + 1.0) * self.momentum_decay));
        self.mu_product *= mu;
        // Below 1e-30, 1 - prod is exactly 1 anyway; flushing keeps the product out of the slow
        // subnormal range without changing any result.
        if self.mu_product.abs() < 1e-30 {
            self.mu_product = 0.0;
        }
        let mu_product_next = self.mu_product * mu_next;
        let grad_coef = -lr * (1.0 - mu) / (1.0 - self.mu_product);
        let avg_coef = (-lr * mu_next) / (1.0 - mu_product_next);
        let n = w.len().min(grad.len()).min(self.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v) = (self.m.as_mut_slice(), self.v.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if self.weight_decay != 0.0 {
                if self.decoupled {
                    w[i] *= 1.0 - lr * self.weight_decay;
                } else {
                    g += self.weight_decay * w[i];
                }
            }
            m[i] = super::lerp(m[i], g, 1.0 - b1);
            v[i] = v[i] * b2 + (1.0 - b2) * g * g;
            let denom = (v[i] / bc2).sqrt() + self.eps;
            w[i] += grad_coef * g / denom;
            w[i] += avg_coef * m[i] / denom;
        }
    }

    /// Forgets the moments and the momentum product.
    pub fn reset(&mut self) {
        for v in [&mut self.m, &mut self.v] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        self.mu_product = 1.0;
        self.powers = BetaPowers::new(self.betas);
    }
}
