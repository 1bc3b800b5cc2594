//! The landscape heatmap with contour lines, as an RGBA buffer.
//!
//! Drawing one rectangle per cell through plotters costs 80-200 ms at 200x200; the same image
//! computed here and put with `putImageData` costs a few ms, and is cached per problem, view
//! and size. Color encodes `ln(f - f_min + delta)` (delta = 1e-4 of the range), normalised to
//! [0, 1] and mapped through a viridis-like ramp. The contour lines (16 levels) are drawn
//! anti-aliased: with L = 16 u the level field, a pixel's distance to the nearest line is
//! about |L - round(L)| / |grad L| pixels (grad L by central differences between neighbour
//! pixels), and the pixel is darkened by its coverage of a line `line_px` wide, so the lines
//! are smooth curves rather than the stair steps of quantised levels.
//!
//! Points where f is not finite: +inf takes the top of the ramp and -inf its bottom (the range
//! is that of the finite values); NaN (no value, such as log x for x < 0) is painted
//! `UNDEFINED_RGB`, a grey the ramp never reaches, with no contour line. The page's landscape
//! keys the grey in its legend while the view has such points (`Playground::landscape_has_undefined`).

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

/// The colour of a point where f has no value (NaN, such as log x for x < 0): a neutral grey
/// that the ramp never reaches, so that it cannot be read as high or low.
pub const UNDEFINED_RGB: [u8; 3] = [150, 150, 150];

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

/// The most work one heatmap may do, in operations of the loss (a typed function's nodes per
/// point; a built-in landscape counts one): 420 x 420 points of a function of 22 nodes. A
/// longer typed function is sampled on a coarser grid and stretched, so that drawing its
/// landscape stays a short task (a 483-character function took 1.4 s at full resolution).
pub const MAX_SAMPLE_WORK: usize = 4_000_000;

/// The grid on which a `width` x `height` image of a loss costing `work_per_value` operations
/// per point is sampled: the image's own, or a coarser one of about the same shape within
/// `MAX_SAMPLE_WORK`.
pub fn sample_grid(work_per_value: usize, width: usize, height: usize) -> (usize, usize) {
    let work = work_per_value.max(1);
    if width * height * work <= MAX_SAMPLE_WORK {
        return (width, height);
    }
    let scale = ((MAX_SAMPLE_WORK / work) as f64 / (width * height) as f64).sqrt();
    let shrink = |v: usize| ((v as f64 * scale) as usize).clamp(2, v.max(2));
    (shrink(width), shrink(height))
}

/// The landscape's `width` x `height` image (as `landscape_rgba`), sampled on `sample_grid`'s
/// grid and stretched to the image, with its contour lines `line_px` wide in the image; and
/// whether f has no value somewhere in it.
pub fn landscape_image(problem: &Problem, view: ViewBox, width: usize, height: usize, line_px: f64) -> (Vec<u8>, bool) {
    let (w, h) = sample_grid(problem.value_work(), width, height);
    let values = sample(problem, view, w, h);
    let undefined = values.iter().any(|v| v.is_nan());
    let rgba = values_rgba(&values, w, h, line_px * w as f64 / width.max(1) as f64);
    if (w, h) == (width, height) {
        (rgba, undefined)
    } else {
        (stretch_rgba(&rgba, w, h, width, height), undefined)
    }
}

/// Width of the contour lines in CSS pixels.
pub const LINE_CSS_PX: f64 = 1.2;

/// How much a contour line darkens the colour under it.
const LINE_DARKNESS: f64 = 0.45;

/// The RGBA image (width * height * 4 bytes) of the landscape, with contour lines `line_px`
/// pixels wide.
pub fn landscape_rgba(problem: &Problem, view: ViewBox, width: usize, height: usize, line_px: f64) -> Vec<u8> {
    values_rgba(&sample(problem, view, width, height), width, height, line_px)
}

