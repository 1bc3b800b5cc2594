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

/// The hyperparameters of Lookahead (the inner optimizer has its own).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LookaheadSettings {
    /// Inner steps between two syncs (at least 1).
    pub k: u64,
    /// The slow weights' step size.
    pub alpha: f64,
    /// Which bookkeeping to follow.
    pub variant: LookaheadVariant,
}

/// Lookahead's settings, slow weights and sync counter.
#[derive(Clone, Debug)]
pub struct SlowWeights {
    pub(crate) settings: LookaheadSettings,
    slow: Vec<f64>,
    initialised: bool,
    inner_steps: u64,
}

impl SlowWeights {
    /// Fresh slow weights for `dim` parameters.
    pub fn new(dim: usize, settings: LookaheadSettings) -> Self {
        let settings = LookaheadSettings { k: settings.k.max(1), ..settings };
        SlowWeights { settings, slow: vec![0.0; dim], initialised: false, inner_steps: 0 }
    }

    /// Takes new settings, keeping the slow weights and the count of inner steps. A new k
    /// syncs at the next inner step whose count is a multiple of it (`paper`) or one more than
    /// a multiple (`torch_optimizer`); alpha applies from the next sync. A new variant takes
    /// over with the slow weights as they are (set at the first step by either variant).
    pub fn retune(&mut self, settings: LookaheadSettings) {
        self.settings = LookaheadSettings { k: settings.k.max(1), ..settings };
    }

    /// Call before each inner step with the current (fast) weights.
    #[inline]
    pub fn before_inner_step(&mut self, fast: &[f64]) {
        if self.settings.variant == LookaheadVariant::Paper && !self.initialised {
            self.slow.copy_from_slice(fast);
            self.initialised = true;
        }
    }

    /// Call after each inner step; may pull the fast weights back towards the slow ones.
    #[inline]
    pub fn after_inner_step(&mut self, fast: &mut [f64]) {
        self.inner_steps += 1;
        let LookaheadSettings { k, alpha, variant } = self.settings;
        match variant {
            LookaheadVariant::Paper => {
                if self.inner_steps % k == 0 {
                    for (s, f) in self.slow.iter_mut().zip(fast.iter_mut()) {
                        *s += alpha * (*f - *s);
                        *f = *s;
                    }
                }
            }
            LookaheadVariant::TorchOptimizer => {
                if (self.inner_steps - 1) % k == 0 {
                    if !self.initialised {
                        self.slow.copy_from_slice(fast);
                        self.initialised = true;
                    }
                    for (s, f) in self.slow.iter_mut().zip(fast.iter_mut()) {
                        *f = *f * alpha + (1.0 - alpha) * *s;
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
