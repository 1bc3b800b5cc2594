//! Adadelta (Zeiler 2012) with torch's lr multiplier.
//!
//! torch.optim.Adadelta: `g = grad + wd*p; v = rho*v + (1 - rho)*g^2;
//! delta = sqrt(acc + eps) / sqrt(v + eps) * g; acc = rho*acc + (1 - rho)*delta^2;
//! p -= lr*delta` (eps inside both square roots).

/// The hyperparameters of Adadelta, with torch's names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdadeltaSettings {
    pub rho: f64,
    pub eps: f64,
    pub weight_decay: f64,
}

/// Adadelta: settings and state.
#[derive(Clone, Debug)]
pub struct Adadelta {
    pub(crate) settings: AdadeltaSettings,
    square_avg: Vec<f64>,
    acc_delta: Vec<f64>,
}

impl Adadelta {
    /// A fresh optimizer for `dim` parameters.
    pub fn new(dim: usize, settings: AdadeltaSettings) -> Self {
        Adadelta { settings, square_avg: vec![0.0; dim], acc_delta: vec![0.0; dim] }
    }

    /// Takes new settings, keeping both running averages; rho, eps and the weight decay apply
    /// from the next step.
    pub fn retune(&mut self, settings: AdadeltaSettings) {
        self.settings = settings;
    }

    /// One update.
    #[inline]
    pub fn step(&mut self, w: &mut [f64], grad: &[f64], lr: f64) {
        let s = self.settings;
        let rho = s.rho;
        let n = w.len().min(grad.len()).min(self.square_avg.len());
        // Slices, not Vecs, in the loop: `Vec` indexing is a call in the size-optimised wasm build.
        let (square_avg, acc_delta) = (self.square_avg.as_mut_slice(), self.acc_delta.as_mut_slice());
        for i in 0..n {
            let mut g = grad[i];
            if s.weight_decay != 0.0 {
                g += s.weight_decay * w[i];
            }
            square_avg[i] = square_avg[i] * rho + (1.0 - rho) * g * g;
            let std = (square_avg[i] + s.eps).sqrt();
            let delta = (acc_delta[i] + s.eps).sqrt() / std * g;
            acc_delta[i] = acc_delta[i] * rho + (1.0 - rho) * delta * delta;
            w[i] += -lr * delta;
        }
    }

    /// Forgets the running averages.
    pub fn reset(&mut self) {
        for v in [&mut self.square_avg, &mut self.acc_delta] {
            v.iter_mut().for_each(|x| *x = 0.0);
        }
    }
}
