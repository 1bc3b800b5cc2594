//! The network drawing of an MLP classifier on 2-D data, as TensorFlow Playground draws it:
//! one column per layer (the inputs x1 and x2, each hidden layer, the output), each unit a small
//! square heatmap of its output over the same input box as the decision boundary, and a line
//! for every weight, its width growing linearly with |w| / max |w| (from `LINE_WIDTH_MIN` to
//! `LINE_WIDTH_MAX` CSS px) and its colour the class colour of its sign (orange for w > 0, blue
//! otherwise, as the boundary view's class 1 and class 0). A unit's heatmap shows its value v
//! at each of `UNIT_GRID` x `UNIT_GRID` points, as the class colour of its sign with strength
//! |v| / max(1, max |v| over the unit); the output unit shows 2p - 1 for the predicted
//! probability p, so that it matches the boundary view. The heatmaps are an RGBA image (in
//! canvas pixels) put under the lines, which plotters draws (in CSS pixels).
//!
//! A network of more than `MAX_HEATMAP_UNITS` hidden units (up to 6 x 32) is drawn sparser, so
//! that a live redraw stays within the model view's budget of a few milliseconds (thousands of
//! weight lines cost about 8 ms a draw): its units are plain dots, and only the `MAX_LINES`
//! weights of largest |w| get a line (ties at the cut broken by position, first kept); the
//! caption's note says so.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::model_view::{tint, CLASS_COLORS};
use crate::data::Task;
use crate::model::ModelKind;
use crate::problem::{TrainingProblem, ViewBox};

/// Side of the grid of points behind each unit's heatmap.
pub const UNIT_GRID: usize = 16;
/// The most hidden units whose heatmaps (and every weight) are drawn: a larger network (up to
/// 6 x 32 units) gets plain dots and only its `MAX_LINES` largest weights.
pub const MAX_HEATMAP_UNITS: usize = 64;
/// The weight lines drawn of a network of more than `MAX_HEATMAP_UNITS` hidden units.
pub const MAX_LINES: usize = 300;
/// Half the side of a unit drawn as a dot (a small filled square), in CSS pixels.
const DOT_RADIUS: f64 = 2.5;
/// Width of the line of a weight of zero, in CSS pixels.
pub const LINE_WIDTH_MIN: f64 = 0.5;
/// Width of the line of the largest weight, in CSS pixels.
pub const LINE_WIDTH_MAX: f64 = 4.0;
/// The largest unit square, in CSS pixels.
const MAX_UNIT_SIDE: f64 = 36.0;
/// Distance between unit centres in a column, in unit sides.
const UNIT_PITCH: f64 = 1.3;
/// Colour of a unit whose heatmap is skipped or not a number.
const PLAIN_UNIT: [u8; 3] = [225, 225, 225];
/// Colour of the frame around each unit.
const FRAME: RGBColor = RGBColor(150, 150, 150);

/// Where the units are, in CSS pixels: the centre of every unit, column by column, and the side
/// of the unit squares.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// `columns[layer][unit]` is the centre of that unit.
    pub columns: Vec<Vec<(f64, f64)>>,
    /// Side of every unit square.
    pub side: f64,
    /// The units are plain dots and only the largest weights are drawn (a large network).
    pub sparse: bool,
}

/// The layout of a network of layer widths `widths` (inputs, hidden layers, output) in a
/// `width` x `height` area: evenly spaced columns, each column's units centred vertically
/// `UNIT_PITCH` sides apart, squares as large as the widest column and the column spacing allow.
pub fn geometry(widths: &[usize], width: f64, height: f64) -> Geometry {
    let layers = widths.len().max(1) as f64;
    let most = widths.iter().copied().max().unwrap_or(1).max(1) as f64;
    let column_step = width / layers;
    let side = (0.4 * column_step).min(height / (most * UNIT_PITCH)).clamp(2.0, MAX_UNIT_SIDE);
    let pitch = side * UNIT_PITCH;
    let columns = widths
        .iter()
        .enumerate()
        .map(|(layer, &units)| {
            let x = column_step * (layer as f64 + 0.5);
            let top = 0.5 * height - 0.5 * pitch * units as f64;
            (0..units).map(|unit| (x, top + pitch * (unit as f64 + 0.5))).collect()
        })
        .collect();
    Geometry { columns, side, sparse: !draws_heatmaps(widths) }
}

