//! The WebAssembly boundary of the analysis worker (`www/lab-worker.js`): the crate built with
//! the `lab` feature compiles this file as its `web` module in place of `src/web.rs`, so the
//! worker's wasm (`www/pkg-lab/`) holds the analyses and the PyTorch script writer but no
//! drawing, and the page's wasm holds no analysis. The page loads it only when a visitor opens
//! an analysis, so the analyses cost the first load nothing.
//!
//! It also does the page's exports that take long or weigh much: the per-step trace (a replay of
//! the experiment, which could block the page for seconds on a long model run) and the PyTorch
//! script (`converge pytorch`, about 15 KB of the page's wasm had it stayed there).
//!
//! Like `src/web.rs` it is thin: parse, call the core, convert. Results cross the boundary as
//! structured values (serde-wasm-bindgen), with the keys and values of `converge analyse`.

use wasm_bindgen::prelude::*;

use crate::analysis::basins::End;
use crate::analysis::doctor::{apply_as_new_run, Change};
use crate::analysis::job::{AnalysisJob, AnalysisKind};
use crate::analysis::section::AnalysisReport;
use crate::config::validate::Validator;
use crate::config::Experiment;
use crate::export::pytorch;
use crate::problem::ViewBox;
use crate::run::trace::{trace_until, TraceEnd, TraceFormat};

mod common;
use common::{js_error, to_js, whole_step};

/// One analysis of an experiment, advanced in chunks by the worker.
#[wasm_bindgen]
pub struct LabJob {
    job: AnalysisJob,
}

#[wasm_bindgen]
impl LabJob {
    /// Starts analysis `kind` (a key of the `analysis` section, e.g. "basins") of the experiment
    /// `config_json`, over the view box `view` ([x0, x1, y0, y1]) when given; the error names the
    /// field at fault.
    #[wasm_bindgen(constructor)]
    ///
    /// `cells` ([first, end]) restricts a basins job to those cells of its grid, so that several
    /// workers share one grid; their `ends()` concatenated in order go to `merge_basins`.
    pub fn new(
        config_json: &str,
        kind: &str,
        view: Option<Vec<f64>>,
        cells: Option<Vec<f64>>,
    ) -> Result<LabJob, JsError> {
        let experiment = Experiment::from_json(config_json).map_err(js_error)?;
        let kind = AnalysisKind::parse(kind).map_err(js_error)?;
        let view = match view.as_deref() {
            None => None,
            Some(&[x0, x1, y0, y1]) => {
                let view = ViewBox { x: [x0, x1], y: [y0, y1] };
                let mut v = Validator::new();
                view.validate("view", &mut v);
                v.finish().map_err(js_error)?;
                Some(view)
            }
            Some(_) => return Err(js_error("view: expected [x0, x1, y0, y1]")),
        };
        let mut job = AnalysisJob::new(&experiment, kind, view).map_err(js_error)?;
        if let Some(&[first, end]) = cells.as_deref() {
            // Cell indices from JavaScript: whole numbers within the grid (the cast saturates).
            job.restrict(first as usize, end as usize);
        }
        Ok(LabJob { job })
    }

    /// The cells of a basins job's whole grid (0 for another analysis).
    pub fn grid_cells(&self) -> f64 {
        self.job.basins().map_or(0.0, |b| {
            let side = b.result().side;
            (side * side) as f64
        })
    }

    /// A basins job's ends so far, three numbers per start ([code, x, y], `End::to_numbers`),
    /// and after them the updates taken.
    pub fn ends(&self) -> Vec<f64> {
        let Some(b) = self.job.basins() else { return Vec::new() };
        let mut out: Vec<f64> = b.ends().iter().flat_map(|e| e.to_numbers()).collect();
        out.push(b.steps() as f64);
        out
    }

    /// The whole grid's report from the ends of every range in order (each range's `ends()`
    /// without its last number, concatenated) and the updates they took in all: what one pass
    /// gives, as `converge analyse` prints it.
    pub fn merge_basins(&self, ends: Vec<f64>, steps: f64) -> Result<JsValue, JsError> {
        let Some(b) = self.job.basins() else { return Err(js_error("merge_basins: not a basins job")) };
        let parsed: Option<Vec<End>> = ends.chunks_exact(3).map(|e| End::from_numbers(e[0], e[1], e[2])).collect();
        let parsed = parsed.ok_or_else(|| js_error("merge_basins: an end has an unknown code"))?;
        let report = AnalysisReport { basins: Some(b.merge(&parsed, whole_step(steps))), ..AnalysisReport::default() };
        to_js(&report)
    }

