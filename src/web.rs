//! The WebAssembly boundary: the only module that knows wasm-bindgen and web-sys. It is thin:
//! parse, call the core, convert. Every export returns `Result<_, JsError>` where it can
//! fail; a panic hook reports anything unexpected to the console.

use plotters::prelude::*;
use plotters_backend::{BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::analysis::sweep::{whole_values, Sweep, SweepParameter};
use crate::chart::analysis_overlay::{basin_color, draw_critical_points, kind_of_code, BasinPicture, Overlay};
use crate::chart::curves::{draw_curves, ChartLayout, CurveOptions, CurveSeries};
use crate::chart::figures;
use crate::chart::heatmap::{landscape_image, stretch_rgba, LINE_CSS_PX, UNDEFINED_RGB};
use crate::chart::measured::{MeasureError, Measured, TextMeasure};
use crate::chart::model_view::{boundary_rgba, data_view, disc, draw_model, PlotPoint, PointDrawing};
use crate::chart::network;
use crate::chart::paths::{draw_paths, near_run, Highlight, ViewMapping};
use crate::chart::plane::{draw_plane_path, plane_rgba};
use crate::chart::run_color;
use crate::chart::search as search_chart;
use crate::chart::style::run_style;
use crate::chart::svg::{text_svg, TextSvg};
use crate::config::validate::Validator;
use crate::config::Experiment;
use crate::data::Task;
use crate::problem::Problem;
use crate::problem::ViewBox;
use crate::run::report::describe;
use crate::run::session::{Session, StepQueue};
use crate::search::{Outcome, Search};

mod common;
use common::{js_error, to_js, whole_step};

/// Milliseconds from `performance.now()` (0 where there is no performance clock).
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// A cached landscape image.
struct LandscapeImage {
    key: String,
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    /// Whether f has no value (NaN) somewhere in the view: the map is grey there.
    undefined: bool,
}

/// Options of a curve chart, from JS.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ChartOptions {
    log_x: bool,
    /// None: the chart's default (`figures::default_log_y`).
    log_y: Option<bool>,
    /// EMA smoothing factor in [0, 1): 0 is none.
    smoothing: f64,
    /// The run drawn in front of the others (the selected or hovered one).
    front: Option<usize>,
    /// The other runs are dimmed (a hovered run).
    dim_others: bool,
    /// No legend (tests look at the data under it).
    no_legend: bool,
    /// The step the timeline shows (a cursor line), if it is scrubbed.
    view_step: Option<f64>,
    /// The run whose model an exported model view draws.
    run: usize,
}

impl ChartOptions {
    fn highlight(&self) -> Option<Highlight> {
        self.front.map(|run| Highlight { run, dim_others: self.dim_others })
    }
}

/// Parses chart options ("" is the default).
fn chart_options(options_json: &str) -> Result<ChartOptions, JsError> {
    if options_json.is_empty() {
        Ok(ChartOptions::default())
    } else {
        // Read as configs are (`config::reader`): one deserializer in the wasm, not a second.
        let value =
            crate::config::reader::parse_json(options_json).map_err(|e| js_error(format!("chart options: {e}")))?;
        crate::config::reader::from_value(&value).map_err(|e| js_error(format!("chart options: {e}")))
    }
}

/// One experiment in the page: runs, their charts and reports.
#[wasm_bindgen]
pub struct Playground {
    session: Session,
    view: Option<ViewBox>,
    image: Option<LandscapeImage>,
    sweep: Option<Sweep>,
    queue: StepQueue,
    search: Option<Search>,
    /// The experiment (with its search section) the search runs.
    search_experiment: Option<Experiment>,
    /// Finished searches kept for the budget chart, with their labels.
    compared: Vec<(String, crate::search::SearchResults)>,
    /// Where each chart (by kind) put its plot and legend when last drawn, in CSS pixels.
    layouts: std::collections::BTreeMap<String, ChartLayout>,
    /// The analyses drawn over the landscape (basins, critical points).
    overlay: Overlay,
}

/// Most searches the budget chart compares.
const MAX_COMPARED: usize = 4;

/// Trains trials of a search for the page's Web Workers (`www/search-worker.js`): built from the
/// same experiment as the page's search, it trains trial `index` afresh to `units` units and
/// returns the outcome for `Playground::report_search`.
#[wasm_bindgen]
pub struct TrialTrainer {
    search: Search,
}

#[wasm_bindgen]
impl TrialTrainer {
    /// A trainer of the search of `experiment_json` (an experiment with a search section).
    #[wasm_bindgen(constructor)]
    pub fn new(experiment_json: &str) -> Result<TrialTrainer, JsError> {
        let experiment = Experiment::from_json(experiment_json).map_err(js_error)?;
        Ok(TrialTrainer { search: Search::new_remote(&experiment).map_err(js_error)? })
    }

    /// Trains trial `index` to `units` units: `{index, units, steps, final_objective,
    /// best_objective, error}`.
    pub fn train(&self, index: f64, units: f64) -> Result<JsValue, JsError> {
        to_js(&self.search.train_trial(index as u64, units as u64))
    }
}