/// The width of the line of weight `w` when the largest |weight| is `largest`: linear in |w|,
/// from `LINE_WIDTH_MIN` to `LINE_WIDTH_MAX` (the minimum for a weight that is not a number).
pub fn line_width(w: f64, largest: f64) -> f64 {
    let share = if largest > 0.0 && w.is_finite() { (w.abs() / largest).min(1.0) } else { 0.0 };
    LINE_WIDTH_MIN + (LINE_WIDTH_MAX - LINE_WIDTH_MIN) * share
}

/// The colour of a weight's sign: class 1's colour for w > 0, class 0's otherwise.
pub fn sign_color(w: f64) -> (u8, u8, u8) {
    CLASS_COLORS[usize::from(w > 0.0)]
}

/// True when `problem` is drawn as a network: an MLP classifier on 2-D data.
pub fn has_network(problem: &TrainingProblem) -> bool {
    problem.task() == Task::Classification
        && problem.model.kind() == ModelKind::Mlp
        && problem.model.input_dim() == 2
        && problem.model.is_valid()
}

/// The hidden units of `widths` (every layer but the first and the last).
fn hidden_units(widths: &[usize]) -> usize {
    widths.iter().skip(1).take(widths.len().saturating_sub(2)).sum()
}

/// True when the heatmaps of a network of these widths are drawn (see `MAX_HEATMAP_UNITS`).
pub fn draws_heatmaps(widths: &[usize]) -> bool {
    hidden_units(widths) <= MAX_HEATMAP_UNITS
}

/// Every unit's heatmap values on `UNIT_GRID` x `UNIT_GRID` points of `view` (row 0 at the
/// top): `UNIT_GRID^2` values per unit, units in the order of `Model::unit_grid`, the output
/// as 2p - 1. Empty when the network has no heatmaps.
pub fn unit_heatmaps(problem: &TrainingProblem, w: &[f64], view: ViewBox) -> Vec<f64> {
    let widths = problem.model.layer_sizes();
    if !has_network(problem) || !draws_heatmaps(&widths) {
        return Vec::new();
    }
    let n = UNIT_GRID as f64;
    let xs: Vec<f64> = (0..UNIT_GRID).map(|c| view.x[0] + (c as f64 + 0.5) / n * (view.x[1] - view.x[0])).collect();
    let ys: Vec<f64> = (0..UNIT_GRID).map(|r| view.y[1] - (r as f64 + 0.5) / n * (view.y[1] - view.y[0])).collect();
    let mut values = problem.model.unit_grid(w, &xs, &ys);
    let cells = UNIT_GRID * UNIT_GRID;
    let start = values.len().saturating_sub(cells);
    for p in values.iter_mut().skip(start) {
        *p = 2.0 * *p - 1.0;
    }
    values
}

/// The colour of value v in a unit whose largest |value| is `largest` (see the header).
fn unit_color(v: f64, largest: f64) -> [u8; 3] {
    if !v.is_finite() {
        return PLAIN_UNIT;
    }
    tint(CLASS_COLORS[usize::from(v > 0.0)], v.abs() / largest.max(1.0))
}

