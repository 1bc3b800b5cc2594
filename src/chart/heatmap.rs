//! The landscape heatmap with contour lines, as an RGBA buffer.
//!
//! Drawing one rectangle per cell through plotters costs 80-200 ms at 200x200; the same image
//! computed here and put with `putImageData` costs a few ms, and is cached per problem, view
//! and size. Color encodes `ln(f - f_min + delta)` (delta = 1e-4 of the range), normalised to
//! [0, 1] and mapped through a viridis-like ramp; a pixel whose quantised level (16 levels)
//! differs from its right or lower neighbour is darkened, which draws the contour lines.

use crate::math::ln;
use crate::problem::{Problem, ViewBox};

/// Viridis stops (matplotlib's colormap, sampled at 9 points).
const RAMP: [[f64; 3]; 9] = [
    [68.0, 1.0, 84.0],
    [71.0, 44.0, 122.0],
    [59.0, 81.0, 139.0],
    [44.0, 113.0, 142.0],
    [33.0, 144.0, 141.0],
    [39.0, 173.0, 129.0],
    [92.0, 200.0, 99.0],
    [170.0, 220.0, 50.0],
    [253.0, 231.0, 37.0],
];

/// Number of contour levels.
pub const LEVELS: f64 = 16.0;

fn ramp(u: f64) -> [u8; 3] {
    let u = if u.is_finite() { u.clamp(0.0, 1.0) } else { 1.0 };
    let pos = u * (RAMP.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RAMP.len() - 2);
    let frac = pos - i as f64;
    let mut rgb = [0u8; 3];
    for (c, out) in rgb.iter_mut().enumerate() {
        *out = (RAMP[i][c] + (RAMP[i + 1][c] - RAMP[i][c]) * frac).round() as u8;
    }
    rgb
}

/// f on the pixel centres of a `width` x `height` grid over `view` (row 0 at the top).
pub fn sample(problem: &Problem, view: ViewBox, width: usize, height: usize) -> Vec<f64> {
    let mut values = Vec::with_capacity(width * height);
    for row in 0..height {
        let y = view.y[1] - (row as f64 + 0.5) / height as f64 * (view.y[1] - view.y[0]);
        for col in 0..width {
            let x = view.x[0] + (col as f64 + 0.5) / width as f64 * (view.x[1] - view.x[0]);
            values.push(problem.loss(&[x, y]));
        }
    }
    values
}

/// The RGBA image (width * height * 4 bytes) of the landscape.
pub fn landscape_rgba(problem: &Problem, view: ViewBox, width: usize, height: usize) -> Vec<u8> {
    let values = sample(problem, view, width, height);
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let range = if hi > lo { hi - lo } else { 1.0 };
    let delta = range * 1e-4 + f64::MIN_POSITIVE;
    let top = ln(range + delta);
    let bottom = ln(delta);
    let span = if top > bottom { top - bottom } else { 1.0 };
    let levels: Vec<f64> =
        values.iter().map(|v| if v.is_finite() { (ln(v - lo + delta) - bottom) / span } else { 1.0 }).collect();
    let bucket = |u: f64| (u * LEVELS).floor() as i64;
    let mut image = vec![0u8; width * height * 4];
    for row in 0..height {
        for col in 0..width {
            let i = row * width + col;
            let [mut r, mut g, mut b] = ramp(levels[i]);
            let here = bucket(levels[i]);
            let right = if col + 1 < width { bucket(levels[i + 1]) } else { here };
            let below = if row + 1 < height { bucket(levels[i + width]) } else { here };
            if here != right || here != below {
                r = (f64::from(r) * 0.55) as u8;
                g = (f64::from(g) * 0.55) as u8;
                b = (f64::from(b) * 0.55) as u8;
            }
            image[i * 4..i * 4 + 4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemConfig;

    #[test]
    fn bowl_is_dark_in_the_middle_and_bright_at_the_corner() {
        let problem = ProblemConfig::Quadratic { a: 1.0, b: 1.0 }.build();
        let view = ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
        let image = landscape_rgba(&problem, view, 21, 21);
        let pixel = |row: usize, col: usize| -> u32 {
            let i = (row * 21 + col) * 4;
            u32::from(image[i]) + u32::from(image[i + 1]) + u32::from(image[i + 2])
        };
        assert!(pixel(10, 10) < pixel(0, 0), "centre {} corner {}", pixel(10, 10), pixel(0, 0));
        assert_eq!(image.len(), 21 * 21 * 4);
        assert!(image.chunks(4).all(|p| p[3] == 255));
    }
}
