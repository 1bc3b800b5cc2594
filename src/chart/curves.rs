//! Curves against the step (or the epoch, or a resource): loss, learning rate, gradient norm and
//! ||Δw||, one series per run in its own colour, dash and marker, with optional log axes,
//! tolerance lines, and the key moments marked and labelled (a criterion fired, the best
//! validation loss, an early stop: a marker; a divergence: a cross). Log axes plot log10 of the
//! value (log10(step + 1) for x) and label ticks as powers of ten (ticks between powers to two
//! significant digits); the number of x ticks is what fits the plot's width, from the measured
//! width of the labels. A key moment at a value a log axis cannot show (a loss of exactly 0) is
//! marked at the plot's bottom edge with a down arrow, its value in its label; a label moved away
//! from its marker hangs on a leader line that crosses no other label (`placement.rs`). Each
//! label is written in its run's colour, darkened to read on white, so that two runs' labels
//! (two "plateau") say whose they are. Curves that run together are nested (`nesting.rs`): the
//! lower one wider, the upper one on a pale casing, so that both show even in one colour.
//!
//! The layout is computed here (`ChartLayout`): the plot rectangle, the legend's rectangle and
//! the mapping between canvas x and the step, which the page uses for its hover instead of
//! copying margins or axis maths. The legend goes into the corner of the plot whose box covers
//! no data (no point and no line segment); where every corner is taken it goes into a band above
//! the plot.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{Legend, LegendEntry};
use super::nesting::nested_widths;
use super::paths::Highlight;
use super::placement::{crosses, leader_clashes, overlap, Leader};
use super::style::{dimmed, draw_line, draw_marker, drawing_order, text_on_white, Marker};
use crate::math::{log10, pow};

/// A labelled key moment of a run: a criterion fired, the best validation loss, an early stop.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// (step, value) in data units.
    pub at: (f64, f64),
    pub label: String,
}

/// One run's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveSeries {
    /// The run label, shown in the legend.
    pub label: String,
    pub color: (u8, u8, u8),
    /// The dash pattern (None: solid).
    pub dash: Option<(u32, u32)>,
    /// The marker of this series' key moments and legend sample.
    pub marker: Marker,
    /// The run this series belongs to (for highlighting), if any.
    pub run: Option<usize>,
    /// (step, value) pairs in step order.
    pub points: Vec<(f64, f64)>,
    /// Unlabelled markers (a search's trials at each rung).
    pub criterion_markers: Vec<(f64, f64)>,
    /// Labelled key moments.
    pub moments: Vec<Moment>,
    /// The step where the run diverged, with the last finite value.
    pub divergence: Option<(f64, f64)>,
}

impl CurveSeries {
    /// A solid series without markers.
    pub fn new(label: String, color: (u8, u8, u8), points: Vec<(f64, f64)>) -> CurveSeries {
        CurveSeries {
            label,
            color,
            dash: None,
            marker: Marker::Circle,
            run: None,
            points,
            criterion_markers: Vec::new(),
            moments: Vec::new(),
            divergence: None,
        }
    }
}

/// How to draw a chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CurveOptions {
    /// A title drawn above the plot (empty: none; the page's cards carry their own).
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
    /// Steps per x unit (an epoch's steps when x is in epochs); 0 is read as 1.
    pub steps_per_x: f64,
    /// A run drawn in front of the others (and the others dimmed, for a hovered run).
    pub highlight: Option<Highlight>,
    /// Draw the legend (tests switch it off to see the data under it).
    pub no_legend: bool,
    /// The step the timeline shows (a solid vertical cursor line), if it is scrubbed.
    pub cursor: Option<f64>,
    /// Labels of the vertical lines, in the order of `vlines` (missing or empty: none): a
    /// labelled line (a bound, a suggestion) is darker, has its own dash and a legend entry.
    pub vline_labels: Vec<String>,
    /// Filled bands under the curves (a spread over seeds), drawn in order.
    pub bands: Vec<Band>,
    /// An x interval shaded across the plot's height (a suggested range), in data units.
    pub shade: Option<[f64; 2]>,
}

/// A filled band between two curves: (x, low, high) points in x order and its colour, with
/// the fill's opacity.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Band {
    pub points: Vec<(f64, f64, f64)>,
    pub color: (u8, u8, u8),
    pub opacity: f64,
}

/// Where a chart put its parts, in the drawing area's pixels, and its x mapping.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct ChartLayout {
    /// The plot rectangle `[left, top, right, bottom]`.
    pub plot: [i32; 4],
    /// The legend's rectangle, if one was drawn.
    pub legend: Option<[i32; 4]>,
    /// The legend sits in a band above the plot (no corner was free).
    pub legend_outside: bool,
    /// The title's rectangle, if one was drawn.
    pub title: Option<[i32; 4]>,
    /// The plotted x range (log10 units on a log axis) and the pixels it maps to.
    pub x_range: [f64; 2],
    pub x_pixels: [f64; 2],
    pub log_x: bool,
    pub x_from_one: bool,
    pub steps_per_x: f64,
    /// Data pixels (points of every series, after decimation) the legend box covers; 0 unless
    /// no place was free.
    pub legend_hits: usize,
    /// The x axis's name.
    pub x_label: String,
    /// The key moments labelled on the plot: each label and its rectangle.
    pub moments: Vec<(String, [i32; 4])>,
    /// The leader lines of key-moment labels placed away from their markers.
    pub moment_leaders: Vec<Leader>,
    /// Each series' stroke width in pixels (wider where a later curve runs along it).
    pub widths: Vec<u32>,
    /// The x pixel of the timeline's cursor, if one was drawn inside the plot.
    pub cursor: Option<f64>,
    /// The height the chart needs for a plot at least `MIN_PLOT_PX` tall under its title and
    /// legend band (its own height when the plot already is): the page grows the canvas to it.
    pub height_needed: i32,
}

