//! What a model trained on data has learned: for classification the decision boundary
//! (predicted probability of class 1 as an RGBA image, orange for class 1 and blue for
//! class 0, paler where the model is unsure, the 0.5 contour dark) with the data on top; for
//! regression the fitted curve over the data, with the noiseless target dashed. Training
//! points are filled, validation points hollow.

use plotters::coord::Shift;
use plotters::prelude::*;

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
fn tint(color: (u8, u8, u8), amount: f64) -> [u8; 3] {
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * amount.clamp(0.0, 1.0)).round() as u8;
    [mix(color.0), mix(color.1), mix(color.2)]
}

/// The decision boundary image (width * height * 4 bytes), row 0 at the top of `view`.
pub fn boundary_rgba(problem: &TrainingProblem, w: &[f64], view: ViewBox, width: usize, height: usize) -> Vec<u8> {
    let xs: Vec<f64> =
        (0..width).map(|c| view.x[0] + (c as f64 + 0.5) / width as f64 * (view.x[1] - view.x[0])).collect();
    let ys: Vec<f64> =
        (0..height).map(|r| view.y[1] - (r as f64 + 0.5) / height as f64 * (view.y[1] - view.y[0])).collect();
    let mut probability = vec![f64::NAN; width * height];
    problem.model.predict_grid(w, &xs, &ys, &mut probability);
    let mut image = vec![255u8; width * height * 4];
    for (i, p) in probability.iter().enumerate() {
        let rgb = if p.is_finite() {
            let class = usize::from(*p >= 0.5);
            let confidence = (2.0 * (p - 0.5)).abs();
            tint(CLASS_COLORS[class], 0.15 + 0.55 * confidence)
        } else {
            [230, 230, 230]
        };
        image[i * 4..i * 4 + 3].copy_from_slice(&rgb);
    }
    // Darken pixels where the predicted class changes: the decision boundary.
    for r in 0..height {
        for c in 0..width {
            let i = r * width + c;
            let here = probability[i] >= 0.5;
            let right = c + 1 < width && (probability[i + 1] >= 0.5) != here;
            let below = r + 1 < height && (probability[i + width] >= 0.5) != here;
            if right || below {
                image[i * 4..i * 4 + 3].copy_from_slice(&[60, 60, 60]);
            }
        }
    }
    image
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
    let points = (0..data.len()).map(|i| {
        let row = data.row(i);
        let (x, y, color) = if data.input_dim >= 2 {
            let class = usize::from(data.targets[i] >= 0.5);
            (row[0], row[1], CLASS_COLORS[class])
        } else {
            (row[0], data.targets[i], (70, 70, 70))
        };
        let color = RGBColor(color.0, color.1, color.2);
        let style = if filled { color.filled() } else { color.stroke_width(2) };
        EmptyElement::at((x, y))
            + Circle::new((0, 0), 3, style)
            + Circle::new((0, 0), 3, WHITE.mix(if filled { 0.9 } else { 0.0 }).stroke_width(1))
    });
    chart.draw_series(points).map_err(err)?;
    Ok(())
}

/// Draws the data (and, for regression, the fitted and true curves) on top of whatever is on
/// `root`. For classification the plotting area is the whole drawing area, matching the
/// boundary image underneath; for regression the chart has axes and clears the area first.
pub fn draw_model<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    problem: &TrainingProblem,
    w: &[f64],
    view: ViewBox,
    color: (u8, u8, u8),
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    if problem.task() == Task::Classification {
        let mut chart =
            ChartBuilder::on(root).build_cartesian_2d(view.x[0]..view.x[1], view.y[0]..view.y[1]).map_err(err)?;
        draw_point_set(&mut chart, &problem.train, true)?;
        draw_point_set(&mut chart, &problem.validation, false)?;
        return root.present().map_err(err);
    }
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(root)
        .margin(6)
        .margin_right(14)
        .caption("fitted curve (filled: training, hollow: validation; dashed: true function)", ("sans-serif", 12))
        .x_label_area_size(24)
        .y_label_area_size(40)
        .build_cartesian_2d(view.x[0]..view.x[1], view.y[0]..view.y[1])
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style(("sans-serif", 11))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    draw_point_set(&mut chart, &problem.train, true)?;
    draw_point_set(&mut chart, &problem.validation, false)?;
    let xs: Vec<f64> = (0..=200).map(|i| view.x[0] + i as f64 / 200.0 * (view.x[1] - view.x[0])).collect();
    if let Some(truth) =
        xs.iter().map(|x| problem.data_config().true_function(*x).map(|y| (*x, y))).collect::<Option<Vec<_>>>()
    {
        chart.draw_series(DashedLineSeries::new(truth, 6, 4, RGBColor(120, 120, 120).stroke_width(1))).map_err(err)?;
    }
    let clamp_y = |y: f64| y.clamp(view.y[0] - (view.y[1] - view.y[0]), view.y[1] + (view.y[1] - view.y[0]));
    let fitted: Vec<(f64, f64)> =
        xs.iter().map(|x| (*x, clamp_y(problem.model.predict(w, &[*x])))).filter(|p| p.1.is_finite()).collect();
    chart.draw_series(LineSeries::new(fitted, RGBColor(color.0, color.1, color.2).stroke_width(3))).map_err(err)?;
    root.present().map_err(err)
}