/// The image under the network drawing (`width` x `height` canvas pixels, `scale` canvas pixels
/// per CSS pixel of `geometry`): white, with every unit's heatmap (nearest grid point per pixel)
/// or, when `heat` does not hold them, a plain grey square; only white for a sparse network,
/// whose units are dots drawn by `draw_network`.
pub fn network_rgba(geometry: &Geometry, heat: &[f64], scale: f64, width: usize, height: usize) -> Vec<u8> {
    let mut image = vec![255u8; width * height * 4];
    if geometry.sparse {
        return image;
    }
    let cells = UNIT_GRID * UNIT_GRID;
    let side = geometry.side * scale;
    for (k, &(cx, cy)) in geometry.columns.iter().flatten().enumerate() {
        let values = heat.get(k * cells..(k + 1) * cells);
        let largest = values.map_or(1.0, |v| v.iter().filter(|x| x.is_finite()).fold(1.0, |m, x| x.abs().max(m)));
        let (left, top) = (cx * scale - 0.5 * side, cy * scale - 0.5 * side);
        let (x0, y0) = (left.max(0.0) as usize, top.max(0.0) as usize);
        let (x1, y1) = (((left + side).max(0.0) as usize).min(width), ((top + side).max(0.0) as usize).min(height));
        for py in y0..y1 {
            let row = (((py as f64 + 0.5 - top) / side * UNIT_GRID as f64) as usize).min(UNIT_GRID - 1);
            for px in x0..x1 {
                let col = (((px as f64 + 0.5 - left) / side * UNIT_GRID as f64) as usize).min(UNIT_GRID - 1);
                let rgb = match values {
                    Some(v) => unit_color(v.get(row * UNIT_GRID + col).copied().unwrap_or(f64::NAN), largest),
                    None => PLAIN_UNIT,
                };
                let o = (py * width + px) * 4;
                if let Some(pixel) = image.get_mut(o..o + 3) {
                    pixel.copy_from_slice(&rgb);
                }
            }
        }
    }
    image
}

/// The weights drawn of a network whose layer `l` has kernel `kernels[l]`: every one, or for a
/// sparse network the `MAX_LINES` of largest |w| (all of those tied at the cut), as `(layer,
/// index in its kernel)` in drawing order.
///
/// The cut is found by bisecting on |w| (the count of weights at least as large falls as the
/// threshold rises) rather than by sorting, which keeps the sort routines out of the wasm
/// build: 64 halvings pin the threshold to the precision of f64.
pub fn drawn_weights(kernels: &[&[f64]], sparse: bool) -> Vec<(usize, usize)> {
    let size = |w: f64| if w.is_finite() { w.abs() } else { 0.0 };
    let mut sizes = Vec::new();
    for kernel in kernels {
        for &w in kernel.iter() {
            sizes.push(size(w));
        }
    }
    // Invariant: at least MAX_LINES weights are >= low, fewer than MAX_LINES are > high.
    let (mut low, mut high) = (0.0, sizes.iter().fold(0.0f64, |m, &x| m.max(x)));
    if sparse && sizes.len() > MAX_LINES {
        for _ in 0..64 {
            let mid = 0.5 * (low + high);
            if sizes.iter().filter(|&&x| x >= mid).count() >= MAX_LINES {
                low = mid;
            } else {
                high = mid;
            }
        }
    } else {
        low = f64::NEG_INFINITY;
    }
    let mut drawn = Vec::new();
    for (l, kernel) in kernels.iter().enumerate() {
        for (i, &w) in kernel.iter().enumerate() {
            if size(w) >= low {
                drawn.push((l, i));
            }
        }
    }
    drawn
}

/// The caption's note on a network of more than `MAX_HEATMAP_UNITS` hidden units.
pub const SPARSE_NOTE: &str =
    "More than 64 hidden units: the units are plain dots, and only the 300 largest weights are drawn.";

/// The caption's note on what of `problem`'s network is drawn: "" when every unit's heatmap
/// and every weight is, else `SPARSE_NOTE`.
pub fn note(problem: &TrainingProblem) -> &'static str {
    if draws_heatmaps(&problem.model.layer_sizes()) {
        ""
    } else {
        SPARSE_NOTE
    }
}