/// Derived; numbers, booleans and arrays of numbers only.
impl crate::json::InfallibleJson for ChartLayout {}

impl ChartLayout {
    /// The step under canvas x `px` (None outside the plot).
    pub fn step_at(&self, px: f64) -> Option<f64> {
        if !(f64::from(self.plot[0]) <= px && px <= f64::from(self.plot[2])) {
            return None;
        }
        let span = self.x_pixels[1] - self.x_pixels[0];
        if span == 0.0 {
            return None;
        }
        let plotted = self.x_range[0] + (px - self.x_pixels[0]) / span * (self.x_range[1] - self.x_range[0]);
        let shift = if self.x_from_one { 0.0 } else { 1.0 };
        let x = if self.log_x { pow(10.0, plotted) - shift } else { plotted };
        Some(x * if self.steps_per_x > 0.0 { self.steps_per_x } else { 1.0 })
    }

    /// The canvas x of `step` (may lie outside the plot).
    pub fn pixel_of_step(&self, step: f64) -> Option<f64> {
        let x = step / if self.steps_per_x > 0.0 { self.steps_per_x } else { 1.0 };
        let shift = if self.x_from_one { 0.0 } else { 1.0 };
        let plotted = if self.log_x { log10(x + shift) } else { x };
        let span = self.x_range[1] - self.x_range[0];
        (plotted.is_finite() && span != 0.0)
            .then(|| self.x_pixels[0] + (plotted - self.x_range[0]) / span * (self.x_pixels[1] - self.x_pixels[0]))
    }
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

/// A tick's label: on a log axis a power of ten as itself within 0.001 to 1e4 and as 1eN
/// beyond, and a tick between powers compactly, to two significant digits (0.0032, 3.2e-5).
fn tick_label(value: f64, log: bool) -> String {
    if !log {
        return crate::run::report::short(value);
    }
    let v = pow(10.0, value);
    let whole = (value - value.round()).abs() <= 1e-9;
    match ((1e-3..1e4).contains(&v.abs()), whole) {
        (true, true) => crate::run::report::short(v),
        (false, true) => format!("1e{}", value.round()),
        (inside, false) => {
            let exponent = log10(v.abs()).floor();
            let scale = pow(10.0, 1.0 - exponent);
            if inside {
                format!("{}", (v * scale).round() / scale)
            } else {
                format!("{}e{exponent}", (v * scale).round() / 10.0)
            }
        }
    }
}

/// Font size of the tick labels, in pixels.
const TICK_FONT: u32 = 11;
/// The least gap between two x tick labels, in pixels.
const TICK_GAP_PX: i32 = 12;
/// The most x tick labels on a wide chart.
const MOST_X_TICKS: usize = 6;

/// The colour of a labelled vertical line (a bound, a suggestion).
const BOUND_GREY: (u8, u8, u8) = (90, 90, 90);
/// The opacity of the white ground under a key-moment label that lies over lines.
const LABEL_GROUND_OPACITY: f64 = 0.85;

/// The dash patterns of labelled vertical lines, in turn (as short as a legend sample shows).
const BOUND_DASHES: [(u32, u32); 2] = [(6, 3), (2, 3)];

/// A key-moment label whose box lies farther than this from its marker, in pixels, hangs on a
/// leader line (the places right beside the marker lie within 13 px of it).
const LEADER_FROM_PX: i32 = 16;
/// Margin around the chart, in pixels.
const MARGIN: i32 = 6;
/// Right margin (room for the last x tick label), in pixels.
const MARGIN_RIGHT: i32 = 18;
/// Height of the x tick labels and axis name, in pixels.
const X_LABELS: i32 = 34;
/// The least width of the y tick labels' area, in pixels (`y_labels_width`).
const Y_LABELS: i32 = 52;
/// Height of the title row, in pixels.
const TITLE_PX: i32 = 20;
/// Font size of the title, in pixels.
const TITLE_FONT: u32 = 13;
/// The least height of the plot, in pixels: a chart whose legend band (or title) leaves less
/// asks for more height (`ChartLayout::height_needed`).
pub const MIN_PLOT_PX: i32 = 100;
/// Font size of a key moment's label, in pixels.
const MOMENT_FONT: u32 = 10;
/// Opacity of the white casing under a curve that runs inside a wider one: the wider curve
/// shows through it, paler, on both sides of the inner one.
const CASING_OPACITY: f64 = 0.6;

/// The plot rectangle for a chart of `width` x `height` with `top` pixels above the plot and
/// `y_labels` pixels of y tick labels on its left.
fn plot_rect(width: i32, height: i32, top: i32, y_labels: i32) -> [i32; 4] {
    [MARGIN + y_labels, top, width - MARGIN_RIGHT, height - MARGIN - X_LABELS]
}

/// The number of y tick labels asked of plotters.
const Y_TICKS: usize = 5;
/// Room between a y tick label and the plot (the tick mark and a gap), in pixels.
const Y_LABEL_GAP_PX: i32 = 10;

/// A tick's label on an axis spanning `span`: 0 for a tick within rounding of zero on a linear
/// axis (not 5.551e-17), else `tick_label`.
fn axis_tick_label(value: f64, log: bool, span: f64) -> String {
    if !log && value.abs() < 1e-9 * span {
        "0".to_string()
    } else {
        tick_label(value, log)
    }
}

/// The width of the y tick labels' area: `Y_LABELS`, or wider when the widest label plotters
/// will draw on `y0..y1` (its own choice of `Y_TICKS` key points) needs it, as 1.05e308 or
/// -1.25e-5 do, so that no label is clipped at the chart's left edge.
fn y_labels_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    y0: f64,
    y1: f64,
    log: bool,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let font: TextStyle = (crate::chart::style::FONT, TICK_FONT).into_font().into();
    let ticks = plotters::coord::types::RangedCoordf64::from(y0..y1).key_points(Y_TICKS);
    let mut widest = 0;
    for v in ticks {
        widest = widest.max(root.estimate_text_size(&axis_tick_label(v, log, y1 - y0), &font)?.0 as i32);
    }
    Ok(Y_LABELS.max(widest + Y_LABEL_GAP_PX))
}

