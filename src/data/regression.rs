//! The 1-D regression sets: noisy samples of a known function, optionally with outliers.
//!
//! Formulas (x and y are the input and the target of one point, N means a fresh N(0, 1) draw):
//! - x ~ U(-1, 1) (more precisely [-1, 1): x = -1 + 2*uniform()).
//! - y = f(x) + noise*N, with
//!   - linear: f(x) = slope*x + intercept, whose range on [-1, 1] is R = 2*|slope|;
//!   - polynomial: f(x) = 4x^3 - 3x, the Chebyshev polynomial T3 (T3(cos t) = cos 3t, so f
//!     swings between -1 and 1 three times on [-1, 1]), R = 2;
//!   - sine: f(x) = sin(2*pi*frequency*x), R = 2 when frequency >= 1/4 and
//!     2*sin(2*pi*frequency) below (the sine then does not reach its peaks on [-1, 1]).
//! - Outliers: k = round(outliers*n) points, chosen uniformly without replacement, get
//!   y += s*(2 + |N|)*max(R, 1) with a fair random sign s = +-1. Every outlier therefore lies at
//!   least max(R, 1) outside the band that f covers on [-1, 1] (before the Gaussian noise); the
//!   floor of 1 keeps outliers visible for a nearly flat target.
//!
//! Random numbers and their order: the stream `STREAM_DATA_POINTS` gives, for point i = 0..n,
//! first x_i (one `uniform`) and then the noise draw of y_i (one `normal`), which is drawn even
//! when noise = 0, so that changing the noise level moves the points but keeps their x. The stream
//! `STREAM_DATA_CORRUPTION` gives a random permutation of the points, whose first k entries
//! become outliers in that order, each with one `coin` for the sign and one `normal` for the size.
//! Points are returned in the order they were drawn (x is not sorted).
//!
//! The shapes follow common teaching examples of curve fitting (e.g. the noisy sine of
//! C. M. Bishop, "Pattern Recognition and Machine Learning", 2006, section 1.1); the formulas
//! above are the definition.

use crate::math::{sin, PI};

use super::rng::{Rng, STREAM_DATA_CORRUPTION, STREAM_DATA_POINTS};
use super::{share_count, Dataset, Task};

/// The noiseless function a regression set samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Target {
    /// f(x) = slope*x + intercept.
    Linear { slope: f64, intercept: f64 },
    /// f(x) = 4x^3 - 3x.
    Cubic,
    /// f(x) = sin(2*pi*frequency*x).
    Sine { frequency: f64 },
}

impl Target {
    /// f(x).
    pub(crate) fn value(&self, x: f64) -> f64 {
        match *self {
            Target::Linear { slope, intercept } => slope * x + intercept,
            Target::Cubic => 4.0 * x * x * x - 3.0 * x,
            Target::Sine { frequency } => sin(2.0 * PI * frequency * x),
        }
    }

    /// max f - min f over x in [-1, 1].
    pub(crate) fn range(&self) -> f64 {
        match *self {
            Target::Linear { slope, .. } => 2.0 * slope.abs(),
            Target::Cubic => 2.0,
            Target::Sine { frequency } => {
                // sin(2*pi*f*x) on [-1, 1] reaches +-1 once 2*pi*f >= pi/2, i.e. f >= 1/4.
                if frequency.abs() >= 0.25 {
                    2.0
                } else {
                    2.0 * sin(2.0 * PI * frequency.abs())
                }
            }
        }
    }
}

/// n points of `target` with Gaussian noise of standard deviation `noise` and a share
/// `outliers` of outliers (see the module header for the exact rule).
pub(crate) fn generate(target: &Target, n: u32, noise: f64, outliers: f64, seed: u64) -> Dataset {
    let mut data = Dataset::empty(1, Task::Regression);
    data.inputs.reserve(n as usize);
    data.targets.reserve(n as usize);
    let mut rng = Rng::new(seed, STREAM_DATA_POINTS);
    for _ in 0..n {
        let x = rng.uniform_in(-1.0, 1.0);
        let y = target.value(x) + noise * rng.normal();
        data.push(&[x], y);
    }

    let k = share_count(outliers, n) as usize;
    if k > 0 {
        let scale = target.range().max(1.0);
        let mut rng = Rng::new(seed, STREAM_DATA_CORRUPTION);
        let order = rng.permutation(n);
        for &i in order.iter().take(k) {
            let sign = if rng.coin() { 1.0 } else { -1.0 };
            let offset = sign * (2.0 + rng.normal().abs()) * scale;
            if let Some(y) = data.targets.get_mut(i as usize) {
                *y += offset;
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_a_dense_scan() {
        let targets = [
            Target::Linear { slope: 1.5, intercept: 0.5 },
            Target::Linear { slope: -3.0, intercept: 0.0 },
            Target::Cubic,
            Target::Sine { frequency: 1.0 },
            Target::Sine { frequency: 0.1 },
            Target::Sine { frequency: 0.25 },
        ];
        for target in targets {
            let values: Vec<f64> = (0..=20000).map(|i| target.value(-1.0 + f64::from(i) / 10000.0)).collect();
            let max = values.iter().copied().fold(f64::MIN, f64::max);
            let min = values.iter().copied().fold(f64::MAX, f64::min);
            assert!((max - min - target.range()).abs() < 1e-6, "{target:?}: {} vs {}", max - min, target.range());
        }
    }

    #[test]
    fn outliers_leave_the_band() {
        let target = Target::Cubic;
        let data = generate(&target, 400, 0.0, 0.25, 9);
        let clean = generate(&target, 400, 0.0, 0.0, 9);
        assert_eq!(data.inputs, clean.inputs);
        let moved: Vec<f64> =
            data.targets.iter().zip(&clean.targets).map(|(a, b)| a - b).filter(|d| *d != 0.0).collect();
        assert_eq!(moved.len(), 100);
        assert!(moved.iter().all(|d| d.abs() >= 4.0), "offsets are at least 2*max(R, 1) = 4");
        assert!(data.targets.iter().filter(|y| y.abs() > 1.0 + 1e-12).count() == 100);
    }
}
