//! The 2-D binary classification sets: TensorFlow Playground's four shapes and two moons.
//!
//! Sources: `classifyCircleData`, `classifyXORData`, `classifyTwoGaussData` and
//! `classifySpiralData` in `src/dataset.ts` of TensorFlow Playground
//! (<https://github.com/tensorflow/playground>, Apache-2.0), whose coordinates span about
//! [-5, 5]; here every coordinate is divided by 5, so the sets fill about [-1, 1]^2, and the label
//! -1 becomes 0. The two moons follow scikit-learn's `sklearn.datasets.make_moons`. `noise` is
//! Playground's noise slider / 100 (0 to 0.5 there, up to 1 here) and keeps its meaning for
//! each shape after the scaling. U(a, b) is a fresh `uniform_in(a, b)` draw, N a fresh N(0, 1)
//! draw. Class 1 gets floor(n/2) points and class 0 the other n - floor(n/2), except for the
//! moons, where make_moons gives floor(n/2) to class 0, and xor, whose labels follow the random
//! positions.
//!
//! - circle: class 1 has r ~ U(0, 0.5), class 0 has r ~ U(0.7, 1); angle a ~ U(0, 2*pi);
//!   (x1, x2) = (r*sin a, r*cos a). The label is then recomputed from a jittered copy of the
//!   point, label = 1 if |(x1 + noise*U(-1, 1), x2 + noise*U(-1, 1))| < 0.5 else 0, so noise
//!   mislabels points near the boundary circle but does not move them (as in Playground). With
//!   noise = 0 the classes are separated by the radius (class 1 below 0.5, class 0 at 0.7 or
//!   more).
//! - xor: x1, x2 ~ U(-1, 1), each then pushed 0.06 away from 0 (Playground's padding 0.3:
//!   x += 0.06 if x > 0 else x -= 0.06); label = 1 if (x1 + noise*U(-1, 1))*(x2 + noise*U(-1, 1))
//!   >= 0 else 0 (again only the label sees the noise).
//! - gaussians: class 1 around (0.4, 0.4), class 0 around (-0.4, -0.4), each coordinate
//!   centre + sigma*N with sigma = sqrt(0.5 + 7*noise)/5 (Playground maps noise 0..0.5 linearly
//!   to the variance 0.5..4 and draws N(centre, variance) in its units; the map is extended
//!   linearly beyond 0.5).
//! - spiral: class c in {1, 0} with m points, delta = 0 for class 1 and pi for class 0; for
//!   i = 0..m: r = i/m, t = 1.75*2*pi*i/m + delta, (x1, x2) = (r*sin t + 0.2*noise*U(-1, 1),
//!   r*cos t + 0.2*noise*U(-1, 1)) (Playground's U(-1, 1)*noise in its units, divided by 5).
//! - moons: make_moons' outer half circle (class 0, m0 = floor(n/2) points) is (cos t, sin t) and
//!   its inner one (class 1, m1 = n - m0 points) is (1 - cos t, 1/2 - sin t), with t = pi*i/(m - 1)
//!   for i = 0..m (t = 0 when m = 1). They are centred and scaled into about [-1, 1] x [-0.5, 0.5]
//!   by (x1, x2) = ((x - 1/2)*2/3, (y - 1/4)*2/3), and N*noise/3 is added to each coordinate,
//!   which equals make_moons(noise = noise/2) before the scaling.
//!
//! Label noise: k = round(label_noise*n) points, chosen uniformly without replacement (the first
//! k entries of a permutation drawn from the stream `STREAM_DATA_CORRUPTION`), get label 1 - label.
//! Finally the points are shuffled with the stream `STREAM_DATA_ORDER`, as Playground shuffles its
//! data before use. The positions use the stream `STREAM_DATA_POINTS` and draw, per point and in
//! the order written above, the same numbers whatever the noise, so that changing the noise
//! changes the picture smoothly.

use crate::math::{cos, sin, sqrt, PI};

use super::rng::{Rng, STREAM_DATA_CORRUPTION, STREAM_DATA_ORDER, STREAM_DATA_POINTS};
use super::{share_count, Dataset, Task};

