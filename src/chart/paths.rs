//! Run paths over the landscape: the line each run drew through parameter space, its start,
//! current and end markers, and the known minima (global as a white cross in a circle, local
//! as a white circle). The plotting area is the whole drawing area, so that it lines up with
//! the heatmap underneath.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::problem::{KnownMinimum, MinimumKind, ViewBox};

/// One run's path.
#[derive(Clone, Debug, PartialEq)]
pub struct PathSeries {
    pub color: (u8, u8, u8),
    /// Visited points, oldest first (decimated history).
    pub points: Vec<(f64, f64)>,
    /// Where the run stands now.
    pub current: (f64, f64),
    /// Where it started.
    pub start: (f64, f64),
    /// The run has ended (converged, diverged or stopped).
    pub finished: bool,
    /// The run diverged.
    pub diverged: bool,
}

/// Keeps coordinates within a generous margin of the view so that pixel maths stays finite.
fn clamp(view: &ViewBox, p: (f64, f64)) -> (f64, f64) {
    let wx = view.x[1] - view.x[0];
    let wy = view.y[1] - view.y[0];
    let fix = |v: f64, lo: f64, hi: f64, w: f64| {
        if v.is_finite() {
            v.clamp(lo - 10.0 * w, hi + 10.0 * w)
        } else {
            hi + 10.0 * w
        }
    };
    (fix(p.0, view.x[0], view.x[1], wx), fix(p.1, view.y[0], view.y[1], wy))
}

/// Draws every path, marker and minimum onto `root` (which is not cleared).
pub fn draw_paths<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    runs: &[PathSeries],
    minima: &[KnownMinimum],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let mut chart =
        ChartBuilder::on(root).build_cartesian_2d(view.x[0]..view.x[1], view.y[0]..view.y[1]).map_err(err)?;
    for m in minima {
        let at = (m.x[0], m.x[1]);
        chart.draw_series(std::iter::once(Circle::new(at, 6, WHITE.stroke_width(2)))).map_err(err)?;
        if m.kind == MinimumKind::Global {
            chart.draw_series(std::iter::once(Cross::new(at, 4, WHITE.stroke_width(2)))).map_err(err)?;
        }
    }
    for run in runs {
        let color = RGBColor(run.color.0, run.color.1, run.color.2);
        let line: Vec<(f64, f64)> = run.points.iter().map(|p| clamp(&view, *p)).collect();
        chart.draw_series(LineSeries::new(line, color.stroke_width(2))).map_err(err)?;
        let start = clamp(&view, run.start);
        chart.draw_series(std::iter::once(Circle::new(start, 5, ShapeStyle::from(&WHITE).filled()))).map_err(err)?;
        chart.draw_series(std::iter::once(Circle::new(start, 5, color.stroke_width(2)))).map_err(err)?;
        let current = clamp(&view, run.current);
        if run.diverged {
            chart.draw_series(std::iter::once(Cross::new(current, 7, RED.stroke_width(3)))).map_err(err)?;
        } else {
            chart
                .draw_series(std::iter::once(Circle::new(current, 6, ShapeStyle::from(&WHITE).filled())))
                .map_err(err)?;
            let size = if run.finished { 5 } else { 4 };
            chart
                .draw_series(std::iter::once(Circle::new(current, size, ShapeStyle::from(&color).filled())))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)
}
