//! From a session to chart data: run colors, landscape paths and the curves of each chart
//! kind (`loss`, `lr`, `grad_norm`, `delta_norm`), shared by the page (canvas) and the CLI
//! (SVG), plus the SVG rendering of every figure for the CLI.

#[cfg(not(target_arch = "wasm32"))]
use plotters::prelude::*;

#[cfg(not(target_arch = "wasm32"))]
use super::curves::draw_curves;
use super::curves::{CurveOptions, CurveSeries};
#[cfg(not(target_arch = "wasm32"))]
use super::paths::draw_paths;
use super::paths::PathSeries;
use super::{parse_color, run_color};
#[cfg(not(target_arch = "wasm32"))]
use crate::problem::ViewBox;
use crate::run::history::TracePoint;
use crate::run::monitor::Status;
use crate::run::session::Session;

/// The chart kinds of every problem.
pub const CHART_KINDS: [&str; 4] = ["loss", "lr", "grad_norm", "delta_norm"];
/// The chart kinds of models trained on data: training (solid) and validation (dashed) loss,
/// and accuracy, per evaluation.
pub const MODEL_CHART_KINDS: [&str; 2] = ["train_val", "accuracy"];

/// Each run's color as RGB.
pub fn colors(session: &Session) -> Vec<(u8, u8, u8)> {
    session
        .experiment()
        .runs
        .iter()
        .enumerate()
        .map(|(i, rc)| parse_color(&run_color(rc.color.as_deref(), i)))
        .collect()
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
    if MODEL_CHART_KINDS.contains(&kind) {
        return Ok(evaluation_series(session, kind, log_x, log_y));
    }
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
            CurveSeries { label: run.label().to_string(), color, dashed: false, points, criterion_markers, divergence }
        })
        .collect();
    Ok((series, CurveOptions { title: title.into(), log_x, log_y, hlines, ..CurveOptions::default() }))
}

/// The complexity sweep as curves: final training (solid) and validation (dashed) loss
/// against the complexity value.
pub fn sweep_series(sweep: &crate::analysis::sweep::Sweep, log_y: bool) -> (Vec<CurveSeries>, CurveOptions) {
    let pick = |validation: bool| -> Vec<(f64, f64)> {
        sweep
            .results()
            .iter()
            .map(|p| (f64::from(p.value), if validation { p.validation_loss } else { p.train_loss }))
            .collect()
    };
    let line = |label: &str, dashed: bool, color: (u8, u8, u8)| CurveSeries {
        label: label.into(),
        color,
        dashed,
        points: pick(dashed),
        criterion_markers: Vec::new(),
        divergence: None,
    };
    let x_label = match sweep.parameter() {
        crate::analysis::sweep::SweepParameter::Degree => "polynomial degree",
        crate::analysis::sweep::SweepParameter::HiddenUnits => "hidden units per layer",
    };
    let series = vec![line("training", false, (31, 119, 180)), line("validation", true, (214, 39, 40))];
    let options = CurveOptions {
        title: "final loss vs model complexity".into(),
        log_x: false,
        log_y,
        x_label: x_label.into(),
        ..CurveOptions::default()
    };
    (series, options)
}

/// Training and validation curves from each run's evaluations; the best validation point
/// and an early stop are marked on the validation curve.
fn evaluation_series(session: &Session, kind: &str, log_x: bool, log_y: bool) -> (Vec<CurveSeries>, CurveOptions) {
    let accuracy = kind == "accuracy";
    let mut series = Vec::new();
    for (run, color) in session.runs().iter().zip(colors(session)) {
        let pick = |validation: bool| -> Vec<(f64, f64)> {
            run.evaluations()
                .points()
                .map(|e| {
                    let v = match (accuracy, validation) {
                        (false, false) => e.train_loss,
                        (false, true) => e.validation_loss,
                        (true, false) => e.train_accuracy,
                        (true, true) => e.validation_accuracy,
                    };
                    (e.step as f64, v)
                })
                .collect()
        };
        let validation = pick(true);
        let mut markers = Vec::new();
        if let Some((best, loss)) = run.monitor().best_validation() {
            if !accuracy {
                markers.push((best as f64, loss));
            }
        }
        if let Some((_, s)) = run.monitor().fired().find(|(c, _)| *c == crate::run::monitor::Criterion::EarlyStopping) {
            if let Some(p) = validation.iter().find(|p| p.0 >= s as f64) {
                markers.push(*p);
            }
        }
        series.push(CurveSeries {
            label: format!("{} train", run.label()),
            color,
            dashed: false,
            points: pick(false),
            criterion_markers: Vec::new(),
            divergence: None,
        });
        series.push(CurveSeries {
            label: format!("{} validation", run.label()),
            color,
            dashed: true,
            points: validation,
            criterion_markers: markers,
            divergence: None,
        });
    }
    let title = if accuracy {
        "accuracy (solid: training, dashed: validation)"
    } else {
        "loss (solid: training, dashed: validation)"
    };
    (series, CurveOptions { title: title.into(), log_x, log_y: log_y && !accuracy, ..CurveOptions::default() })
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
