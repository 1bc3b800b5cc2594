//! Polynomial features of a one-dimensional input.
//!
//! The `polynomial` model expands a scalar x into phi(x) = (x, x^2, ..., x^d) for a degree d from
//! 1 to 15 and fits a linear model y = w_1*x + w_2*x^2 + ... + w_d*x^d + b on those features
//! (polynomial regression as a linear model on a basis expansion: T. Hastie, R. Tibshirani and
//! J. Friedman, "The Elements of Statistical Learning", 2nd ed., section 5.1).
//!
//! The powers are formed by repeated multiplication, x^(k+1) = x^k * x, with IEEE-754 products
//! only, so they are bit-identical on every target (no `powi`, whose accuracy is unspecified).
//!
//! Scaling is the data's job, not the model's: for |x| > 1 the high powers explode (10^15 for
//! x = 10 and d = 15) and for |x| < 1 they vanish, so the features differ by many orders of
//! magnitude and gradient descent crawls or diverges. Data meant for this model should have its
//! input scaled to [-1, 1]; the model never rescales silently.

/// The highest supported degree.
pub const MAX_DEGREE: usize = 15;

/// Writes x, x^2, ..., x^degree into the start of `out` and returns that part. A degree above
/// `MAX_DEGREE` is treated as `MAX_DEGREE` (validation rejects it before a model is built).
#[inline]
pub fn powers(x: f64, degree: usize, out: &mut [f64; MAX_DEGREE]) -> &[f64] {
    let degree = degree.min(MAX_DEGREE);
    let mut p = x;
    for slot in out.iter_mut().take(degree) {
        *slot = p;
        p *= x;
    }
    &out[..degree]
}
