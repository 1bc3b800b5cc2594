//! The WebAssembly boundary of the analysis worker (`www/lab-worker.js`): the crate built with
//! the `lab` feature compiles this file as its `web` module in place of `src/web.rs`, so the
//! worker's wasm (`www/pkg-lab/`) holds the analyses and the PyTorch script writer but no
//! drawing, and the page's wasm holds no analysis. The page loads it only when a visitor opens
//! an analysis, so the analyses cost the first load nothing.
//!
//! Like `src/web.rs` it is thin: parse, call the core, convert. Results cross the boundary as
//! structured values (serde-wasm-bindgen), with the keys and values of `converge analyse`.

use wasm_bindgen::prelude::*;

use crate::analysis::doctor::{apply_as_new_run, Change};
use crate::analysis::job::{AnalysisJob, AnalysisKind};
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
    pub fn new(config_json: &str, kind: &str, view: Option<Vec<f64>>) -> Result<LabJob, JsError> {
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
        Ok(LabJob { job: AnalysisJob::new(&experiment, kind, view).map_err(js_error)? })
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
