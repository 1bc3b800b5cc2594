//! Scratch space of training passes kept between calls.
//!
//! `Model::loss_grad` zeroes its scratch space (activations, derivatives and deltas of a block of
//! examples: about 9.5 kB for networks of at most 8 units per layer, 39 kB otherwise) on the
//! stack at every call. A run that trains one minibatch per step keeps a `Workspace` instead and
//! passes it to `Model::loss_grad_in`, which zeroes the space once, when first used, and then
//! reuses it: every value a training pass reads was written earlier in the same pass (see
//! `mlp.rs`), so the results are bit for bit those of `loss_grad`.

use std::fmt;

use super::mlp::{TrainScratch, LANES, NARROW, WIDE};

/// Lanes of the blocks that take the tail of a batch (fewer than 4 rows): two rows at a time.
pub(crate) const TAIL_LANES: usize = 2;

/// The scratch space of one training pass for layers of at most W units: blocks of 8 examples
/// and the tail blocks of 2.
pub(crate) struct Scratches<const W: usize> {
    /// Blocks of `LANES` examples.
    pub(crate) full: TrainScratch<W, LANES>,
    /// Blocks of `TAIL_LANES` examples.
    pub(crate) tail: TrainScratch<W, TAIL_LANES>,
}

impl<const W: usize> Scratches<W> {
    /// Zeroed scratch space.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Scratches { full: TrainScratch::new(), tail: TrainScratch::new() }
    }
}

/// Scratch space for `Model::loss_grad_in`, allocated at first use for the width the model
/// needs. A clone is empty: scratch space carries no state worth copying.
#[derive(Default)]
pub struct Workspace {
    narrow: Option<Box<Scratches<NARROW>>>,
    wide: Option<Box<Scratches<WIDE>>>,
}

impl Workspace {
    /// An empty workspace (nothing allocated yet).
    pub fn new() -> Self {
        Workspace::default()
    }

    /// The scratch space for networks of at most 8 units per layer.
    pub(crate) fn narrow(&mut self) -> &mut Scratches<NARROW> {
        self.narrow.get_or_insert_with(|| Box::new(Scratches::new()))
    }

    /// The scratch space for wider networks.
    pub(crate) fn wide(&mut self) -> &mut Scratches<WIDE> {
        self.wide.get_or_insert_with(|| Box::new(Scratches::new()))
    }
}

impl Clone for Workspace {
    fn clone(&self) -> Self {
        Workspace::default()
    }
}

/// Scratch space is not state: every use overwrites it before reading it, and a reset keeps its
/// allocation, so its `Debug` form (which tests compare to check that a reset restores a run)
/// leaves it out.
impl fmt::Debug for Workspace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Workspace { .. }")
    }
}
