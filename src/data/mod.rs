//! Datasets to train on: seeded synthetic sets, the user's own CSV, and a train/validation split.
//!
//! A dataset is written in a config like a problem (`{"name": "spiral", "n": 300, "noise": 0.1}`)
//! and turned into numbers by `DataConfig::generate(seed)`. The same config and seed give
//! bit-identical data natively and in wasm32: every random number comes from the portable PCG32
//! generator in `rng.rs`, and every transcendental function from `crate::math`.
//!
//! The sets (exact formulas in `regression.rs` and `classification.rs`):
//! - 1-D regression, x ~ U(-1, 1), y = f(x) + noise*N(0, 1), plus a share `outliers` of points
//!   whose y is moved by +-(2 + |N(0, 1)|)*max(R, 1), R being the range of f on [-1, 1]:
//!   - `linear {n = 100, noise = 0.1, outliers = 0, slope = 1.5, intercept = 0.5}`:
//!     f(x) = slope*x + intercept;
//!   - `polynomial {n = 100, noise = 0.1, outliers = 0}`: f(x) = 4x^3 - 3x (the Chebyshev
//!     polynomial T3, which swings between -1 and 1 three times on [-1, 1]);
//!   - `sine {n = 100, noise = 0.1, outliers = 0, frequency = 1}`: f(x) = sin(2*pi*frequency*x).
//! - 2-D binary classification, the shapes of TensorFlow Playground (`src/dataset.ts` of
//!   <https://github.com/tensorflow/playground>) divided by 5 so that they fill about [-1, 1]^2,
//!   plus scikit-learn's two moons (`sklearn.datasets.make_moons`); `noise` in [0, 1] is
//!   Playground's noise slider / 100 (the slider stops at 50), and a share `label_noise` of labels
//!   is flipped: `circle`, `xor`, `gaussians`, `spiral`, `moons`, each
//!   `{n = 200, noise = 0, label_noise = 0, scale = 1}`; `scale` in (0, 100] multiplies every
//!   coordinate after generation (5 gives Playground's own units, about [-5, 5]^2).
//! - `csv {text}`: the user's own data, two columns x,y (regression) or three columns
//!   x1,x2,label (classification, labels 0/1 or -1/1), with or without a header line. Problems
//!   are reported with their line numbers (see `csv.rs`).
//!
//! `split` shuffles a dataset with a seed and cuts it into a training and a validation part.

mod classification;
mod csv;
pub use csv::{shape as csv_shape, CsvShape};
mod regression;
mod rng;

use serde::{Deserialize, Serialize};

use crate::config::validate::{join, Validator};

use classification::Shape;
use regression::Target;

pub use rng::{Rng, STREAM_DATA_CORRUPTION, STREAM_DATA_ORDER, STREAM_DATA_POINTS, STREAM_SPLIT};

/// The fewest points a generated or uploaded dataset may have.
pub const MIN_POINTS: u32 = 4;
/// The most points a generated or uploaded dataset may have.
pub const MAX_POINTS: u32 = 5000;
/// The largest share of outliers or flipped labels.
pub const MAX_CORRUPTED_SHARE: f64 = 0.5;
/// The largest `scale` of a 2-D classification set.
pub const MAX_SCALE: f64 = 100.0;
/// The largest frequency of the sine set (cycles on the unit interval).
pub const MAX_FREQUENCY: f64 = 20.0;

/// What the targets of a dataset mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Real-valued targets, fitted with a regression loss.
    Regression,
    /// Binary labels 0.0 or 1.0, fitted with a classification loss.
    Classification,
}

/// Points and their targets, ready for training.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The inputs, row-major: point i is `inputs[i*input_dim .. (i+1)*input_dim]`.
    pub inputs: Vec<f64>,
    /// One target per point: y for regression, 0.0 or 1.0 for classification.
    pub targets: Vec<f64>,
    /// Number of inputs per point (1 for the regression sets, 2 for the classification sets).
    pub input_dim: usize,
    /// Regression or classification.
    pub task: Task,
}

impl Dataset {
    /// A dataset without points.
    pub fn empty(input_dim: usize, task: Task) -> Self {
        Dataset { inputs: Vec::new(), targets: Vec::new(), input_dim, task }
    }