/// Playground's coordinates span about [-5, 5]; they are multiplied by this.
const SCALE: f64 = 0.2;
/// Radius of the circle set's class boundary (Playground: radius*0.5 = 2.5).
const CIRCLE_BOUNDARY: f64 = 0.5;
/// Inner radius of the circle set's outer ring (Playground: radius*0.7 = 3.5).
const CIRCLE_RING_INNER: f64 = 0.7;
/// Distance by which xor points are pushed away from the axes (Playground: 0.3).
const XOR_PADDING: f64 = 0.3 * SCALE;
/// Distance of the Gaussian centres from the origin along each axis (Playground: 2).
const GAUSS_CENTRE: f64 = 2.0 * SCALE;
/// Number of turns of each spiral (Playground's 1.75).
const SPIRAL_TURNS: f64 = 1.75;
/// Scale of the moons: make_moons spans [-1, 2] in x, which becomes [-1, 1].
const MOONS_SCALE: f64 = 2.0 / 3.0;

/// Which shape to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Xor,
    Gaussians,
    Spiral,
    Moons,
}

/// One labelled 2-D point.
type Point = ([f64; 2], f64);

/// n points of `shape` with the given noise and share of flipped labels (see the module header
/// for every formula).
pub(crate) fn generate(shape: Shape, n: u32, noise: f64, label_noise: f64, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed, STREAM_DATA_POINTS);
    let ones = n / 2;
    let zeros = n - ones;
    let mut points: Vec<Point> = Vec::with_capacity(n as usize);
    match shape {
        Shape::Circle => {
            circle(&mut rng, ones, 0.0, CIRCLE_BOUNDARY, noise, &mut points);
            circle(&mut rng, zeros, CIRCLE_RING_INNER, 1.0, noise, &mut points);
        }
        Shape::Xor => xor(&mut rng, n, noise, &mut points),
        Shape::Gaussians => {
            let sigma = sqrt(0.5 + 7.0 * noise) * SCALE;
            gaussian(&mut rng, ones, GAUSS_CENTRE, sigma, 1.0, &mut points);
            gaussian(&mut rng, zeros, -GAUSS_CENTRE, sigma, 0.0, &mut points);
        }
        Shape::Spiral => {
            spiral(&mut rng, ones, 0.0, noise, 1.0, &mut points);
            spiral(&mut rng, zeros, PI, noise, 0.0, &mut points);
        }
        Shape::Moons => {
            // make_moons puts floor(n/2) points on the outer moon (class 0).
            moon(&mut rng, ones, false, noise, &mut points);
            moon(&mut rng, zeros, true, noise, &mut points);
        }
    }

    let k = share_count(label_noise, n) as usize;
    if k > 0 {
        let order = Rng::new(seed, STREAM_DATA_CORRUPTION).permutation(n);
        for &i in order.iter().take(k) {
            if let Some(point) = points.get_mut(i as usize) {
                point.1 = 1.0 - point.1;
            }
        }
    }
    Rng::new(seed, STREAM_DATA_ORDER).shuffle(&mut points);

    let mut data = Dataset::empty(2, Task::Classification);
    data.inputs.reserve(2 * points.len());
    data.targets.reserve(points.len());
    for (xy, label) in points {
        data.push(&xy, label);
    }
    data
}

/// `count` points with radius ~ U(r_min, r_max), labelled by the jittered radius.
fn circle(rng: &mut Rng, count: u32, r_min: f64, r_max: f64, noise: f64, out: &mut Vec<Point>) {
    for _ in 0..count {
        let r = rng.uniform_in(r_min, r_max);
        let angle = rng.uniform_in(0.0, 2.0 * PI);
        let x = r * sin(angle);
        let y = r * cos(angle);
        let jx = x + noise * rng.uniform_in(-1.0, 1.0);
        let jy = y + noise * rng.uniform_in(-1.0, 1.0);
        let label = if sqrt(jx * jx + jy * jy) < CIRCLE_BOUNDARY { 1.0 } else { 0.0 };
        out.push(([x, y], label));
    }
}

