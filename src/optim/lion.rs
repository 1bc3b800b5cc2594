//! Lion: evolved sign momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
//! Algorithms", Algorithm 2). Not in torch.optim; named in the same style.
//!
//! `p *= 1 - lr*wd` (decoupled); `c = lerp(m, g, 1 - b1); p -= lr*sign(c);
//! m = lerp(m, g, 1 - b2)`.

use crate::math::sign;

/// The hyperparameters of Lion.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LionSettings {
    pub betas: [f64; 2],
    pub weight_decay: f64,
}

/// Lion: settings and state.
#[derive(Clone, Debug)]
pub struct Lion {
    pub(crate) settings: LionSettings,
    m: Vec<f64>,
}

impl Lion {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: LionSettings) -> Self {
        Lion { settings, m: vec![0.0; dim] }
    }

    /// Takes new settings, keeping the momentum; the betas and the weight decay apply from the
    /// next step (Lion has no bias correction, so no step count to reconcile).
    pub fn retune(&mut self, settings: LionSettings) {
        self.settings = settings;
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let n = w.len().min(grad.len()).min(self.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let m = self.m.as_mut_slice();
        for i in 0..n {
            let g = grad[i];
            if s.weight_decay != 0.0 {
                w[i] *= 1.0 - lr * s.weight_decay;
            }
            let c = super::lerp(m[i], g, 1.0 - b1);
            // A NaN gradient must stay visible: sign(NaN) would hide it.
            let direction = if c.is_nan() { f64::NAN } else { sign(c) };
            w[i] += -lr * direction;
            m[i] = super::lerp(m[i], g, 1.0 - b2);
        }
    }

    /// Forgets the momentum.
    pub fn reset(&mut self) {
        self.m.iter_mut().for_each(|x| *x = 0.0);
    }
}