/// The least span of a y axis: plotters places its ticks by comparing with `f64::EPSILON` in
/// absolute terms, so a span of 3e-30 gets a single tick (the axis's low end) and no scale.
const MIN_SPAN: f64 = 1e-12;

/// The y range `y0..y1` (in axis units: log10 of the values on a log axis) widened to at least
/// `MIN_SPAN`, or a billionth of its largest magnitude (finer differences do not show in a
/// tick label), about its middle; a linear axis of values that are all non-negative starts at
/// 0, so that a loss of 3e-30 reads as a flat line at 0 rather than on a negative axis.
fn widen_tiny_span(y0: f64, y1: f64, log: bool) -> (f64, f64) {
    let least = MIN_SPAN.max(1e-9 * y0.abs().max(y1.abs()));
    if y1 - y0 >= least {
        (y0, y1)
    } else if !log && y0 > -least && y1 <= least {
        (0.0, least)
    } else {
        let middle = 0.5 * (y0 + y1);
        (middle - 0.5 * least, middle + 0.5 * least)
    }
}

/// Where the legend box goes: the first corner (top right, top left, bottom right, bottom
/// left) whose box, with a gap of 2 px, touches no data segment or marker, or None.
pub fn free_corner(
    plot: [i32; 4],
    size: (i32, i32),
    data: &[Vec<(f64, f64)>],
    marks: &[(f64, f64)],
) -> Option<[i32; 4]> {
    let (w, h) = size;
    let inset = 4;
    let [l, t, r, b] = plot;
    let corners = [
        [r - inset - w, t + inset, r - inset, t + inset + h],
        [l + inset, t + inset, l + inset + w, t + inset + h],
        [r - inset - w, b - inset - h, r - inset, b - inset],
        [l + inset, b - inset - h, l + inset + w, b - inset],
    ];
    corners.into_iter().filter(|c| c[0] >= l && c[2] <= r && c[1] >= t && c[3] <= b).find(|c| {
        let grown = [c[0] - 2, c[1] - 2, c[2] + 2, c[3] + 2];
        let marked = [c[0] - 8, c[1] - 8, c[2] + 8, c[3] + 8];
        !data.iter().any(|line| match line.as_slice() {
            [one] => crosses(&grown, *one, *one),
            _ => line.windows(2).any(|s| crosses(&grown, s[0], s[1])),
        }) && !marks.iter().any(|m| crosses(&marked, *m, *m))
    })
}

