//! From a session to chart data: run colors, landscape paths and the curves of each chart
//! kind (`loss`, `lr`, `grad_norm`, `delta_norm`), shared by the page (canvas) and the CLI
//! (SVG), plus the SVG rendering of every figure for the CLI.

#[cfg(not(target_arch = "wasm32"))]
use plotters::prelude::*;

use super::curves::{CurveOptions, CurveSeries};
#[cfg(not(target_arch = "wasm32"))]
use super::curves::draw_curves;
#[cfg(not(target_arch = "wasm32"))]
use super::paths::draw_paths;
use super::paths::PathSeries;
use super::{parse_color, run_color};
use crate::history::TracePoint;
use crate::monitor::Status;
#[cfg(not(target_arch = "wasm32"))]
use crate::problem::ViewBox;
use crate::session::Session;

/// The chart kinds.
pub const CHART_KINDS: [&str; 4] = ["loss", "lr", "grad_norm", "delta_norm"];

/// Each run's color as RGB.
pub fn colors(session: &Session) -> Vec<(u8, u8, u8)> {
    session.experiment().runs.iter().enumerate().map(|(i, rc)| parse_color(&run_color(rc.color.as_deref(), i))).collect()
}

/// Each run's path through the landscape.
pub fn path_series(session: &Session) -> Vec<PathSeries> {
    let first_two = |v: &[f64]| (v.first().copied().unwrap_or(0.0), v.get(1).copied().unwrap_or(0.0));
    session
        .runs()
        .iter()
        .zip(colors(session))
        .map(|(run, color)| {
            let mut points: Vec<(f64, f64)> = run.history().points().map(|p| (p.xy[0], p.xy[1])).collect();
            let current = first_two(run.params());
            points.push(current);
            PathSeries {
                color,
                points,
                current,
                start: first_two(run.x0()),
                finished: !run.status().is_running(),
                diverged: matches!(run.status(), Status::Diverged { .. }),
            }
        })
        .collect()
}

/// The curves of one chart kind with its options; `smoothing` in [0, 1) smooths the loss by
/// an exponential moving average.
pub fn curve_series(
    session: &Session,
    kind: &str,
    log_x: bool,
    log_y: bool,
    smoothing: f64,
) -> Result<(Vec<CurveSeries>, CurveOptions), String> {
    let stop = &session.experiment().stop;
    let (title, hlines): (&str, Vec<f64>) = match kind {
        "loss" => ("loss", stop.target_loss.iter().map(|c| c.value).collect()),
        "lr" => ("learning rate", Vec::new()),
        "grad_norm" => ("gradient norm ||∇f||", stop.grad_norm.iter().map(|c| c.tol).collect()),
        "delta_norm" => ("step size ||Δw||", stop.param_change.iter().map(|c| c.tol).collect()),
        other => return Err(format!("chart kind: unknown \"{other}\"; use loss, lr, grad_norm or delta_norm")),
    };
    let smoothing = if (0.0..1.0).contains(&smoothing) && kind == "loss" { smoothing } else { 0.0 };
    let value = |p: &TracePoint| match kind {
        "loss" => p.loss,
        "lr" => p.lr,
        "grad_norm" => p.grad_norm,
        _ => p.delta_norm,
    };
    let series = session
        .runs()
        .iter()
        .zip(colors(session))
        .map(|(run, color)| {
            let mut ema: Option<f64> = None;
            let points: Vec<(f64, f64)> = run
                .history()
                .points()
                .map(|p| {
                    let v = value(p);
                    let smoothed = match ema {
                        Some(prev) if smoothing > 0.0 && v.is_finite() => smoothing * prev + (1.0 - smoothing) * v,
                        _ => v,
                    };
                    ema = Some(smoothed);
                    (p.step as f64, smoothed)
                })
                .collect();
            let criterion_markers = run
                .monitor()
                .fired()
                .filter_map(|(_, s)| run.history().points().find(|p| p.step >= s).map(|p| (p.step as f64, value(p))))
                .collect();
            let divergence = match run.status() {
                Status::Diverged { at_step, .. } => {
                    let last_finite = points.iter().rev().find(|p| p.1.is_finite()).map_or(0.0, |p| p.1);
                    Some((at_step as f64, last_finite))
                }
                _ => None,
            };
            CurveSeries { label: run.label().to_string(), color, points, criterion_markers, divergence }
        })
        .collect();
    Ok((series, CurveOptions { title: title.into(), log_x, log_y, hlines }))
}

/// The landscape as SVG (native only): a coarse heatmap (one rectangle per cell, fine for a file), the paths
/// and the minima.
#[cfg(not(target_arch = "wasm32"))]
pub fn landscape_svg(session: &Session, view: ViewBox, size: u32) -> Result<String, String> {
    const CELLS: usize = 80;
    let rgba = super::heatmap::landscape_rgba(session.problem(), view, CELLS, CELLS);
    let mut svg = String::new();
    {
        let root = plotters_svg::SVGBackend::with_string(&mut svg, (size, size)).into_drawing_area();
        let cell = f64::from(size) / CELLS as f64;
        for row in 0..CELLS {
            for col in 0..CELLS {
                let i = (row * CELLS + col) * 4;
                let color = RGBColor(rgba[i], rgba[i + 1], rgba[i + 2]);
                let x0 = (col as f64 * cell).floor() as i32;
                let y0 = (row as f64 * cell).floor() as i32;
                let x1 = ((col + 1) as f64 * cell).ceil() as i32;
                let y1 = ((row + 1) as f64 * cell).ceil() as i32;
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled())).map_err(|e| format!("{e:?}"))?;
            }
        }
        draw_paths(&root, view, &path_series(session), &session.problem().known_minima())?;
    }
    Ok(svg)
}

/// One curve chart as SVG (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn chart_svg(session: &Session, kind: &str, size: (u32, u32)) -> Result<String, String> {
    let log_y = kind != "lr";
    let (series, options) = curve_series(session, kind, false, log_y, 0.0)?;
    let mut svg = String::new();
    {
        let root = plotters_svg::SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw_curves(&root, &series, &options)?;
    }
    Ok(svg)
}