    /// Number of points (the number of targets).
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The inputs of point i. An index past the end gives an empty slice instead of a panic.
    pub fn row(&self, i: usize) -> &[f64] {
        let start = i.checked_mul(self.input_dim);
        let end = start.and_then(|s| s.checked_add(self.input_dim));
        match (start, end) {
            (Some(start), Some(end)) => self.inputs.get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The points with the given indices, in that order (an index may repeat). Indices past the
    /// end are skipped.
    pub fn subset(&self, idx: &[u32]) -> Dataset {
        // The capacity is only a hint; it is bounded so that absurd sizes cannot overflow.
        let capacity = idx.len().saturating_mul(self.input_dim).min(self.inputs.len());
        let mut out = Dataset {
            inputs: Vec::with_capacity(capacity),
            targets: Vec::with_capacity(idx.len()),
            input_dim: self.input_dim,
            task: self.task,
        };
        for &i in idx {
            let i = i as usize;
            if let Some(&target) = self.targets.get(i) {
                let row = self.row(i);
                if row.len() == self.input_dim {
                    out.inputs.extend_from_slice(row);
                    out.targets.push(target);
                }
            }
        }
        out
    }

    /// Appends one point. Used by the generators, which always pass `input_dim` inputs.
    fn push(&mut self, inputs: &[f64], target: f64) {
        self.inputs.extend_from_slice(inputs);
        self.targets.push(target);
    }
}

crate::tagged_enum! {
/// A dataset as written in a config (`{"name": "moons", "n": 300, "noise": 0.2}`).
#[derive(Clone, Debug, PartialEq)]
pub enum DataConfig {
    /// y = slope*x + intercept + noise*N(0, 1), x ~ U(-1, 1).
    Linear as "linear" {
        n: u32 = 100,
        noise: f64 = 0.1,
        outliers: f64 = 0.0,
        slope: f64 = 1.5,
        intercept: f64 = 0.5,
    },
    /// y = 4x^3 - 3x + noise*N(0, 1), x ~ U(-1, 1).
    Polynomial as "polynomial" {
        n: u32 = 100,
        noise: f64 = 0.1,
        outliers: f64 = 0.0,
    },
    /// y = sin(2*pi*frequency*x) + noise*N(0, 1), x ~ U(-1, 1).
    Sine as "sine" {
        n: u32 = 100,
        noise: f64 = 0.1,
        outliers: f64 = 0.0,
        frequency: f64 = 1.0,
    },
    /// A disc of one class inside a ring of the other (Playground's "Circle").
    Circle as "circle" {
        n: u32 = 200,
        noise: f64 = 0.0,
        label_noise: f64 = 0.0,
        #[serde(skip_serializing_if = "is_unit_scale")]
        scale: f64 = 1.0,
    },
    /// The four quadrants, labelled by the sign of x1*x2 (Playground's "Exclusive or").
    Xor as "xor" {
        n: u32 = 200,
        noise: f64 = 0.0,
        label_noise: f64 = 0.0,
        #[serde(skip_serializing_if = "is_unit_scale")]
        scale: f64 = 1.0,
    },
    /// Two Gaussian clusters (Playground's "Gaussian").
    Gaussians as "gaussians" {
        n: u32 = 200,
        noise: f64 = 0.0,
        label_noise: f64 = 0.0,
        #[serde(skip_serializing_if = "is_unit_scale")]
        scale: f64 = 1.0,
    },
    /// Two interleaved spirals (Playground's "Spiral").
    Spiral as "spiral" {
        n: u32 = 200,
        noise: f64 = 0.0,
        label_noise: f64 = 0.0,
        #[serde(skip_serializing_if = "is_unit_scale")]
        scale: f64 = 1.0,
    },
    /// Two interleaving half circles (scikit-learn's `make_moons`).
    Moons as "moons" {
        n: u32 = 200,
        noise: f64 = 0.0,
        label_noise: f64 = 0.0,
        #[serde(skip_serializing_if = "is_unit_scale")]
        scale: f64 = 1.0,
    },
    /// The user's own data as CSV text: x,y per line (regression) or x1,x2,label
    /// (classification), optionally below a header line.
    Csv as "csv" { text: String },
}
}

/// True for the default scale (left out of the JSON, so that older configs read the same).
fn is_unit_scale(scale: &f64) -> bool {
    *scale == 1.0
}

/// Checks a point count against [MIN_POINTS, MAX_POINTS].
fn validate_n(path: &str, n: u32, v: &mut Validator) {
    let ok = (MIN_POINTS..=MAX_POINTS).contains(&n);
    v.require(ok, join(path, "n"), format!("must be in [{MIN_POINTS}, {MAX_POINTS}], got {n}"));
}

/// Checks a share of corrupted points (outliers or flipped labels) against [0, 0.5].
fn validate_share(path: &str, field: &str, share: f64, v: &mut Validator) {
    let ok = (0.0..=MAX_CORRUPTED_SHARE).contains(&share);
    v.require(ok, join(path, field), format!("must be in [0, {MAX_CORRUPTED_SHARE}], got {share}"));
}

/// How many of n points a share selects: round(share*n), at least 0 and at most n (NaN gives 0).
fn share_count(share: f64, n: u32) -> u32 {
    let wanted = (share * f64::from(n)).round();
    if wanted >= f64::from(n) {
        n
    } else if wanted > 0.0 {
        wanted as u32
    } else {
        0
    }
}

impl DataConfig {
    /// Regression or classification. A CSV with three columns is a classification set; any
    /// other CSV, readable or not, counts as regression.
    pub fn task(&self) -> Task {
        match self {
            DataConfig::Linear { .. } | DataConfig::Polynomial { .. } | DataConfig::Sine { .. } => Task::Regression,
            DataConfig::Circle { .. }
            | DataConfig::Xor { .. }
            | DataConfig::Gaussians { .. }
            | DataConfig::Spiral { .. }
            | DataConfig::Moons { .. } => Task::Classification,
            DataConfig::Csv { text } => csv::task(text),
        }
    }

    /// Number of inputs per point: 2 for classification, 1 for regression.
    pub fn input_dim(&self) -> usize {
        match self.task() {
            Task::Regression => 1,
            Task::Classification => 2,
        }
    }

    /// The noiseless target f(x) of a synthetic regression set (for drawing the true curve);
    /// `None` for classification sets and CSV data.
    pub fn true_function(&self, x: f64) -> Option<f64> {
        self.regression_target().map(|target| target.value(x))
    }

    /// The target function of a synthetic regression set.
    fn regression_target(&self) -> Option<Target> {
        match *self {
            DataConfig::Linear { slope, intercept, .. } => Some(Target::Linear { slope, intercept }),
            DataConfig::Polynomial { .. } => Some(Target::Cubic),
            DataConfig::Sine { frequency, .. } => Some(Target::Sine { frequency }),
            _ => None,
        }
    }

    /// Checks every parameter, recording problems under `path` (e.g. `problem.data.n: must be in
    /// [4, 5000], got 2`, or `problem.data.text: line 7: ...` for CSV data).
    pub fn validate(&self, path: &str, v: &mut Validator) {
        match self {
            DataConfig::Linear { n, noise, outliers, slope, intercept } => {
                validate_n(path, *n, v);
                v.non_negative(join(path, "noise"), *noise);
                validate_share(path, "outliers", *outliers, v);
                v.finite(join(path, "slope"), *slope);
                v.finite(join(path, "intercept"), *intercept);
            }
            DataConfig::Polynomial { n, noise, outliers } => {
                validate_n(path, *n, v);
                v.non_negative(join(path, "noise"), *noise);
                validate_share(path, "outliers", *outliers, v);
            }
            DataConfig::Sine { n, noise, outliers, frequency } => {
                validate_n(path, *n, v);
                v.non_negative(join(path, "noise"), *noise);
                validate_share(path, "outliers", *outliers, v);
                let ok = *frequency > 0.0 && *frequency <= MAX_FREQUENCY;
                v.require(ok, join(path, "frequency"), format!("must be in (0, {MAX_FREQUENCY}], got {frequency}"));
            }
            DataConfig::Circle { n, noise, label_noise, scale }
            | DataConfig::Xor { n, noise, label_noise, scale }
            | DataConfig::Gaussians { n, noise, label_noise, scale }
            | DataConfig::Spiral { n, noise, label_noise, scale }
            | DataConfig::Moons { n, noise, label_noise, scale } => {
                validate_n(path, *n, v);
                v.unit_interval_closed(join(path, "noise"), *noise);
                validate_share(path, "label_noise", *label_noise, v);
                let ok = *scale > 0.0 && *scale <= MAX_SCALE;
                v.require(ok, join(path, "scale"), format!("must be in (0, {MAX_SCALE}], got {scale}"));
            }
            DataConfig::Csv { text } => csv::validate(text, &join(path, "text"), v),
        }
    }

    /// The dataset for `seed`. Call it after `validate` found nothing; it never panics anyway:
    /// a point count above MAX_POINTS gives an empty dataset, bad parameters give NaN values,
    /// and the unreadable lines of a CSV are left out. CSV data does not depend on the seed.
    pub fn generate(&self, seed: u64) -> Dataset {
        let (n, noise, corrupted, scale) = match *self {
            DataConfig::Linear { n, noise, outliers, .. }
            | DataConfig::Polynomial { n, noise, outliers }
            | DataConfig::Sine { n, noise, outliers, .. } => (n, noise, outliers, 1.0),
            DataConfig::Circle { n, noise, label_noise, scale }
            | DataConfig::Xor { n, noise, label_noise, scale }
            | DataConfig::Gaussians { n, noise, label_noise, scale }
            | DataConfig::Spiral { n, noise, label_noise, scale }
            | DataConfig::Moons { n, noise, label_noise, scale } => (n, noise, label_noise, scale),
            DataConfig::Csv { ref text } => return csv::parse(text).into_dataset(),
        };
        if n > MAX_POINTS {
            return Dataset::empty(self.input_dim(), self.task());
        }
        if let Some(target) = self.regression_target() {
            return regression::generate(&target, n, noise, corrupted, seed);
        }
        let shape = match self {
            DataConfig::Xor { .. } => Shape::Xor,
            DataConfig::Gaussians { .. } => Shape::Gaussians,
            DataConfig::Spiral { .. } => Shape::Spiral,
            DataConfig::Moons { .. } => Shape::Moons,
            _ => Shape::Circle,
        };
        let mut data = classification::generate(shape, n, noise, corrupted, seed);
        if scale != 1.0 {
            data.inputs.iter_mut().for_each(|x| *x *= scale);
        }
        data
    }
}

/// Splits a dataset into (train, validation). The points are shuffled with `seed` (on the
/// stream `STREAM_SPLIT`, so passing the data seed again is fine); the first
/// round(n*(1 - validation_share)) of them train and the rest validate. When n >= 2 both parts
/// keep at least one point; nothing else is adjusted (a share outside [0, 1] or NaN simply gives
/// the nearest possible cut). Both parts keep the shuffled order.
pub fn split(data: &Dataset, validation_share: f64, seed: u64) -> (Dataset, Dataset) {
    let n = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let order = Rng::new(seed, STREAM_SPLIT).permutation(n);
    let mut n_train = share_count(1.0 - validation_share, n);
    if n >= 2 {
        n_train = n_train.clamp(1, n - 1);
    }
    let (train, validation) = order.split_at(n_train as usize);
    (data.subset(train), data.subset(validation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_count_rounds_and_clamps() {
        assert_eq!(share_count(0.25, 10), 3);
        assert_eq!(share_count(0.0, 10), 0);
        assert_eq!(share_count(-1.0, 10), 0);
        assert_eq!(share_count(2.0, 10), 10);
        assert_eq!(share_count(f64::NAN, 10), 0);
        assert_eq!(share_count(f64::INFINITY, 10), 10);
    }

    #[test]
    fn row_and_subset_never_panic() {
        let data = Dataset {
            inputs: vec![1.0, 2.0, 3.0, 4.0],
            targets: vec![0.0, 1.0],
            input_dim: 2,
            task: Task::Classification,
        };
        assert_eq!(data.row(1), &[3.0, 4.0]);
        assert!(data.row(2).is_empty());
        assert!(data.row(usize::MAX).is_empty());
        let sub = data.subset(&[1, 7, 0, 1]);
        assert_eq!(sub.inputs, vec![3.0, 4.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(sub.targets, vec![1.0, 0.0, 1.0]);
    }

    #[test]
    fn split_of_tiny_sets() {
        let one = Dataset { inputs: vec![1.0], targets: vec![2.0], input_dim: 1, task: Task::Regression };
        let (train, validation) = split(&one, 0.2, 1);
        assert_eq!((train.len(), validation.len()), (1, 0));
        let (train, validation) = split(&Dataset::empty(1, Task::Regression), 0.2, 1);
        assert!(train.is_empty() && validation.is_empty());
        let two = Dataset { inputs: vec![1.0, 2.0], targets: vec![3.0, 4.0], input_dim: 1, task: Task::Regression };
        for share in [0.0, 0.1, 0.9, 1.0, f64::NAN] {
            let (train, validation) = split(&two, share, 1);
            assert_eq!((train.len(), validation.len()), (1, 1));
        }
    }

    #[test]
    fn generate_above_the_limit_is_empty() {
        let config = DataConfig::Spiral { n: u32::MAX, noise: 0.0, label_noise: 0.0, scale: 1.0 };
        let data = config.generate(1);
        assert!(data.is_empty());
        assert_eq!((data.input_dim, data.task), (2, Task::Classification));
    }
}