#[wasm_bindgen]
impl Playground {
    /// Builds a playground from an experiment config (JSON text); the error lists every
    /// problem with its path, one per line.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Playground, JsError> {
        let session = Session::from_json(config_json).map_err(js_error)?;
        let view = session.experiment().view.or_else(|| session.problem().view_box());
        Ok(Playground {
            session,
            view,
            image: None,
            sweep: None,
            queue: StepQueue::default(),
            search: None,
            search_experiment: None,
            compared: Vec::new(),
            layouts: std::collections::BTreeMap::new(),
            overlay: Overlay::default(),
        })
    }

    /// Replaces the experiment; on error the current one is left untouched.
    pub fn set_config(&mut self, config_json: &str) -> Result<(), JsError> {
        let session = Session::from_json(config_json).map_err(js_error)?;
        if let Some(view) = session.experiment().view {
            self.view = Some(view);
        } else if session.experiment().problem != self.session.experiment().problem {
            self.view = session.problem().view_box();
        }
        self.session = session;
        self.sweep = None;
        self.search = None;
        self.search_experiment = None;
        self.compared.clear();
        self.queue.clear();
        Ok(())
    }

    /// The current experiment config as JSON.
    pub fn config_json(&self) -> String {
        self.session.experiment().to_json()
    }

    /// Advances every run by up to `n` steps; returns the steps taken by all runs together.
    pub fn step(&mut self, n: u32) -> u32 {
        u32::try_from(self.session.step(u64::from(n))).unwrap_or(u32::MAX)
    }

    /// Every run back to its start (steps still queued are dropped).
    pub fn reset(&mut self) {
        self.session.reset();
        self.queue.clear();
    }

    /// Queues `n` more steps for every run (NaN and negative counts queue nothing; counts
    /// beyond 2^64 saturate); `work` takes them.
    pub fn queue_steps(&mut self, n: f64) {
        self.queue.push(self.session.runs().len(), whole_step(n));
    }

    /// Takes queued steps until none is left or `budget_ms` has passed; returns the steps
    /// taken by all runs together. One step's work is bounded by validation, so a call
    /// overruns its budget by at most one step of one run.
    pub fn work(&mut self, budget_ms: f64) -> f64 {
        self.session.work(&mut self.queue, budget_ms, &now_ms) as f64
    }

    /// True while queued steps are left.
    pub fn pending(&self) -> bool {
        self.queue.is_pending()
    }

    /// Drops the queued steps.
    pub fn cancel_steps(&mut self) {
        self.queue.clear();
    }

    /// Panics, to test the page's recovery from a trap (only in builds with the `test-hooks`
    /// feature).
    #[cfg(feature = "test-hooks")]
    pub fn test_panic(&mut self) {
        panic!("test_panic: a deliberate panic from a test build, at step {}", self.max_step());
    }

    /// True while any run may take more steps.
    pub fn any_running(&self) -> bool {
        self.session.any_running()
    }

    /// The snapshot as a JS object (the same JSON as `converge run` prints).
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.snapshot())
    }

    /// One report per run: label, color, state, status line in words, end-point kind.
    pub fn report(&self) -> Result<JsValue, JsError> {
        let reports: Vec<serde_json::Value> = self
            .session
            .runs()
            .iter()
            .zip(&self.session.experiment().runs)
            .enumerate()
            .map(|(i, (run, config))| {
                let report = describe(run, self.session.problem());
                let mut value = crate::json::to_value(&report);
                if let Some(map) = value.as_object_mut() {
                    map.insert("color".into(), run_color(config.color.as_deref(), i).into());
                    map.insert("step".into(), run.step().into());
                }
                value
            })
            .collect();
        to_js(&reports)
    }

    /// The landscape view box as `[x0, x1, y0, y1]` (empty for models).
    pub fn view(&self) -> Vec<f64> {
        self.view.map(|v| vec![v.x[0], v.x[1], v.y[0], v.y[1]]).unwrap_or_default()
    }

    /// Sets the landscape view box.
    pub fn set_view(&mut self, x0: f64, x1: f64, y0: f64, y1: f64) -> Result<(), JsError> {
        let view = ViewBox { x: [x0, x1], y: [y0, y1] };
        let mut v = Validator::new();
        view.validate("view", &mut v);
        v.finish().map_err(|e| js_error(e.to_string()))?;
        self.view = Some(view);
        self.session.set_view(self.view);
        Ok(())
    }

    /// Parameters under a canvas pixel of the landscape (for click-to-set-start).
    pub fn canvas_to_params(&self, width: f64, height: f64, px: f64, py: f64) -> Vec<f64> {
        match self.view {
            Some(view) if width > 0.0 && height > 0.0 => {
                let (x, y) = ViewMapping { view, width, height }.to_params(px, py);
                vec![x, y]
            }
            _ => Vec::new(),
        }
    }

    /// The canvas pixel `[px, py]` of a point of the landscape on a canvas of `width` x
    /// `height` (empty for models).
    pub fn params_to_canvas(&self, width: f64, height: f64, x: f64, y: f64) -> Vec<f64> {
        match self.view {
            Some(view) if width > 0.0 && height > 0.0 => {
                let (px, py) = ViewMapping { view, width, height }.to_pixel((x, y));
                vec![px, py]
            }
            _ => Vec::new(),
        }
    }

    /// The run whose drawn path passes within `reach` pixels of canvas pixel (px, py) on a
    /// landscape of `width` x `height` (the nearest), or -1.
    pub fn run_at(&self, width: f64, height: f64, px: f64, py: f64, reach: f64) -> i32 {
        match self.view {
            Some(view) if width > 0.0 && height > 0.0 => {
                let map = ViewMapping { view, width, height };
                near_run(&map, &figures::path_series(&self.session), (px, py), reach)
                    .map_or(-1, |i| i32::try_from(i).unwrap_or(-1))
            }
            _ => -1,
        }
    }

    /// The canvas pixel `[px, py]` of run `run`'s marker at step `step` (as the timeline draws
    /// it, from the recorded history) on a landscape of `width` x `height`; empty for models or
    /// a run that does not exist.
    pub fn marker_at(&self, width: f64, height: f64, run: u32, step: f64) -> Vec<f64> {
        let paths = figures::path_series_at(&self.session, Some(whole_step(step)));
        match (self.view, paths.get(run as usize)) {
            (Some(view), Some(path)) if width > 0.0 && height > 0.0 => {
                let (px, py) = ViewMapping { view, width, height }.to_pixel(path.current);
                vec![px, py]
            }
            _ => Vec::new(),
        }
    }

    /// The timeline's marks: `[{run, step, kind, title}]` where each criterion fired and where
    /// each run converged, diverged or stopped.
    pub fn timeline_marks(&self) -> Result<JsValue, JsError> {
        to_js(&crate::run::timeline::marks(self.session.runs()))
    }

    /// f at a point (for hover read-outs).
    pub fn loss_at(&self, params: Vec<f64>) -> f64 {
        if params.len() == self.session.problem().dim() {
            self.session.problem().loss(&params)
        } else {
            f64::NAN
        }
    }

    /// Draws the landscape (cached heatmap with contours, at the canvas's full resolution) and
    /// every run's path onto the canvas; run `front` (if any) is drawn on top, and with
    /// `dim_others` the others are dimmed. With `view_step` (the timeline scrubbed) each path
    /// is drawn from the recorded history up to that step, its marker where the run was then.
    pub fn draw_landscape(
        &mut self,
        canvas: HtmlCanvasElement,
        front: Option<u32>,
        dim_others: Option<bool>,
        view_step: Option<f64>,
    ) -> Result<(), JsError> {
        let Some(view) = self.view else {
            return Err(js_error("this problem has no 2-D landscape"));
        };
        let (width, height) = (canvas.width(), canvas.height());
        let problem = self.session.experiment().to_value()["problem"].to_string();
        let key = format!("{problem}|{},{},{},{}|{width}x{height}", view.x[0], view.x[1], view.y[0], view.y[1]);
        if self.image.as_ref().is_none_or(|image| image.key != key) {
            let (rgba, undefined) = sharp_landscape(self.session.problem(), view, &canvas);
            self.image = Some(LandscapeImage { key, width, height, rgba, undefined });
        }
        if let Some(image) = &self.image {
            let rgba = self.overlay.image(&image.key, &image.rgba, image.width as usize, image.height as usize, view);
            put_rgba(&canvas, rgba, image.width, image.height)?;
        }
        let paths = figures::path_series_at(&self.session, view_step.map(whole_step));
        let root = canvas_area(canvas)?;
        let highlight = front.map(|run| Highlight { run: run as usize, dim_others: dim_others.unwrap_or(false) });
        draw_paths(&root, view, &paths, &self.session.problem().known_minima(), highlight).map_err(js_error)?;
        draw_critical_points(&root, view, self.overlay.critical()).map_err(js_error)
    }

    /// Whether the landscape as last drawn has points where f has no value (painted grey), for
    /// the legend's key; false before it was drawn.
    pub fn landscape_has_undefined(&self) -> bool {
        self.image.as_ref().is_some_and(|image| image.undefined)
    }

    /// Draws a basins grid over the landscape (`analysis::basins`' result: `side` x `side`
    /// outcome indices over `view` [x0, x1, y0, y1], row-major from the top, 65535 for a cell not
    /// reached yet); an empty grid removes it. Drawn from the next `draw_landscape`.
    pub fn show_basins(&mut self, side: u32, view: Vec<f64>, grid: Vec<u16>) {
        let picture = match view.as_slice() {
            &[x0, x1, y0, y1] if !grid.is_empty() => {
                Some(BasinPicture { side: side as usize, view: ViewBox { x: [x0, x1], y: [y0, y1] }, grid })
            }
            _ => None,
        };
        self.overlay.set_basins(picture);
    }

    /// Marks critical points over the landscape: three numbers per point, x, y and its kind (0
    /// minimum, 1 maximum, 2 saddle, 3 degenerate); empty removes them.
    pub fn show_critical_points(&mut self, points: Vec<f64>) {
        let points = points.chunks_exact(3).map(|p| ([p[0], p[1]], kind_of_code(p[2]))).collect();
        self.overlay.set_critical(points);
    }

    /// Draws a curve chart: `kind` is `loss`, `lr`, `grad_norm`, `delta_norm`, `train_val` or
    /// `accuracy`; options JSON `{"log_x": bool, "log_y": bool, "smoothing": 0..1, "front":
    /// run, "dim_others": bool}`. The card around the canvas carries the title.
    pub fn draw_chart(&mut self, canvas: HtmlCanvasElement, kind: &str, options_json: &str) -> Result<(), JsError> {
        let options = chart_options(options_json)?;
        let (series, mut curve_options) = figures::curve_series(
            &self.session,
            kind,
            options.log_x,
            options.log_y.unwrap_or(false),
            options.smoothing,
        )
        .map_err(js_error)?;
        curve_options.title.clear();
        curve_options.highlight = options.highlight();
        curve_options.no_legend = options.no_legend;
        curve_options.cursor = options.view_step;
        self.draw_curves_on(canvas, kind, &series, &curve_options)
    }

    /// Where chart `kind` put its parts when last drawn, in CSS pixels, as JSON: `{plot: [left,
    /// top, right, bottom], legend, legend_outside, title, x_range, x_pixels, log_x,
    /// x_from_one, steps_per_x, legend_hits}`; `null` before it was drawn.
    pub fn chart_layout(&self, kind: &str) -> String {
        self.layouts.get(kind).map_or_else(|| "null".into(), crate::json::to_string)
    }

    /// The step under CSS pixel x `px` of chart `kind` as last drawn (NaN outside its plot or
    /// before it was drawn): what the page's hover asks for.
    pub fn chart_step_at(&self, kind: &str, px: f64) -> f64 {
        self.layouts.get(kind).and_then(|layout| layout.step_at(px)).unwrap_or(f64::NAN)
    }

    /// The CSS pixel x of `step` in chart `kind` as last drawn (NaN before it was drawn).
    pub fn chart_pixel_of_step(&self, kind: &str, step: f64) -> f64 {
        self.layouts.get(kind).and_then(|layout| layout.pixel_of_step(step)).unwrap_or(f64::NAN)
    }

    /// The recorded point of each run nearest to `step`: `[{label, step, loss, lr, grad_norm, delta_norm, params}]`.
    pub fn hover(&self, step: f64) -> Result<JsValue, JsError> {
        let rows: Vec<serde_json::Value> = self
            .session
            .runs()
            .iter()
            .filter_map(|run| {
                let nearest = run
                    .history()
                    .points()
                    .min_by(|a, b| (a.step as f64 - step).abs().total_cmp(&(b.step as f64 - step).abs()))?;
                Some(serde_json::json!({
                    "label": run.label(),
                    "step": nearest.step,
                    "loss": crate::run::snapshot::Num(nearest.loss),
                    "lr": crate::run::snapshot::Num(nearest.lr),
                    "grad_norm": crate::run::snapshot::Num(nearest.grad_norm),
                    "delta_norm": crate::run::snapshot::Num(nearest.delta_norm),
                    "params": crate::run::snapshot::nums(&nearest.xy),
                }))
            })
            .collect();
        to_js(&rows)
    }

    /// "landscape" for 2-D functions, "classification" or "regression" for models trained on
    /// data, "model" for the reference linreg/logreg problems.
    pub fn problem_kind(&self) -> String {
        match self.session.problem() {
            Problem::Landscape(_) | Problem::Custom(_) => "landscape",
            Problem::Model(m) if m.task() == Task::Classification => "classification",
            Problem::Model(_) => "regression",
            Problem::Linreg(_) | Problem::Logreg(_) => "model",
        }
        .into()
    }

    /// Draws what run `run` has learned: the decision boundary with the data (classification)
    /// or the fitted curve over the data (regression). With `view_step` (the timeline scrubbed)
    /// it draws the weights recorded at that step or the nearest before it, and returns the
    /// caption that says which ("" when live).
    pub fn draw_model(&self, canvas: HtmlCanvasElement, run: usize, view_step: Option<f64>) -> Result<String, JsError> {
        let Problem::Model(problem) = self.session.problem() else {
            return Err(js_error("this problem is not a model trained on data"));
        };
        let Some(r) = self.session.runs().get(run) else {
            return Err(js_error(format!("run: index {run} out of range")));
        };
        let (weights, caption) = weights_shown(r, view_step);
        let view = data_view(problem);
        if problem.task() == Task::Classification {
            let (width, height) = (canvas.width(), canvas.height());
            let size = (width as usize, height as usize);
            let rgba = boundary_rgba(problem, weights, view, size, canvas_scale(&canvas));
            put_rgba(&canvas, &rgba, width, height)?;
            return Ok(caption);
        }
        // Only the fitted curve takes the run's colour: a classifier's frame does not pay for it.
        let color = figures::colors(&self.session).get(run).copied().unwrap_or((0, 0, 0));
        let mut raster = raster_points(&canvas)?;
        draw_model(&canvas_area(canvas)?, problem, weights, view, color, PointDrawing::Raster(&mut raster))
            .map_err(js_error)?;
        Ok(caption)
    }

    /// Draws the real model's loss plane of run `run` (`converge analyse`'s `loss_plane`): the
    /// `side` x `side` losses `values` (row-major from the top row; NaN where the JSON has null)
    /// over [-span, span]^2 as a heatmap, and the projected path `path` ([alpha, beta, ...],
    /// oldest first) in the run's style.
    pub fn draw_loss_plane(
        &self,
        canvas: HtmlCanvasElement,
        side: usize,
        values: Vec<f64>,
        span: f64,
        path: Vec<f64>,
        run: usize,
    ) -> Result<(), JsError> {
        let rgba = sharp_image(&canvas, |w, h| plane_rgba(&values, side, w, h, LINE_CSS_PX));
        put_rgba(&canvas, &rgba, canvas.width(), canvas.height())?;
        let points: Vec<(f64, f64)> = path.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        let style = figures::styles(&self.session).get(run).copied().unwrap_or_else(|| run_style(None, run));
        draw_plane_path(&canvas_area(canvas)?, span, &points, style).map_err(js_error)
    }

    /// Each run as it stood at step `step`, from the recorded history or, at its end, live
    /// (`run::timeline::states_at`; the status lines while the timeline is scrubbed): one line
    /// in words per run.
    pub fn states_at(&self, step: f64) -> Result<JsValue, JsError> {
        let texts: Vec<String> =
            crate::run::timeline::states_at(self.session.runs(), self.session.problem(), whole_step(step))
                .into_iter()
                .map(|s| s.text)
                .collect();
        to_js(&texts)
    }

    /// Draws the network of run `run` (an MLP classifier on 2-D data, `chart::network`) at the
    /// canvas's size, with the weights the model view shows (`view_step` as in `draw_model`);
    /// returns a note for the caption ("" when every unit and weight is drawn). Throws for any
    /// other problem, whose page hides the card.
    pub fn draw_network(
        &self,
        canvas: HtmlCanvasElement,
        run: usize,
        view_step: Option<f64>,
    ) -> Result<String, JsError> {
        let Problem::Model(problem) = self.session.problem() else {
            return Err(js_error("this problem is not a model trained on data"));
        };
        if !network::has_network(problem) {
            return Err(js_error("only an MLP classifier on 2-D data is drawn as a network"));
        }
        let Some(r) = self.session.runs().get(run) else {
            return Err(js_error(format!("run: index {run} out of range")));
        };
        let (weights, _) = weights_shown(r, view_step);
        let widths = problem.model.layer_sizes();
        let scale = canvas_scale(&canvas);
        let (width, height) = (canvas.width(), canvas.height());
        let geometry = network::geometry(&widths, f64::from(width) / scale, f64::from(height) / scale);
        let heat = network::unit_heatmaps(problem, weights, data_view(problem));
        let rgba = network::network_rgba(&geometry, &heat, scale, width as usize, height as usize);
        put_rgba(&canvas, &rgba, width, height)?;
        network::draw_network(&canvas_area(canvas)?, problem, weights, &geometry).map_err(js_error)?;
        Ok(network::note(problem).into())
    }

    /// Starts a complexity sweep: `parameter` is "degree" or "hidden_units", `values` the
    /// complexities to train, `run` the run whose optimizer and stop rule are used.
    pub fn start_sweep(&mut self, parameter: &str, values: Vec<f64>, run: usize) -> Result<(), JsError> {
        let parameter = match parameter {
            "degree" => SweepParameter::Degree,
            "hidden_units" => SweepParameter::HiddenUnits,
            other => return Err(js_error(format!("sweep.parameter: unknown \"{other}\"; use degree or hidden_units"))),
        };
        let values = whole_values(&values).map_err(js_error)?;
        self.sweep = Some(Sweep::new(self.session.experiment(), parameter, &values, run).map_err(js_error)?);
        Ok(())
    }

    /// Trains the sweep for at most `budget` steps; returns true when it is done.
    pub fn advance_sweep(&mut self, budget: u32) -> bool {
        self.sweep.as_mut().is_none_or(|s| s.advance(u64::from(budget)))
    }

    /// The sweep's finished points: `[{value, train_loss, validation_loss, steps}]`.
    pub fn sweep(&self) -> Result<JsValue, JsError> {
        match &self.sweep {
            Some(sweep) => to_js(sweep.results()),
            None => Ok(js_sys::Array::new().into()),
        }
    }

    /// Starts a hyperparameter search of this experiment with the search section
    /// `search_json` (`{"method": ..., "space": [...], ...}`); the error lists every problem
    /// with its path (`search.space[0].low: ...`). With `remote`, the trials train elsewhere
    /// (`search_jobs`, `TrialTrainer`, `report_search`); else `advance_search` trains them here.
    /// With `keep`, the section becomes part of the experiment (its config and link).
    pub fn start_search(&mut self, search_json: &str, remote: bool, keep: bool) -> Result<(), JsError> {
        let section = crate::config::reader::parse_json(search_json).map_err(js_error)?;
        let mut value = self.session.experiment().to_value();
        if let Some(map) = value.as_object_mut() {
            map.insert("search".into(), section);
        }
        let experiment = Experiment::from_value(value).map_err(js_error)?;
        let search = if remote { Search::new_remote(&experiment) } else { Search::new(&experiment) };
        self.search = Some(search.map_err(js_error)?);
        if keep {
            self.session.set_search(experiment.search.clone());
        }
        self.search_experiment = Some(experiment);
        Ok(())
    }

    /// The experiment the search runs (with its search section) as JSON, for the Web Workers'
    /// `TrialTrainer`s; "" before a search starts.
    pub fn search_experiment_json(&self) -> String {
        self.search_experiment.as_ref().map_or_else(String::new, Experiment::to_json)
    }

    /// The trials the search waits for, `[[index, units], ...]` (empty when it is done).
    pub fn search_jobs(&mut self) -> Result<JsValue, JsError> {
        let jobs = self.search.as_mut().map_or_else(Vec::new, Search::jobs);
        to_js(&jobs)
    }

    /// Hands back a trial's outcome (as `TrialTrainer::train` returned it).
    pub fn report_search(&mut self, outcome: JsValue) -> Result<(), JsError> {
        let outcome: Outcome = serde_wasm_bindgen::from_value(outcome).map_err(js_error)?;
        if let Some(search) = self.search.as_mut() {
            search.report(outcome);
        }
        Ok(())
    }

    /// Trains the search here for at most `budget` steps; returns true when it is done (or
    /// when none was started).
    pub fn advance_search(&mut self, budget: u32) -> bool {
        self.search.as_mut().is_none_or(|s| s.advance(u64::from(budget)))
    }

    /// The search's results as JSON, exactly what `converge search` prints: every trial
    /// `{index, configuration, resource, units, steps, objective, bracket, round}`, the best
    /// one, the best experiment, the budget and PBT's records; `null` before a search starts.
    pub fn search_results(&self) -> Result<JsValue, JsError> {
        match &self.search {
            Some(search) => to_js(&search.results()),
            None => Ok(JsValue::NULL),
        }
    }

    /// Keeps the current search's results under `label` for the budget chart (so that methods
    /// given the same budget can be compared); at most `MAX_COMPARED` are kept.
    pub fn keep_search(&mut self, label: &str) {
        if let Some(search) = &self.search {
            if self.compared.len() >= MAX_COMPARED {
                self.compared.remove(0);
            }
            self.compared.push((label.to_string(), search.results()));
        }
    }

    /// Forgets the kept searches.
    pub fn clear_kept_searches(&mut self) {
        self.compared.clear();
    }

    /// Draws a search chart: `trials` (every trial's objective at each rung), `budget` (best
    /// so far against resource spent, for the kept searches and the current one) or `pbt_lr`.
    pub fn draw_search(&mut self, canvas: HtmlCanvasElement, chart: &str, log_y: bool) -> Result<(), JsError> {
        let current = self.search.as_ref().map(Search::results);
        let (series, options) = match (chart, &current) {
            ("trials", Some(results)) => search_chart::trial_series(results, log_y),
            ("pbt_lr", Some(results)) => {
                search_chart::pbt_lr_series(results).ok_or_else(|| js_error("this search is not PBT"))?
            }
            ("budget", _) => {
                let mut runs: Vec<(String, &crate::search::SearchResults)> =
                    self.compared.iter().map(|(label, r)| (label.clone(), r)).collect();
                if let Some(results) = &current {
                    if !self.compared.last().is_some_and(|(_, kept)| kept == results) {
                        runs.push(("current".into(), results));
                    }
                }
                search_chart::budget_series(&runs, log_y)
            }
            (other, _) => return Err(js_error(format!("search chart: unknown \"{other}\" or no search started"))),
        };
        // The search card has no title per chart: the chart carries its own.
        self.draw_curves_on(canvas, &format!("search:{chart}"), &series, &options)
    }

    /// Draws a PBT search's population over the landscape (2-D problems): the heatmap of the
    /// current view, each member's path and its jumps.
    pub fn draw_search_population(&mut self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        let Some(view) = self.view else {
            return Err(js_error("this problem has no 2-D landscape"));
        };
        let Some(results) = self.search.as_ref().map(Search::results) else {
            return Err(js_error("no search has been started"));
        };
        let (rgba, _) = sharp_landscape(self.session.problem(), view, &canvas);
        put_rgba(&canvas, &rgba, canvas.width(), canvas.height())?;
        let root = canvas_area(canvas)?;
        search_chart::draw_population(&root, view, &results).map_err(js_error)
    }

    /// Draws the sweep's U-curve.
    pub fn draw_sweep(&mut self, canvas: HtmlCanvasElement, log_y: bool) -> Result<(), JsError> {
        let Some(sweep) = &self.sweep else {
            return Err(js_error("no sweep has been started"));
        };
        let (series, mut options) = figures::sweep_series(sweep, log_y);
        options.title.clear();
        self.draw_curves_on(canvas, "sweep", &series, &options)
    }

    /// Draws an analysis's chart from a JSON spec (`chart::series`: series, bands, labelled
    /// vertical lines, a shaded range, log axes) and keeps its layout under `key` (read back by
    /// `chart_layout(key)`).
    pub fn draw_series_chart(&mut self, canvas: HtmlCanvasElement, key: &str, spec_json: &str) -> Result<(), JsError> {
        // The config reader's parser: a second instance of serde_json's would cost the wasm ~5 KB.
        let spec = crate::config::reader::parse_json(spec_json).map_err(js_error)?;
        let (series, options) = crate::chart::series::from_spec(&spec);
        self.draw_curves_on(canvas, key, &series, &options)
    }

    /// Draws curves onto a canvas and keeps their layout under `key`.
    fn draw_curves_on(
        &mut self,
        canvas: HtmlCanvasElement,
        key: &str,
        series: &[CurveSeries],
        options: &CurveOptions,
    ) -> Result<(), JsError> {
        let root = canvas_area(canvas)?;
        let layout = draw_curves(&root, series, options).map_err(js_error)?;
        self.layouts.insert(key.to_string(), layout);
        Ok(())
    }

    /// The figures this experiment exports, in the page's order: `landscape` or `model` (if the
    /// problem has a view), then every chart kind.
    pub fn figure_names(&self) -> Result<JsValue, JsError> {
        to_js(&figures::figure_names(&self.session))
    }

    /// Figure `name` as SVG text of `width` x `height` CSS pixels, titled, drawn by the same code
    /// as the canvas (and as `converge plot`, which writes the same text for the same size and
    /// options); options JSON `{"log_x", "log_y", "smoothing", "view_step", "run"}` ("" or a
    /// missing key: the defaults `converge plot` uses). The landscape is drawn in the page's
    /// current view.
    pub fn figure_svg(&self, name: &str, width: u32, height: u32, options_json: &str) -> Result<String, JsError> {
        // The page's chart options, read as its canvas charts read them (no second reader in
        // the wasm).
        let chart = chart_options(options_json)?;
        let options = figures::FigureOptions {
            log_x: chart.log_x,
            log_y: chart.log_y,
            smoothing: chart.smoothing,
            view_step: chart.view_step,
            run: chart.run,
            view: self.view,
        };
        let mut text = String::new();
        {
            let size = (width.clamp(16, 4096), height.clamp(16, 4096));
            let root = AnyBackend::Svg(text_svg(&mut text, size)).into_drawing_area();
            figures::draw_figure(&root, &self.session, name, &options).map_err(js_error)?;
        }
        Ok(crate::chart::svg::with_round_joins(text))
    }

    /// The largest step recorded by any run (for the hover mapping of curve charts).
    pub fn max_step(&self) -> f64 {
        self.session.runs().iter().map(|r| r.step()).max().unwrap_or(0) as f64
    }
}