/// Draws the chart onto `root`, clearing it first; returns where its parts went.
pub fn draw_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[CurveSeries],
    options: &CurveOptions,
) -> Result<ChartLayout, String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    root.fill(&WHITE).map_err(err)?;
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let plotted: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            let pts: Vec<(f64, f64)> = s.points.iter().filter_map(|p| transform(options, *p)).collect();
            let range = pts.first().map(|f| f.0).zip(pts.last().map(|l| l.0)).unwrap_or((0.0, 1.0));
            super::decimate(&pts, range, width.max(1) as usize)
        })
        .collect();
    let hlines: Vec<f64> = options.hlines.iter().filter_map(|h| transform(options, (1.0, *h)).map(|p| p.1)).collect();
    let marks_of = |s: &CurveSeries| -> Vec<(f64, f64)> {
        s.criterion_markers
            .iter()
            .copied()
            .chain(s.moments.iter().map(|m| m.at))
            .chain(s.divergence)
            .filter_map(|p| transform(options, p))
            .collect()
    };
    // Each band as a closed outline: its low edge left to right, then its high edge back
    // (plain loops: iterator chains collected into vectors cost the page's wasm more).
    let mut bands: Vec<Vec<(f64, f64)>> = Vec::new();
    for band in &options.bands {
        let mut outline = Vec::new();
        for p in &band.points {
            if let Some(q) = transform(options, (p.0, p.1)) {
                outline.push(q);
            }
        }
        for p in band.points.iter().rev() {
            if let Some(q) = transform(options, (p.0, p.2)) {
                outline.push(q);
            }
        }
        bands.push(outline);
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    let marks: Vec<(f64, f64)> = series.iter().flat_map(marks_of).collect();
    // Key moments at a value a log axis cannot show (a loss of exactly 0) are drawn at the
    // bottom edge of the plot, with a down arrow: the x range holds their steps.
    let below_axis = |p: (f64, f64)| options.log_y && p.1.is_finite() && p.1 <= 0.0;
    let floor_xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.moments.iter().map(|m| m.at))
        .filter(|p| below_axis(*p))
        .filter_map(|p| transform(options, (p.0, 1.0)).map(|q| q.0))
        .collect();
    // The axes hold every point, mark and band edge.
    let mut held = marks.clone();
    for outline in &bands {
        for p in outline {
            held.push(*p);
        }
    }
    for p in plotted.iter().flatten().chain(held.iter()) {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    for x in &floor_xs {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
    }
    // Labelled vertical lines (bounds, suggestions) are part of the picture: the x range holds them.
    for (v, label) in options.vlines.iter().zip(&options.vline_labels) {
        if let Some((x, _)) = transform(options, (*v, 1.0)).filter(|_| !label.is_empty() && x0.is_finite()) {
            x0 = x0.min(x);
            x1 = x1.max(x);
        }
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
        0.06 * (y1 - y0)
    } else if y0 != 0.0 {
        0.1 * y0.abs()
    } else {
        1.0
    };
    let (y0, y1) = widen_tiny_span(y0 - pad, y1 + pad, options.log_y);

    // The layout: title, then the legend in a free corner of the plot or in a band above it.
    let title_px = if options.title.is_empty() { 0 } else { TITLE_PX };
    let labelled: Vec<&CurveSeries> = series.iter().filter(|s| !s.label.is_empty()).collect();
    let line_labels: Vec<&String> = options.vline_labels.iter().filter(|l| !l.is_empty()).collect();
    let legend = if !options.no_legend && (series.len() > 1 || !labelled.is_empty() || !line_labels.is_empty()) {
        let entries = labelled
            .iter()
            .map(|s| LegendEntry {
                label: s.label.clone(),
                color: s.color,
                dash: s.dash,
                marker: (!s.moments.is_empty() || !s.criterion_markers.is_empty()).then_some(s.marker),
            })
            .chain(line_labels.iter().enumerate().map(|(k, label)| LegendEntry {
                label: label.to_string(),
                color: BOUND_GREY,
                dash: Some(BOUND_DASHES[k % BOUND_DASHES.len()]),
                marker: None,
            }))
            .collect();
        Some(Legend::measure(root, entries, width - 2 * MARGIN)?)
    } else {
        None
    };
    let y_labels = y_labels_width(root, y0, y1, options.log_y).map_err(err)?;
    let inside_plot = plot_rect(width, height, MARGIN + title_px, y_labels);
    let to_pixel = |plot: [i32; 4], p: (f64, f64)| {
        let fx = (p.0 - x0) / (x1 - x0);
        let fy = (y1 - p.1) / (y1 - y0);
        (f64::from(plot[0]) + fx * f64::from(plot[2] - plot[0]), f64::from(plot[1]) + fy * f64::from(plot[3] - plot[1]))
    };
    let data_px: Vec<Vec<(f64, f64)>> =
        plotted.iter().map(|line| line.iter().map(|p| to_pixel(inside_plot, *p)).collect()).collect();
    let marks_px: Vec<(f64, f64)> = marks.iter().map(|p| to_pixel(inside_plot, *p)).collect();
    // The legend keeps off the bands' edges, the labelled vertical lines (a search's rungs may
    // pass under it) and the tolerance lines (a legend box on a tolerance line hides where the
    // curves meet it).
    let mut data_px = data_px;
    for h in &hlines {
        data_px.push(vec![to_pixel(inside_plot, (x0, *h)), to_pixel(inside_plot, (x1, *h))]);
    }
    for outline in &bands {
        let mut line = Vec::new();
        for p in outline {
            line.push(to_pixel(inside_plot, *p));
        }
        data_px.push(line);
    }
    for (v, _) in options.vlines.iter().zip(&options.vline_labels).filter(|(_, label)| !label.is_empty()) {
        if let Some((x, _)) = transform(options, (*v, 1.0)) {
            data_px.push(vec![to_pixel(inside_plot, (x, y1)), to_pixel(inside_plot, (x, y0))]);
        }
    }
    let (corner, band) = match &legend {
        None => (None, 0),
        Some(l) => match free_corner(inside_plot, l.box_size(), &data_px, &marks_px) {
            Some(c) => (Some(c), 0),
            None => (None, l.band_height(width - 2 * MARGIN)),
        },
    };
    let top = MARGIN + title_px + band;
    let mut layout = ChartLayout {
        plot: plot_rect(width, height, top, y_labels),
        log_x: options.log_x,
        x_from_one: options.x_from_one,
        steps_per_x: if options.steps_per_x > 0.0 { options.steps_per_x } else { 1.0 },
        ..ChartLayout::default()
    };

    let mut chart = ChartBuilder::on(root)
        .margin(MARGIN)
        .margin_top(top)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let (log_x, log_y) = (options.log_x, options.log_y);
    // Ticks within rounding of zero are written 0, not 5.551e-17.
    let (x_span, y_span) = (x1 - x0, y1 - y0);
    let x_fmt = move |v: &f64| axis_tick_label(*v, log_x, x_span);
    let y_fmt = move |v: &f64| axis_tick_label(*v, log_y, y_span);
    layout.x_label = match (options.x_label.as_str(), options.log_x) {
        ("", false) => "step".to_string(),
        ("", true) => "step (log)".to_string(),
        (label, true) => format!("{label} (log)"),
        (label, false) => label.to_string(),
    };
    // As many x tick labels as fit the plot's width: the widest of the labels at the ends and
    // the middle of the axis (measured by the backend), with a gap, per label.
    let tick_font: TextStyle = (crate::chart::style::FONT, TICK_FONT).into_font().into();
    let mut widest = 0;
    for v in [x0, 0.5 * (x0 + x1), x1] {
        widest = widest.max(root.estimate_text_size(&x_fmt(&v), &tick_font).map_err(err)?.0 as i32);
    }
    let plot_width = layout.plot[2] - layout.plot[0];
    let x_ticks = (plot_width / (widest + TICK_GAP_PX).max(1)).clamp(2, MOST_X_TICKS as i32) as usize;
    chart
        .configure_mesh()
        .x_desc(layout.x_label.as_str())
        .axis_desc_style((crate::chart::style::FONT, TICK_FONT))
        .x_labels(x_ticks)
        .y_labels(Y_TICKS)
        .label_style((crate::chart::style::FONT, TICK_FONT))
        .max_light_lines(0)
        .bold_line_style(RGBColor(225, 225, 225))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    layout.plot = [xs.start, ys.start, xs.end, ys.end];
    // The height asked for comes from the layout's own sizes, not from plotters' pixel range,
    // which cannot be negative: a legend band taller than the chart asks for all the height it
    // lacks at once.
    let plot_height = height - MARGIN - X_LABELS - top;
    layout.height_needed = height + (MIN_PLOT_PX - plot_height).max(0);
    let coord = chart.as_coord_spec().clone();
    let pixel = |p: (f64, f64)| coord.translate(&p);
    layout.x_range = [x0, x1];
    layout.x_pixels = [f64::from(pixel((x0, y0)).0), f64::from(pixel((x1, y0)).0)];
    for &h in &hlines {
        let style = RGBColor(150, 150, 150).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(vec![(x0, h), (x1, h)], 5, 4, style)).map_err(err)?;
    }
    // The shaded range and the bands are drawn in pixels on the root (the element types the
    // markers and the legend already draw there), which keeps the page's wasm small.
    if let Some([from, to]) = options.shade {
        let ends = transform(options, (from, 1.0)).zip(transform(options, (to, 1.0)));
        if let Some(((a, _), (b, _))) = ends {
            let (a, b) = (a.max(x0), b.min(x1));
            if a < b {
                let fill = RGBColor(0, 158, 115).mix(0.12).filled();
                root.draw(&Rectangle::new([pixel((a, y1)), pixel((b, y0))], fill)).map_err(err)?;
            }
        }
    }
    for (band, outline) in options.bands.iter().zip(&bands) {
        let (r, g, b) = band.color;
        let fill = RGBColor(r, g, b).mix(band.opacity).filled();
        let mut corners: Vec<(i32, i32)> = Vec::new();
        for p in outline {
            corners.push(pixel(*p));
        }
        root.draw(&Polygon::new(corners, fill)).map_err(err)?;
    }
    // A labelled line (a bound, a suggestion) is darker than a plain one (a search's rung) and
    // dashed as its legend entry says (the k-th labelled line, the k-th entry after the series).
    let mut bound = 0;
    for (i, v) in options.vlines.iter().enumerate() {
        let labelled = options.vline_labels.get(i).is_some_and(|l| !l.is_empty());
        let ((on, off), (r, g, b)) = if labelled {
            bound += 1;
            (BOUND_DASHES[(bound - 1) % BOUND_DASHES.len()], BOUND_GREY)
        } else {
            ((3, 4), (190, 190, 190))
        };
        if let Some((v, _)) = transform(options, (*v, 1.0)) {
            let style = RGBColor(r, g, b).stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(vec![(v, y0), (v, y1)], on as i32, off as i32, style))
                .map_err(err)?;
        }
    }

    // Lines, then markers, in drawing order (a highlighted run last); lines are clipped to the
    // plot by drawing on the plotting area.
    let area = chart.plotting_area().strip_coord_spec();
    let front_series = options.highlight.and_then(|h| series.iter().rposition(|s| s.run == Some(h.run)));
    let order = drawing_order(series.len(), front_series);
    let color_of = |s: &CurveSeries| match options.highlight {
        Some(h) if h.dim_others && s.run != Some(h.run) => dimmed(s.color),
        _ => s.color,
    };
    let (ox, oy) = (layout.plot[0], layout.plot[1]);
    // The lines in fractional pixels of the plotting area, simplified before rounding (no stair
    // steps), mapped as plotters maps the ends of the axes.
    let [px0, px1] = layout.x_pixels;
    let (py0, py1) = (f64::from(pixel((x0, y1)).1), f64::from(pixel((x0, y0)).1));
    let fine = |p: &(f64, f64)| {
        (
            px0 + (p.0 - x0) / (x1 - x0) * (px1 - px0) - f64::from(ox),
            py0 + (y1 - p.1) / (y1 - y0) * (py1 - py0) - f64::from(oy),
        )
    };
    let fractional: Vec<Vec<Vec<(f64, f64)>>> =
        plotted.iter().map(|line| vec![line.iter().map(fine).collect()]).collect();
    // Curves that run together (two losses at one value) are nested, the lower one wider.
    let area_size = (f64::from(layout.plot[2] - ox), f64::from(layout.plot[3] - oy));
    let nesting = nested_widths(area_size, &fractional, &order);
    layout.widths = nesting.widths.clone();
    for &i in &order {
        let s = &series[i];
        let c = color_of(s);
        let pts = super::pixel_polyline(&fractional[i][0]);
        if pts.len() == 1 {
            area.draw(&Circle::new(pts[0], 2, RGBColor(c.0, c.1, c.2).filled())).map_err(err)?;
        }
        if nesting.casing(i) > 0 {
            draw_line(&area, &pts, None, WHITE.mix(CASING_OPACITY).stroke_width(nesting.casing(i)))?;
        }
        draw_line(&area, &pts, s.dash, RGBColor(c.0, c.1, c.2).stroke_width(nesting.widths[i]))?;
    }
    let mut labels: Vec<[i32; 4]> = Vec::new();
    // A legend in a corner of the plot is drawn last; the key moments' labels keep out of it.
    let legend_box: Option<[i32; 4]> = match (&legend, corner) {
        (Some(l), Some(c)) => {
            let (w, h) = l.box_size();
            Some([c[0], c[1], c[0] + w, c[1] + h])
        }
        _ => None,
    };
    let data_on_canvas: Vec<Vec<(f64, f64)>> = plotted
        .iter()
        .map(|line| {
            line.iter()
                .map(|p| {
                    let (x, y) = pixel(*p);
                    (f64::from(x), f64::from(y))
                })
                .collect()
        })
        .collect();
    // The tolerance lines count as data (a label must not strike through them), and every key
    // moment's marker as a box no label may cover (its own included).
    let [pl, pt, pr, pb] = layout.plot;
    let data_on_canvas: Vec<Vec<(f64, f64)>> = data_on_canvas
        .into_iter()
        .chain(hlines.iter().map(|h| {
            let y = f64::from(pixel((x0, *h)).1);
            vec![(f64::from(pl), y), (f64::from(pr), y)]
        }))
        .collect();
    // Where a key moment's marker goes: at its point, or for a value below a log axis, just
    // above the plot's bottom edge (true: with a down arrow).
    let moment_pixel = |p: (f64, f64)| -> Option<((i32, i32), bool)> {
        match transform(options, p) {
            Some(q) => Some((pixel(q), false)),
            None if below_axis(p) => transform(options, (p.0, 1.0)).map(|q| ((pixel((q.0, y0)).0, pb - 12), true)),
            None => None,
        }
    };
    let marker_boxes: Vec<[i32; 4]> = series
        .iter()
        .flat_map(|s| s.moments.iter().map(|m| m.at).chain(s.divergence))
        .filter_map(moment_pixel)
        .map(|((x, y), _)| [x - 6, y - 6, x + 7, y + 7])
        .collect();
    let moment_font: TextStyle = (crate::chart::style::FONT, MOMENT_FONT).into_font().color(&RGBColor(40, 40, 40));
    for &i in &order {
        let s = &series[i];
        let c = color_of(s);
        for p in s.criterion_markers.iter().filter_map(|p| transform(options, *p)) {
            draw_marker(root, s.marker, pixel(p), 4, Some((255, 255, 255)), (c, 2))?;
        }
        let mut moments: Vec<((i32, i32), String, bool)> = Vec::new();
        for m in &s.moments {
            match moment_pixel(m.at) {
                Some((at, false)) => moments.push((at, m.label.clone(), false)),
                Some(((x, y), true)) => {
                    // The value is below the axis (a log axis has no 0): a down arrow to the
                    // bottom edge, and the value in the label.
                    let style = RGBColor(c.0, c.1, c.2).stroke_width(2);
                    root.draw(&PathElement::new(vec![(x, y + 6), (x, pb)], style)).map_err(err)?;
                    root.draw(&PathElement::new(vec![(x - 4, pb - 4), (x, pb), (x + 4, pb - 4)], style))
                        .map_err(err)?;
                    let value = crate::run::report::short(m.at.1);
                    moments.push(((x, y), format!("{} (\u{2193} {value})", m.label), false));
                }
                None => {}
            }
        }
        if let Some(p) = s.divergence.and_then(|p| transform(options, p)) {
            moments.push((pixel(p), "diverged".into(), true));
        }
        for (at, label, diverged) in moments {
            if diverged {
                let (x, y) = at;
                for style in [WHITE.stroke_width(5), RGBColor(c.0, c.1, c.2).stroke_width(3)] {
                    root.draw(&PathElement::new(vec![(x - 5, y - 5), (x + 5, y + 5)], style)).map_err(err)?;
                    root.draw(&PathElement::new(vec![(x - 5, y + 5), (x + 5, y - 5)], style)).map_err(err)?;
                }
            } else {
                draw_marker(root, s.marker, at, 5, Some((255, 255, 255)), (c, 2))?;
            }
            // The label beside the marker (above, below, right, left, the four diagonals, then a
            // row further above or below, then farther off on a leader line),
            // inside the plot: the first place that covers no data (lines, tolerance lines) and
            // overlaps no marker, no earlier label and not the legend, else the one of those that
            // covers the fewest lines; no label where every place overlaps one.
            let (tw, th) = root.estimate_text_size(&label, &moment_font).map_err(err)?;
            let (tw, th) = (tw as i32, th as i32);
            let fit = |x: i32, y: i32| {
                [x.clamp(pl + 2, (pr - tw - 2).max(pl + 2)), y.clamp(pt + 1, (pb - th - 1).max(pt + 1))]
            };
            let (above, below) = (at.1 - 9 - th, at.1 + 9);
            let (right, left, centre) = (at.0 + 9, at.0 - 9 - tw, at.0 - tw / 2);
            let candidates = [
                fit(centre, above),
                fit(centre, below),
                fit(right, at.1 - th / 2),
                fit(left, at.1 - th / 2),
                fit(left, above),
                fit(right, above),
                fit(left, below),
                fit(right, below),
                fit(centre, above - th - 2),
                fit(centre, below + th + 2),
                // Farther off, on a leader line, where the data leave no room beside the marker.
                fit(centre, above - 2 * (th + 2)),
                fit(centre, below + 2 * (th + 2)),
                fit(centre, above - 3 * (th + 2)),
                fit(centre, below + 3 * (th + 2)),
                fit(centre, above - 5 * (th + 2)),
                fit(centre, below + 5 * (th + 2)),
                // Off to a side, on a slanting leader line that can pass beside another label.
                fit(right, above - 2 * (th + 2)),
                fit(left, above - 2 * (th + 2)),
                fit(right, below + 2 * (th + 2)),
                fit(left, below + 2 * (th + 2)),
                fit(right, above - 4 * (th + 2)),
                fit(left, above - 4 * (th + 2)),
                fit(right, below + 4 * (th + 2)),
                fit(left, below + 4 * (th + 2)),
            ];
            // Farther still, diagonally into the plot on a leader line: where the curves crowd
            // the marker's column (several runs converging side by side), the free space is often
            // to one side.
            let far = (1..=4).flat_map(|j| {
                let dx = j * (tw / 2 + 8);
                (1..=5).flat_map(move |k| {
                    let dy = k * (th + 2);
                    [
                        (right + dx, above - dy),
                        (left - dx, above - dy),
                        (right + dx, below + dy),
                        (left - dx, below + dy),
                    ]
                })
            });
            let candidates: Vec<[i32; 2]> = candidates.into_iter().chain(far.map(|(x, y)| fit(x, y))).collect();
            // How many lines (curves and tolerance lines) a place covers.
            let covered = |r: [i32; 4]| {
                data_on_canvas.iter().filter(|line| line.windows(2).any(|w| crosses(&r, w[0], w[1]))).count()
            };
            let rects: Vec<[i32; 4]> = candidates.iter().map(|&[x, y]| [x, y, x + tw, y + th]).collect();
            // A label farther from its marker than the places right beside it hangs on a leader
            // line to the nearest point of its box, which must not cross another label (nor may
            // an earlier leader cross this label).
            let leader_of = |rect: [i32; 4]| -> Option<Leader> {
                let to = (at.0.clamp(rect[0], rect[2]), at.1.clamp(rect[1], rect[3]));
                let (dx, dy) = (f64::from(to.0 - at.0), f64::from(to.1 - at.1));
                let length = (dx * dx + dy * dy).sqrt();
                (length > f64::from(LEADER_FROM_PX)).then(|| {
                    ((at.0 + (7.0 * dx / length).round() as i32, at.1 + (7.0 * dy / length).round() as i32), to)
                })
            };
            let clashes = |rect: [i32; 4]| {
                labels.iter().chain(legend_box.iter()).chain(marker_boxes.iter()).any(|r| overlap(r, &rect))
                    || leader_clashes(&rect, leader_of(rect).as_ref(), &labels, &layout.moment_leaders)
            };
            // The first free place, else the one covering the fewest lines.
            let place = rects.iter().copied().filter(|r| !clashes(*r)).min_by_key(|r| covered(*r).min(1));
            let place = place
                .filter(|r| covered(*r) == 0)
                .or_else(|| rects.iter().copied().filter(|r| !clashes(*r)).min_by_key(|r| covered(*r)));
            if let Some(rect) = place {
                if let Some((from, to)) = leader_of(rect) {
                    root.draw(&PathElement::new(vec![from, to], RGBColor(90, 90, 90).stroke_width(1))).map_err(err)?;
                    layout.moment_leaders.push((from, to));
                }
                // A label that has to lie over lines (a small plot) gets a white ground, so that
                // a line through it does not strike its words out.
                if covered(rect) > 0 {
                    let ground = [(rect[0] - 1, rect[1]), (rect[2] + 1, rect[3])];
                    root.draw(&Rectangle::new(ground, WHITE.mix(LABEL_GROUND_OPACITY).filled())).map_err(err)?;
                }
                // In its run's colour, darkened to read on white: whose moment it is.
                let (r, g, b) = text_on_white(c);
                let ink = RGBColor(r, g, b);
                let style = moment_font.color(&ink).pos(Pos::new(HPos::Left, VPos::Top));
                root.draw_text(&label, &style, (rect[0], rect[1])).map_err(err)?;
                labels.push(rect);
                layout.moments.push((label.clone(), rect));
            }
        }
    }

    if let Some(x) = options.cursor.and_then(|step| layout.pixel_of_step(step)) {
        // The scrubbed step: a solid line over the curves, inside the plot only.
        let [_, top, right, bottom] = layout.plot;
        if f64::from(layout.plot[0]) <= x && x <= f64::from(right) {
            let x = x.round() as i32;
            root.draw(&PathElement::new(vec![(x, top), (x, bottom)], RGBColor(40, 40, 40).stroke_width(2)))
                .map_err(err)?;
            layout.cursor = Some(f64::from(x));
        }
    }
    if !options.title.is_empty() {
        // The title shrinks (down to 8 px) to fit the chart's width rather than being clipped.
        let mut size = TITLE_FONT;
        let mut font: TextStyle = (crate::chart::style::FONT, size).into_font().color(&BLACK);
        let (mut tw, mut th) = root.estimate_text_size(&options.title, &font).map_err(err)?;
        while tw as i32 > width - 2 * MARGIN && size > 8 {
            size -= 1;
            font = (crate::chart::style::FONT, size).into_font().color(&BLACK);
            (tw, th) = root.estimate_text_size(&options.title, &font).map_err(err)?;
        }
        let x = ((width - tw as i32) / 2).max(MARGIN);
        root.draw_text(&options.title, &font.pos(Pos::new(HPos::Left, VPos::Top)), (x, MARGIN)).map_err(err)?;
        layout.title = Some([x, MARGIN, x + tw as i32, MARGIN + th as i32]);
    }
    if let Some(legend) = &legend {
        let (w, h) = legend.box_size();
        match corner {
            Some(c) => {
                legend.draw_box(root, (c[0], c[1]))?;
                layout.legend = Some([c[0], c[1], c[0] + w, c[1] + h]);
            }
            None => {
                let origin = (MARGIN, MARGIN + title_px);
                legend.draw_band(root, origin, width - 2 * MARGIN)?;
                layout.legend = Some([origin.0, origin.1, width - MARGIN, origin.1 + band]);
                layout.legend_outside = true;
            }
        }
    }
    if let Some(l) = layout.legend {
        layout.legend_hits = plotted
            .iter()
            .flatten()
            .map(|p| pixel(*p))
            .filter(|(x, y)| l[0] <= *x && *x <= l[2] && l[1] <= *y && *y <= l[3])
            .count();
    }
    root.present().map_err(err)?;
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_takes_a_free_corner_or_none() {
        let plot = [0, 0, 100, 100];
        // A line along the top edge: the top corners are taken, the bottom right is free.
        let top = vec![vec![(0.0, 5.0), (100.0, 5.0)]];
        assert_eq!(free_corner(plot, (30, 20), &top, &[]), Some([66, 76, 96, 96]));
        // A diagonal from the top left to the bottom right leaves the top right free.
        let diagonal = vec![vec![(0.0, 0.0), (100.0, 100.0)]];
        assert_eq!(free_corner(plot, (30, 20), &diagonal, &[]), Some([66, 4, 96, 24]));
        // Lines along every edge: no corner is free.
        let frame = vec![vec![(0.0, 5.0), (100.0, 5.0)], vec![(0.0, 95.0), (100.0, 95.0)]];
        assert_eq!(free_corner(plot, (30, 20), &frame, &[]), None);
        // A marker near the top right corner takes it.
        assert_eq!(free_corner(plot, (30, 20), &[], &[(90.0, 30.0)]), Some([4, 4, 34, 24]));
    }

    #[test]
    fn step_and_pixel_mappings_invert_each_other() {
        let linear = ChartLayout {
            plot: [58, 6, 382, 160],
            x_range: [0.0, 500.0],
            x_pixels: [58.0, 382.0],
            steps_per_x: 1.0,
            ..ChartLayout::default()
        };
        let px = linear.pixel_of_step(250.0).unwrap_or(f64::NAN);
        assert_eq!(px, 220.0);
        assert_eq!(linear.step_at(px), Some(250.0));
        assert_eq!(linear.step_at(20.0), None);
        let log = ChartLayout { log_x: true, x_range: [0.0, 3.0], ..linear.clone() };
        let px = log.pixel_of_step(99.0).unwrap_or(f64::NAN);
        assert!((px - (58.0 + 324.0 * 2.0 / 3.0)).abs() < 1e-9);
        assert!((log.step_at(px).unwrap_or(f64::NAN) - 99.0).abs() < 1e-9);
        // x in epochs of 10 steps: pixel of step 100 is that of epoch 10.
        let epochs = ChartLayout { steps_per_x: 10.0, x_range: [0.0, 50.0], ..linear };
        assert_eq!(epochs.pixel_of_step(100.0), Some(58.0 + 324.0 * 10.0 / 50.0));
        assert_eq!(epochs.step_at(58.0 + 324.0 * 10.0 / 50.0), Some(100.0));
    }
}
