//! What a model trained on data has learned: for classification the decision boundary
//! (predicted probability of class 1 as an RGBA image, orange for class 1 and blue for
//! class 0, paler where the model is unsure, the 0.5 contour dark) with the data on top; for
//! regression the fitted curve over the data, with the noiseless target dashed. Training
//! points are filled, validation points hollow. The classification image is computed on a
//! 100 x 100 grid (TensorFlow Playground's resolution) and upsampled by bilinear interpolation
//! of the probability, p(u, v) = (1-a)(1-b) p00 + a(1-b) p10 + (1-a) b p01 + a b p11 between
//! the four nearest cell centres, so the 0.5 contour is a smooth curve; its points are
//! rasterized into it, so a live redraw costs a few milliseconds whatever the canvas size.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::draw_line;
use crate::data::{Dataset, Task};
use crate::problem::{TrainingProblem, ViewBox};

/// Class colors (TensorFlow Playground's): class 0 blue, class 1 orange.
pub const CLASS_COLORS: [(u8, u8, u8); 2] = [(8, 119, 189), (245, 147, 34)];

/// The box the data live in, with a margin of 10%, made square for 2-D inputs.
pub fn data_view(problem: &TrainingProblem) -> ViewBox {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for set in [&problem.train, &problem.validation] {
        for i in 0..set.len() {
            let row = set.row(i);
            let point = if set.input_dim >= 2 { [row[0], row[1]] } else { [row[0], set.targets[i]] };
            for k in 0..2 {
                if point[k].is_finite() {
                    lo[k] = lo[k].min(point[k]);
                    hi[k] = hi[k].max(point[k]);
                }
            }
        }
    }
    for k in 0..2 {
        if !(lo[k].is_finite() && hi[k].is_finite()) || hi[k] <= lo[k] {
            lo[k] = -1.0;
            hi[k] = 1.0;
        }
        let pad = 0.1 * (hi[k] - lo[k]);
        lo[k] -= pad;
        hi[k] += pad;
    }
    if problem.task() == Task::Classification {
        let half = 0.5 * (hi[0] - lo[0]).max(hi[1] - lo[1]);
        let centre = [0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1])];
        return ViewBox { x: [centre[0] - half, centre[0] + half], y: [centre[1] - half, centre[1] + half] };
    }
    ViewBox { x: [lo[0], hi[0]], y: [lo[1], hi[1]] }
}

/// Blends white towards a class color by `amount` in [0, 1].
pub(crate) fn tint(color: (u8, u8, u8), amount: f64) -> [u8; 3] {
    // Rounds half up by truncating x + 0.5 (x >= 0 here); `f64::round` is a call in wasm.
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * amount.clamp(0.0, 1.0) + 0.5) as u8;
    [mix(color.0), mix(color.1), mix(color.2)]
}

/// Color of grid cells whose prediction is not a number.
const UNKNOWN_COLOR: [u8; 3] = [230, 230, 230];
/// Color of the pixels on the decision boundary.
const BOUNDARY_COLOR: [u8; 3] = [60, 60, 60];

/// Resolution of the probability grid behind the decision boundary (TensorFlow Playground's
/// too): the image is upsampled from it, so the cost does not grow with the canvas.
pub const BOUNDARY_GRID: usize = 100;
/// Most grid-point-parameter products one boundary image may cost: a network of more than 500
/// parameters gets a coarser grid (30 x 30 for the largest, 5409 parameters), so that drawing it
/// stays within about 10 ms in the browser however large the network (42 x 42 took 20 to 30 ms
/// in headless Chromium, which with the compositor's commit made tasks of 50 ms).
pub const BOUNDARY_GRID_WORK: usize = BOUNDARY_GRID * BOUNDARY_GRID * 500;

/// The side of the probability grid for a network of `dim` parameters (see
/// `BOUNDARY_GRID_WORK`).
pub fn boundary_grid_side(dim: usize) -> usize {
    let side = (BOUNDARY_GRID_WORK as f64 / dim.max(1) as f64).sqrt() as usize;
    side.clamp(8, BOUNDARY_GRID)
}

