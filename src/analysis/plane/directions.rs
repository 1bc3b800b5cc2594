//! The two directions that span the real model's loss plane, and the training path's
//! coordinates in it.
//!
//! Filter-normalised random directions (H. Li, Z. Xu, G. Taylor, C. Studer and T. Goldstein,
//! "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018, section 4): a direction d is
//! drawn from N(0, I) (one seeded Gaussian per parameter, in the order of the flat weight
//! buffer), then each filter of d is rescaled to the norm of the same filter of the weights w,
//! d_f <- d_f * ||w_f|| / ||d_f||. A dense layer's filter is one unit's incoming weights: the
//! column o of the layer's kernel W_l (the row of torch's `Linear.weight`, which the paper's
//! code normalises). The biases of d are set to 0, as the paper's code does for biases and
//! batch-norm parameters (`ignore="biasbn"`): the plane moves the weights only, and a bias
//! that is small next to its filter would otherwise get a direction of the same tiny scale.
//!
//! Principal directions of the trajectory (the paper's section 7): the rows of M are the
//! recorded snapshots minus the final weights, m_t = w_t - w. The directions are the top two
//! right singular vectors of M, found from the small Gram matrix G = M M^T (snapshots x
//! snapshots) by orthogonal iteration on two vectors and a 2 x 2 Rayleigh-Ritz step: with
//! G u = s^2 u, the direction is d = M^T u / s. The rows are not centred (the paper's PCA
//! centres them on their mean): the plane passes through w, and the best plane through w for
//! the path is the best rank-2 approximation of M itself. The explained variance of d_k is
//! s_k^2 / ||M||_F^2, the share of the path's squared displacement from w along d_k.
//!
//! Coordinates: a point p of the path gets the least-squares (alpha, beta) with
//! p - w ~ alpha d1 + beta d2 (the 2 x 2 normal equations; for the orthonormal principal
//! directions simply alpha = <p - w, d1>, beta = <p - w, d2>). Every sum runs in index order,
//! so the numbers are the same natively and in wasm.

use crate::data::Rng;
use crate::math::sqrt;

/// The generator stream of the plane's random directions.
pub const STREAM_PLANE: u64 = 14;
/// The most orthogonal iterations of the principal directions.
const MAX_ITERATIONS: usize = 2000;
/// The iteration stops when the Ritz values' sum changes by less than this share of it.
const ITERATION_TOLERANCE: f64 = 1e-14;
/// Two directions whose cosine is within this of +-1 span no plane.
pub const PARALLEL_COSINE: f64 = 1e-9;

/// One filter of a dense layer: the incoming weights of one unit, `len` numbers from `start`
/// every `stride` places.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    pub start: usize,
    pub stride: usize,
    pub len: usize,
}

impl Filter {
    /// The indices of the filter's weights in the flat buffer.
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..self.len).map(move |i| self.start + i * self.stride)
    }
}

/// The filters and the bias indices of a stack of dense layers with widths `widths` (features,
/// hidden layers, output; `Model::layer_sizes`), in the layout of `model/mlp.rs`: each layer
/// stores its n_in x n_out kernel row-major, then its n_out biases.
pub fn filters(widths: &[usize]) -> (Vec<Filter>, Vec<usize>) {
    let mut filters = Vec::new();
    let mut biases = Vec::new();
    let mut offset = 0;
    for pair in widths.windows(2) {
        let (n_in, n_out) = (pair[0], pair[1]);
        for unit in 0..n_out {
            filters.push(Filter { start: offset + unit, stride: n_out, len: n_in });
        }
        let bias_start = offset + n_in * n_out;
        biases.extend(bias_start..bias_start + n_out);
        offset = bias_start + n_out;
    }
    (filters, biases)
}

/// The norm of each filter of `v`, in the order of `filters`.
pub fn filter_norms(v: &[f64], filters: &[Filter]) -> Vec<f64> {
    filters.iter().map(|f| sqrt(f.indices().map(|k| v.get(k).map_or(0.0, |x| x * x)).sum::<f64>())).collect()
}