/// The weights of run `r` to draw and the caption that says which: the current ones while live
/// (no caption), else those of the timeline's step or the nearest recorded before it.
fn weights_shown(r: &crate::run::Run, view_step: Option<f64>) -> (&[f64], String) {
    let Some(asked) = view_step.map(whole_step) else {
        return (r.params(), String::new());
    };
    match r.weights_at(asked) {
        Some((at, weights)) => (weights, crate::run::weights::caption(asked, Some(at))),
        None => (r.params(), crate::run::weights::caption(asked, None)),
    }
}

/// The canvas's 2-D context.
fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .map_err(|_| js_error("canvas: no 2d context"))?
        .ok_or_else(|| js_error("canvas: no 2d context"))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| js_error("canvas: no 2d context"))
}

/// Text measured by the canvas's own `measureText`, and charts laid out in CSS pixels.
///
/// plotters measures text through its web font module, which writes `style` attributes on DOM
/// spans (refused under a strict CSP, `style-src-attr`) and panics in a document without a
/// `<body>`. Every drawing call goes to `CanvasBackend`; only the text's size and the layout
/// size are answered here (`Measured`, `src/chart/measured.rs`), and the charts draw their
/// legends with it (`src/chart/legend.rs`), so no chart reaches the DOM.
struct CanvasText {
    context: CanvasRenderingContext2d,
    /// Canvas pixels per CSS pixel: the chart is laid out in CSS pixels and drawn through a
    /// context transform, so that it is sharp on screens of any pixel ratio.
    scale: f64,
}

