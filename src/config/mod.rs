//! The experiment config: one serde vocabulary for the web API, the URL, the embed widget
//! and the CLI.
//!
//! ```json
//! {"seed": 1, "problem": {"name": "rosenbrock"},
//!  "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01},
//!            "schedule": {"name": "constant"}}],
//!  "stop": {"max_steps": 3000}}
//! ```
//! Parsing (`reader.rs`) reports a structural problem (a key given twice, a wrong type, an
//! unknown field or name with the allowed values) with its path; reading goes on without that
//! field to find the others (`Experiment::from_value`), and validation collects every value
//! problem with its path, so that a config with a wrong type and a value out of range is told
//! both at once.

pub mod catalog;
pub mod edit;
pub mod limits;
pub mod reader;
pub mod tagged;
pub mod urlstate;
pub mod validate;

use serde::{Deserialize, Serialize};

use crate::config::validate::{join, FieldError, ValidationErrors, Validator};
use crate::optim::OptimizerConfig;
use crate::problem::{ProblemConfig, ProblemSize, ViewBox};
use crate::run::monitor::StopConfig;
use crate::schedule::ScheduleConfig;

/// Most runs one experiment may hold side by side.
pub const MAX_RUNS: usize = 16;
/// Most work one snapshot (or report) of every run may do, in example-parameter passes (see
/// `optim::MAX_STEP_WORK`): it evaluates every run's objective on the training set, 12 to 25 ms
/// per run for the largest network on the largest training set (24.3 million passes) in the wasm
/// build, which leaves room in the same task for drawing the model view and a chart.
pub const MAX_SNAPSHOT_WORK: u64 = 30_000_000;
/// Most structural problems (wrong types, unknown fields) reported for one config: after each,
/// the config is read again without the field.
pub const MAX_READ_PROBLEMS: usize = 20;
/// Longest run label, in characters.
pub const MAX_LABEL_CHARS: usize = 64;

/// One optimizer run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Name shown in charts and events; unique within the experiment.
    pub label: String,
    /// Start point; omitted means the problem's default start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x0: Option<Vec<f64>>,
    /// The optimizer, with torch's names.
    pub optimizer: OptimizerConfig,
    /// The learning-rate schedule.
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// Display color as `#rrggbb` (the page picks one when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// A whole experiment: one problem, several runs, one stop rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Seed for everything random (datasets, minibatches); same seed, same numbers.
    #[serde(default)]
    pub seed: u64,
    /// What is minimised.
    pub problem: ProblemConfig,
    /// The runs, side by side.
    pub runs: Vec<RunConfig>,
    /// When runs stop.
    #[serde(default)]
    pub stop: StopConfig,
    /// The landscape's view box, `{"x": [x0, x1], "y": [y0, y1]}` (default: the problem's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewBox>,
    /// A hyperparameter search over this experiment (`crate::search`), run by `converge search`
    /// and the page's search panel; a plain run ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<crate::search::SearchConfig>,
    /// The analyses to run on this experiment (`crate::analysis::section`), run by
    /// `converge analyse` and the page's analysis views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<crate::analysis::section::AnalysisConfig>,
}

impl crate::json::InfallibleJson for Experiment {}

impl Experiment {
    /// Parses and validates a JSON config; a text over `limits::MAX_CONFIG_BYTES` is rejected
    /// before parsing.
    pub fn from_json(text: &str) -> Result<Experiment, ValidationErrors> {
        crate::config::limits::check_len("config", text, crate::config::limits::MAX_CONFIG_BYTES)?;
        let value = crate::config::reader::parse_json(text)?;
        let experiment = Experiment::from_value(value)?;
        experiment.validate()?;
        Ok(experiment)
    }

    /// Reads the structure of a config from a JSON value, without validating the values. This
    /// is the one place configs are deserialized (the JSON text, the URL hash and its encoder
    /// all come through here), which keeps a single copy of the deserialization code in the
    /// wasm binary.
    ///
    /// A structural problem at a field leaves the field out (its default is taken where it has
    /// one) and the reading goes on, up to `MAX_READ_PROBLEMS`; when the rest reads, its values
    /// are validated too and every problem is returned. The search ends at a problem that is
    /// not at an object's field (an array item: leaving it out would move the items after it),
    /// and at a missing field once a field was left out (it may be the one left out).
    pub fn from_value(value: serde_json::Value) -> Result<Experiment, ValidationErrors> {
        let mut value = value;
        let mut problems: Vec<FieldError> = Vec::new();
        loop {
            match crate::config::reader::from_value::<Experiment>(&value) {
                Ok(experiment) if problems.is_empty() => return Ok(experiment),
                Ok(experiment) => {
                    if let Err(more) = experiment.validate() {
                        problems.extend(more.0);
                    }
                    return Err(ValidationErrors(problems));
                }
                // A field left out that has no default comes back as missing: the problem
                // told before is the one to fix.
                Err(e) if !problems.is_empty() && e.message.starts_with("missing field") => {
                    return Err(ValidationErrors(problems));
                }
                Err(e) => {
                    let go_on = problems.len() + 1 < MAX_READ_PROBLEMS && remove_field(&mut value, &e.path);
                    problems.push(FieldError { path: e.path, message: e.message });
                    if !go_on {
                        return Err(ValidationErrors(problems));
                    }
                }
            }
        }
    }