/// A filter-normalised random direction for the weights `w` of a network with widths `widths`:
/// one Gaussian per parameter from `rng`, each filter scaled to the norm of w's, biases 0. A
/// filter drawn as all zeros (never, in practice) stays zero.
pub fn filter_normalised(w: &[f64], widths: &[usize], rng: &mut Rng) -> Vec<f64> {
    let mut d: Vec<f64> = (0..w.len()).map(|_| rng.normal()).collect();
    let (filters, biases) = filters(widths);
    let (target, drawn) = (filter_norms(w, &filters), filter_norms(&d, &filters));
    for ((filter, &to), &from) in filters.iter().zip(&target).zip(&drawn) {
        let scale = if from > 0.0 { to / from } else { 0.0 };
        for k in filter.indices() {
            if let Some(x) = d.get_mut(k) {
                *x *= scale;
            }
        }
    }
    for k in biases {
        if let Some(x) = d.get_mut(k) {
            *x = 0.0;
        }
    }
    d
}

/// a · b, summed in index order.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The top two principal directions of a trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    pub d1: Vec<f64>,
    pub d2: Vec<f64>,
    /// The share of the squared displacement ||M||_F^2 along each direction.
    pub explained: [f64; 2],
}

/// Makes `v` orthogonal to `against` (unit) and of unit norm; false when nothing is left.
fn orthonormalise(v: &mut [f64], against: Option<&[f64]>) -> bool {
    if let Some(u) = against {
        let along = dot(v, u);
        for (x, y) in v.iter_mut().zip(u) {
            *x -= along * y;
        }
    }
    let norm = sqrt(dot(v, v));
    if !(norm > 0.0 && norm.is_finite()) {
        return false;
    }
    for x in v.iter_mut() {
        *x /= norm;
    }
    true
}

/// G times the vector `q` (G row-major, m x m).
fn gram_times(gram: &[f64], m: usize, q: &[f64]) -> Vec<f64> {
    (0..m).map(|i| dot(&gram[i * m..(i + 1) * m], q)).collect()
}

/// The eigenvalues (larger first) and the unit eigenvector of the larger one of the symmetric
/// 2 x 2 matrix [[a, b], [b, c]].
fn eigen_2x2(a: f64, b: f64, c: f64) -> ([f64; 2], [f64; 2]) {
    let mean = 0.5 * (a + c);
    let radius = sqrt(0.25 * (a - c) * (a - c) + b * b);
    let (big, small) = (mean + radius, mean - radius);
    let v = if b != 0.0 {
        let (x, y) = (big - c, b);
        let n = sqrt(x * x + y * y);
        [x / n, y / n]
    } else if a >= c {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    };
    ([big, small], v)
}