/// plotters' canvas backend with text measured by the canvas.
type MeasuredCanvas = Measured<CanvasBackend, CanvasText>;

/// A text measurement failure, as plotters' font error.
#[derive(Debug)]
struct MeasureFailed;

impl std::fmt::Display for MeasureFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "canvas: measureText failed")
    }
}

impl std::error::Error for MeasureFailed {}

/// The canvas's backend, scaled so that the charts are laid out in CSS pixels.
fn measured_canvas(canvas: HtmlCanvasElement) -> Result<MeasuredCanvas, JsError> {
    let context = context_2d(&canvas)?;
    let scale = canvas_scale(&canvas);
    context.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0).map_err(|_| js_error("canvas: cannot scale"))?;
    // Round joins: the canvas's default mitre joins draw the wide pale halo under a path (and a
    // curve's casing) as spikes past its sharp turns, as if the path went farther than it did.
    context.set_line_join("round");
    let inner = CanvasBackend::with_canvas_object(canvas).ok_or_else(|| js_error("canvas: no backend"))?;
    Ok(Measured::new(inner, CanvasText { context, scale }))
}

impl TextMeasure for CanvasText {
    /// The width from `measureText` in the font `draw_text` sets; the height is the font size
    /// (what plotters' own layout uses for one line).
    fn text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), MeasureError> {
        self.context.set_font(&format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str()));
        let metrics = self.context.measure_text(text).map_err(|_| Box::new(MeasureFailed))?;
        let width = metrics.width().max(0.0).ceil() as u32;
        let height = style.size().max(0.0).ceil() as u32;
        Ok((width, height))
    }

    /// The size in CSS pixels (the canvas's size over the scale).
    fn layout_size(&self, (w, h): (u32, u32)) -> (u32, u32) {
        ((f64::from(w) / self.scale).round() as u32, (f64::from(h) / self.scale).round() as u32)
    }
}

