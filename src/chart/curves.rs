//! Curves against the step: loss, learning rate, gradient norm and ||Δw||, one series per
//! run, with optional log axes, tolerance lines, and markers where a criterion fired (circle)
//! or a run diverged (red cross). Log axes plot log10 of the value (log10(step + 1) for x)
//! and label ticks as powers of ten.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::legend::{draw_legend, LegendEntry};
use crate::math::{log10, pow};

/// One run's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveSeries {
    /// The run label, shown in the legend.
    pub label: String,
    pub color: (u8, u8, u8),
    /// Drawn dashed (validation curves).
    pub dashed: bool,
    /// (step, value) pairs in step order.
    pub points: Vec<(f64, f64)>,
    /// Steps where a criterion fired, with the value there.
    pub criterion_markers: Vec<(f64, f64)>,
    /// The step where the run diverged, with the last finite value.
    pub divergence: Option<(f64, f64)>,
}

/// How to draw a chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CurveOptions {
    pub title: String,
    pub log_x: bool,
    pub log_y: bool,
    /// Horizontal reference lines (tolerances).
    pub hlines: Vec<f64>,
    /// The x axis label ("step" when empty).
    pub x_label: String,
    /// Vertical reference lines (a search's rungs), in data units.
    pub vlines: Vec<f64>,
    /// The x values are counts from 1 (resources), so a log axis plots log10(x), not
    /// log10(x + 1) as for steps counted from 0.
    pub x_from_one: bool,
}

/// Maps data to plotted coordinates (log10 where asked); None for values a log axis cannot show.
fn transform(options: &CurveOptions, p: (f64, f64)) -> Option<(f64, f64)> {
    let shift = if options.x_from_one { 0.0 } else { 1.0 };
    let x = if options.log_x { log10(p.0 + shift) } else { p.0 };
    let y = if options.log_y {
        if p.1 > 0.0 {
            log10(p.1)
        } else {
            return None;
        }
    } else {
        p.1
    };
    (x.is_finite() && y.is_finite()).then_some((x, y))
}

fn tick_label(value: f64, log: bool) -> String {
    if log {
        let v = pow(10.0, value);
        if (1e-3..1e4).contains(&v.abs()) || (value - value.round()).abs() > 1e-9 {
            crate::run::report::short(v)
        } else {
            format!("1e{}", value.round())
        }
    } else {
        crate::run::report::short(value)
    }
}

/// Draws the chart onto `root`, clearing it first.
pub fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[CurveSeries],
    options: &CurveOptions,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    root.fill(&WHITE).map_err(err)?;
    let (width, _) = root.dim_in_pixel();
    let plotted: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            let pts: Vec<(f64, f64)> = s.points.iter().filter_map(|p| transform(options, *p)).collect();
            let range = pts.first().map(|f| f.0).zip(pts.last().map(|l| l.0)).unwrap_or((0.0, 1.0));
            super::decimate(&pts, range, width as usize)
        })
        .collect();
    let hlines: Vec<f64> = options.hlines.iter().filter_map(|h| transform(options, (1.0, *h)).map(|p| p.1)).collect();
    let all = plotted.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in all {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    for h in &hlines {
        if y0.is_finite() {
            y0 = y0.min(*h);
            y1 = y1.max(*h);
        }
    }
    if !(x0.is_finite() && x1.is_finite()) {
        (x0, x1) = (0.0, 1.0);
    }
    if !(y0.is_finite() && y1.is_finite()) {
        (y0, y1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        // One x value: centred, so that points there are not on the frame.
        x0 -= 0.5;
        x1 = x0 + 1.0;
    }
    let pad = if y1 > y0 {
        0.05 * (y1 - y0)
    } else if y0 != 0.0 {
        0.1 * y0.abs()
    } else {
        1.0
    };
    let (y0, y1) = (y0 - pad, y1 + pad);
    let mut chart = ChartBuilder::on(root)
        .margin(6)
        .margin_right(18)
        .caption(&options.title, ("sans-serif", 13))
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let (log_x, log_y) = (options.log_x, options.log_y);
    let x_fmt = move |v: &f64| if log_x { tick_label(*v, true) } else { crate::run::report::short(*v) };
    // Ticks within rounding of zero are written 0, not 5.551e-17.
    let y_span = y1 - y0;
    let y_fmt = move |v: &f64| if !log_y && v.abs() < 1e-9 * y_span { "0".to_string() } else { tick_label(*v, log_y) };
    chart
        .configure_mesh()
        .x_desc(match (options.x_label.as_str(), options.log_x) {
            ("", false) => "step".to_string(),
            ("", true) => "step (log)".to_string(),
            (label, _) => label.to_string(),
        })
        .axis_desc_style(("sans-serif", 11))
        .x_labels(6)
        .y_labels(5)
        .label_style(("sans-serif", 11))
        .max_light_lines(0)
        .bold_line_style(RGBColor(220, 220, 220))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    for h in hlines {
        let style = RGBColor(150, 150, 150).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(vec![(x0, h), (x1, h)], 5, 4, style)).map_err(err)?;
    }
    for v in options.vlines.iter().filter_map(|v| transform(options, (*v, 1.0)).map(|p| p.0)) {
        let style = RGBColor(190, 190, 190).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(vec![(v, y0), (v, y1)], 3, 4, style)).map_err(err)?;
    }
    for (s, pts) in series.iter().zip(&plotted) {
        let color = RGBColor(s.color.0, s.color.1, s.color.2);
        if s.dashed {
            chart.draw_series(DashedLineSeries::new(pts.iter().copied(), 6, 4, color.stroke_width(2))).map_err(err)?;
        } else {
            chart.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2))).map_err(err)?;
        }
        let markers: Vec<(f64, f64)> = s.criterion_markers.iter().filter_map(|p| transform(options, *p)).collect();
        chart.draw_series(markers.into_iter().map(|p| Circle::new(p, 5, color.stroke_width(2)))).map_err(err)?;
        if let Some(p) = s.divergence.and_then(|p| transform(options, p)) {
            chart.draw_series(std::iter::once(Cross::new(p, 6, RED.stroke_width(3)))).map_err(err)?;
        }
    }
    if series.len() > 1 || series.iter().any(|s| !s.label.is_empty()) {
        let entries: Vec<LegendEntry> = series
            .iter()
            .filter(|s| !s.label.is_empty())
            .map(|s| LegendEntry { label: s.label.clone(), color: s.color, dashed: s.dashed })
            .collect();
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        draw_legend(root, ((xs.start, ys.start), (xs.end, ys.end)), &entries)?;
    }
    root.present().map_err(err)
}