/// The top two principal directions of the displacements `rows` (m_t = w_t - w, each of the
/// weights' length), or None when the path never leaves w. When the path spans a single line,
/// the second direction is a seeded Gaussian made orthogonal to the first (`rng`) and explains
/// nothing.
pub fn principal(rows: &[Vec<f64>], rng: &mut Rng) -> Option<Principal> {
    let m = rows.len();
    let dim = rows.first().map_or(0, Vec::len);
    let mut gram = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let g = dot(&rows[i], &rows[j]);
            gram[i * m + j] = g;
            gram[j * m + i] = g;
        }
    }
    let total: f64 = (0..m).map(|i| gram[i * m + i]).sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    // Orthogonal iteration on two vectors of R^m, from seeded starts.
    let mut q1: Vec<f64> = (0..m).map(|_| rng.normal()).collect();
    let mut q2: Vec<f64> = (0..m).map(|_| rng.normal()).collect();
    orthonormalise(&mut q1, None);
    let mut has_second = orthonormalise(&mut q2, Some(&q1));
    let mut previous = f64::NAN;
    for _ in 0..MAX_ITERATIONS {
        q1 = gram_times(&gram, m, &q1);
        q2 = gram_times(&gram, m, &q2);
        if !orthonormalise(&mut q1, None) {
            return None;
        }
        has_second = orthonormalise(&mut q2, Some(&q1));
        let ritz =
            dot(&q1, &gram_times(&gram, m, &q1)) + if has_second { dot(&q2, &gram_times(&gram, m, &q2)) } else { 0.0 };
        if (ritz - previous).abs() <= ITERATION_TOLERANCE * ritz {
            break;
        }
        previous = ritz;
    }
    // Rayleigh-Ritz on the two vectors: the best pair of eigenvectors in their span.
    let (u1, u2, lambda) = if has_second {
        let (g1, g2) = (gram_times(&gram, m, &q1), gram_times(&gram, m, &q2));
        let ([big, small], [c, s]) = eigen_2x2(dot(&q1, &g1), dot(&q1, &g2), dot(&q2, &g2));
        let u1: Vec<f64> = q1.iter().zip(&q2).map(|(a, b)| c * a + s * b).collect();
        let u2: Vec<f64> = q1.iter().zip(&q2).map(|(a, b)| -s * a + c * b).collect();
        (u1, Some(u2), [big, small.max(0.0)])
    } else {
        let big = dot(&q1, &gram_times(&gram, m, &q1));
        (q1, None, [big, 0.0])
    };
    // Back to weight space: d = M^T u / ||M^T u||.
    let lift = |u: &[f64]| -> Vec<f64> {
        let mut d = vec![0.0; dim];
        for (row, &weight) in rows.iter().zip(u) {
            for (x, r) in d.iter_mut().zip(row) {
                *x += weight * r;
            }
        }
        d
    };
    let mut d1 = lift(&u1);
    if !orthonormalise(&mut d1, None) {
        return None;
    }
    let second_counts = lambda[1] > total * f64::EPSILON;
    let mut d2 = match &u2 {
        Some(u2) if second_counts => lift(u2),
        _ => Vec::new(),
    };
    if d2.len() != dim || !orthonormalise(&mut d2, Some(&d1)) {
        // The path lies on one line: any direction orthogonal to it completes the plane.
        d2 = (0..dim).map(|_| rng.normal()).collect();
        if !orthonormalise(&mut d2, Some(&d1)) {
            return None;
        }
    }
    let explained = [lambda[0] / total, if second_counts { lambda[1] / total } else { 0.0 }];
    Some(Principal { d1, d2, explained })
}

/// The least-squares coordinates of displacements in the basis (d1, d2).
#[derive(Clone, Debug, PartialEq)]
pub struct Basis {
    d1: Vec<f64>,
    d2: Vec<f64>,
    /// The Gram matrix of the basis: d1·d1, d1·d2, d2·d2.
    g11: f64,
    g12: f64,
    g22: f64,
    /// The two directions are (nearly) parallel: only d1 is used.
    parallel: bool,
}

impl Basis {
    /// The basis of the two directions.
    pub fn new(d1: Vec<f64>, d2: Vec<f64>) -> Basis {
        let (g11, g12, g22) = (dot(&d1, &d1), dot(&d1, &d2), dot(&d2, &d2));
        let cosine = g12 / sqrt(g11 * g22);
        // A zero direction gives a NaN cosine, which counts as parallel too.
        let parallel = cosine.is_nan() || cosine.abs() >= 1.0 - PARALLEL_COSINE;
        Basis { d1, d2, g11, g12, g22, parallel }
    }

    /// The directions.
    pub fn directions(&self) -> (&[f64], &[f64]) {
        (&self.d1, &self.d2)
    }

    /// True when the directions span no plane (parallel, or one of them zero).
    pub fn is_degenerate(&self) -> bool {
        self.parallel
    }

    /// The cosine of the angle between the directions.
    pub fn cosine(&self) -> f64 {
        self.g12 / sqrt(self.g11 * self.g22)
    }

    /// The least-squares (alpha, beta) of the displacement `v`; for degenerate directions the
    /// projection on d1 alone (beta = 0), and (0, 0) when d1 is zero.
    pub fn coordinates(&self, v: &[f64]) -> (f64, f64) {
        let (b1, b2) = (dot(&self.d1, v), dot(&self.d2, v));
        if self.parallel {
            return (if self.g11 > 0.0 { b1 / self.g11 } else { 0.0 }, 0.0);
        }
        let det = self.g11 * self.g22 - self.g12 * self.g12;
        ((self.g22 * b1 - self.g12 * b2) / det, (self.g11 * b2 - self.g12 * b1) / det)
    }

    /// The squared norm of alpha d1 + beta d2.
    pub fn squared_norm(&self, (alpha, beta): (f64, f64)) -> f64 {
        alpha * alpha * self.g11 + 2.0 * alpha * beta * self.g12 + beta * beta * self.g22
    }
}
