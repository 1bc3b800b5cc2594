//! Arithmetic on a block of L examples at once (`[f64; L]`, one value per example), the inner
//! loops of the MLP.
//!
//! Every operation works lane by lane, and sums across lanes follow one fixed pairwise tree,
//! so the results are the same bits whether the lanes are processed one at a time or two at
//! a time. In the browser (wasm32 with SIMD) pairs of lanes go through `f64x2` instructions
//! explicitly: the size-optimised wasm build does not vectorize loops by itself. IEEE-754
//! additions and multiplications are exact per lane either way, and no fused multiply-add is
//! used, so the numbers stay bit-identical with the native build.
//!
//! Results are written into a destination block rather than returned: the size-optimised wasm
//! build turns every copy of a 64-byte block into a `memory.copy`, which the browser executes
//! as a call, so copies of blocks are kept out of the inner loops.

/// One value per example of a block.
pub(crate) type Lanes<const L: usize> = [f64; L];

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod pairs {
    use core::arch::wasm32::{
        f64x2, f64x2_abs, f64x2_add, f64x2_div, f64x2_extract_lane, f64x2_mul, f64x2_pmin, f64x2_splat, f64x2_sub,
        i64x2_add, i64x2_shl, i64x2_shuffle, u64x2, v128, v128_and, v128_andnot, v128_load, v128_or, v128_store,
    };

    use crate::model::tanh::{self, CLAMP, EXPONENT_ONE, INV_LN2, LN2_HI, LN2_LO, ROUND_MAGIC, TAYLOR};

    /// Runs `$body` with `$k` = 0, 2, 4, ... for every full pair of lanes of a block of `$l`
    /// lanes. Blocks of up to 8 lanes are unrolled by hand: the size-optimised build unrolls
    /// no loop by itself, and only straight-line code with constant offsets lets LLVM keep a
    /// block in registers instead of memory. The conditions are constants, so the unused
    /// copies vanish at compile time.
    macro_rules! each_pair {
        ($l:expr, |$k:ident| $body:expr) => {{
            if $l <= 8 {
                if 1 < $l {
                    let $k = 0;
                    $body;
                }
                if 3 < $l {
                    let $k = 2;
                    $body;
                }
                if 5 < $l {
                    let $k = 4;
                    $body;
                }
                if 7 < $l {
                    let $k = 6;
                    $body;
                }
            } else {
                let mut $k = 0;
                while $k + 1 < $l {
                    $body;
                    $k += 2;
                }
            }
        }};
    }

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

    /// out = src, two lanes at a time.
    #[inline(always)]
    pub(super) fn copy<const L: usize>(out: &mut [f64; L], src: &[f64; L]) {
        each_pair!(L, |k| store(out, k, load(src, k)));
        if L % 2 == 1 {
            out[L - 1] = src[L - 1];
        }
    }

    /// acc += x * w, two lanes at a time.
    #[inline(always)]
    pub(super) fn add_scaled<const L: usize>(acc: &mut [f64; L], x: &[f64; L], w: f64) {
        let ws = f64x2_splat(w);
        each_pair!(L, |k| store(acc, k, f64x2_add(load(acc, k), f64x2_mul(load(x, k), ws))));
        if L % 2 == 1 {
            acc[L - 1] += x[L - 1] * w;
        }
    }

    /// acc0 += x * w0 and acc1 += x * w1, two lanes at a time, each pair of x loaded once.
    #[inline(always)]
    pub(super) fn add_scaled_two<const L: usize>(
        acc0: &mut [f64; L],
        acc1: &mut [f64; L],
        x: &[f64; L],
        w0: f64,
        w1: f64,
    ) {
        let (w0s, w1s) = (f64x2_splat(w0), f64x2_splat(w1));
        each_pair!(L, |k| {
            let xk = load(x, k);
            store(acc0, k, f64x2_add(load(acc0, k), f64x2_mul(xk, w0s)));
            store(acc1, k, f64x2_add(load(acc1, k), f64x2_mul(xk, w1s)));
        });
        if L % 2 == 1 {
            acc0[L - 1] += x[L - 1] * w0;
            acc1[L - 1] += x[L - 1] * w1;
        }
    }

    /// out = a * b, two lanes at a time.
    #[inline(always)]
    pub(super) fn mul<const L: usize>(out: &mut [f64; L], a: &[f64; L], b: &[f64; L]) {
        each_pair!(L, |k| store(out, k, f64x2_mul(load(a, k), load(b, k))));
        if L % 2 == 1 {
            out[L - 1] = a[L - 1] * b[L - 1];
        }
    }

    /// out = (w * a) * b, two lanes at a time.
    #[inline(always)]
    pub(super) fn scaled_mul<const L: usize>(out: &mut [f64; L], w: f64, a: &[f64; L], b: &[f64; L]) {
        let ws = f64x2_splat(w);
        each_pair!(L, |k| store(out, k, f64x2_mul(f64x2_mul(ws, load(a, k)), load(b, k))));
        if L % 2 == 1 {
            out[L - 1] = w * a[L - 1] * b[L - 1];
        }
    }

    /// out = 1 - a * a, two lanes at a time.
    #[inline(always)]
    pub(super) fn one_minus_square<const L: usize>(out: &mut [f64; L], a: &[f64; L]) {
        let one = f64x2_splat(1.0);
        each_pair!(L, |k| store(out, k, f64x2_sub(one, f64x2_mul(load(a, k), load(a, k)))));
        if L % 2 == 1 {
            out[L - 1] = 1.0 - a[L - 1] * a[L - 1];
        }
    }

    /// The tree sum of `super::sum` for 8 lanes of a * b, in registers: with pairs
    /// v0 = (p0, p1), ..., v3 = (p6, p7), (v0 + v2) + (v1 + v3) holds
    /// ((p0 + p4) + (p2 + p6), (p1 + p5) + (p3 + p7)).
    #[inline(always)]
    pub(super) fn dot8(a: &[f64; 8], b: &[f64; 8]) -> f64 {
        let p = |k| f64x2_mul(load(a, k), load(b, k));
        let half = f64x2_add(f64x2_add(p(0), p(4)), f64x2_add(p(2), p(6)));
        f64x2_extract_lane::<0>(half) + f64x2_extract_lane::<1>(half)
    }

    /// g[0] += dot8(a0, b0) and g[1] += dot8(a1, b1) with one addition of pairs: the two
    /// weights' half sums (lane 0 and lane 1 of each) are regrouped by a shuffle, so each sum
    /// is formed by exactly the additions of `dot8`, and then added to g as `g + dot` is.
    #[inline(always)]
    pub(super) fn add_dot8_pair(g: &mut [f64; 2], a0: &[f64; 8], b0: &[f64; 8], a1: &[f64; 8], b1: &[f64; 8]) {
        let half = |a: &[f64; 8], b: &[f64; 8]| {
            let p = |k| f64x2_mul(load(a, k), load(b, k));
            f64x2_add(f64x2_add(p(0), p(4)), f64x2_add(p(2), p(6)))
        };
        let (h0, h1) = (half(a0, b0), half(a1, b1));
        let firsts = i64x2_shuffle::<0, 2>(h0, h1);
        let seconds = i64x2_shuffle::<1, 3>(h0, h1);
        store(g, 0, f64x2_add(load(g, 0), f64x2_add(firsts, seconds)));
    }

    /// The tree sum of 8 lanes (as `dot8` without the products).
    #[inline(always)]
    pub(super) fn sum8(v: &[f64; 8]) -> f64 {
        let half = f64x2_add(f64x2_add(load(v, 0), load(v, 4)), f64x2_add(load(v, 2), load(v, 6)));
        f64x2_extract_lane::<0>(half) + f64x2_extract_lane::<1>(half)
    }

    /// The constants of `tanh_pair`, each in both lanes. They are read from memory, not
    /// written as `v128.const`: Chromium builds a 128-bit constant in a register with several
    /// instructions at every use, inside the loops, where one load from memory does (a tanh
    /// pair ran in 22.6 ns instead of 29.0 ns in Chromium 156; docs/speed.md, fourth pass).
    struct TanhConstants {
        clamp: v128,
        round_magic: v128,
        inv_ln2: v128,
        ln2_hi: v128,
        ln2_lo: v128,
        exponent_one: v128,
        /// TAYLOR, lowest first.
        taylor: [v128; 12],
        one: v128,
        two: v128,
        sign: v128,
    }

    /// Both lanes set to c.
    const fn both(c: f64) -> v128 {
        f64x2(c, c)
    }

    static TANH_CONSTANTS: TanhConstants = TanhConstants {
        clamp: both(CLAMP),
        round_magic: both(ROUND_MAGIC),
        inv_ln2: both(INV_LN2),
        ln2_hi: both(LN2_HI),
        ln2_lo: both(LN2_LO),
        exponent_one: u64x2(EXPONENT_ONE, EXPONENT_ONE),
        taylor: [
            both(TAYLOR[0]),
            both(TAYLOR[1]),
            both(TAYLOR[2]),
            both(TAYLOR[3]),
            both(TAYLOR[4]),
            both(TAYLOR[5]),
            both(TAYLOR[6]),
            both(TAYLOR[7]),
            both(TAYLOR[8]),
            both(TAYLOR[9]),
            both(TAYLOR[10]),
            both(TAYLOR[11]),
        ],
        one: both(1.0),
        two: both(2.0),
        sign: both(-0.0),
    };

    /// tanh of every lane, two lanes at a time, unrolled so that the pairs' long dependency
    /// chains interleave.
    #[inline(always)]
    pub(super) fn tanh<const L: usize>(v: &mut [f64; L]) {
        // Hidden from the optimiser, so that LLVM cannot fold the loads back into constants.
        let c = core::hint::black_box(&TANH_CONSTANTS);
        each_pair!(L, |k| store(v, k, tanh_pair(load(v, k), c)));
        if L % 2 == 1 {
            v[L - 1] = tanh::tanh(v[L - 1]);
        }
    }

    /// `tanh::tanh` on both lanes of x: the same operations in the same order.
    #[inline(always)]
    fn tanh_pair(x: v128, c: &TanhConstants) -> v128 {
        // pmin(a, c) is `c < a ? c : a`, which lets NaN through like the scalar comparison.
        let a = f64x2_pmin(f64x2_abs(x), c.clamp);
        let y = f64x2_add(a, a);
        let rounded = f64x2_add(f64x2_mul(y, c.inv_ln2), c.round_magic);
        let k = f64x2_sub(rounded, c.round_magic);
        let r = f64x2_sub(f64x2_sub(y, f64x2_mul(k, c.ln2_hi)), f64x2_mul(k, c.ln2_lo));
        let scale = i64x2_add(i64x2_shl(rounded, 52), c.exponent_one);
        // Horner's rule written out: a loop would be kept as a loop by the size-optimised build,
        // and straight-line code lets the four pairs of a block interleave.
        let t = &c.taylor;
        let step = |coefficient: v128, q: v128| f64x2_add(coefficient, f64x2_mul(r, q));
        let q = step(t[10], t[11]);
        let q = step(t[9], q);
        let q = step(t[8], q);
        let q = step(t[7], q);
        let q = step(t[6], q);
        let q = step(t[5], q);
        let q = step(t[4], q);
        let q = step(t[3], q);
        let q = step(t[2], q);
        let q = step(t[1], q);
        let q = step(t[0], q);
        let expm1_r = f64x2_add(r, f64x2_mul(f64x2_mul(r, r), q));
        let m = f64x2_add(f64x2_mul(scale, expm1_r), f64x2_sub(scale, c.one));
        let magnitude = f64x2_div(m, f64x2_add(m, c.two));
        // copysign: the sign bit of x on the magnitude.
        v128_or(v128_andnot(magnitude, c.sign), v128_and(x, c.sign))
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod pairs {
    /// out = src.
    #[inline(always)]
    pub(super) fn copy<const L: usize>(out: &mut [f64; L], src: &[f64; L]) {
        *out = *src;
    }

    /// acc += x * w, lane by lane.
    #[inline(always)]
    pub(super) fn add_scaled<const L: usize>(acc: &mut [f64; L], x: &[f64; L], w: f64) {
        for r in 0..L {
            acc[r] += x[r] * w;
        }
    }

    /// acc0 += x * w0 and acc1 += x * w1, lane by lane.
    #[inline(always)]
    pub(super) fn add_scaled_two<const L: usize>(
        acc0: &mut [f64; L],
        acc1: &mut [f64; L],
        x: &[f64; L],
        w0: f64,
        w1: f64,
    ) {
        add_scaled(acc0, x, w0);
        add_scaled(acc1, x, w1);
    }

    /// out = a * b, lane by lane.
    #[inline(always)]
    pub(super) fn mul<const L: usize>(out: &mut [f64; L], a: &[f64; L], b: &[f64; L]) {
        for r in 0..L {
            out[r] = a[r] * b[r];
        }
    }

    /// out = (w * a) * b, lane by lane.
    #[inline(always)]
    pub(super) fn scaled_mul<const L: usize>(out: &mut [f64; L], w: f64, a: &[f64; L], b: &[f64; L]) {
        for r in 0..L {
            out[r] = w * a[r] * b[r];
        }
    }

    /// out = 1 - a * a, lane by lane.
    #[inline(always)]
    pub(super) fn one_minus_square<const L: usize>(out: &mut [f64; L], a: &[f64; L]) {
        for r in 0..L {
            out[r] = 1.0 - a[r] * a[r];
        }
    }

    /// The tree sum of `super::sum` for 8 lanes of a * b.
    #[inline(always)]
    pub(super) fn dot8(a: &[f64; 8], b: &[f64; 8]) -> f64 {
        let p = |k: usize| a[k] * b[k];
        ((p(0) + p(4)) + (p(2) + p(6))) + ((p(1) + p(5)) + (p(3) + p(7)))
    }

    /// g[0] += dot8(a0, b0) and g[1] += dot8(a1, b1).
    #[inline(always)]
    pub(super) fn add_dot8_pair(g: &mut [f64; 2], a0: &[f64; 8], b0: &[f64; 8], a1: &[f64; 8], b1: &[f64; 8]) {
        g[0] += dot8(a0, b0);
        g[1] += dot8(a1, b1);
    }

    /// The tree sum of 8 lanes.
    #[inline(always)]
    pub(super) fn sum8(v: &[f64; 8]) -> f64 {
        ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
    }

    /// tanh of every lane.
    #[inline(always)]
    pub(super) fn tanh<const L: usize>(v: &mut [f64; L]) {
        for x in v.iter_mut() {
            *x = crate::model::tanh::tanh(*x);
        }
    }
}

/// out[r] = src[r] for every lane.
#[inline(always)]
pub(crate) fn copy<const L: usize>(out: &mut Lanes<L>, src: &Lanes<L>) {
    pairs::copy(out, src);
}

/// acc[r] += x[r] * w for every lane.
#[inline(always)]
pub(crate) fn add_scaled<const L: usize>(acc: &mut Lanes<L>, x: &Lanes<L>, w: f64) {
    pairs::add_scaled(acc, x, w);
}

/// acc0[r] += x[r] * w0 and acc1[r] += x[r] * w1 for every lane: two units of a layer fed by
/// one input at once, with the bits of `add_scaled` on each.
#[inline(always)]
pub(crate) fn add_scaled_two<const L: usize>(acc0: &mut Lanes<L>, acc1: &mut Lanes<L>, x: &Lanes<L>, w0: f64, w1: f64) {
    pairs::add_scaled_two(acc0, acc1, x, w0, w1);
}

/// out[r] = a[r] * b[r] for every lane.
#[inline(always)]
pub(crate) fn mul<const L: usize>(out: &mut Lanes<L>, a: &Lanes<L>, b: &Lanes<L>) {
    pairs::mul(out, a, b);
}

/// out[r] = (w * a[r]) * b[r] for every lane.
#[inline(always)]
pub(crate) fn scaled_mul<const L: usize>(out: &mut Lanes<L>, w: f64, a: &Lanes<L>, b: &Lanes<L>) {
    pairs::scaled_mul(out, w, a, b);
}

/// out[r] = 1 - a[r]^2 for every lane (the derivative of tanh from its output).
#[inline(always)]
pub(crate) fn one_minus_square<const L: usize>(out: &mut Lanes<L>, a: &Lanes<L>) {
    pairs::one_minus_square(out, a);
}

/// tanh of every lane (`tanh.rs`), the same bits one or two lanes at a time.
#[inline(always)]
pub(crate) fn tanh<const L: usize>(v: &mut Lanes<L>) {
    pairs::tanh(v);
}

/// The sum of the lanes as a fixed pairwise tree (L a power of two): lanes k and k + L/2 are
/// added first, and so on; for 8 lanes ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)).
#[inline(always)]
pub(crate) fn sum<const L: usize>(v: &Lanes<L>) -> f64 {
    // The sizes in use as straight-line code (the conditions are constants).
    if let (8, Some(eight)) = (L, v.first_chunk::<8>()) {
        return pairs::sum8(eight);
    }
    match L {
        0 => 0.0,
        1 => v[0],
        2 => v[0] + v[1],
        _ => {
            let mut folded = *v;
            let mut n = L;
            while n > 1 {
                n /= 2;
                for k in 0..n {
                    folded[k] += folded[k + n];
                }
            }
            folded[0]
        }
    }
}

/// g[o] += dot(x, ds[o]) for every o of both: one input unit's share of a layer's weight
/// gradients. Blocks of 8 lanes add two weights at a time (`add_dot8_pair`), with the bits of
/// one at a time.
#[inline(always)]
pub(crate) fn add_dots_of_one<const L: usize>(g: &mut [f64], x: &Lanes<L>, ds: &[Lanes<L>]) {
    let n = g.len().min(ds.len());
    add_dots(&mut g[..n], |o| (x, &ds[o]));
}

/// g[i] += dot(xs[i], d) for every i of both: the output unit's weight gradients.
#[inline(always)]
pub(crate) fn add_dots_with_one<const L: usize>(g: &mut [f64], xs: &[Lanes<L>], d: &Lanes<L>) {
    let n = g.len().min(xs.len());
    add_dots(&mut g[..n], |i| (&xs[i], d));
}

/// g[k] += dot(a, b) with (a, b) = pair(k), for every k of g.
#[inline(always)]
fn add_dots<'a, const L: usize>(g: &mut [f64], pair: impl Fn(usize) -> (&'a Lanes<L>, &'a Lanes<L>)) {
    let mut k = 0;
    if L == 8 {
        while let Some(two) = g.get_mut(k..k + 2).and_then(|two| two.first_chunk_mut::<2>()) {
            let ((a0, b0), (a1, b1)) = (pair(k), pair(k + 1));
            if let (Some(a0), Some(b0), Some(a1), Some(b1)) =
                (a0.first_chunk::<8>(), b0.first_chunk::<8>(), a1.first_chunk::<8>(), b1.first_chunk::<8>())
            {
                pairs::add_dot8_pair(two, a0, b0, a1, b1);
            } else {
                two[0] += dot(a0, b0);
                two[1] += dot(a1, b1);
            }
            k += 2;
        }
    }
    while let Some(gk) = g.get_mut(k) {
        let (a, b) = pair(k);
        *gk += dot(a, b);
        k += 1;
    }
}

/// The sum over lanes of a[r] * b[r], in the order of `sum`.
#[inline(always)]
pub(crate) fn dot<const L: usize>(a: &Lanes<L>, b: &Lanes<L>) -> f64 {
    if let (8, Some(a8), Some(b8)) = (L, a.first_chunk::<8>(), b.first_chunk::<8>()) {
        return pairs::dot8(a8, b8);
    }
    let mut products = [0.0; L];
    mul(&mut products, a, b);
    sum(&products)
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
        let (mut m, mut s, mut d, mut c) = ([0.0; 8], [0.0; 8], [0.0; 8], [0.0; 8]);
        mul(&mut m, &a, &b);
        scaled_mul(&mut s, 0.7, &a, &b);
        one_minus_square(&mut d, &a);
        copy(&mut c, &a);
        for r in 0..8 {
            assert_eq!(m[r], a[r] * b[r]);
            assert_eq!(s[r], 0.7 * a[r] * b[r]);
            assert_eq!(d[r], 1.0 - a[r] * a[r]);
            assert_eq!(c[r], a[r]);
        }
        let p = m;
        let tree = ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
        assert_eq!(dot(&a, &b), tree);
        assert_eq!(sum(&m), tree);
        // The general fold for other sizes: 4 lanes as (v0 + v2) + (v1 + v3).
        assert_eq!(sum(&[1e16, 1.0, -1e16, 1.0]), 2.0);
        assert_eq!(dot(&[2.0, 3.0], &[5.0, 7.0]), 31.0);
        assert_eq!(sum(&[1.5]), 1.5);
        // Weight gradients two at a time have the bits of one dot product at a time.
        let ds = [a, b, m, s, d];
        let mut g = [0.5, -1.0, 2.0, 1e-3, 7.0];
        let expected: Vec<f64> = (0..5).map(|o| g[o] + dot(&a, &ds[o])).collect();
        add_dots_of_one(&mut g, &a, &ds);
        assert_eq!(g.to_vec(), expected);
        let mut g = [0.5, -1.0, 2.0, 1e-3, 7.0];
        let expected: Vec<f64> = (0..5).map(|i| g[i] + dot(&ds[i], &b)).collect();
        add_dots_with_one(&mut g, &ds, &b);
        assert_eq!(g.to_vec(), expected);

        assert_eq!(sum(&[1.0, 2.0]), 3.0);
    }
}
