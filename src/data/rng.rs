//! A small portable random number generator: PCG32 (XSH RR, 64-bit state, 32-bit output).
//!
//! Everything random in the crate (datasets, splits, minibatch order, weight initialisation,
//! dropout) draws from this generator, so that the same seed gives bit-identical numbers natively
//! and in wasm32. It uses only integer arithmetic, IEEE-754 `+ - * /`, and the `crate::math`
//! wrappers for `ln`, `cos` and `sin`; it never touches `usize`, whose width differs between
//! wasm32 and x86_64.
//!
//! Algorithms and sources:
//! - PCG32 (`pcg32_random_r` and `pcg32_srandom_r` of the minimal C implementation by
//!   M. E. O'Neill, <https://www.pcg-random.org/download.html>, repository `imneme/pcg-c-basic`):
//!   state' = state * 6364136223846793005 + inc (mod 2^64), inc = 2*stream + 1;
//!   output = rotr32(((state >> 18) ^ state) >> 27, state >> 59), computed from the old state.
//!   Seeding: state = 0, inc = 2*stream + 1, step, state += seed, step. The reference demo
//!   (`pcg32-demo.c`, seed 42, stream 54) prints 0xa15c02b7 0x7b47f409 0xba1d3330 ...; the unit
//!   tests check exactly these values.
//! - `next_u64` = (first 32-bit output << 32) | second 32-bit output.
//! - `uniform` = (next_u64 >> 11) * 2^-53: the top 53 bits, every multiple of 2^-53 in [0, 1)
//!   equally likely (the usual conversion, e.g. Vigna's notes at <https://prng.di.unimi.it/>).
//! - `range_u32(n)`: Lemire's nearly divisionless unbiased method, m = x * n as a 64-bit product,
//!   reject while the low 32 bits are below (2^32 - n) mod n, answer m >> 32 (D. Lemire, "Fast
//!   Random Integer Generation in an Interval", ACM TOMACS 29(1), 2019, arXiv:1805.10941).
//! - `normal`: the Box–Muller transform, z0 = sqrt(-2 ln u1) cos(2 pi u2),
//!   z1 = sqrt(-2 ln u1) sin(2 pi u2) with u1 = 1 - uniform() in (0, 1] and u2 = uniform();
//!   z0 is returned first and z1 is kept for the next call (G. E. P. Box and M. E. Muller, "A Note
//!   on the Generation of Random Normal Deviates", Ann. Math. Statist. 29(2), 1958).
//! - `shuffle`: the Fisher–Yates shuffle in Durstenfeld's form: for i = len-1 down to 1, swap
//!   element i with element range_u32(i + 1) (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P).

use crate::math::{cos, ln, sin, sqrt, PI};

/// The PCG32 multiplier of the reference implementation.
const MULTIPLIER: u64 = 6364136223846793005;

/// 2^-53, the spacing of the values `uniform` can return.
const TWO_POW_MINUS_53: f64 = 1.0 / 9007199254740992.0;

/// Stream of the data points of a generated dataset.
pub const STREAM_DATA_POINTS: u64 = 1;
/// Stream that chooses which labels are flipped or which targets become outliers.
pub const STREAM_DATA_CORRUPTION: u64 = 2;
/// Stream of the final shuffle of a generated classification dataset.
pub const STREAM_DATA_ORDER: u64 = 3;
/// Stream of the train/validation split.
pub const STREAM_SPLIT: u64 = 4;

/// A seeded PCG32 generator. Two generators with the same seed and stream give the same numbers
/// on every platform; different streams give independent sequences from the same seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    /// The 64-bit LCG state.
    state: u64,
    /// The odd increment that selects the stream.
    inc: u64,
    /// The second Box–Muller deviate, kept for the next call of `normal`. It is stored as bits
    /// so that the type can derive `Eq`.
    spare_normal: Option<u64>,
}