/// The decision boundary image (width * height * 4 bytes), row 0 at the top of `view`, with the
/// data drawn in: training points as filled discs, validation points as rings, in the class
/// colors with a white edge. The probability is computed on a grid of at most
/// `BOUNDARY_GRID` x `BOUNDARY_GRID` cells (fewer for a large network, `boundary_grid_side`) and
/// interpolated bilinearly between cell centres.
pub fn boundary_rgba(
    problem: &TrainingProblem,
    w: &[f64],
    view: ViewBox,
    (width, height): (usize, usize),
    scale: f64,
) -> Vec<u8> {
    let mut image = boundary_image(problem, w, view, (width, height));
    let to_pixel = |x: f64, y: f64| {
        let px = (x - view.x[0]) / (view.x[1] - view.x[0]) * width as f64;
        let py = (view.y[1] - y) / (view.y[1] - view.y[0]) * height as f64;
        (px, py)
    };
    for (set, filled) in [(&problem.train, true), (&problem.validation, false)] {
        for i in 0..set.len() {
            if let (2.., Some((x, y, color))) = (set.input_dim, point_of(set, i)) {
                disc(&mut image, (width, height), scale, to_pixel(x, y), filled, color);
            }
        }
    }
    image
}

/// The decision boundary image without the data (see `boundary_rgba`).
pub fn boundary_image(problem: &TrainingProblem, w: &[f64], view: ViewBox, (width, height): (usize, usize)) -> Vec<u8> {
    let side = boundary_grid_side(w.len());
    let (gw, gh) = (width.clamp(1, side), height.clamp(1, side));
    let xs: Vec<f64> = (0..gw).map(|c| view.x[0] + (c as f64 + 0.5) / gw as f64 * (view.x[1] - view.x[0])).collect();
    let ys: Vec<f64> = (0..gh).map(|r| view.y[1] - (r as f64 + 0.5) / gh as f64 * (view.y[1] - view.y[0])).collect();
    let mut probability = vec![f64::NAN; gw * gh];
    problem.model.predict_grid(w, &xs, &ys, &mut probability);
    // The probability of each pixel is interpolated bilinearly between the four nearest cell
    // centres, so that the boundary (p = 0.5) follows a smooth curve rather than the cells'
    // staircase; a canvas no larger than the grid gets the cells' own values.
    let columns = sample_positions(width, gw);
    let rows = sample_positions(height, gh);
    let shades = ShadeTable::new();
    let mut line = vec![f64::NAN; width];
    let mut next = vec![f64::NAN; width];
    if let Some(&first) = rows.first() {
        interpolate_row(&probability, gw, first, &columns, &mut line);
    }
    let mut image = vec![255u8; width * height * 4];
    // Plain index loops: this runs for every pixel of the canvas, and the size-optimised wasm
    // build would call iterator adapters and `copy_from_slice` once per pixel.
    for py in 0..height {
        let has_next = py + 1 < height;
        if has_next {
            interpolate_row(&probability, gw, rows[py + 1], &columns, &mut next);
        }
        for px in 0..width {
            let p = line[px];
            let class = p >= 0.5;
            // Darken pixels where the predicted class changes: the decision boundary.
            let right = px + 1 < width && (line[px + 1] >= 0.5) != class;
            let below = has_next && (next[px] >= 0.5) != class;
            let rgb = if right || below { BOUNDARY_COLOR } else { shades.color(p) };
            put_rgb(&mut image, (py * width + px) * 4, rgb);
        }
        std::mem::swap(&mut line, &mut next);
    }
    image
}

/// Where each of `pixels` pixel centres falls between the centres of `cells` grid cells: the
/// cell on each side and the weight of the second, (px + 0.5)*cells/pixels - 0.5 clamped to the
/// grid.
fn sample_positions(pixels: usize, cells: usize) -> Vec<(usize, usize, f64)> {
    let last = cells.saturating_sub(1);
    (0..pixels)
        .map(|px| {
            let u = ((px as f64 + 0.5) * cells as f64 / pixels as f64 - 0.5).clamp(0.0, last as f64);
            // u >= 0, so the conversion truncates to the cell below.
            let below = (u as usize).min(last);
            (below, (below + 1).min(last), u - below as f64)
        })
        .collect()
}