    /// Takes about `budget` optimizer steps of work; true when the analysis is done.
    pub fn advance(&mut self, budget: f64) -> bool {
        // Less than one step (NaN included) counts as one.
        self.job.advance(whole_step(budget).max(1))
    }

    /// Stops the experiment's own runs (for the doctor, the rate readout or the theory) where the
    /// page's runs stand: run i after `steps[i]` updates (see `AnalysisJob::stop_at`).
    pub fn stop_at(&mut self, steps: Vec<f64>) {
        self.job.stop_at(steps.iter().map(|&s| whole_step(s)).collect());
    }

    /// The share of the work done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.job.progress()
    }

    /// The results so far, as `converge analyse` prints them for this analysis.
    pub fn result(&self) -> Result<JsValue, JsError> {
        to_js(self.job.report())
    }
}

/// The script that reproduces run `index` of the experiment `config_json` with PyTorch: the
/// text `converge pytorch CONFIG --run INDEX` prints. The error names what torch cannot
/// reproduce (an optimizer torch lacks, say).
#[wasm_bindgen]
pub fn pytorch_script(config_json: &str, index: u32) -> Result<String, JsError> {
    let experiment = Experiment::from_json(config_json).map_err(js_error)?;
    pytorch::script(&experiment, index as usize).map_err(js_error)
}

/// The per-step trace of the experiment `config_json` as `converge run --trace` writes it
/// (`format` "csv" or "json"), run i replayed to `steps[i]`: the updates it has taken while
/// `running[i]` is non-zero, else to its end (it ended at that step). See
/// `run::trace::trace_until`; throws when the trace is too large for the page, saying so.
#[wasm_bindgen]
pub fn trace(config_json: &str, format: &str, steps: Vec<f64>, running: Vec<u8>) -> Result<String, JsError> {
    let format = match format {
        "csv" => TraceFormat::Csv,
        "json" => TraceFormat::Json,
        other => return Err(js_error(format!("trace format: unknown \"{other}\"; use csv or json"))),
    };
    let experiment = Experiment::from_json(config_json).map_err(js_error)?;
    if steps.len() != experiment.runs.len() || running.len() != steps.len() {
        return Err(js_error(format!("trace: expected where each of the {} runs stands", experiment.runs.len())));
    }
    let ends: Vec<TraceEnd> = steps
        .iter()
        .zip(&running)
        .map(|(&step, &running)| {
            let step = whole_step(step);
            if running != 0 {
                TraceEnd::Running(step)
            } else {
                TraceEnd::Ended(step)
            }
        })
        .collect();
    trace_until(&experiment, &ends, format).map_err(js_error)
}

/// The experiment `config_json` with the doctor's remedy `remedy_json` (a diagnosis's `remedy`,
/// `[{"path", "value"}]`) for run `run` applied as a new run beside it, or to the whole
/// experiment when it changes what every run shares (`doctor::apply_as_new_run`), as JSON; the
/// error names the field at fault.
#[wasm_bindgen]
pub fn apply_remedy(config_json: &str, run: usize, remedy_json: &str) -> Result<String, JsError> {
    let experiment = Experiment::from_json(config_json).map_err(js_error)?;
    let remedy: serde_json::Value = serde_json::from_str(remedy_json).map_err(js_error)?;
    let remedy = Change::list_from_value(&remedy).map_err(js_error)?;
    Ok(apply_as_new_run(&experiment, run, &remedy).map_err(js_error)?.to_json())
}

/// The benchmark `basins_himmelblau_256` (`bench::basins_bench`) with `performance.now()` as the
/// clock, for `www/bench.html` (on the page's main thread): `{name, steps_per_s, unit}`.
#[wasm_bindgen]
pub fn run_basins_bench() -> Result<JsValue, JsError> {
    let performance =
        web_sys::window().and_then(|w| w.performance()).ok_or_else(|| js_error("bench: no performance.now() here"))?;
    let clock = move || performance.now();
    to_js(&crate::bench::basins_bench(&clock))
}

/// The experiment of `basins_himmelblau_256` with its 256 x 256 basins named, as JSON.
#[wasm_bindgen]
pub fn basins_bench_config() -> String {
    crate::bench::basins_bench_config()
}
