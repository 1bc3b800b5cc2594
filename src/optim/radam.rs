//! RAdam: Adam with a rectified adaptive learning rate (Liu et al. 2020).
//!
//! torch.optim.RAdam: `t += 1`; weight decay as in Adam; `m = lerp(m, g, 1 - b1)`;
//! `v = b2*v + (1 - b2)*g^2` (these three shared with Adam in `moments.rs`);
//! `m_hat = m / (1 - b1^t); rho_inf = 2/(1 - b2) - 1;
//! rho_t = rho_inf - 2*t*b2^t/(1 - b2^t)`. If `rho_t > 5`:
//! `rect = sqrt((rho_t - 4)(rho_t - 2)rho_inf / ((rho_inf - 4)(rho_inf - 2)rho_t))` and
//! `p -= m_hat * lr * sqrt(1 - b2^t)/(sqrt(v) + eps) * rect` (eps on the uncorrected root);
//! otherwise `p -= m_hat * lr` (plain momentum during the warm-up).

use super::moments::{self, Moments};

/// The hyperparameters of RAdam, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RadamSettings {
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
    pub decoupled_weight_decay: bool,
}

/// RAdam: settings and state.
#[derive(Clone, Debug)]
pub struct Radam {
    pub(crate) settings: RadamSettings,
    moments: Moments,
}

impl Radam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: RadamSettings) -> Self {
        Radam { settings, moments: Moments::new(dim, settings.betas) }
    }

    /// Takes new settings, keeping m, v and the step count t. New betas apply from the next
    /// step, to the moments, to `rho_inf` and `rho_t` and to the bias corrections
    /// `1 - beta^t`, computed with the new betas at the current t as torch does when a param
    /// group's betas change; so a new beta2 may move the step in or out of the warm-up
    /// (`rho_t <= 5`).
    pub fn retune(&mut self, settings: RadamSettings) {
        self.settings = settings;
        self.moments.powers.set_betas(settings.betas);
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let (bc1, bc2) = self.moments.powers.advance(beta1);
        let t = self.moments.powers.step() as f64;
        let rho_inf = 2.0 / (1.0 - b2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * self.moments.powers.beta2_power() / bc2;
        let rect = if rho_t > 5.0 {
            Some(((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt())
        } else {
            None
        };
        let bc2_sqrt = bc2.sqrt();
        let n = w.len().min(grad.len()).min(self.moments.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v) = (self.moments.m.as_mut_slice(), self.moments.v.as_mut_slice());
        for i in 0..n {
            let g = moments::weight_decay(&mut w[i], grad[i], lr, s.weight_decay, s.decoupled_weight_decay);
            moments::update(&mut m[i], &mut v[i], g, b1, b2);
            let m_hat = m[i] / bc1;
            let update = match rect {
                Some(rect) => {
                    let adaptive = bc2_sqrt / (v[i].sqrt() + s.eps);
                    m_hat * lr * adaptive * rect
                }
                None => m_hat * lr,
            };
            w[i] += -update;
        }
    }

    /// Forgets the moments.
    pub fn reset(&mut self) {
        self.moments.reset(self.settings.betas);
    }
}