/// The probabilities of one pixel row: `grid` (`cells_x` wide) interpolated between rows
/// `row.0` and `row.1` with weight `row.2`, and between columns likewise.
fn interpolate_row(
    grid: &[f64],
    cells_x: usize,
    row: (usize, usize, f64),
    columns: &[(usize, usize, f64)],
    out: &mut [f64],
) {
    let (above, below, weight) = row;
    let (top, bottom) = (above * cells_x, below * cells_x);
    for (px, &(left, right, fraction)) in columns.iter().enumerate() {
        let (Some(&a), Some(&b), Some(&c), Some(&d), Some(slot)) = (
            grid.get(top + left),
            grid.get(top + right),
            grid.get(bottom + left),
            grid.get(bottom + right),
            out.get_mut(px),
        ) else {
            continue;
        };
        let upper = a + fraction * (b - a);
        let lower = c + fraction * (d - c);
        *slot = upper + weight * (lower - upper);
    }
}

/// The background color for every probability, looked up rather than blended per pixel: the
/// predicted class's color, paler where |2p - 1| is small, in 256 steps.
struct ShadeTable {
    colors: [[[u8; 3]; 256]; 2],
}

impl ShadeTable {
    fn new() -> ShadeTable {
        let mut colors = [[[0; 3]; 256]; 2];
        for (class, table) in colors.iter_mut().enumerate() {
            for (step, color) in table.iter_mut().enumerate() {
                *color = tint(CLASS_COLORS[class], 0.15 + 0.55 * step as f64 / 255.0);
            }
        }
        ShadeTable { colors }
    }

    /// The color of probability p (grey when p is not a number).
    #[inline]
    fn color(&self, p: f64) -> [u8; 3] {
        if !p.is_finite() {
            return UNKNOWN_COLOR;
        }
        // |2p - 1| in [0, 1] (clamped for safety), rounded to the nearest of 256 steps.
        let step = ((2.0 * (p - 0.5)).abs().min(1.0) * 255.0 + 0.5) as usize;
        self.colors[usize::from(p >= 0.5)][step.min(255)]
    }
}

/// Writes one pixel's red, green and blue at byte offset `o` (inside the image by construction).
#[inline(always)]
fn put_rgb(image: &mut [u8], o: usize, rgb: [u8; 3]) {
    if let Some(pixel) = image.get_mut(o..o + 3) {
        pixel[0] = rgb[0];
        pixel[1] = rgb[1];
        pixel[2] = rgb[2];
    }
}

/// Rasterizes a point of radius 3.5 CSS px (`scale` image pixels per CSS pixel): filled, or a
/// ring 1.5 px wide, with a white edge 1 px wide.
pub fn disc(
    image: &mut [u8],
    (width, height): (usize, usize),
    scale: f64,
    centre: (f64, f64),
    filled: bool,
    color: (u8, u8, u8),
) {
    let scale = if scale.is_finite() { scale.clamp(0.25, 8.0) } else { 1.0 };
    let radius = 3.5 * scale;
    let edge = scale;
    let ring = 1.5 * scale;
    if !(centre.0.is_finite() && centre.1.is_finite()) {
        return;
    }
    let reach = (radius + edge).ceil() as i64;
    let (cx, cy) = (centre.0.floor() as i64, centre.1.floor() as i64);
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let (x, y) = (cx + dx, cy + dy);
            if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
                continue;
            }
            let fx = x as f64 + 0.5 - centre.0;
            let fy = y as f64 + 0.5 - centre.1;
            // Squared distances against squared radii (all exact): no square root per pixel.
            let r2 = fx * fx + fy * fy;
            let rgb = if r2 <= radius * radius && (filled || r2 >= (radius - ring) * (radius - ring)) {
                [color.0, color.1, color.2]
            } else if r2 <= (radius + edge) * (radius + edge) && (filled || r2 > radius * radius) {
                [255, 255, 255]
            } else {
                continue;
            };
            put_rgb(image, (y as usize * width + x as usize) * 4, rgb);
        }
    }
}