/// Canvas pixels per CSS pixel of a canvas: its width over its laid-out CSS width (1 for a
/// canvas not laid out, or sized 1:1), rounded to 1/100.
fn canvas_scale(canvas: &HtmlCanvasElement) -> f64 {
    let css = f64::from(canvas.client_width());
    if css <= 0.0 {
        return 1.0;
    }
    let scale = (f64::from(canvas.width()) / css * 100.0).round() / 100.0;
    if scale.is_finite() && scale >= 0.25 {
        scale
    } else {
        1.0
    }
}

/// Every drawing of the page goes through this one backend type, a canvas or an SVG string, so
/// that the chart code (generic over the backend) is compiled into the wasm once, not once per
/// backend: the SVG export costs plotters' SVG writer and this dispatch, not a second copy of
/// every chart.
enum AnyBackend<'a> {
    Canvas(MeasuredCanvas),
    Svg(TextSvg<'a>),
}

/// A drawing error of either backend, as text.
#[derive(Debug)]
struct AnyError(String);

impl std::fmt::Display for AnyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AnyError {}

type AnyResult<T> = Result<T, DrawingErrorKind<AnyError>>;

/// A backend's drawing error as `AnyError` (font errors are kept as they are).
fn any_error<E: std::error::Error + Send + Sync>(e: DrawingErrorKind<E>) -> DrawingErrorKind<AnyError> {
    match e {
        DrawingErrorKind::DrawingError(inner) => DrawingErrorKind::DrawingError(AnyError(inner.to_string())),
        DrawingErrorKind::FontError(font) => DrawingErrorKind::FontError(font),
    }
}