impl Rng {
    /// A generator seeded like the reference `pcg32_srandom_r(seed, stream)`. Use a different
    /// stream for each purpose (see the `STREAM_*` constants) so that changing how many numbers
    /// one purpose draws does not shift the numbers of another.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng { state: 0, inc: (stream << 1) | 1, spare_normal: None };
        rng.next_u32();
        rng.state = rng.state.wrapping_add(seed);
        rng.next_u32();
        rng
    }

    /// The next 32 random bits (the reference `pcg32_random_r`).
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(MULTIPLIER).wrapping_add(self.inc);
        // The output permutation XSH RR works on the old state, as in the reference code.
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    /// The next 64 random bits: the first 32-bit output in the high half, the second in the low.
    pub fn next_u64(&mut self) -> u64 {
        let high = u64::from(self.next_u32());
        let low = u64::from(self.next_u32());
        (high << 32) | low
    }

    /// A uniform f64 in [0, 1) built from the top 53 bits of `next_u64`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * TWO_POW_MINUS_53
    }

    /// A uniform f64 in [low, high): low + (high - low) * uniform().
    pub fn uniform_in(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// A uniform integer in [0, n) without bias (Lemire's method). For n = 0 there is no valid
    /// answer; 0 is returned and no random number is consumed.
    pub fn range_u32(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let mut m = u64::from(self.next_u32()) * u64::from(n);
        let mut low = m as u32;
        if low < n {
            // The threshold (2^32 - n) mod n is computed only in this rare branch.
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u64::from(self.next_u32()) * u64::from(n);
                low = m as u32;
            }
        }
        (m >> 32) as u32
    }

    /// A fair coin: true with probability 1/2 (the top bit of one 32-bit output).
    pub fn coin(&mut self) -> bool {
        self.next_u32() >> 31 == 1
    }

    /// A standard normal deviate N(0, 1) by the Box–Muller transform; the two deviates of one
    /// transform are returned by two consecutive calls.
    pub fn normal(&mut self) -> f64 {
        if let Some(bits) = self.spare_normal.take() {
            return f64::from_bits(bits);
        }
        // 1 - uniform() lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let radius = sqrt(-2.0 * ln(u1));
        let angle = 2.0 * PI * u2;
        self.spare_normal = Some((radius * sin(angle)).to_bits());
        radius * cos(angle)
    }

    /// Shuffles `items` in place with the Fisher–Yates algorithm; every permutation is equally
    /// likely. Slices longer than u32::MAX elements (impossible in wasm32) are shuffled only in
    /// their first u32::MAX elements, so that the result never depends on the width of usize.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
        for i in (1..len).rev() {
            let j = self.range_u32(i + 1);
            items.swap(i as usize, j as usize);
        }
    }

    /// The numbers 0, 1, ..., n-1 in a random order (a shuffled identity permutation).
    pub fn permutation(&mut self, n: u32) -> Vec<u32> {
        let mut order: Vec<u32> = (0..n).collect();
        self.shuffle(&mut order);
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_demo_output() {
        // pcg32-demo.c of imneme/pcg-c-basic seeds with (42, 54) and prints these six numbers.
        let mut rng = Rng::new(42, 54);
        let expected = [0xa15c02b7_u32, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e];
        for value in expected {
            assert_eq!(rng.next_u32(), value);
        }
    }

    #[test]
    fn next_u64_joins_two_outputs_high_first() {
        let mut rng = Rng::new(42, 54);
        assert_eq!(rng.next_u64(), 0xa15c02b7_7b47f409);
        assert_eq!(rng.next_u64(), 0xba1d3330_83d2f293);
    }

    #[test]
    fn uniform_uses_the_top_53_bits() {
        let mut rng = Rng::new(42, 54);
        let expected = (0xa15c02b7_7b47f409_u64 >> 11) as f64 / 9007199254740992.0;
        assert_eq!(rng.uniform().to_bits(), expected.to_bits());
    }

    #[test]
    fn range_u32_zero_and_one() {
        let mut rng = Rng::new(1, 1);
        let before = rng.clone();
        assert_eq!(rng.range_u32(0), 0);
        assert_eq!(rng, before, "n = 0 consumes nothing");
        for _ in 0..100 {
            assert_eq!(rng.range_u32(1), 0);
        }
    }

    #[test]
    fn range_u32_near_the_top_stays_in_range() {
        let mut rng = Rng::new(3, 9);
        for n in [u32::MAX, u32::MAX - 1, (1 << 31) + 1] {
            for _ in 0..1000 {
                assert!(rng.range_u32(n) < n);
            }
        }
    }

    #[test]
    fn normal_returns_the_cached_second_deviate() {
        let mut rng = Rng::new(5, 5);
        let mut copy = rng.clone();
        let z0 = rng.normal();
        let z1 = rng.normal();
        let u1 = 1.0 - copy.uniform();
        let u2 = copy.uniform();
        let r = sqrt(-2.0 * ln(u1));
        assert_eq!(z0.to_bits(), (r * cos(2.0 * PI * u2)).to_bits());
        assert_eq!(z1.to_bits(), (r * sin(2.0 * PI * u2)).to_bits());
    }

    #[test]
    fn shuffle_of_short_slices() {
        let mut rng = Rng::new(1, 2);
        let mut empty: [u32; 0] = [];
        rng.shuffle(&mut empty);
        let mut one = [7_u32];
        rng.shuffle(&mut one);
        assert_eq!(one, [7]);
    }
}
