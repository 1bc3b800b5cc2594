//! From a session to chart data: run colors, landscape paths and the curves of each chart
//! kind (`loss`, `lr`, `grad_norm`, `delta_norm`), shared by the page (canvas) and the CLI
//! (SVG); and the exported figures (`figure_names`, `draw_figure`), drawn by the same code
//! natively (`converge plot`) and from the page, so that both write the same SVG.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::draw_curves;
use super::curves::{CurveOptions, CurveSeries, Moment};
use super::paths::draw_paths;
use super::paths::PathSeries;
use super::style::{run_style, RunStyle, DASHES};
#[cfg(not(target_arch = "wasm32"))]
use super::svg::{text_svg, CHART_SIZE, VIEW_SIZE};
use crate::problem::ViewBox;
use crate::run::history::TracePoint;
use crate::run::monitor::Status;
use crate::run::session::Session;

/// The chart kinds of every problem.
pub const CHART_KINDS: [&str; 4] = ["loss", "lr", "grad_norm", "delta_norm"];
/// The chart kinds of models trained on data: training (solid) and validation (dashed) loss,
/// and accuracy, per evaluation.
pub const MODEL_CHART_KINDS: [&str; 2] = ["train_val", "accuracy"];

/// Each run's style: colour, dash pattern and marker. With more runs than dash patterns every
/// line is solid: the patterns would repeat, so they no longer tell runs apart, and each dash is
/// a stroke of its own (16 dashed runs cost 2.5 times as much to draw as solid ones).
pub fn styles(session: &Session) -> Vec<RunStyle> {
    let runs = &session.experiment().runs;
    let dashed = runs.len() <= DASHES.len();
    runs.iter()
        .enumerate()
        .map(|(i, rc)| {
            let style = run_style(rc.color.as_deref(), i);
            RunStyle { dash: if dashed { style.dash } else { None }, ..style }
        })
        .collect()
}

/// Each run's color as RGB.
pub fn colors(session: &Session) -> Vec<(u8, u8, u8)> {
    styles(session).iter().map(|s| s.color).collect()
}

/// Each run's path through the landscape.
pub fn path_series(session: &Session) -> Vec<PathSeries> {
    path_series_at(session, None)
}

/// The step at which a run ended (None while it runs).
fn ended_at(status: Status) -> Option<u64> {
    match status {
        Status::Running => None,
        Status::Converged { at_step, .. }
        | Status::Diverged { at_step, .. }
        | Status::Stopped { at_step }
        | Status::Stalled { at_step, .. } => Some(at_step),
    }
}

/// Each run's path through the landscape as it stood at step `at` (None: now), from the
/// recorded history: the kept points up to that step, the marker on the last of them, and the
/// run's end shown only if it had ended by then. Nothing is re-run.
pub fn path_series_at(session: &Session, at: Option<u64>) -> Vec<PathSeries> {
    let first_two = |v: &[f64]| (v.first().copied().unwrap_or(0.0), v.get(1).copied().unwrap_or(0.0));
    session
        .runs()
        .iter()
        .zip(styles(session))
        .map(|(run, style)| {
            let start = first_two(run.x0());
            let shown = at.filter(|&s| s < run.step());
            let ended = ended_at(run.status()).is_some_and(|end| shown.is_none_or(|s| end <= s));
            let diverged = ended && matches!(run.status(), Status::Diverged { .. });
            let mut points: Vec<(f64, f64)> = run
                .history()
                .points()
                .filter(|p| shown.is_none_or(|s| p.step <= s))
                .map(|p| (p.xy[0], p.xy[1]))
                .collect();
            let current = match shown {
                None => {
                    let current = first_two(run.params());
                    points.push(current);
                    current
                }
                Some(_) => points.last().copied().unwrap_or(start),
            };
            PathSeries { style, points, current, start, finished: ended, diverged }
        })
        .collect()
}

/// Steps per epoch of a model trained on data (the x axis of its charts is in epochs); 1 for
/// every other problem (the x axis is the step).
pub fn steps_per_epoch(session: &Session) -> f64 {
    match session.problem() {
        crate::problem::Problem::Model(m) => {
            let (n, batch) = (m.train.len().max(1), m.batch_size().max(1));
            n.div_ceil(batch) as f64
        }
        _ => 1.0,
    }
}

