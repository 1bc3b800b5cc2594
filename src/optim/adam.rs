//! Adam (Kingma and Ba 2015), AMSGrad (Reddi et al. 2018) and AdamW (Loshchilov and Hutter 2019).
//!
//! torch.optim.Adam / AdamW, single-tensor path: `t += 1`; weight decay coupled
//! (`g = grad + wd*p`) or decoupled (`p *= 1 - lr*wd`); `m = lerp(m, g, 1 - b1)`;
//! `v = b2*v + (1 - b2)*g^2`; AMSGrad keeps `vmax = max(vmax, v)` and uses it for v;
//! `p -= (lr / (1 - b1^t)) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)`: eps outside the square root,
//! added to the bias-corrected root.

use super::BetaPowers;

/// Adam and AdamW hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Adam {
    pub(crate) betas: [f64; 2],
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    amsgrad: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    vmax: Vec<f64>,
    powers: BetaPowers,
}

impl Adam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, betas: [f64; 2], eps: f64, weight_decay: f64, decoupled: bool, amsgrad: bool) -> Self {
        Adam {
            betas,
            eps,
            weight_decay,
            decoupled,
            amsgrad,
            m: vec![0.0; dim],
            v: vec![0.0; dim],
            vmax: vec![0.0; dim],
            powers: BetaPowers::new(betas),
        }
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let [b1, b2] = [beta1.unwrap_or(self.betas[0]), self.betas[1]];
        let (bc1, bc2) = self.powers.advance(beta1);
        let step_size = lr / bc1;
        let bc2_sqrt = bc2.sqrt();
        let n = w.len().min(grad.len()).min(self.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v, vmax) = (self.m.as_mut_slice(), self.v.as_mut_slice(), self.vmax.as_mut_slice());
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
            let second = if self.amsgrad {
                vmax[i] = super::max_nan(vmax[i], v[i]);
                vmax[i]
            } else {
                v[i]
            };
            let denom = second.sqrt() / bc2_sqrt + self.eps;
            w[i] += -step_size * m[i] / denom;
        }
    }

    /// Forgets the moments.
    pub fn reset(&mut self) {
        for v in [&mut self.m, &mut self.v, &mut self.vmax] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
        self.powers = BetaPowers::new(self.betas);
    }
}
