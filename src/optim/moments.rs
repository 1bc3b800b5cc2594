//! The weight decay and the two moment estimates that Adam, AdamW, NAdam and RAdam share
//! (and Adam-HD, whose weight decay is always coupled), written once.
//!
//! torch.optim's `_single_tensor_adam`, `_single_tensor_nadam` and `_single_tensor_radam`
//! (PyTorch 2.x) all begin a parameter's update with the same three operations, in this order:
//!
//! - weight decay, coupled `grad = grad.add(param, alpha=weight_decay)`, i.e. `g = g + wd*p`,
//!   or decoupled `param.mul_(1 - lr*weight_decay)`, i.e. `p = p*(1 - lr*wd)`, only when
//!   `weight_decay != 0`;
//! - `exp_avg.lerp_(grad, 1 - beta1)`, i.e. `m = lerp(m, g, 1 - b1)` with torch's `lerp`;
//! - `exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)`, i.e.
//!   `v = v*b2 + (1 - b2)*g*g`.
//!
//! The helpers below perform exactly these operations for one element, in that order, and are
//! always inlined into the optimizers' index loops, so that those loops compute the same
//! floating-point operations as before they were shared (the reference replays check it bit
//! for bit against torch within their tolerance). Adamax applies the same lerp to m but keeps
//! an infinity norm instead of v, so it uses `lerp` directly.

use super::BetaPowers;

/// The first and second moment estimates and the running powers beta^t of their bias
/// corrections: the state Adam, NAdam, RAdam and Adam-HD keep per parameter.
#[derive(Clone, Debug)]
pub(crate) struct Moments {
    /// m, the first moment (torch's `exp_avg`).
    pub(crate) m: Vec<f64>,
    /// v, the second moment (torch's `exp_avg_sq`).
    pub(crate) v: Vec<f64>,
    /// beta1^t and beta2^t, and the step count t.
    pub(crate) powers: BetaPowers,
}

impl Moments {
    /// Zero moments for `dim` parameters at step 0.
    pub(crate) fn new(dim: usize, betas: [f64; 2]) -> Self {
        Moments { m: vec![0.0; dim], v: vec![0.0; dim], powers: BetaPowers::new(betas) }
    }

    /// Back to zero moments at step 0 (keeping the allocations).
    pub(crate) fn reset(&mut self, betas: [f64; 2]) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.powers = BetaPowers::new(betas);
    }
}

/// Applies the weight decay to one parameter `p` with gradient `g` and returns the gradient
/// the moments see: `g + wd*p` when coupled; when decoupled, `p` becomes `p*(1 - lr*wd)` and
/// `g` is returned unchanged. Nothing happens when `weight_decay` is 0, as in torch.
#[inline(always)]
pub(crate) fn weight_decay(p: &mut f64, g: f64, lr: f64, weight_decay: f64, decoupled: bool) -> f64 {
    let mut g = g;
    if weight_decay != 0.0 {
        if decoupled {
            *p *= 1.0 - lr * weight_decay;
        } else {
            g += weight_decay * *p;
        }
    }
    g
}

/// Updates one element's moments with the gradient `g`: `m = lerp(m, g, 1 - b1)`, then
/// `v = v*b2 + (1 - b2)*g*g`.
#[inline(always)]
pub(crate) fn update(m: &mut f64, v: &mut f64, g: f64, b1: f64, b2: f64) {
    *m = super::lerp(*m, g, 1.0 - b1);
    *v = *v * b2 + (1.0 - b2) * g * g;
}