/// Pushes a coordinate away from the axis by the xor padding, as Playground does.
fn pad(v: f64) -> f64 {
    if v > 0.0 {
        v + XOR_PADDING
    } else {
        v - XOR_PADDING
    }
}

/// `count` points in the four quadrants, labelled by the sign of the jittered product.
fn xor(rng: &mut Rng, count: u32, noise: f64, out: &mut Vec<Point>) {
    for _ in 0..count {
        let x = pad(rng.uniform_in(-1.0, 1.0));
        let y = pad(rng.uniform_in(-1.0, 1.0));
        let jx = x + noise * rng.uniform_in(-1.0, 1.0);
        let jy = y + noise * rng.uniform_in(-1.0, 1.0);
        let label = if jx * jy >= 0.0 { 1.0 } else { 0.0 };
        out.push(([x, y], label));
    }
}

/// `count` points around (centre, centre) with standard deviation sigma per coordinate.
fn gaussian(rng: &mut Rng, count: u32, centre: f64, sigma: f64, label: f64, out: &mut Vec<Point>) {
    for _ in 0..count {
        let x = centre + sigma * rng.normal();
        let y = centre + sigma * rng.normal();
        out.push(([x, y], label));
    }
}

/// One arm of the spiral: `count` points starting at the origin, rotated by `delta`.
fn spiral(rng: &mut Rng, count: u32, delta: f64, noise: f64, label: f64, out: &mut Vec<Point>) {
    let m = f64::from(count);
    for i in 0..count {
        let fraction = f64::from(i) / m;
        let r = fraction;
        let t = SPIRAL_TURNS * fraction * 2.0 * PI + delta;
        let x = r * sin(t) + SCALE * noise * rng.uniform_in(-1.0, 1.0);
        let y = r * cos(t) + SCALE * noise * rng.uniform_in(-1.0, 1.0);
        out.push(([x, y], label));
    }
}

/// One moon of make_moons, centred, scaled and jittered: the outer one (class 0) or the inner
/// one (class 1).
fn moon(rng: &mut Rng, count: u32, inner: bool, noise: f64, out: &mut Vec<Point>) {
    let sigma = noise * 0.5 * MOONS_SCALE;
    for i in 0..count {
        let t = if count > 1 { PI * f64::from(i) / f64::from(count - 1) } else { 0.0 };
        let (x, y, label) = if inner { (1.0 - cos(t), 0.5 - sin(t), 1.0) } else { (cos(t), sin(t), 0.0) };
        let x = (x - 0.5) * MOONS_SCALE + sigma * rng.normal();
        let y = (y - 0.25) * MOONS_SCALE + sigma * rng.normal();
        out.push(([x, y], label));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moons_without_noise_lie_on_the_scaled_half_circles() {
        let data = generate(Shape::Moons, 50, 0.0, 0.0, 3);
        for i in 0..data.len() {
            let row = data.row(i);
            // Undo the scaling and check the distance from the moon's centre.
            let (x, y) = (row[0] / MOONS_SCALE + 0.5, row[1] / MOONS_SCALE + 0.25);
            let (cx, cy) = if data.targets[i] == 1.0 { (1.0, 0.5) } else { (0.0, 0.0) };
            let r = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
            assert!((r - 1.0).abs() < 1e-12, "point {i} at radius {r}");
        }
    }

    #[test]
    fn spiral_arms_have_radius_below_one() {
        let data = generate(Shape::Spiral, 101, 0.0, 0.0, 1);
        assert_eq!(data.targets.iter().filter(|&&t| t == 1.0).count(), 50);
        for i in 0..data.len() {
            let row = data.row(i);
            assert!(row[0].hypot(row[1]) < 1.0);
        }
    }

    #[test]
    fn xor_points_keep_away_from_the_axes() {
        let data = generate(Shape::Xor, 500, 0.0, 0.0, 2);
        for i in 0..data.len() {
            let row = data.row(i);
            assert!(row[0].abs() >= XOR_PADDING && row[1].abs() >= XOR_PADDING);
            let expected = if row[0] * row[1] >= 0.0 { 1.0 } else { 0.0 };
            assert_eq!(data.targets[i], expected);
        }
    }
}