/// The RGBA image of any field of `width` x `height` values (row 0 at the top), coloured and
/// contoured as the landscape is (the real model's loss plane uses it too).
pub fn values_rgba(values: &[f64], width: usize, height: usize, line_px: f64) -> Vec<u8> {
    if values.len() < width * height {
        return vec![0; width * height * 4];
    }
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let range = if hi > lo { hi - lo } else { 1.0 };
    let delta = range * 1e-4 + f64::MIN_POSITIVE;
    let top = ln(range + delta);
    let bottom = ln(delta);
    let span = if top > bottom { top - bottom } else { 1.0 };
    // +inf is as high as it gets and -inf as low; NaN stays NaN (no level, no contour line).
    let levels: Vec<f64> = values
        .iter()
        .map(|&v| match v {
            v if v.is_finite() => (ln(v - lo + delta) - bottom) / span,
            f64::INFINITY => 1.0,
            f64::NEG_INFINITY => 0.0,
            _ => f64::NAN,
        })
        .collect();
    let level = |i: usize| levels[i] * LEVELS;
    let mut image = vec![0u8; width * height * 4];
    for row in 0..height {
        for col in 0..width {
            let i = row * width + col;
            let [r, g, b] = if levels[i].is_nan() { UNDEFINED_RGB } else { ramp(levels[i]) };
            let (left, right) = (if col > 0 { i - 1 } else { i }, if col + 1 < width { i + 1 } else { i });
            let (up, down) = (if row > 0 { i - width } else { i }, if row + 1 < height { i + width } else { i });
            let gx = (level(right) - level(left)) / (right - left).max(1) as f64;
            let gy = (level(down) - level(up)) / ((down - up) / width.max(1)).max(1) as f64;
            let slope = (gx * gx + gy * gy).sqrt();
            let here = level(i);
            let off = (here - (here + 0.5).floor()).abs();
            let distance = if slope > 0.0 { off / slope } else { f64::INFINITY };
            let coverage = (0.5 * line_px + 0.5 - distance).clamp(0.0, 1.0);
            let shade = 1.0 - LINE_DARKNESS * if coverage.is_finite() { coverage } else { 0.0 };
            let dark = |c: u8| (f64::from(c) * shade + 0.5) as u8;
            image[i * 4..i * 4 + 4].copy_from_slice(&[dark(r), dark(g), dark(b), 255]);
        }
    }
    image
}

/// An RGBA image of `width` x `height` stretched to `to_width` x `to_height` by bilinear
/// interpolation between pixel centres (edges clamped): the heatmap is computed at the canvas's
/// CSS resolution, whose cost grows with its area, and stretched once to the device pixels.
pub fn stretch_rgba(rgba: &[u8], width: usize, height: usize, to_width: usize, to_height: usize) -> Vec<u8> {
    if (width, height) == (to_width, to_height) || width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return rgba.to_vec();
    }
    let (xs, ys) = (in_256ths(&axis(to_width, width)), in_256ths(&axis(to_height, height)));
    stretch_in_256ths(rgba, width, &xs, &ys)
}

/// The source coordinate of each of `to` target pixel centres on an axis of `from` pixels,
/// split into its cell (lo, hi) and the fraction between them.
fn axis(to: usize, from: usize) -> Vec<(usize, usize, f64)> {
    (0..to)
        .map(|i| {
            let x = ((i as f64 + 0.5) * from as f64 / to as f64 - 0.5).clamp(0.0, (from - 1) as f64);
            let lo = x.floor() as usize;
            (lo, (lo + 1).min(from - 1), x - lo as f64)
        })
        .collect()
}

/// An axis's cells with their fractions rounded to whole 256ths (exact for a device pixel ratio
/// of 2, which gives 0, 1/4 and 3/4; within 1/512 otherwise, below what 8-bit colour shows).
fn in_256ths(axis: &[(usize, usize, f64)]) -> Vec<(usize, usize, i32)> {
    axis.iter().map(|&(lo, hi, f)| (lo, hi, (f * 256.0).round() as i32)).collect()
}

