//! Transcendental functions routed through one pure-Rust implementation.
//!
//! IEEE-754 `+ - * /` and `sqrt` are correctly rounded on every target, but `std`'s `exp`, `ln`,
//! `sin`, `cos`, `powf` call the platform libm natively and a Rust port in wasm, which may differ
//! in the last bit. Every module calls these wrappers instead, so that the same config and seed
//! give bit-identical numbers natively and in the browser (source: the `libm` crate, a port of
//! musl's libm).

/// e^x.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// ln(1 + x), accurate for small x.
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// Base-10 logarithm.
#[inline]
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// Sine.
#[inline]
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

/// Cosine.
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Tangent.
#[inline]
pub fn tan(x: f64) -> f64 {
    libm::tan(x)
}

/// Hyperbolic tangent (libm's; the hidden units use the branch-free one of `model/tanh.rs`).
#[inline]
pub fn tanh(x: f64) -> f64 {
    libm::tanh(x)
}

/// x^y for real y (Python's `float ** float`).
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// Square root (correctly rounded everywhere; routed here for one vocabulary).
#[inline]
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

/// The sign of x with sign(0) = 0 (torch's `sign`, used for the derivative of |x|).
#[inline]
pub fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Euclidean norm of a vector (squares summed in index order).
#[inline]
pub fn norm2(v: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &x in v {
        sum += x * x;
    }
    sum.sqrt()
}

/// Copies `src` into `dst` element by element (the shorter length). A loop rather than
/// `copy_from_slice`: the size-optimised wasm build makes that a `memory.copy`, which the
/// browser runs as a call, too slow for the few numbers of a landscape's parameters.
#[inline]
#[allow(clippy::manual_memcpy)]
pub fn copy_into(dst: &mut [f64], src: &[f64]) {
    let n = dst.len().min(src.len());
    for i in 0..n {
        dst[i] = src[i];
    }
}

/// pi, re-exported for formulas.
pub const PI: f64 = std::f64::consts::PI;

pub mod order;
