//! Adam (Kingma and Ba 2015), AMSGrad (Reddi et al. 2018) and AdamW (Loshchilov and Hutter 2019).
//!
//! torch.optim.Adam / AdamW, single-tensor path: `t += 1`; weight decay coupled
//! (`g = grad + wd*p`) or decoupled (`p *= 1 - lr*wd`); `m = lerp(m, g, 1 - b1)`;
//! `v = b2*v + (1 - b2)*g^2` (these three shared with NAdam and RAdam in `moments.rs`);
//! AMSGrad keeps `vmax = max(vmax, v)` and uses it for v;
//! `p -= (lr / (1 - b1^t)) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)`: eps outside the square root,
//! added to the bias-corrected root.

use super::moments::{self, Moments};

/// The hyperparameters of Adam and AdamW, with torch's names (AdamW is Adam with
/// `decoupled_weight_decay`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamSettings {
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
    pub decoupled_weight_decay: bool,
    pub amsgrad: bool,
}

/// Adam and AdamW: settings and state.
#[derive(Clone, Debug)]
pub struct Adam {
    pub(crate) settings: AdamSettings,
    moments: Moments,
    vmax: Vec<f64>,
}

impl Adam {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: AdamSettings) -> Self {
        Adam { settings, moments: Moments::new(dim, settings.betas), vmax: vec![0.0; dim] }
    }

    /// Takes new settings, keeping m, v, vmax and the step count t. New betas apply to the
    /// next moment update and to its bias corrections `1 - beta^t` (computed with the new
    /// betas at the current t, as torch does when a param group's betas change); eps, the
    /// weight decay and its kind apply from the next step. vmax is kept as it is while
    /// `amsgrad` is off and used again when it is turned back on, as torch keeps its state
    /// (from zero if it never was on, so from v at the next step).
    pub fn retune(&mut self, settings: AdamSettings) {
        self.settings = settings;
        self.moments.powers.set_betas(settings.betas);
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let (bc1, bc2) = self.moments.powers.advance(beta1);
        let step_size = lr / bc1;
        let bc2_sqrt = bc2.sqrt();
        let n = w.len().min(grad.len()).min(self.moments.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v, vmax) = (self.moments.m.as_mut_slice(), self.moments.v.as_mut_slice(), self.vmax.as_mut_slice());
        for i in 0..n {
            let g = moments::weight_decay(&mut w[i], grad[i], lr, s.weight_decay, s.decoupled_weight_decay);
            moments::update(&mut m[i], &mut v[i], g, b1, b2);
            let second = if s.amsgrad {
                vmax[i] = super::max_nan(vmax[i], v[i]);
                vmax[i]
            } else {
                v[i]
            };
            let denom = second.sqrt() / bc2_sqrt + s.eps;
            w[i] += -step_size * m[i] / denom;
        }
    }

    /// Forgets the moments.
    pub fn reset(&mut self) {
        self.moments.reset(self.settings.betas);
        self.vmax.fill(0.0);
    }
}
