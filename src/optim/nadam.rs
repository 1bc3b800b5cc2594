//! NAdam: Adam with Nesterov momentum (Dozat 2016), with torch's momentum-decay schedule.
//!
//! torch.optim.NAdam: `t += 1`; weight decay coupled or decoupled as in Adam;
//! `mu_t = b1*(1 - 0.5*0.96^(t*momentum_decay))`, `mu_{t+1}` likewise, `prod *= mu_t`;
//! `m = lerp(m, g, 1 - b1); v = b2*v + (1 - b2)*g^2` (weight decay and moments shared with
//! Adam in `moments.rs`); `denom = sqrt(v / (1 - b2^t)) + eps`;
//! `p -= lr*(1 - mu_t)/(1 - prod) * g/denom; p -= lr*mu_{t+1}/(1 - prod*mu_{t+1}) * m/denom`.

use super::moments::{self, Moments};
use crate::math::pow;

/// The hyperparameters of NAdam, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NadamSettings {
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum_decay: f64,
    pub decoupled_weight_decay: bool,
}

/// NAdam: settings and state.
#[derive(Clone, Debug)]
pub struct Nadam {
    pub(crate) settings: NadamSettings,
    moments: Moments,
    mu_product: f64,
}

impl Nadam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: NadamSettings) -> Self {
        Nadam { settings, moments: Moments::new(dim, settings.betas), mu_product: 1.0 }
    }

    /// Takes new settings, keeping m, v, the step count t and the momentum product (torch's
    /// `mu_product` state). New betas and `momentum_decay` apply from the next step: its
    /// `mu_t` and `mu_{t+1}` use them and multiply into the product kept so far, and
    /// `1 - b2^t` is computed with the new beta2 at the current t, as torch does when a param
    /// group's settings change.
    pub fn retune(&mut self, settings: NadamSettings) {
        self.settings = settings;
        self.moments.powers.set_betas(settings.betas);
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let (_, bc2) = self.moments.powers.advance(beta1);
        let t = self.moments.powers.step() as f64;
        let mu = b1 * (1.0 - 0.5 * pow(0.96, t * s.momentum_decay));
        let mu_next = b1 * (1.0 - 0.5 * pow(0.96, (t + 1.0) * s.momentum_decay));
        self.mu_product *= mu;
        // Below 1e-30, 1 - prod is exactly 1 anyway; flushing keeps the product out of the slow
        // subnormal range without changing any result.
        if self.mu_product.abs() < 1e-30 {
            self.mu_product = 0.0;
        }
        let mu_product_next = self.mu_product * mu_next;
        let grad_coef = -lr * (1.0 - mu) / (1.0 - self.mu_product);
        let avg_coef = (-lr * mu_next) / (1.0 - mu_product_next);
        let n = w.len().min(grad.len()).min(self.moments.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v) = (self.moments.m.as_mut_slice(), self.moments.v.as_mut_slice());
        for i in 0..n {
            let g = moments::weight_decay(&mut w[i], grad[i], lr, s.weight_decay, s.decoupled_weight_decay);
            moments::update(&mut m[i], &mut v[i], g, b1, b2);
            let denom = (v[i] / bc2).sqrt() + s.eps;
            w[i] += grad_coef * g / denom;
            w[i] += avg_coef * m[i] / denom;
        }
    }

    /// Forgets the moments and the momentum product.
    pub fn reset(&mut self) {
        self.moments.reset(self.settings.betas);
        self.mu_product = 1.0;
    }
}
