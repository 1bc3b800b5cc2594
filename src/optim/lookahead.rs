//! Lookahead: k steps forward, 1 step back (Zhang, Lucas, Hinton and Ba 2019, Algorithm 1),
//! wrapping any inner optimizer.
//!
//! `paper`: `slow = x0`; after inner steps k, 2k, ...: `slow += alpha*(fast - slow);
//! fast = slow`. `torch_optimizer`: the torch-optimizer package's variant, which syncs after
//! inner steps 1, 1 + k, 1 + 2k, ... with `fast = alpha*fast + (1 - alpha)*slow; slow = fast`
//! and `slow` initialised to the fast weights after step 1. The inner state is never reset.

use serde::{Deserialize, Serialize};

/// Which Lookahead bookkeeping to follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookaheadVariant {
    /// Zhang et al. 2019, Algorithm 1.
    #[default]
    Paper,
    /// The torch-optimizer package (syncs after steps 1, 1 + k, ...).
    TorchOptimizer,
}

/// The slow weights and the sync counter.
#[derive(Clone, Debug)]
pub struct SlowWeights {
    k: u64,
    alpha: f64,
    variant: LookaheadVariant,
    slow: Vec<f64>,
    initialised: bool,
    inner_steps: u64,
}

impl SlowWeights {
    /// Fresh slow weights for `dim` parameters.
    pub fn new(dim: usize, k: u64, alpha: f64, variant: LookaheadVariant) -> Self {
        SlowWeights { k: k.max(1), alpha, variant, slow: vec![0.0; dim], initialised: false, inner_steps: 0 }
    }

    /// Call before each inner step with the current (fast) weights.
    #[inline]
    pub fn before_inner_step(&mut self, fast: &[f64]) {
        if self.variant == LookaheadVariant::Paper && !self.initialised {
            self.slow.copy_from_slice(fast);
            self.initialised = true;
        }
    }

    /// Call after each inner step; may pull the fast weights back towards the slow ones.
    #[inline]
    pub fn after_inner_step(&mut self, fast: &mut [f64]) {
        self.inner_steps += 1;
        match self.variant {
            LookaheadVariant::Paper => {
                if self.inner_steps % self.k == 0 {
                    for (s, f) in self.slow.iter_mut().zip(fast.iter_mut()) {
                        *s += self.alpha * (*f - *s);
                        *f = *s;
                    }
                }
            }
            LookaheadVariant::TorchOptimizer => {
                if (self.inner_steps - 1) % self.k == 0 {
                    if !self.initialised {
                        self.slow.copy_from_slice(fast);
                        self.initialised = true;
                    }
                    for (s, f) in self.slow.iter_mut().zip(fast.iter_mut()) {
                        *f = *f * self.alpha + (1.0 - self.alpha) * *s;
                        *s = *f;
                    }
                }
            }
        }
    }

    /// Forgets the slow weights.
    pub fn reset(&mut self) {
        self.initialised = false;
        self.inner_steps = 0;
        self.slow.iter_mut().for_each(|s| *s = 0.0);
    }
}