/// Calls the same method on whichever backend it is.
macro_rules! dispatch {
    ($self:ident, $backend:ident => $call:expr) => {
        match $self {
            AnyBackend::Canvas($backend) => $call.map_err(any_error),
            AnyBackend::Svg($backend) => $call.map_err(any_error),
        }
    };
}

impl DrawingBackend for AnyBackend<'_> {
    type ErrorType = AnyError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            AnyBackend::Canvas(b) => b.get_size(),
            AnyBackend::Svg(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> AnyResult<()> {
        dispatch!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> AnyResult<()> {
        dispatch!(self, b => b.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: plotters_backend::BackendColor) -> AnyResult<()> {
        dispatch!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> AnyResult<()> {
        dispatch!(self, b => b.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> AnyResult<()> {
        dispatch!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> AnyResult<()> {
        dispatch!(self, b => b.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> AnyResult<()> {
        dispatch!(self, b => b.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> AnyResult<()> {
        dispatch!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> AnyResult<()> {
        dispatch!(self, b => b.draw_text(text, style, pos))
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> AnyResult<(u32, u32)> {
        dispatch!(self, b => b.estimate_text_size(text, style))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> AnyResult<()> {
        dispatch!(self, b => b.blit_bitmap(pos, size, src))
    }
}

/// The page's drawing area on a canvas (through `AnyBackend`).
fn canvas_area(canvas: HtmlCanvasElement) -> Result<DrawingArea<AnyBackend<'static>, plotters::coord::Shift>, JsError> {
    Ok(AnyBackend::Canvas(measured_canvas(canvas)?).into_drawing_area())
}

/// The landscape image for the whole canvas: computed at the canvas's CSS resolution (its cost
/// grows with the area) and stretched to its device pixels, where lines, markers and text are
/// drawn at full resolution.
fn sharp_landscape(problem: &Problem, view: ViewBox, canvas: &HtmlCanvasElement) -> (Vec<u8>, bool) {
    let undefined = std::cell::Cell::new(false);
    let rgba = sharp_image(canvas, |w, h| {
        let (rgba, has_undefined) = landscape_image(problem, view, w, h, LINE_CSS_PX);
        undefined.set(has_undefined);
        rgba
    });
    (rgba, undefined.get())
}

/// An image for the whole canvas made by `image(width, height)` at the canvas's CSS resolution
/// and stretched to its device pixels.
fn sharp_image(canvas: &HtmlCanvasElement, image: impl Fn(usize, usize) -> Vec<u8>) -> Vec<u8> {
    let scale = canvas_scale(canvas);
    let (width, height) = (canvas.width() as usize, canvas.height() as usize);
    let shrink = |v: usize| ((v as f64 / scale).round() as usize).clamp(1, v.max(1));
    let (css_w, css_h) = (shrink(width), shrink(height));
    stretch_rgba(&image(css_w, css_h), css_w, css_h, width, height)
}

/// Draws a plot's data points into the canvas as one image (`model_view::disc`, at the canvas's
/// scale): its pixels read back once, the points written in, and put back. The points come in
/// the plot's CSS pixels (`measured_canvas` scales the context); the image is in device pixels.
fn raster_points(canvas: &HtmlCanvasElement) -> Result<impl FnMut(&[PlotPoint]) -> Result<(), String>, JsError> {
    let context = context_2d(canvas)?;
    let (width, height) = (canvas.width(), canvas.height());
    let scale = canvas_scale(canvas);
    Ok(move |points: &[PlotPoint]| {
        let image = context
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .map_err(|_| "canvas: cannot read the image".to_string())?;
        let mut rgba = image.data().0;
        for point in points {
            let at = (point.at.0 * scale, point.at.1 * scale);
            disc(&mut rgba, (width as usize, height as usize), scale, at, point.filled, point.color);
        }
        put_image(&context, &rgba, width, height).map_err(str::to_string)
    })
}

/// Puts an RGBA image at the top-left corner of a canvas.
fn put_rgba(canvas: &HtmlCanvasElement, rgba: &[u8], width: u32, height: u32) -> Result<(), JsError> {
    put_image(&context_2d(canvas)?, rgba, width, height).map_err(js_error)
}

/// Puts an RGBA image at the top-left corner of a canvas's 2-D context.
fn put_image(context: &CanvasRenderingContext2d, rgba: &[u8], width: u32, height: u32) -> Result<(), &'static str> {
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(|_| "canvas: cannot build the image")?;
    context.put_image_data(&data, 0.0, 0.0).map_err(|_| "canvas: cannot put the image")
}

/// The colours of basin outcomes 0 to `count` - 1 (`chart::analysis_overlay::basin_color`), as
/// `#rrggbb`, for the page's legend.
#[wasm_bindgen]
pub fn basin_colors(count: u32) -> Vec<String> {
    (0..count as usize)
        .map(|i| {
            let (r, g, b) = basin_color(i);
            css_hex([r, g, b])
        })
        .collect()
}

/// The colour the landscape paints where f has no value (`chart::heatmap::UNDEFINED_RGB`), as
/// `#rrggbb`, for the page's legend.
#[wasm_bindgen]
pub fn undefined_color() -> String {
    css_hex(UNDEFINED_RGB)
}

/// A colour as CSS `#rrggbb`.
fn css_hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The start of cell `k` of a `side` x `side` basins grid over [x0, x1, y0, y1]
/// (`analysis::basins::cell_start`): where a click on that cell starts a run.
#[wasm_bindgen]
pub fn basin_cell_start(side: u32, view: Vec<f64>, k: u32) -> Vec<f64> {
    match view.as_slice() {
        &[x0, x1, y0, y1] => {
            crate::analysis::basins::cell_start(&ViewBox { x: [x0, x1], y: [y0, y1] }, side as usize, k as usize)
                .to_vec()
        }
        _ => Vec::new(),
    }
}

/// Encodes a config (JSON text) as a URL hash (without '#'); throws on an invalid config.
#[wasm_bindgen]
pub fn encode_hash(config_json: &str) -> Result<String, JsError> {
    let experiment = Experiment::from_json(config_json).map_err(js_error)?;
    Ok(crate::config::urlstate::encode(&experiment))
}

/// Decodes a URL hash (or a whole link) into config JSON; throws with every problem found.
#[wasm_bindgen]
pub fn decode_hash(hash: &str) -> Result<String, JsError> {
    crate::config::urlstate::decode(hash).map(|e| e.to_json()).map_err(js_error)
}

/// The config with one setting changed (`value_json` at `path`, e.g. `runs[0].optimizer.lr`),
/// validated, as JSON; throws with every problem, each naming its path.
#[wasm_bindgen]
pub fn set_config_path(config_json: &str, path: &str, value_json: &str) -> Result<String, JsError> {
    crate::config::edit::set_path(config_json, path, value_json).map_err(js_error)
}

/// Checks a config; returns "" when valid, else every problem, one per line.
#[wasm_bindgen]
pub fn validate_config(config_json: &str) -> String {
    match Experiment::from_json(config_json) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// The shape of a CSV text as it is typed (`data::CsvShape`): [columns (0 when no line has 2 or
/// 3 fields), rows].
#[wasm_bindgen]
pub fn csv_shape(text: &str) -> Vec<u32> {
    let shape = crate::data::csv_shape(text);
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    vec![count(shape.columns.unwrap_or(0)), count(shape.rows)]
}

/// How the data of a model problem (`problem_json`, the problem section) splits: [points,
/// train, validation], empty for a landscape; throws with the problem's problems.
#[wasm_bindgen]
pub fn data_split(problem_json: &str) -> Result<Vec<u32>, JsError> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let split = crate::problem::data_split(problem_json).map_err(js_error)?;
    Ok(split.map_or_else(Vec::new, |s| vec![count(s.points), count(s.train), count(s.validation)]))
}

/// Runs the benchmark suite with `performance.now()` as the clock; returns
/// `{"benchmarks": [{"name", "steps_per_s"}]}`.
#[wasm_bindgen]
pub fn run_bench_suite() -> Result<JsValue, JsError> {
    let performance =
        web_sys::window().and_then(|w| w.performance()).ok_or_else(|| js_error("bench: no performance.now() here"))?;
    let clock = move || performance.now();
    to_js(&crate::bench::Results { benchmarks: crate::bench::run_suite(&clock) })
}
