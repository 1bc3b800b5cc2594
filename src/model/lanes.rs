//! Arithmetic on a block of L examples at once (`[f64; L]`, one value per example), the inner
//! loops of the MLP.
//!
//! Every operation works lane by lane, and sums across lanes follow one fixed pairwise tree,
//! so the results are the same bits whether the lanes are processed one at a time or two at
//! a time. In the browser (wasm32 with SIMD) pairs of lanes go through `f64x2` instructions
//! explicitly: the size-optimised wasm build does not vectorize loops by itself. IEEE-754
//! additions and multiplications are exact per lane either way, and no fused multiply-add is
//! used, so the numbers stay bit-identical with the native build.

/// One value per example of a block.
pub(crate) type Lanes<const L: usize> = [f64; L];

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod pairs {
    use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat, v128, v128_load, v128_store};

    #[inline(always)]
    fn load<const L: usize>(v: &[f64; L], k: usize) -> v128 {
        debug_assert!(k + 1 < L);
        // SAFETY: callers pass k with k + 1 < L, so both f64 lanes lie inside the array;
        // v128.load accepts any alignment.
        unsafe { v128_load(v.as_ptr().add(k).cast()) }
    }

    #[inline(always)]
    fn store<const L: usize>(v: &mut [f64; L], k: usize, x: v128) {
        debug_assert!(k + 1 < L);
        // SAFETY: as in `load`, both lanes lie inside the array.
        unsafe { v128_store(v.as_mut_ptr().add(k).cast(), x) }
    }

    /// acc += x * w, two lanes at a time.
    #[inline(always)]
    pub(super) fn add_scaled<const L: usize>(acc: &mut [f64; L], x: &[f64; L], w: f64) {
        let ws = f64x2_splat(w);
        let mut k = 0;
        while k + 1 < L {
            store(acc, k, f64x2_add(load(acc, k), f64x2_mul(load(x, k), ws)));
            k += 2;
        }
        if k < L {
            acc[k] += x[k] * w;
        }
    }

    /// a * b, two lanes at a time.
    #[inline(always)]
    pub(super) fn mul<const L: usize>(a: &[f64; L], b: &[f64; L]) -> [f64; L] {
        let mut out = [0.0; L];
        let mut k = 0;
        while k + 1 < L {
            store(&mut out, k, f64x2_mul(load(a, k), load(b, k)));
            k += 2;
        }
        if k < L {
            out[k] = a[k] * b[k];
        }
        out
    }

    /// (w * a) * b, two lanes at a time.
    #[inline(always)]
    pub(super) fn scaled_mul<const L: usize>(w: f64, a: &[f64; L], b: &[f64; L]) -> [f64; L] {
        let ws = f64x2_splat(w);
        let mut out = [0.0; L];
        let mut k = 0;
        while k + 1 < L {
            store(&mut out, k, f64x2_mul(f64x2_mul(ws, load(a, k)), load(b, k)));
            k += 2;
        }
        if k < L {
            out[k] = w * a[k] * b[k];
        }
        out
    }

    /// One step of the pairwise tree: v[k] += v[k + n] for k < n (n even).
    #[inline(always)]
    pub(super) fn fold<const L: usize>(v: &mut [f64; L], n: usize) {
        let mut k = 0;
        while k + 1 < n {
            store(v, k, f64x2_add(load(v, k), load(v, k + n)));
            k += 2;
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod pairs {
    /// acc += x * w, lane by lane.
    #[inline(always)]
    pub(super) fn add_scaled<const L: usize>(acc: &mut [f64; L], x: &[f64; L], w: f64) {
        for r in 0..L {
            acc[r] += x[r] * w;
        }
    }

    /// a * b, lane by lane.
    #[inline(always)]
    pub(super) fn mul<const L: usize>(a: &[f64; L], b: &[f64; L]) -> [f64; L] {
        let mut out = [0.0; L];
        for r in 0..L {
            out[r] = a[r] * b[r];
        }
        out
    }

    /// (w * a) * b, lane by lane.
    #[inline(always)]
    pub(super) fn scaled_mul<const L: usize>(w: f64, a: &[f64; L], b: &[f64; L]) -> [f64; L] {
        let mut out = [0.0; L];
        for r in 0..L {
            out[r] = w * a[r] * b[r];
        }
        out
    }

    /// One step of the pairwise tree: v[k] += v[k + n] for k < n.
    #[inline(always)]
    pub(super) fn fold<const L: usize>(v: &mut [f64; L], n: usize) {
        for k in 0..n {
            v[k] += v[k + n];
        }
    }
}

/// acc[r] += x[r] * w for every lane.
#[inline(always)]
pub(crate) fn add_scaled<const L: usize>(acc: &mut Lanes<L>, x: &Lanes<L>, w: f64) {
    pairs::add_scaled(acc, x, w);
}

/// a[r] * b[r] for every lane.
#[inline(always)]
pub(crate) fn mul<const L: usize>(a: &Lanes<L>, b: &Lanes<L>) -> Lanes<L> {
    pairs::mul(a, b)
}

/// (w * a[r]) * b[r] for every lane.
#[inline(always)]
pub(crate) fn scaled_mul<const L: usize>(w: f64, a: &Lanes<L>, b: &Lanes<L>) -> Lanes<L> {
    pairs::scaled_mul(w, a, b)
}

/// The sum of the lanes as a fixed pairwise tree (L a power of two): lanes k and k + L/2 are
/// added first, and so on.
#[inline(always)]
pub(crate) fn sum<const L: usize>(mut v: Lanes<L>) -> f64 {
    let mut n = L;
    while n > 1 {
        n /= 2;
        if n >= 2 {
            pairs::fold(&mut v, n);
        } else {
            v[0] += v[1];
        }
    }
    v[0]
}

/// The sum over lanes of a[r] * b[r], by `sum`.
#[inline(always)]
pub(crate) fn dot<const L: usize>(a: &Lanes<L>, b: &Lanes<L>) -> f64 {
    sum(mul(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_the_lane_by_lane_definitions() {
        let a = [0.1, -2.5, 3.25, 1e-3, 7.0, -0.3, 0.7, 11.0];
        let b = [1.5, 0.2, -0.75, 4.0, 0.125, 9.0, -1.0, 0.01];
        let mut acc = b;
        add_scaled(&mut acc, &a, 0.3);
        for r in 0..8 {
            assert_eq!(acc[r], b[r] + a[r] * 0.3);
        }
        let m = mul(&a, &b);
        let s = scaled_mul(0.7, &a, &b);
        for r in 0..8 {
            assert_eq!(m[r], a[r] * b[r]);
            assert_eq!(s[r], 0.7 * a[r] * b[r]);
        }
        let p = m;
        let tree = ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
        assert_eq!(dot(&a, &b), tree);
        assert_eq!(sum([1.5]), 1.5);
        assert_eq!(sum([1.0, 2.0]), 3.0);
    }
}
