//! The WebAssembly boundary of the analysis worker (`www/lab-worker.js`): the crate built with
//! the `lab` feature compiles this file as its `web` module in place of `src/web.rs`, so the
//! worker's wasm (`www/pkg-lab/`) holds the analyses and the PyTorch script writer but no
//! drawing, and the page's wasm holds no analysis. The page loads it only when a visitor opens
//! an analysis, so the analyses cost the first load nothing.
//!
//! Like `src/web.rs` it is thin: parse, call the core, convert. Results cross the boundary as
//! structured values (serde-wasm-bindgen), with the keys and values of `converge analyse`.

use wasm_bindgen::prelude::*;

use crate::analysis::basins::End;
use crate::analysis::job::{AnalysisJob, AnalysisKind};
use crate::analysis::section::AnalysisReport;
use crate::config::validate::Validator;
use crate::config::Experiment;
use crate::problem::ViewBox;

mod common;
use common::{js_error, to_js};

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
        let report = AnalysisReport { basins: Some(b.merge(&parsed, steps as u64)), ..AnalysisReport::default() };
        to_js(&report)
    }

    /// Takes about `budget` optimizer steps of work; true when the analysis is done.
    pub fn advance(&mut self, budget: f64) -> bool {
        // A float budget from JavaScript, clamped into u64 (NaN counts as one step).
        self.job.advance(if budget >= 1.0 { budget.min(u64::MAX as f64) as u64 } else { 1 })
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