/// Where point `i` of `data` goes on a model plot, (x1, x2) or (x, target), and its colour; None
/// for a row or target the data set does not hold.
fn point_of(data: &Dataset, i: usize) -> Option<(f64, f64, (u8, u8, u8))> {
    let row = data.row(i);
    let target = *data.targets.get(i)?;
    match row {
        [x1, x2, ..] => Some((*x1, *x2, CLASS_COLORS[usize::from(target >= 0.5)])),
        [x] => Some((*x, target, (70, 70, 70))),
        [] => None,
    }
}

fn draw_point_set<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    data: &Dataset,
    filled: bool,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let points = (0..data.len()).filter_map(|i| point_of(data, i)).map(|(x, y, color)| {
        let color = RGBColor(color.0, color.1, color.2);
        let style = if filled { color.filled() } else { color.stroke_width(2) };
        EmptyElement::at((x, y))
            + Circle::new((0, 0), 3, style)
            + Circle::new((0, 0), 3, WHITE.mix(if filled { 0.9 } else { 0.0 }).stroke_width(1))
    });
    chart.draw_series(points).map_err(err)?;
    Ok(())
}

/// Draws a classifier's data over the whole area (where `boundary_image` lies) as plotters
/// circles, as `boundary_rgba` rasterises them: training points filled, validation points as
/// rings, radius 3.5 px with a white edge (for exported figures; the page rasterises them).
pub fn draw_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    problem: &TrainingProblem,
    view: ViewBox,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let (width, height) = root.dim_in_pixel();
    let to_pixel = |x: f64, y: f64| {
        let px = (x - view.x[0]) / (view.x[1] - view.x[0]) * f64::from(width);
        let py = (view.y[1] - y) / (view.y[1] - view.y[0]) * f64::from(height);
        (px.round() as i32, py.round() as i32)
    };
    for (set, filled) in [(&problem.train, true), (&problem.validation, false)] {
        for i in 0..set.len() {
            let row = set.row(i);
            if row.len() < 2 || !(row[0].is_finite() && row[1].is_finite()) {
                continue;
            }
            let color = CLASS_COLORS[usize::from(set.targets[i] >= 0.5)];
            let color = RGBColor(color.0, color.1, color.2);
            let at = to_pixel(row[0], row[1]);
            let edge = if filled { WHITE.filled() } else { WHITE.stroke_width(4) };
            root.draw(&Circle::new(at, if filled { 4 } else { 3 }, edge)).map_err(err)?;
            let style = if filled { color.filled() } else { color.stroke_width(2) };
            root.draw(&Circle::new(at, 3, style)).map_err(err)?;
        }
    }
    Ok(())
}

/// A data point of a regression plot in the root's (fractional) pixels: where, filled (a
/// training point) or a ring (a validation point), and its colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotPoint {
    pub at: (f64, f64),
    pub filled: bool,
    pub color: (u8, u8, u8),
}

/// How `draw_model` draws the data points.
pub enum PointDrawing<'a> {
    /// As plotters circles (vector output: the SVG figures).
    Circles,
    /// By the caller, given every point once the axes are drawn and before the curves (the page
    /// rasterizes them with `disc` in one image: as plotters circles, 5000 points cost tens of
    /// milliseconds of canvas calls and as much again when the browser rasterizes them).
    Raster(&'a mut dyn FnMut(&[PlotPoint]) -> Result<(), String>),
}