/// The short label of a criterion's marker on a chart.
fn moment_label(criterion: crate::run::monitor::Criterion) -> &'static str {
    use crate::run::monitor::Criterion;
    match criterion {
        Criterion::LossPlateau => "plateau",
        Criterion::ParamChange => "‖Δw‖ < tol",
        Criterion::GradNorm => "‖∇f‖ < tol",
        Criterion::TargetLoss => "target",
        Criterion::EarlyStopping => "early stop",
    }
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
    let steps_per_x = steps_per_epoch(session);
    let series = session
        .runs()
        .iter()
        .zip(styles(session))
        .enumerate()
        .map(|(index, (run, style))| {
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
                    (p.step as f64 / steps_per_x, smoothed)
                })
                .collect();
            let moments = run
                .monitor()
                .fired()
                .filter_map(|(criterion, s)| {
                    // The last recorded point at or before the step where the criterion fired: a
                    // step-size test fires after the update it measured (at step t + 1, when no
                    // point of its own is recorded), so its moment shows that update's size.
                    let p = run
                        .history()
                        .points()
                        .take_while(|p| p.step <= s)
                        .last()
                        .or_else(|| run.history().points().find(|p| p.step >= s))?;
                    Some(Moment { at: (p.step as f64 / steps_per_x, value(p)), label: moment_label(criterion).into() })
                })
                .collect();
            // The cross sits at the last finite value; a run with none (it diverged at its start)
            // gets no cross rather than one at an invented value.
            let divergence = match run.status() {
                Status::Diverged { at_step, .. } => {
                    points.iter().rev().find(|p| p.1.is_finite()).map(|p| (at_step as f64 / steps_per_x, p.1))
                }
                _ => None,
            };
            CurveSeries {
                dash: style.dash,
                marker: style.marker,
                run: Some(index),
                moments,
                divergence,
                ..CurveSeries::new(run.label().to_string(), style.color, points)
            }
        })
        .collect();
    let x_label = if matches!(session.problem(), crate::problem::Problem::Model(_)) { "epoch" } else { "" };
    Ok((
        series,
        CurveOptions {
            title: title.into(),
            log_x,
            log_y,
            hlines,
            x_label: x_label.into(),
            steps_per_x,
            ..CurveOptions::default()
        },
    ))
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
    let line = |label: &str, validation: bool, index: usize| {
        let style = run_style(None, index);
        CurveSeries { dash: style.dash, ..CurveSeries::new(label.into(), style.color, pick(validation)) }
    };
    let x_label = match sweep.parameter() {
        crate::analysis::sweep::SweepParameter::Degree => "polynomial degree",
        crate::analysis::sweep::SweepParameter::HiddenUnits => "hidden units per layer",
    };
    let series = vec![line("training", false, 0), line("validation", true, 1)];
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
    let steps_per_x = steps_per_epoch(session);
    let mut series = Vec::new();
    for (index, (run, style)) in session.runs().iter().zip(styles(session)).enumerate() {
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
                    (e.step as f64 / steps_per_x, v)
                })
                .collect()
        };
        let validation = pick(true);
        let mut moments = Vec::new();
        if let Some((best, loss)) = run.monitor().best_validation() {
            if !accuracy {
                moments.push(Moment { at: (best as f64 / steps_per_x, loss), label: "best validation".into() });
            }
        }
        if let Some((_, s)) = run.monitor().fired().find(|(c, _)| *c == crate::run::monitor::Criterion::EarlyStopping) {
            if let Some(p) = validation.iter().find(|p| p.0 >= s as f64 / steps_per_x) {
                moments.push(Moment { at: *p, label: "early stop".into() });
            }
        }
        let divergence = match run.status() {
            Status::Diverged { at_step, .. } => {
                pick(false).iter().rev().find(|p| p.1.is_finite()).map(|p| (at_step as f64 / steps_per_x, p.1))
            }
            _ => None,
        };
        series.push(CurveSeries {
            marker: style.marker,
            run: Some(index),
            divergence,
            ..CurveSeries::new(format!("{} training", run.label()), style.color, pick(false))
        });
        series.push(CurveSeries {
            dash: Some((6, 4)),
            marker: style.marker,
            run: Some(index),
            moments,
            ..CurveSeries::new(format!("{} validation", run.label()), style.color, validation)
        });
    }
    let title = if accuracy {
        "accuracy (solid: training, dashed: validation)"
    } else {
        "loss (solid: training, dashed: validation)"
    };
    let options = CurveOptions {
        title: title.into(),
        log_x,
        log_y: log_y && !accuracy,
        x_label: "epoch".into(),
        steps_per_x,
        ..CurveOptions::default()
    };
    (series, options)
}

