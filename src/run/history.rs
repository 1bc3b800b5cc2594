//! Bounded run history for charts: memory stays flat however long a run goes.
//!
//! Points are kept every `stride` steps; when the buffer is full, every other point is
//! dropped and the stride doubles (so a ten-million-step run keeps at most `capacity`
//! points, evenly spread). The most recent point and the points of lowest and highest value
//! (loss, or validation loss for evaluations) are always kept separately, so a decimated
//! history still shows the first, the last, the best and the worst point.

use serde::Serialize;

/// One visited point of a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TracePoint {
    /// Updates done before this point (the point is `params[step]`).
    pub step: u64,
    /// f(params[step]).
    pub loss: f64,
    /// Learning rate of the update taken from this point (NaN if none was taken).
    pub lr: f64,
    /// ||grad f(params[step])||.
    pub grad_norm: f64,
    /// ||params[step+1] - params[step]|| (NaN if no update was taken).
    pub delta_norm: f64,
    /// The first two parameters (the landscape coordinates).
    pub xy: [f64; 2],
}

/// An evaluation of a model on its whole training and validation sets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EvalPoint {
    /// Updates done before the evaluation.
    pub step: u64,
    /// Whole passes over the training set done.
    pub epoch: u64,
    /// Mean training loss without penalties.
    pub train_loss: f64,
    /// Mean validation loss without penalties.
    pub validation_loss: f64,
    /// Training accuracy (NaN for regression).
    pub train_accuracy: f64,
    /// Validation accuracy (NaN for regression).
    pub validation_accuracy: f64,
}

/// A point with a step number and a value, so that it can be kept in a decimated history.
pub trait Stepped: Copy {
    /// The step of the point.
    fn step(&self) -> u64;
    /// The value whose lowest and highest points the history keeps.
    fn value(&self) -> f64;
}

impl Stepped for TracePoint {
    fn step(&self) -> u64 {
        self.step
    }
    fn value(&self) -> f64 {
        self.loss
    }
}

impl Stepped for EvalPoint {
    fn step(&self) -> u64 {
        self.step
    }
    fn value(&self) -> f64 {
        self.validation_loss
    }
}

/// Default number of points kept per run.
pub const DEFAULT_CAPACITY: usize = 4096;

/// A decimated trace.
#[derive(Clone, Debug)]
pub struct History<T: Stepped = TracePoint> {
    points: Vec<T>,
    last: Option<T>,
    /// The first point of lowest value (NaN values are never the lowest or highest).
    lowest: Option<T>,
    /// The first point of highest value.
    highest: Option<T>,
    stride: u64,
    capacity: usize,
}

impl<T: Stepped> Default for History<T> {
    fn default() -> Self {
        History::with_capacity(DEFAULT_CAPACITY)
    }
}

impl<T: Stepped> History<T> {
    /// An empty history keeping at most `capacity` points (at least 2).
    pub fn with_capacity(capacity: usize) -> Self {
        History { points: Vec::new(), last: None, lowest: None, highest: None, stride: 1, capacity: capacity.max(2) }
    }

    /// Adds a point, decimating when full.
    #[inline]
    pub fn push(&mut self, point: T) {
        self.last = Some(point);
        let value = point.value();
        if self.lowest.is_none_or(|low| value < low.value()) {
            self.lowest = Some(point);
        }
        if self.highest.is_none_or(|high| value > high.value()) {
            self.highest = Some(point);
        }
        if point.step() % self.stride != 0 {
            return;
        }
        self.points.push(point);
        if self.points.len() >= self.capacity {
            self.stride *= 2;
            let stride = self.stride;
            self.points.retain(|p| p.step() % stride == 0);
        }
    }

    /// The kept points in step order: the evenly spread ones, the lowest, the highest and the
    /// latest point, each once.
    pub fn points(&self) -> impl Iterator<Item = &T> {
        let extra: Vec<&T> = [self.lowest.as_ref(), self.highest.as_ref(), self.last.as_ref()]
            .into_iter()
            .flatten()
            .filter(|p| self.points.binary_search_by_key(&p.step(), Stepped::step).is_err())
            .collect();
        let mut extra = crate::math::order::sorted_by_u64(extra, |p| p.step());
        extra.dedup_by_key(|p| p.step());
        let mut extra = extra.into_iter().peekable();
        let mut kept = self.points.iter().peekable();
        std::iter::from_fn(move || match (kept.peek(), extra.peek()) {
            (Some(a), Some(b)) if b.step() < a.step() => extra.next(),
            (Some(_), _) => kept.next(),
            (None, _) => extra.next(),
        })
    }

    /// The most recent point.
    pub fn last(&self) -> Option<&T> {
        self.last.as_ref()
    }

    /// Number of kept points.
    pub fn len(&self) -> usize {
        self.points().count()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.last.is_none()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = History::with_capacity(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(step: u64) -> TracePoint {
        TracePoint { step, loss: step as f64, lr: 0.1, grad_norm: 1.0, delta_norm: 1.0, xy: [0.0, 0.0] }
    }

    #[test]
    fn memory_stays_bounded_and_spread() {
        let mut h: History = History::with_capacity(64);
        for s in 0..1_000_000 {
            h.push(point(s));
        }
        let steps: Vec<u64> = h.points().map(|p| p.step).collect();
        assert!(steps.len() <= 65, "kept {}", steps.len());
        assert!(steps.len() >= 32, "kept {}", steps.len());
        assert_eq!(steps.first(), Some(&0));
        assert_eq!(steps.last(), Some(&999_999));
        assert!(steps.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn short_runs_keep_every_point() {
        let mut h: History = History::with_capacity(64);
        for s in 0..10 {
            h.push(point(s));
        }
        assert_eq!(h.len(), 10);
    }
}