/// Draws a regression model: the data, the true function and the fitted curve, on axes. A
/// classifier is drawn by `boundary_rgba` alone (its points are rasterised into the image).
pub fn draw_model<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    problem: &TrainingProblem,
    w: &[f64],
    view: ViewBox,
    color: (u8, u8, u8),
    points: PointDrawing<'_>,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .margin_right(14)
        .x_label_area_size(24)
        .y_label_area_size(40)
        .build_cartesian_2d(view.x[0]..view.x[1], view.y[0]..view.y[1])
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style((crate::chart::style::FONT, 11))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    // The curves in fractional pixels, mapped as plotters maps the view's corners, simplified
    // before rounding (`pixel_polyline`): a smooth curve, not one wobbling by whole pixels.
    let coord = chart.as_coord_spec().clone();
    let (top_left, bottom_right) = (coord.translate(&(view.x[0], view.y[1])), coord.translate(&(view.x[1], view.y[0])));
    let fine = |p: &(f64, f64)| {
        let fx = (p.0 - view.x[0]) / (view.x[1] - view.x[0]);
        let fy = (view.y[1] - p.1) / (view.y[1] - view.y[0]);
        (
            f64::from(top_left.0) + fx * f64::from(bottom_right.0 - top_left.0),
            f64::from(top_left.1) + fy * f64::from(bottom_right.1 - top_left.1),
        )
    };
    match points {
        PointDrawing::Circles => {
            draw_point_set(&mut chart, &problem.train, true)?;
            draw_point_set(&mut chart, &problem.validation, false)?;
        }
        PointDrawing::Raster(raster) => {
            let mut all = Vec::with_capacity(problem.train.len() + problem.validation.len());
            for (set, filled) in [(&problem.train, true), (&problem.validation, false)] {
                all.extend((0..set.len()).filter_map(|i| point_of(set, i)).map(|(x, y, color)| PlotPoint {
                    at: fine(&(x, y)),
                    filled,
                    color,
                }));
            }
            raster(&all)?;
        }
    }
    let xs: Vec<f64> = (0..=200).map(|i| view.x[0] + i as f64 / 200.0 * (view.x[1] - view.x[0])).collect();
    let on_root = |piece: &[(f64, f64)]| super::pixel_polyline(&piece.iter().map(fine).collect::<Vec<_>>());
    // The true function and the fitted curve are cut where they leave the view (a wild
    // polynomial, a cubic beyond the data), drawn up to the edge and on from where they come
    // back, never along the plot's edge.
    if let Some(truth) =
        xs.iter().map(|x| problem.data_config().true_function(*x).map(|y| (*x, y))).collect::<Option<Vec<_>>>()
    {
        for piece in pieces_inside(&truth, view.y) {
            draw_line(root, &on_root(&piece), Some((6, 4)), RGBColor(120, 120, 120).stroke_width(1))?;
        }
    }
    let style = RGBColor(color.0, color.1, color.2).stroke_width(3);
    let fitted: Vec<(f64, f64)> = xs.iter().map(|x| (*x, problem.model.predict(w, &[*x]))).collect();
    for piece in pieces_inside(&fitted, view.y) {
        draw_line(root, &on_root(&piece), None, style)?;
    }
    root.present().map_err(err)
}

/// The pieces of the polyline `points` inside the band `y_range`: each segment is clipped to
/// the band (a segment that leaves it ends at the crossing, one that comes back starts there,
/// one that crosses it whole keeps the part inside), and a non-finite y breaks the line.
/// Consecutive clipped segments that meet form one piece; each piece has two points at least.
fn pieces_inside(points: &[(f64, f64)], y_range: [f64; 2]) -> Vec<Vec<(f64, f64)>> {
    let [lo, hi] = y_range;
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    // True while the last piece ends at the previous segment's end point.
    let mut open = false;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some((t0, t1)) = clip_to_band(a.1, b.1, lo, hi) else {
            open = false;
            continue;
        };
        let at = |t: f64| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        let end = if t1 == 1.0 { b } else { at(t1) };
        match pieces.last_mut() {
            Some(piece) if open && t0 == 0.0 => piece.push(end),
            _ => pieces.push(vec![if t0 == 0.0 { a } else { at(t0) }, end]),
        }
        open = t1 == 1.0;
    }
    pieces
}

/// The part `[t0, t1]` (0 <= t0 < t1 <= 1) of the segment from y `ya` to y `yb` whose y is in
/// `[lo, hi]`, or None (no part of positive length inside, or a non-finite end).
fn clip_to_band(ya: f64, yb: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    if !(ya.is_finite() && yb.is_finite()) {
        return None;
    }
    if ya == yb {
        return (lo..=hi).contains(&ya).then_some((0.0, 1.0));
    }
    let (t_lo, t_hi) = ((lo - ya) / (yb - ya), (hi - ya) / (yb - ya));
    let (t0, t1) = (t_lo.min(t_hi).max(0.0), t_lo.max(t_hi).min(1.0));
    (t0 < t1).then_some((t0, t1))
}

#[cfg(test)]
mod tests {

