//! Adagrad (Duchi, Hazan and Singer 2011) with torch's lr decay and initial accumulator.
//!
//! torch.optim.Adagrad: `t += 1; g = grad + wd*p; clr = lr / (1 + (t - 1)*lr_decay);
//! sum += g^2` (sum starts at `initial_accumulator_value`); `p -= clr * g / (sqrt(sum) + eps)`.

/// The hyperparameters of Adagrad, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdagradSettings {
    pub lr_decay: f64,
    pub weight_decay: f64,
    pub initial_accumulator_value: f64,
    pub eps: f64,
}

/// Adagrad: settings and state.
#[derive(Clone, Debug)]
pub struct Adagrad {
    pub(crate) settings: AdagradSettings,
    sum: Vec<f64>,
    t: u64,
}

impl Adagrad {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: AdagradSettings) -> Self {
        Adagrad { settings, sum: vec![settings.initial_accumulator_value; dim], t: 0 }
    }

    /// Takes new settings, keeping the sum of squares and the step count t. `lr_decay`, the
    /// weight decay and eps apply from the next step (the decayed rate uses the new lr_decay
    /// with the current t). `initial_accumulator_value` only sets the sum at construction, so a
    /// new one matters after the next `reset` alone.
    pub fn retune(&mut self, settings: AdagradSettings) {
        self.settings = settings;
    }

    /// One update.
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64) {
        let s = self.settings;
        self.t += 1;
        let clr = lr / (1.0 + (self.t - 1) as f64 * s.lr_decay);
        for ((p, &g0), sum) in w.iter_mut().zip(grad).zip(self.sum.iter_mut()) {
            let mut g = g0;
            if s.weight_decay != 0.0 {
                g += s.weight_decay * *p;
            }
            *sum += g * g;
            let std = sum.sqrt() + s.eps;
            *p += -clr * g / std;
        }
    }

    /// Back to the initial accumulator.
    pub fn reset(&mut self) {
        let init = self.settings.initial_accumulator_value;
        self.sum.iter_mut().for_each(|s| *s = init);
        self.t = 0;
    }
}
