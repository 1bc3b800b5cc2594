//! Adagrad (Duchi, Hazan and Singer 2011) with torch's lr decay and initial accumulator.
//!
//! torch.optim.Adagrad: `t += 1; g = grad + wd*p; clr = lr / (1 + (t - 1)*lr_decay);
//! sum += g^2` (sum starts at `initial_accumulator_value`); `p -= clr * g / (sqrt(sum) + eps)`.

/// Adagrad hyperparameters and state.
#[derive(Clone, Debug)]
pub struct Adagrad {
    lr_decay: f64,
    weight_decay: f64,
    initial_accumulator_value: f64,
    eps: f64,
    sum: Vec<f64>,
    t: u64,
}

impl Adagrad {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, lr_decay: f64, weight_decay: f64, initial: f64, eps: f64) -> Self {
        Adagrad { lr_decay, weight_decay, initial_accumulator_value: initial, eps, sum: vec![initial; dim], t: 0 }
    }

    /// One update.
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64) {
        self.t += 1;
        let clr = lr / (1.0 + (self.t - 1) as f64 * self.lr_decay);
        for ((p, &g0), s) in w.iter_mut().zip(grad).zip(self.sum.iter_mut()) {
            let mut g = g0;
            if self.weight_decay != 0.0 {
                g += self.weight_decay * *p;
            }
            *s += g * g;
            let std = s.sqrt() + self.eps;
            *p += -clr * g / std;
        }
    }

    /// Back to the initial accumulator.
    pub fn reset(&mut self) {
        let init = self.initial_accumulator_value;
        self.sum.iter_mut().for_each(|s| *s = init);
        self.t = 0;
    }
}