/// The figures of a session, as the page shows them: the view (`landscape` for a 2-D problem,
/// `model` for a model trained on data, none for `linreg`/`logreg`), then every chart kind.
pub fn figure_names(session: &Session) -> Vec<&'static str> {
    let mut names = Vec::new();
    match session.problem() {
        crate::problem::Problem::Model(m) => {
            names.push("model");
            names.push(MODEL_CHART_KINDS[0]);
            if m.task() == crate::data::Task::Classification {
                names.push(MODEL_CHART_KINDS[1]);
            }
        }
        problem if problem.view_box().is_some() => names.push("landscape"),
        _ => {}
    }
    names.extend(CHART_KINDS);
    names
}

/// The y axis a chart starts with: logarithmic, except for the learning rate, the accuracy and
/// the loss of a landscape that goes below 0 (the page's charts start the same way).
pub fn default_log_y(session: &Session, kind: &str) -> bool {
    match kind {
        "lr" | "accuracy" => false,
        "loss" => !crate::config::catalog::goes_negative(session.experiment().problem.name()),
        _ => true,
    }
}

/// How a figure is drawn for export: the chart options the page has, the step the timeline
/// shows, the run of the model view.
#[derive(Clone, Debug, Default)]
pub struct FigureOptions {
    pub log_x: bool,
    /// None: `default_log_y`.
    pub log_y: Option<bool>,
    /// EMA smoothing factor of the loss in [0, 1): 0 is none.
    pub smoothing: f64,
    /// The step the timeline shows (paths up to it, a cursor on the charts); None: now.
    pub view_step: Option<f64>,
    /// The run whose model the model view draws.
    pub run: usize,
    /// The landscape's view box (None: the experiment's, or the problem's).
    pub view: Option<ViewBox>,
}

/// Draws figure `name` (one of `figure_names`) of the session onto `root`, titled, as exported
/// (SVG natively and from the page): the landscape's heatmap as `svg::RASTER_CELLS` squared
/// cells under the same paths the page draws; a model's view as the page draws it, a
/// classifier's boundary as cells under its points; a chart with its title.
pub fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    session: &Session,
    name: &str,
    options: &FigureOptions,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let at = options.view_step.map(|s| if s.is_nan() || s <= 0.0 { 0 } else { s.floor() as u64 });
    match (name, session.problem()) {
        ("landscape", problem) => {
            let view = options
                .view
                .or(session.experiment().view)
                .or_else(|| problem.view_box())
                .ok_or_else(|| "this problem has no 2-D landscape".to_string())?;
            let cells = super::svg::RASTER_CELLS;
            let rgba = super::heatmap::landscape_rgba(problem, view, cells, cells, 1.0);
            super::svg::draw_raster(root, &rgba, cells)?;
            draw_paths(root, view, &path_series_at(session, at), &problem.known_minima(), None)?;
        }
        ("model", crate::problem::Problem::Model(problem)) => {
            let run =
                session.runs().get(options.run).ok_or_else(|| format!("run: index {} out of range", options.run))?;
            let view = super::model_view::data_view(problem);
            if problem.task() == crate::data::Task::Classification {
                let cells = super::svg::RASTER_CELLS;
                let rgba = super::model_view::boundary_image(problem, run.params(), view, (cells, cells));
                super::svg::draw_raster(root, &rgba, cells)?;
                super::model_view::draw_points(root, problem, view)?;
            } else {
                let color = colors(session).get(options.run).copied().unwrap_or((0, 0, 0));
                super::model_view::draw_model(
                    root,
                    problem,
                    run.params(),
                    view,
                    color,
                    super::model_view::PointDrawing::Circles,
                )?;
            }
        }
        ("model", _) => return Err("this problem is not a model trained on data".into()),
        (kind, _) => {
            let log_y = options.log_y.unwrap_or_else(|| default_log_y(session, kind));
            let (series, mut curve_options) = curve_series(session, kind, options.log_x, log_y, options.smoothing)?;
            curve_options.cursor = options.view_step;
            draw_curves(root, &series, &curve_options)?;
        }
    }
    root.present().map_err(err)
}

/// Every figure of the session as SVG text, with its name (native only: the page draws each
/// figure through its own backend, `src/web.rs`): the view of `svg::VIEW_SIZE` pixels square,
/// the charts of `svg::CHART_SIZE`.
#[cfg(not(target_arch = "wasm32"))]
pub fn svg_figures(session: &Session) -> Result<Vec<(&'static str, String)>, String> {
    let mut figures = Vec::new();
    for name in figure_names(session) {
        let size = if matches!(name, "landscape" | "model") { (VIEW_SIZE, VIEW_SIZE) } else { CHART_SIZE };
        let mut text = String::new();
        {
            let root = text_svg(&mut text, size).into_drawing_area();
            draw_figure(&root, session, name, &FigureOptions::default())?;
        }
        figures.push((name, super::svg::with_round_joins(text)));
    }
    Ok(figures)
}
