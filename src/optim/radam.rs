//! RAdam: Adam with a rectified adaptive learning rate (Liu et al. 2020).
//!
//! torch.optim.RAdam: `t += 1`; weight decay as in Adam; `m = lerp(m, g, 1 - b1)`;
//! `v = b2*v + (1 - b2)*g^2; m_hat = m / (1 - b1^t); rho_inf = 2/(1 - b2) - 1;
//! rho_t = rho_inf - 2*t*b2^t/(1 - b2^t)`. If `rho_t > 5`:
//! `rect = sqrt((rho_t - 4)(rho_t - 2)rho_inf / ((rho_inf - 4)(rho_inf - 2)rho_t))` and
//! `p -= m_hat * lr * sqrt(1 - b2^t)/(sqrt(v) + eps) * rect` (eps on the uncorrected root);
//! otherwise `p -= m_hat * lr` (plain momentum during the warm-up).

use super::BetaPowers;

/// RAdam hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Radam {
    pub(crate) betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    powers: BetaPowers,
}

impl Radam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, betas: [f64; 2], eps: f64, weight_decay: f64, decoupled: bool) -> Self {
        Radam {
            betas,
            eps,
            weight_decay,
            decoupled,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            powers: BetaPowers::new(betas),
        }
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let [b1, b2] = [beta1.unwrap_or(self.betas[0]), self.betas[1]];
        let (bc1, bc2) = self.powers.advance(beta1);
        let t = self.powers.step() as f64;
        let rho_inf = 2.0 / (1.0 - b2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * self.powers.beta2_power() / bc2;
        let rect = if rho_t > 5.0 {
            Some(((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt())
        } else {
            None
        };
        let bc2_sqrt = bc2.sqrt();
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
            let m_hat = m[i] / bc1;
            let update = match rect {
                Some(rect) => {
                    let adaptive = bc2_sqrt / (v[i].sqrt() + self.eps);
                    m_hat * lr * adaptive * rect
                }
                None => m_hat * lr,
            };
            w[i] += -update;
        }
    }

    /// Forgets the moments.
    pub fn reset(&mut self) {
        for v in [&mut self.m, &mut self.v] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        self.powers = BetaPowers::new(self.betas);
    }
}