    #[test]
    fn curves_are_broken_where_they_leave_the_view() {
        // A cubic through [-1, 1] that leaves the view at both ends, with a NaN in the middle.
        let points: Vec<(f64, f64)> = (0..=20)
            .map(|i| {
                let x = -1.5 + 0.15 * f64::from(i);
                (x, if i == 10 { f64::NAN } else { x * x * x })
            })
            .collect();
        let pieces = super::pieces_inside(&points, [-1.0, 1.0]);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        for piece in &pieces {
            assert!(piece.len() >= 2 && piece.iter().all(|p| (-1.0..=1.0).contains(&p.1)), "{piece:?}");
        }
        // Every sample inside is kept, and the curve is drawn up to the edges it crosses: it
        // enters at y = -1 (x = -1) and leaves at y = 1 (x = 1), cut where it crosses them.
        let kept: usize = pieces.iter().map(Vec::len).sum();
        let inside = points.iter().filter(|p| (-1.0..=1.0).contains(&p.1)).count();
        assert_eq!(kept, inside + 2, "the two crossings are added");
        let (first, last) = (pieces[0][0], pieces[1][pieces[1].len() - 1]);
        assert!((first.0 + 1.0).abs() < 0.05 && first.1 == -1.0, "{first:?}");
        assert!((last.0 - 1.0).abs() < 0.05 && last.1 == 1.0, "{last:?}");
    }

    #[test]
    fn a_curve_that_leaves_the_view_between_samples_is_cut_at_the_edge() {
        // Inside, far above, inside again, then straight through the band from below to above.
        let points = [(0.0, 0.0), (1.0, 4.0), (2.0, 0.5), (3.0, -3.0), (4.0, 3.0)];
        let pieces = super::pieces_inside(&points, [-1.0, 1.0]);
        assert_eq!(
            pieces,
            vec![
                vec![(0.0, 0.0), (0.25, 1.0)],
                vec![(1.0 + 3.0 / 3.5, 1.0), (2.0, 0.5), (2.0 + 1.5 / 3.5, -1.0)],
                vec![(3.0 + 2.0 / 6.0, -1.0), (3.0 + 4.0 / 6.0, 1.0)]
            ]
        );
        assert!(super::pieces_inside(&[(0.0, 2.0), (1.0, 3.0)], [-1.0, 1.0]).is_empty());
    }

    #[test]
    fn large_networks_get_a_coarser_boundary_grid() {
        assert_eq!(super::boundary_grid_side(17), 100);
        assert_eq!(super::boundary_grid_side(500), 100);
        assert_eq!(super::boundary_grid_side(501), 99);
        assert_eq!(super::boundary_grid_side(5409), 30);
        assert_eq!(super::boundary_grid_side(usize::MAX), 8);
        assert!(super::boundary_grid_side(5409).pow(2) * 5409 <= super::BOUNDARY_GRID_WORK);
    }

    use super::*;
    use crate::problem::{Problem, ProblemConfig};

    #[test]
    fn a_point_the_data_set_does_not_hold_is_skipped_not_a_panic() {
        // Three targets for two rows of two inputs: row 2 is missing; a 1-D set gives (x, target).
        let plane = Dataset {
            inputs: vec![1.0, 2.0, 3.0, 4.0],
            targets: vec![0.0, 1.0, 1.0],
            input_dim: 2,
            task: Task::Classification,
        };
        assert_eq!(point_of(&plane, 0), Some((1.0, 2.0, CLASS_COLORS[0])));
        assert_eq!(point_of(&plane, 1), Some((3.0, 4.0, CLASS_COLORS[1])));
        assert_eq!(point_of(&plane, 2), None);
        let line = Dataset { inputs: vec![0.5, 0.7], targets: vec![2.0], input_dim: 1, task: Task::Regression };
        assert_eq!(point_of(&line, 0), Some((0.5, 2.0, (70, 70, 70))));
        assert_eq!(point_of(&line, 1), None, "a row without its target");
    }

    fn circle_problem() -> Box<TrainingProblem> {
        let config: ProblemConfig = serde_json::from_str(
            r#"{"name": "model", "data": {"name": "circle", "n": 200}, "model": {"name": "mlp", "hidden": [6]}}"#,
        )
        .unwrap();
        match config.build_with_seed(2) {
            Problem::Model(m) => m,
            other => panic!("not a model problem: {other:?}"),
        }
    }