/// Bilinear stretching in integers, with fractions in whole 256ths. Where those are exact, each
/// lerp is exact (the float version's values are multiples of 1/65536, which f64 holds exactly)
/// and rounding `(v + 32768) >> 16` is its `(value + 0.5) as u8`: the same image to the bit,
/// about twice as fast natively (a DPR-2 landscape stretches 176,400 pixels to 705,600).
fn stretch_in_256ths(rgba: &[u8], width: usize, xs: &[(usize, usize, i32)], ys: &[(usize, usize, i32)]) -> Vec<u8> {
    let mut out = vec![0u8; xs.len() * ys.len() * 4];
    let mut o = 0;
    for &(y0, y1, fy) in ys {
        let (top_row, bottom_row) = (y0 * width * 4, y1 * width * 4);
        for &(x0, x1, fx) in xs {
            let (a, b) = (top_row + x0 * 4, top_row + x1 * 4);
            let (c, d) = (bottom_row + x0 * 4, bottom_row + x1 * 4);
            for k in 0..4 {
                let (pa, pb) = (i32::from(rgba[a + k]), i32::from(rgba[b + k]));
                let (pc, pd) = (i32::from(rgba[c + k]), i32::from(rgba[d + k]));
                let top = pa * 256 + (pb - pa) * fx;
                let bottom = pc * 256 + (pd - pc) * fx;
                out[o + k] = ((top * 256 + (bottom - top) * fy + 32768) >> 16) as u8;
            }
            o += 4;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemConfig;

    #[test]
    fn a_costly_typed_function_is_sampled_coarser_within_the_budget() {
        // A short function and a built-in landscape: every pixel.
        assert_eq!(sample_grid(1, 420, 420), (420, 420));
        assert_eq!(sample_grid(13, 420, 420), (420, 420));
        // 240 nodes (a 480-character function): a coarser grid of the same shape, within budget.
        let (w, h) = sample_grid(240, 420, 420);
        assert!(w < 420 && w == h, "{w} x {h}");
        assert!(w * h * 240 <= MAX_SAMPLE_WORK && (w + 1) * (h + 1) * 240 > MAX_SAMPLE_WORK, "{w} x {h}");
        assert_eq!(sample_grid(240, 600, 300).0, 2 * sample_grid(240, 600, 300).1);
        // The image is whole either way, and the coarse one is close to the full one.
        let term = "sin(x*1.1+cos(y*1.3))";
        let text = vec![term; 22].join("+");
        let problem = ProblemConfig::Custom { f: text.clone() }.build();
        assert!(problem.value_work() * 420 * 420 > MAX_SAMPLE_WORK, "{} nodes", problem.value_work());
        let view = ViewBox { x: [-2.0, 2.0], y: [-2.0, 2.0] };
        assert!(sample_grid(problem.value_work(), 200, 200).0 < 160, "{} nodes", problem.value_work());
        let (coarse, undefined) = landscape_image(&problem, view, 200, 200, 1.0);
        assert_eq!(coarse.len(), 200 * 200 * 4);
        assert!(!undefined);
        let full = landscape_rgba(&problem, view, 200, 200, 1.0);
        let close = coarse.iter().zip(&full).filter(|(a, b)| a.abs_diff(**b) <= 40).count();
        assert!(close * 10 >= full.len() * 9, "{close} of {} bytes within 40 levels", full.len());
    }

    #[test]
    fn bowl_is_dark_in_the_middle_and_bright_at_the_corner() {
        let problem = ProblemConfig::Quadratic { a: 1.0, b: 1.0 }.build();
        let view = ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
        let image = landscape_rgba(&problem, view, 21, 21, 1.0);
        let pixel = |row: usize, col: usize| -> u32 {
            let i = (row * 21 + col) * 4;
            u32::from(image[i]) + u32::from(image[i + 1]) + u32::from(image[i + 2])
        };
        assert!(pixel(10, 10) < pixel(0, 0), "centre {} corner {}", pixel(10, 10), pixel(0, 0));
        assert_eq!(image.len(), 21 * 21 * 4);
        assert!(image.chunks(4).all(|p| p[3] == 255));
    }

    #[test]
    fn undefined_points_are_grey_and_infinite_ones_at_the_ends_of_the_ramp() {
        // Each case three times in a row, so that the middle pixel has equal neighbours and no
        // contour line darkens it.
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let values = [0.0, 1.0, nan, nan, nan, inf, inf, inf, -inf, -inf, -inf];
        let image = values_rgba(&values, values.len(), 1, 1.0);
        let pixel = |i: usize| [image[i * 4], image[i * 4 + 1], image[i * 4 + 2]];
        assert_eq!(pixel(3), UNDEFINED_RGB, "NaN is grey");
        assert_eq!(pixel(6), ramp(1.0), "+inf is the top of the ramp");
        assert_eq!(pixel(9), ramp(0.0), "-inf is the bottom of the ramp");
        assert!((0..=1000).all(|k| ramp(f64::from(k) / 1000.0) != UNDEFINED_RGB), "the ramp never reaches the grey");
    }

    /// The float bilinear stretch the integer one is tested against, pixel by pixel.
    fn stretch_in_floats(rgba: &[u8], width: usize, xs: &[(usize, usize, f64)], ys: &[(usize, usize, f64)]) -> Vec<u8> {
        let at = |row: usize, col: usize, k: usize| f64::from(rgba[(row * width + col) * 4 + k]);
        let lerp = |a: f64, b: f64, f: f64| a + (b - a) * f;
        ys.iter()
            .flat_map(|&(y0, y1, fy)| {
                xs.iter().flat_map(move |&(x0, x1, fx)| {
                    (0..4).map(move |k| {
                        let value =
                            lerp(lerp(at(y0, x0, k), at(y0, x1, k), fx), lerp(at(y1, x0, k), at(y1, x1, k), fx), fy);
                        (value + 0.5) as u8
                    })
                })
            })
            .collect()
    }

    #[test]
    fn the_integer_stretch_is_the_float_stretch_to_the_bit() {
        // Pseudo-random images stretched by 2 and 4 (fractions exact in 256ths) give the float
        // version's bytes.
        let mut seed = 12345u64;
        let mut byte = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        };
        for (w, h, scale) in [(5, 3, 2), (7, 4, 4), (1, 6, 2)] {
            let rgba: Vec<u8> = (0..w * h * 4).map(|_| byte()).collect();
            let (xs, ys) = (axis(w * scale, w), axis(h * scale, h));
            let out = stretch_rgba(&rgba, w, h, w * scale, h * scale);
            assert_eq!(out, stretch_in_floats(&rgba, w, &xs, &ys), "{w}x{h} by {scale}");
        }
        // Another ratio (3 to 7 pixels, 1.5 device pixels per CSS pixel): within one level.
        let rgba: Vec<u8> = (0..3 * 4 * 4).map(|_| byte()).collect();
        let out = stretch_rgba(&rgba, 3, 4, 7, 6);
        let reference = stretch_in_floats(&rgba, 3, &axis(7, 3), &axis(6, 4));
        assert_eq!(out.len(), reference.len());
        assert!(out.iter().zip(&reference).all(|(a, b)| a.abs_diff(*b) <= 1), "{out:?} {reference:?}");
    }

    #[test]
    fn stretching_doubles_an_image_smoothly() {
        // Two pixels, black and white, stretched to four: the ends keep their colours and the
        // middle two are in between.
        let rgba = [0, 0, 0, 255, 200, 200, 200, 255];
        let out = stretch_rgba(&rgba, 2, 1, 4, 1);
        let reds: Vec<u8> = out.chunks(4).map(|p| p[0]).collect();
        assert_eq!(reds, vec![0, 50, 150, 200]);
        assert!(out.chunks(4).all(|p| p[3] == 255));
        assert_eq!(stretch_rgba(&rgba, 2, 1, 2, 1), rgba.to_vec());
    }

    #[test]
    fn contour_lines_are_smooth_and_thin() {
        // A bowl seen off centre: its contours are arcs. Pixels near a line are darkened by how
        // much of the line covers them, so intermediate shades appear (quantised levels gave
        // only two: untouched and fully darkened).
        let problem = ProblemConfig::Quadratic { a: 1.0, b: 1.0 }.build();
        let view = ViewBox { x: [0.5, 3.0], y: [0.5, 3.0] };
        let (w, h) = (200, 200);
        let image = landscape_rgba(&problem, view, w, h, 1.2);
        let values = sample(&problem, view, w, h);
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), v| (l.min(*v), u.max(*v)));
        let delta = (hi - lo) * 1e-4 + f64::MIN_POSITIVE;
        let span = ln(hi - lo + delta) - ln(delta);
        let mut shades = std::collections::BTreeSet::new();
        for row in 0..h {
            for col in 0..w {
                let i = row * w + col;
                let u = (ln(values[i] - lo + delta) - ln(delta)) / span;
                let expected = ramp(u);
                let got = [image[i * 4], image[i * 4 + 1], image[i * 4 + 2]];
                let ratio = f64::from(got[1]) / f64::from(expected[1].max(1));
                shades.insert((ratio * 20.0).round() as i64);
            }
        }
        // Several intermediate shades between untouched (20) and fully darkened (11): anti-aliasing.
        assert!(shades.iter().filter(|s| **s > 11 && **s < 20).count() >= 3, "shades {shades:?}");
    }
}
