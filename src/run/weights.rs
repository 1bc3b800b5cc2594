//! Weight snapshots along a model run's history, so that the page's timeline can draw what the
//! model had learned at a past step (the decision boundary, the fitted curve, the network).
//!
//! A snapshot is taken at every evaluation of the model (`Run::record_evaluation`, after the
//! update of that step), with the weights as they were then. Memory is bounded by halving: the
//! k-th evaluation is kept when k is a multiple of the stride; when `capacity` snapshots are
//! kept, every other one is dropped and the stride doubles (as `history::History` does with
//! its points), so the kept snapshots stay evenly spread over the evaluations, the first (step
//! 0) always among them, and the latest is always kept besides. The capacity is
//! `WEIGHT_BUDGET_FLOATS / dim`, clamped to `[MIN_SNAPSHOTS, MAX_SNAPSHOTS]`: the largest model
//! the config allows (32 input features, 6 hidden layers of 32 units, 6,369 weights) keeps 20
//! snapshots, the spiral preset's 8-8-8 network (177 weights) 256, and no run keeps more than
//! `WEIGHT_BUDGET_FLOATS` numbers (1 MiB of f64) plus one latest snapshot, however long it runs.
//!
//! When early stopping puts the best weights back, the evaluation of the restored weights has
//! the same step as the one before it and replaces it: the last snapshot is then the weights
//! the run ended with, as the live view shows them.

/// The weights a run keeps at most, over all its snapshots (1 MiB of f64).
pub const WEIGHT_BUDGET_FLOATS: usize = 1 << 17;
/// The fewest snapshots kept, however large the model.
pub const MIN_SNAPSHOTS: usize = 16;
/// The most snapshots kept, however small the model.
pub const MAX_SNAPSHOTS: usize = 256;

/// One snapshot: the evaluation's index, its step and the weights then.
#[derive(Clone, Debug, PartialEq)]
struct Snapshot {
    index: u64,
    step: u64,
    weights: Vec<f64>,
}

/// The snapshots of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightHistory {
    dim: usize,
    capacity: usize,
    /// Evaluations seen so far (the index of the next one).
    seen: u64,
    stride: u64,
    /// The kept snapshots in step order.
    kept: Vec<Snapshot>,
    /// The latest snapshot when the stride left it out.
    latest: Option<Snapshot>,
}

impl WeightHistory {
    /// An empty history for weights of `dim` numbers.
    pub fn new(dim: usize) -> Self {
        let capacity = (WEIGHT_BUDGET_FLOATS / dim.max(1)).clamp(MIN_SNAPSHOTS, MAX_SNAPSHOTS);
        WeightHistory { dim, capacity, seen: 0, stride: 1, kept: Vec::new(), latest: None }
    }

    /// The most snapshots kept at once (besides the latest).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Numbers held now, over every snapshot (the memory bound's measure).
    pub fn floats(&self) -> usize {
        self.len() * self.dim
    }

    /// Snapshots held now.
    pub fn len(&self) -> usize {
        self.kept.len() + usize::from(self.latest.is_some())
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every snapshot.
    pub fn clear(&mut self) {
        *self = WeightHistory::new(self.dim);
    }

    /// Records the weights `w` of step `step`. A snapshot of the same step as the last one
    /// replaces it (the weights early stopping restored); weights of another length are ignored.
    pub fn push(&mut self, step: u64, w: &[f64]) {
        if w.len() != self.dim {
            return;
        }
        if let Some(last) = self.latest.as_mut().or(self.kept.last_mut()).filter(|s| s.step == step) {
            last.weights.copy_from_slice(w);
            return;
        }
        let snapshot = Snapshot { index: self.seen, step, weights: w.to_vec() };
        self.seen += 1;
        if snapshot.index % self.stride != 0 {
            self.latest = Some(snapshot);
            return;
        }
        self.latest = None;
        self.kept.push(snapshot);
        if self.kept.len() >= self.capacity {
            // Double the stride and drop what it leaves out; the newest dropped stays as the
            // latest.
            self.stride *= 2;
            let stride = self.stride;
            if self.kept.last().is_some_and(|s| s.index % stride != 0) {
                self.latest = self.kept.pop();
            }
            self.kept.retain(|s| s.index % stride == 0);
        }
    }

    /// The snapshot of the latest step at or before `step`: `(its step, its weights)`.
    pub fn at_or_before(&self, step: u64) -> Option<(u64, &[f64])> {
        let found = self.latest.iter().chain(self.kept.iter().rev()).find(|s| s.step <= step)?;
        Some((found.step, &found.weights))
    }

    /// The steps of every snapshot held, in order.
    pub fn steps(&self) -> Vec<u64> {
        self.kept.iter().chain(&self.latest).map(|s| s.step).collect()
    }
}

/// The caption of a model view drawn for the timeline's step `asked` from the snapshot of step
/// `shown` (None: no snapshot at or before it, so the latest weights are drawn).
pub fn caption(asked: u64, shown: Option<u64>) -> String {
    match shown {
        Some(at) if at == asked => format!("Weights at step {at}."),
        Some(at) => format!("Weights at step {at}, the nearest recorded before {asked}."),
        None => format!("No weights were recorded at or before step {asked}: the latest weights are shown."),
    }
}
