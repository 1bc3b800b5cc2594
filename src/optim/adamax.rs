//! Adamax, the infinity-norm variant of Adam (Kingma and Ba 2015, section 7.1).
//!
//! torch.optim.Adamax: `t += 1; g = grad + wd*p; m = lerp(m, g, 1 - b1);
//! u = max(b2*u, |g| + eps); p -= (lr / (1 - b1^t)) * m / u`.

use super::BetaPowers;

/// The hyperparameters of Adamax, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamaxSettings {
    pub betas: [f64; 2],
    pub eps: f64,
    pub weight_decay: f64,
}

/// Adamax: settings and state.
#[derive(Clone, Debug)]
pub struct Adamax {
    pub(crate) settings: AdamaxSettings,
    m: Vec<f64>,
    u: Vec<f64>,
    powers: BetaPowers,
}

impl Adamax {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: AdamaxSettings) -> Self {
        Adamax { settings, m: vec![0.0; dim], u: vec![0.0; dim], powers: BetaPowers::new(settings.betas) }
    }

    /// Takes new settings, keeping m, the infinity norm u and the step count t. New betas
    /// apply from the next step, the bias correction `1 - b1^t` computed with the new beta1
    /// at the current t as torch does; eps and the weight decay apply from the next step.
    pub fn retune(&mut self, settings: AdamaxSettings) {
        self.settings = settings;
        self.powers.set_betas(settings.betas);
    }

    /// One update; `beta1` overrides the configured first beta (cycling schedules).
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64, beta1: Option<f64>) {
        let s = self.settings;
        let [b1, b2] = [beta1.unwrap_or(s.betas[0]), s.betas[1]];
        let (bc1, _) = self.powers.advance(beta1);
        let clr = lr / bc1;
        let n = w.len().min(grad.len()).min(self.m.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (m, u) = (self.m.as_mut_slice(), self.u.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if s.weight_decay != 0.0 {
                g += s.weight_decay * w[i];
            }
            m[i] = super::lerp(m[i], g, 1.0 - b1);
            let candidate = g.abs() + s.eps;
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
        self.powers = BetaPowers::new(self.settings.betas);
    }
}
