//! The real model's loss plane (`analysis::plane`) as a picture: the grid of losses over
//! [-span, span]^2 as the landscape's heatmap (log colour, contours; `heatmap.rs`), with the
//! training path projected onto the plane drawn as a run's path over a landscape (`paths.rs`:
//! the start marker hollow, the end marker, w at the centre, filled).
//!
//! The grid has `side` x `side` values, row-major from the top row (beta = span), each row from
//! alpha = -span, on the points -span + 2 span i / (side - 1). A pixel whose centre lies at
//! (u, v) in grid units between four grid points takes the bilinear interpolation of their
//! values, (1-a)(1-b) f00 + a(1-b) f10 + (1-a) b f01 + a b f11, so the contours are smooth
//! curves; an infinite corner makes the pixel infinite (the brightest colour), and a NaN
//! corner (or an infinite one weighted by 0) makes it NaN, painted grey as the landscape paints
//! points without a value (`heatmap::UNDEFINED_RGB`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::heatmap::values_rgba;
use super::paths::{draw_paths, PathSeries};
use super::style::RunStyle;
use crate::problem::ViewBox;

/// The grid's values at the centres of `width` x `height` pixels covering the grid's square
/// (its corner points on the picture's corners).
pub fn interpolate(values: &[f64], side: usize, width: usize, height: usize) -> Vec<f64> {
    if side < 2 || values.len() < side * side {
        return vec![f64::NAN; width * height];
    }
    let last = (side - 1) as f64;
    // The grid cell and fraction of a pixel centre along one axis of `pixels` pixels.
    let axis = |pixels: usize| -> Vec<(usize, f64)> {
        (0..pixels)
            .map(|i| {
                let u = (i as f64 + 0.5) / pixels as f64 * last;
                let cell = (u.floor() as usize).min(side - 2);
                (cell, u - cell as f64)
            })
            .collect()
    };
    let (columns, rows) = (axis(width), axis(height));
    let mut out = Vec::with_capacity(width * height);
    for &(row, b) in &rows {
        for &(col, a) in &columns {
            let at = |r: usize, c: usize| values[r * side + c];
            let top = at(row, col) * (1.0 - a) + at(row, col + 1) * a;
            let bottom = at(row + 1, col) * (1.0 - a) + at(row + 1, col + 1) * a;
            out.push(top * (1.0 - b) + bottom * b);
        }
    }
    out
}

/// The RGBA image of the plane's losses at `width` x `height` pixels, with contour lines
/// `line_px` wide.
pub fn plane_rgba(values: &[f64], side: usize, width: usize, height: usize, line_px: f64) -> Vec<u8> {
    values_rgba(&interpolate(values, side, width, height), width, height, line_px)
}

/// Draws the projected path (alpha, beta points, oldest first, the last one w) over a plane of
/// half-width `span` onto `root`, in the run's style.
pub fn draw_plane_path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    span: f64,
    path: &[(f64, f64)],
    style: RunStyle,
) -> Result<(), String> {
    let view = ViewBox { x: [-span, span], y: [-span, span] };
    let (Some(&start), Some(&end)) = (path.first(), path.last()) else {
        return Ok(());
    };
    let run = PathSeries { style, points: path.to_vec(), current: end, start, finished: true, diverged: false };
    draw_paths(root, view, &[run], &[], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_keeps_the_grid_values_at_the_corners_and_blends_between() {
        // A 3 x 3 grid of f = alpha (columns -1, 0, 1): every row reads -1, 0, 1.
        let values = [-1.0, 0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0];
        let out = interpolate(&values, 3, 4, 2);
        // Pixel centres at 1/8, 3/8, 5/8, 7/8 of the width: alpha -0.75, -0.25, 0.25, 0.75.
        assert_eq!(&out[..4], &[-0.75, -0.25, 0.25, 0.75]);
        assert_eq!(&out[..4], &out[4..]);
        assert!(interpolate(&values, 4, 2, 2).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn the_image_is_darkest_at_a_bowls_centre() {
        let side = 9;
        let values: Vec<f64> = (0..side * side)
            .map(|k| {
                let (r, c) = ((k / side) as f64 - 4.0, (k % side) as f64 - 4.0);
                r * r + c * c
            })
            .collect();
        let image = plane_rgba(&values, side, 45, 45, 1.0);
        let brightness = |row: usize, col: usize| {
            let i = (row * 45 + col) * 4;
            u32::from(image[i]) + u32::from(image[i + 1]) + u32::from(image[i + 2])
        };
        assert!(brightness(22, 22) < brightness(0, 0));
        assert_eq!(image.len(), 45 * 45 * 4);
    }
}
