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

/// Copies `src` into `dst` (the shorter length).
///
/// In wasm a short vector (a landscape's few parameters) is copied element by element: LLVM
/// turns a copy loop of unknown length into a `memory.copy`, which Chromium runs as a call
/// into the browser costing about 9 ns whatever the length (1 ns for two loads and two stores
/// inline), and the volatile read keeps LLVM from doing so. Longer vectors and native builds
/// use `memcpy`. A copy gives the same bits either way.
#[inline]
pub fn copy_into(dst: &mut [f64], src: &[f64]) {
    let n = dst.len().min(src.len());
    let (dst, src) = (&mut dst[..n], &src[..n]);
    if cfg!(target_arch = "wasm32") && n <= SHORT_COPY {
        for i in 0..n {
            // SAFETY: `&src[i]` is a reference to an initialised f64, valid for reads.
            dst[i] = unsafe { core::ptr::read_volatile(&src[i]) };
        }
    } else {
        dst.copy_from_slice(src);
    }
}

/// The longest vector `copy_into` copies element by element in wasm.
pub const SHORT_COPY: usize = 16;

/// pi, re-exported for formulas.
pub const PI: f64 = std::f64::consts::PI;

pub mod order;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_into_copies_the_shorter_length_bit_for_bit() {
        let src = [-0.0, f64::from_bits(0x7ff8_0000_0000_0001), 5e-324, 1.5];
        let mut longer = [7.0; 5];
        copy_into(&mut longer, &src);
        assert_eq!(longer.map(f64::to_bits)[..4], src.map(f64::to_bits));
        assert_eq!(longer[4], 7.0);
        let mut shorter = [7.0; 2];
        copy_into(&mut shorter, &src);
        assert_eq!(shorter.map(f64::to_bits), [src[0].to_bits(), src[1].to_bits()]);
    }
}