    #[test]
    fn the_fitted_curve_is_smooth_not_a_staircase() {
        // A cubic model with weights of a smooth curve across the view: drawn as a few long
        // anti-aliased segments (simplified in fractional pixels), not 200 whole-pixel steps.
        let config: ProblemConfig = serde_json::from_str(
            r#"{"name": "model", "data": {"name": "polynomial", "n": 40, "noise": 0.1}, "model": {"name": "polynomial", "degree": 3}}"#,
        )
        .unwrap();
        let Problem::Model(problem) = config.build_with_seed(1) else { panic!("not a model problem") };
        let w = vec![0.0, -3.0, 0.0, 4.0];
        // The view holds the whole curve, with a margin.
        let ys: Vec<f64> = (0..=100).map(|i| problem.model.predict(&w, &[-1.0 + f64::from(i) / 50.0])).collect();
        let (low, high) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(*y), b.max(*y)));
        let margin = 0.1 * (high - low);
        let view = ViewBox { x: [-1.0, 1.0], y: [low - margin, high + margin] };
        let mut text = String::new();
        {
            let root = plotters_svg::SVGBackend::with_string(&mut text, (400, 400)).into_drawing_area();
            draw_model(&root, &problem, &w, view, (230, 159, 0), PointDrawing::Circles).unwrap();
        }
        let fitted: Vec<&str> =
            text.split('<').filter(|e| e.starts_with("polyline") && e.contains("stroke=\"#E69F00\"")).collect();
        assert!(!fitted.is_empty(), "the fitted curve is drawn");
        let points: usize =
            fitted.iter().map(|e| e.split("points=\"").nth(1).unwrap_or("").split_whitespace().count()).sum();
        assert!((10..100).contains(&points), "{points} points: simplified, yet following the curve");
    }

    #[test]
    fn boundary_shows_both_classes_and_the_points() {
        let problem = circle_problem();
        // Weights that make the output depend on the input: p varies across the view.
        let w: Vec<f64> = (0..problem.dim()).map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0).collect();
        let view = data_view(&problem);
        let image = boundary_rgba(&problem, &w, view, (240, 240), 1.0);
        assert_eq!(image.len(), 240 * 240 * 4);
        let has = |rgb: (u8, u8, u8)| image.chunks(4).any(|p| (p[0], p[1], p[2]) == rgb);
        // The data points are drawn in the pure class colors, both classes.
        assert!(has(CLASS_COLORS[0]) && has(CLASS_COLORS[1]));
        assert!(image.chunks(4).all(|p| p[3] == 255));
    }

    #[test]
    fn the_upsampled_boundary_is_a_smooth_line_not_a_staircase() {
        let config: ProblemConfig = serde_json::from_str(
            r#"{"name": "model", "data": {"name": "circle", "n": 200},
                "model": {"name": "mlp", "hidden": [1], "activation": "linear"}}"#,
        )
        .unwrap();
        let Problem::Model(problem) = config.build_with_seed(2) else { panic!("not a model problem") };
        // logit = x + 0.3 y: the boundary is the straight line x = -0.3 y.
        let w = [1.0, 0.3, 0.0, 1.0, 0.0];
        let size = 4 * BOUNDARY_GRID;
        let image = boundary_rgba(&problem, &w, data_view(&problem), (size, size), 1.0);
        let edge_column = |row: usize| {
            (0..size).find(|&col| {
                let o = (row * size + col) * 4;
                image[o..o + 3] == BOUNDARY_COLOR
            })
        };
        let columns: Vec<Option<usize>> = (0..size).map(edge_column).collect();
        let found = columns.iter().flatten().count();
        assert!(found > size / 2, "the boundary is drawn in most rows ({found} of {size})");
        // A slope of 0.3 moves the line about 0.3 px per row; the cells' staircase would jump
        // 4 px at every fourth row.
        for pair in columns.windows(2) {
            if let [Some(a), Some(b)] = pair {
                assert!(a.abs_diff(*b) <= 1, "the line jumps from column {a} to {b}");
            }
        }
    }
}