    /// The config as a JSON value.
    pub fn to_value(&self) -> serde_json::Value {
        crate::json::to_value(self)
    }

    /// The config as compact JSON.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// Collects every problem in the config.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        self.problem.validate("problem", &mut v);
        let size = self.problem.size();
        let dim = size.dim;
        v.require(!self.runs.is_empty(), "runs", "at least one run is needed");
        v.require(self.runs.len() <= MAX_RUNS, "runs", format!("at most {MAX_RUNS} runs, got {}", self.runs.len()));
        for (i, run) in self.runs.iter().enumerate() {
            let path = format!("runs[{i}]");
            validate_run(run, &path, size, &mut v);
            if self.runs[..i].iter().any(|other| other.label == run.label) {
                v.error(join(&path, "label"), format!("duplicate label \"{}\"; labels must be unique", run.label));
            }
        }
        let model_path = if matches!(self.problem, ProblemConfig::Model(_)) { "problem.model" } else { "problem" };
        OptimizerConfig::validate_problem_step(model_path, size, &mut v);
        // A snapshot or a report evaluates every run's objective on the training set.
        let snapshot_work = (self.runs.len() as u64).saturating_mul(size.train as u64).saturating_mul(dim as u64);
        v.require(
            snapshot_work <= MAX_SNAPSHOT_WORK,
            "runs",
            format!(
                "{} runs of a model with {dim} parameters on {} training examples take {snapshot_work} \
                 example-parameter passes to evaluate, more than the limit of {MAX_SNAPSHOT_WORK}; use fewer runs, \
                 a smaller model or fewer points",
                self.runs.len(),
                size.train
            ),
        );
        self.stop.validate("stop", &mut v);
        if let Some(view) = &self.view {
            view.validate("view", &mut v);
        }
        if let (Some(search), true) = (&self.search, v.is_empty()) {
            search.validate(self, &mut v);
        }
        if let (Some(analysis), true) = (&self.analysis, v.is_empty()) {
            analysis.validate(self, &mut v);
        }
        v.finish()
    }
}

/// Removes the object field at `path` (`runs[0].optimizer.lr`) from `value`; false when the
/// path does not end at a field that is there. (Not inlined: the page's wasm is smaller.)
#[inline(never)]
fn remove_field(value: &mut serde_json::Value, path: &str) -> bool {
    use crate::search::space::{get_at_mut, parse_path, Step};
    let Ok(steps) = parse_path(path) else {
        return false;
    };
    match steps.split_last() {
        Some((Step::Key(key), parent)) => {
            get_at_mut(value, parent).and_then(|node| node.as_object_mut()).is_some_and(|map| map.remove(key).is_some())
        }
        _ => false,
    }
}

fn validate_run(run: &RunConfig, path: &str, size: ProblemSize, v: &mut Validator) {
    let dim = size.dim;
    let label_chars = run.label.chars().count();
    v.require(
        (1..=MAX_LABEL_CHARS).contains(&label_chars),
        join(path, "label"),
        format!("must have 1 to {MAX_LABEL_CHARS} characters, got {label_chars}"),
    );
    if let Some(x0) = &run.x0 {
        if x0.len() == dim {
            for (j, x) in x0.iter().enumerate() {
                v.finite(format!("{path}.x0[{j}]"), *x);
            }
        } else {
            v.error(join(path, "x0"), format!("must have {dim} entries for this problem, got {}", x0.len()));
        }
    }
    run.optimizer.validate(&join(path, "optimizer"), v);
    run.optimizer.validate_for_problem(&join(path, "optimizer"), size, v);
    run.schedule.validate(&join(path, "schedule"), run.optimizer.has_momentum(), v);
    if run.optimizer.learns_lr() && run.schedule != ScheduleConfig::default() {
        v.error(
            join(path, "schedule"),
            format!("{} learns its own learning rate; use the constant schedule", run.optimizer.name()),
        );
    }
    if let Some(color) = &run.color {
        let ok = color.len() == 7 && color.starts_with('#') && color.chars().skip(1).all(|c| c.is_ascii_hexdigit());
        v.require(ok, join(path, "color"), format!("must look like #1f77b4, got \"{color}\""));
    }
}