/// Draws the weights as lines between the units of `geometry` and a frame around every unit
/// (a dot for a sparse network), on top of whatever is on `root` (the image of `network_rgba`).
pub fn draw_network<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    problem: &TrainingProblem,
    w: &[f64],
    geometry: &Geometry,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let layers = geometry.columns.len().saturating_sub(1);
    let kernels: Vec<&[f64]> = (0..layers).map(|l| problem.model.kernel(w, l)).collect();
    let largest = kernels.iter().flat_map(|k| k.iter()).filter(|x| x.is_finite()).fold(0.0f64, |m, x| x.abs().max(m));
    let half = if geometry.sparse { DOT_RADIUS } else { 0.5 * geometry.side };
    let at = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    for (l, i) in drawn_weights(&kernels, geometry.sparse) {
        let (Some(from), Some(to), Some(&weight)) =
            (geometry.columns.get(l), geometry.columns.get(l + 1), kernels.get(l).and_then(|k| k.get(i)))
        else {
            continue;
        };
        let outputs = to.len().max(1);
        let (Some(&a), Some(&b)) = (from.get(i / outputs), to.get(i % outputs)) else { continue };
        let (r, g, bl) = sign_color(weight);
        let style = RGBColor(r, g, bl).mix(0.8).stroke_width(line_width(weight, largest).round().max(1.0) as u32);
        let line = PathElement::new(vec![at((a.0 + half, a.1)), at((b.0 - half, b.1))], style);
        root.draw(&line).map_err(err)?;
    }
    for &(cx, cy) in geometry.columns.iter().flatten() {
        if geometry.sparse {
            let r = DOT_RADIUS;
            let dot = Rectangle::new([at((cx - r, cy - r)), at((cx + r, cy + r))], FRAME.filled());
            root.draw(&dot).map_err(err)?;
        } else {
            let frame = Rectangle::new([at((cx - half, cy - half)), at((cx + half, cy + half))], FRAME.stroke_width(1));
            root.draw(&frame).map_err(err)?;
        }
    }
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::model_view::data_view;
    use crate::problem::{Problem, ProblemConfig};

    fn xor_problem(hidden: &str) -> Box<TrainingProblem> {
        let text = format!(
            r#"{{"name": "model", "data": {{"name": "xor", "n": 100}},
                "model": {{"name": "mlp", "hidden": {hidden}, "activation": "tanh"}}}}"#
        );
        let config: ProblemConfig = serde_json::from_str(&text).unwrap();
        match config.build_with_seed(3) {
            Problem::Model(m) => m,
            other => panic!("not a model problem: {other:?}"),
        }
    }

    #[test]
    fn units_sit_in_evenly_spaced_centred_columns() {
        let g = geometry(&[2, 4, 1], 300.0, 200.0);
        assert_eq!(g.columns.len(), 3);
        assert_eq!(g.columns.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 4, 1]);
        let xs: Vec<f64> = g.columns.iter().map(|c| c[0].0).collect();
        assert_eq!(xs, vec![50.0, 150.0, 250.0]);
        // Every column is centred vertically, its units one pitch apart and inside the area.
        for column in &g.columns {
            let mean = column.iter().map(|p| p.1).sum::<f64>() / column.len() as f64;
            assert!((mean - 100.0).abs() < 1e-9);
            for pair in column.windows(2) {
                assert!((pair[1].1 - pair[0].1 - g.side * UNIT_PITCH).abs() < 1e-9);
            }
            assert!(column.iter().all(|p| p.1 - 0.5 * g.side >= 0.0 && p.1 + 0.5 * g.side <= 200.0));
        }
        // Squares never overlap the next column.
        assert!(g.side < 100.0);
        // 32 units still fit 200 px.
        let tall = geometry(&[2, 32, 1], 300.0, 200.0);
        assert!(tall.columns[1].iter().all(|p| p.1 > 0.0 && p.1 < 200.0));
    }

    #[test]
    fn line_width_grows_with_the_size_of_the_weight_and_colour_shows_its_sign() {
        let widths: Vec<f64> = [0.0, 0.1, -0.5, 1.0, -2.0, 3.0].iter().map(|w| line_width(*w, 3.0)).collect();
        for pair in widths.windows(2) {
            assert!(pair[1] > pair[0], "{widths:?}");
        }
        assert_eq!(line_width(0.0, 3.0), LINE_WIDTH_MIN);
        assert_eq!(line_width(-3.0, 3.0), LINE_WIDTH_MAX);
        assert_eq!(line_width(f64::NAN, 3.0), LINE_WIDTH_MIN);
        assert_eq!(line_width(1.0, 0.0), LINE_WIDTH_MIN);
        assert_eq!(sign_color(0.7), CLASS_COLORS[1]);
        assert_eq!(sign_color(-0.7), CLASS_COLORS[0]);
        assert_ne!(CLASS_COLORS[0], CLASS_COLORS[1]);
    }

    #[test]
    fn a_unit_heatmap_is_the_hidden_activation_at_its_grid_point() {
        let problem = xor_problem("[3, 2]");
        let w: Vec<f64> = (0..problem.dim()).map(|i| ((i * 37) % 11) as f64 / 5.0 - 1.0).collect();
        let view = data_view(&problem);
        let heat = unit_heatmaps(&problem, &w, view);
        let cells = UNIT_GRID * UNIT_GRID;
        assert_eq!(heat.len(), (2 + 3 + 2 + 1) * cells);
        // The point of row 5, column 11 of the grid.
        let (row, col) = (5, 11);
        let x = view.x[0] + (col as f64 + 0.5) / UNIT_GRID as f64 * (view.x[1] - view.x[0]);
        let y = view.y[1] - (row as f64 + 0.5) / UNIT_GRID as f64 * (view.y[1] - view.y[0]);
        // Layer 1 by hand from the documented layout [W_0 (2 x 3), b_0 (3), W_1 (3 x 2), b_1 ...].
        let h1: Vec<f64> = (0..3).map(|o| (w[6 + o] + x * w[o] + y * w[3 + o]).tanh()).collect();
        let h2: Vec<f64> =
            (0..2).map(|o| (w[15 + o] + h1[0] * w[9 + o] + h1[1] * w[11 + o] + h1[2] * w[13 + o]).tanh()).collect();
        let at = |unit: usize| heat[unit * cells + row * UNIT_GRID + col];
        assert_eq!(at(0), x);
        assert_eq!(at(1), y);
        for (u, h) in h1.iter().chain(&h2).enumerate() {
            assert!((at(2 + u) - h).abs() < 1e-12, "unit {u}: {} vs {h}", at(2 + u));
        }
        let p = problem.model.predict(&w, &[x, y]);
        assert_eq!(at(7), 2.0 * p - 1.0);
        assert_eq!(problem.model.kernel(&w, 1), &w[9..15]);
    }

    #[test]
    fn large_networks_skip_the_heatmaps_and_other_models_have_no_network() {
        let big = xor_problem("[32, 32, 32]");
        let w = vec![0.1; big.dim()];
        assert!(!draws_heatmaps(&big.model.layer_sizes()));
        assert!(unit_heatmaps(&big, &w, data_view(&big)).is_empty());
        assert!(draws_heatmaps(&[2, 32, 32, 1]));
        let config: ProblemConfig = serde_json::from_str(
            r#"{"name": "model", "data": {"name": "sine", "n": 50}, "model": {"name": "mlp", "hidden": [4]}}"#,
        )
        .unwrap();
        let Problem::Model(regression) = config.build_with_seed(1) else { panic!("not a model problem") };
        assert!(!has_network(&regression));
    }

    #[test]
    fn the_image_paints_each_unit_in_its_square() {
        let problem = xor_problem("[4]");
        let w: Vec<f64> = (0..problem.dim()).map(|i| (i as f64 - 4.0) / 3.0).collect();
        let heat = unit_heatmaps(&problem, &w, data_view(&problem));
        let g = geometry(&problem.model.layer_sizes(), 200.0, 120.0);
        let image = network_rgba(&g, &heat, 2.0, 400, 240);
        assert_eq!(image.len(), 400 * 240 * 4);
        let pixel = |x: f64, y: f64| {
            let o = ((y * 2.0) as usize * 400 + (x * 2.0) as usize) * 4;
            [image[o], image[o + 1], image[o + 2]]
        };
        // Outside the squares: white; inside every square: not white (the values are not 0).
        assert_eq!(pixel(1.0, 1.0), [255, 255, 255]);
        for &(cx, cy) in g.columns.iter().flatten() {
            assert_ne!(pixel(cx, cy), [255, 255, 255]);
        }
        // The input x1 is negative on the left of its square and positive on the right.
        let (cx, cy) = g.columns[0][0];
        let left = pixel(cx - 0.45 * g.side, cy);
        let right = pixel(cx + 0.45 * g.side, cy);
        assert!(left[2] > left[0] && right[0] > right[2], "{left:?} {right:?}");
    }
}
