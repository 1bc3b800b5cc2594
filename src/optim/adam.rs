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
        let k = AdamStep::new(&s, &mut self.moments.powers, lr, beta1);
        let n = w.len().min(grad.len()).min(self.moments.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, v, vmax) = (self.moments.m.as_mut_slice(), self.moments.v.as_mut_slice(), self.vmax.as_mut_slice());
        for i in 0..n {
            if s.amsgrad {
                k.moments(&mut w[i], &mut m[i], &mut v[i], grad[i]);
                vmax[i] = super::max_nan(vmax[i], v[i]);
                k.apply(&mut w[i], m[i], vmax[i]);
            } else {
                k.update(&mut w[i], &mut m[i], &mut v[i], grad[i]);
            }
        }
    }

    pub fn reset(&mut self) {
        self.moments.reset(self.settings.betas);
        self.vmax.fill(0.0);
    }
}

/// The constants of one Adam step (t + 1) and its update of one element, shared by `Adam::step`
/// and by Adam over many independent starts advancing in lockstep (`AdamLanes`, the batched
/// basins kernel), so that both do the same operations in the same order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdamStep {
    lr: f64,
    b1: f64,
    b2: f64,
    step_size: f64,
    bc2_sqrt: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
}

impl AdamStep {
    /// Advances the bias corrections `powers` to the next step and computes its constants.
    #[inline(always)]
    fn new(s: &AdamSettings, powers: &mut super::BetaPowers, lr: f64, beta1: Option<f64>) -> AdamStep {
        let (bc1, bc2) = powers.advance(beta1);
        AdamStep {
            lr,
            b1: beta1.unwrap_or(s.betas[0]),
            b2: s.betas[1],
            step_size: lr / bc1,
            bc2_sqrt: bc2.sqrt(),
            eps: s.eps,
            weight_decay: s.weight_decay,
            decoupled: s.decoupled_weight_decay,
        }
    }

    /// Weight decay and the two moments of one element.
    #[inline(always)]
    fn moments(&self, w: &mut f64, m: &mut f64, v: &mut f64, grad: f64) {
        let g = moments::weight_decay(w, grad, self.lr, self.weight_decay, self.decoupled);
        moments::update(m, v, g, self.b1, self.b2);
    }

    /// The parameter update of one element from its first moment and its second (v, or vmax).
    #[inline(always)]
    fn apply(&self, w: &mut f64, m: f64, second: f64) {
        let denom = second.sqrt() / self.bc2_sqrt + self.eps;
        *w += -self.step_size * m / denom;
    }

    /// The whole update of one element without AMSGrad.
    #[inline(always)]
    pub(crate) fn update(&self, w: &mut f64, m: &mut f64, v: &mut f64, grad: f64) {
        self.moments(w, m, v, grad);
        self.apply(w, *m, *v);
    }

    /// `update` of one element of two independent starts at once, in the two `f64x2` lanes:
    /// per lane the same operations in the same order as `update` (weight decay, torch's
    /// `lerp`, the second moment, the bias-corrected step), so the same bits.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    pub(crate) fn update_pair(
        &self,
        w: &mut core::arch::wasm32::v128,
        m: &mut core::arch::wasm32::v128,
        v: &mut core::arch::wasm32::v128,
        grad: core::arch::wasm32::v128,
    ) {
        use core::arch::wasm32::{f64x2_add, f64x2_div, f64x2_mul, f64x2_splat, f64x2_sqrt, f64x2_sub};
        let mut g = grad;
        // moments::weight_decay
        if self.weight_decay != 0.0 {
            if self.decoupled {
                *w = f64x2_mul(*w, f64x2_splat(1.0 - self.lr * self.weight_decay));
            } else {
                g = f64x2_add(g, f64x2_mul(f64x2_splat(self.weight_decay), *w));
            }
        }
        // moments::update: m = lerp(m, g, 1 - b1) (torch's two forms), v = v b2 + (1 - b2) g g.
        let weight = 1.0 - self.b1;
        *m = if weight.abs() < 0.5 {
            f64x2_add(*m, f64x2_mul(f64x2_splat(weight), f64x2_sub(g, *m)))
        } else {
            f64x2_sub(g, f64x2_mul(f64x2_sub(g, *m), f64x2_splat(1.0 - weight)))
        };
        *v = f64x2_add(f64x2_mul(*v, f64x2_splat(self.b2)), f64x2_mul(f64x2_mul(f64x2_splat(1.0 - self.b2), g), g));
        // apply: p += (-step_size * m) / (sqrt(v) / sqrt(1 - b2^t) + eps).
        let denom = f64x2_add(f64x2_div(f64x2_sqrt(*v), f64x2_splat(self.bc2_sqrt)), f64x2_splat(self.eps));
        *w = f64x2_add(*w, f64x2_div(f64x2_mul(f64x2_splat(-self.step_size), *m), denom));
    }
}

/// Adam without AMSGrad over many independent starts that all take their step t + 1 together:
/// the bias corrections are advanced once per step for every start.
#[derive(Clone, Debug)]
pub(crate) struct AdamLanes {
    settings: AdamSettings,
    powers: super::BetaPowers,
}

impl AdamLanes {
    /// Lockstep Adam with `settings`; None with AMSGrad (its running maximum is not batched).
    pub(crate) fn new(settings: AdamSettings) -> Option<AdamLanes> {
        (!settings.amsgrad).then(|| AdamLanes { settings, powers: super::BetaPowers::new(settings.betas) })
    }

    /// The constants of the next step for every start, at learning rate `lr`.
    #[inline]
    pub(crate) fn next_step(&mut self, lr: f64, beta1: Option<f64>) -> AdamStep {
        AdamStep::new(&self.settings, &mut self.powers, lr, beta1)
    }
}
