//! The convergence doctor: what went wrong with a run, in plain words, with a remedy the page
//! can apply as a new run.
//!
//! This file holds the types, the trace, `diagnose` and the remedies' application; `rules.rs`
//! the rules. Numbers in the words go through `run::report::short` (4 significant digits without the
//! precision formatter, which the wasm build leaves out). Each rule is a function of the run's recorded history (`RunTrace`: the trace points, the
//! evaluations of a model, the final status and the Hessian at the end) and of the experiment
//! (for the remedy), and stays silent unless its symptom is there:
//! - `diverged`: the status says so. Lower the lr (here: a tenth), clip, warm up.
//! - `oscillating`: in `OSCILLATION_WINDOW` consecutive steps each update reverses the previous
//!   one (cosine of successive displacements below -0.5) and the run did not converge. Lower the
//!   lr (here: half) or add momentum.
//! - `crawling`: the step limit was reached while the loss still fell, or the run stalled at its
//!   start. Raise the lr (here: double, or ten times when stalled), use momentum or Adam, a
//!   schedule.
//! - `plateau`: the step limit was reached on a flat stretch: the loss changed by less than
//!   `PLATEAU_CHANGE` (relative) over the last half and the gradient is under
//!   `PLATEAU_GRADIENT` of its first value. Raise the lr (here: double).
//! - `saddle`: the run ended where the gradient is (nearly) zero and the Hessian has a negative
//!   eigenvalue. Start elsewhere (here: the start moved along the escape direction) or add noise;
//!   for Newton's method, which heads for any stationary point, damp it (here: a damping of twice
//!   the negative eigenvalue's size).
//! - `local_minimum`: the run converged at a known local minimum that is not the global one.
//!   No remedy (which start reaches which minimum is the basins analysis' question): start
//!   elsewhere, or add momentum.
//! - `stopped_short`: a plateau or parameter-change criterion stopped the run where the gradient
//!   is not small. Tighten the tolerance (here: a hundredth).
//! - `overfitting`: the validation loss rose `OVERFIT_RISE` above its best while the training
//!   loss kept falling. Regularize, stop early, use a simpler model (here: early stopping, or
//!   ten times the l2 penalty when it is on).
//! - `noisy`: minibatches, and over the last quarter the loss jumps by more than `NOISE_SHARE`
//!   of its mean from step to step. A bigger batch (here: four times), a decaying lr.
//! - `underfitting`: a classifier whose training accuracy stays under `UNDERFIT_ACCURACY` while
//!   its training loss has flattened. A bigger model (here: twice the hidden units). When another
//!   run of the experiment reaches `UNDERFIT_ACCURACY` with the same model (`diagnose_runs`), the
//!   model is not too simple: the optimizer is stuck or slow, and the remedy is that run's
//!   optimizer.

use serde::Serialize;
use serde_json::{json, Value};

use crate::config::validate::ValidationErrors;
use crate::config::Experiment;
use crate::problem::{Problem, ProblemConfig};
use crate::run::history::{EvalPoint, TracePoint};
use crate::run::monitor::Status;
use crate::run::Run;
use crate::search::space::{parse_path, set_at};

mod rules;

/// A run's recorded history, as the rules read it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunTrace {
    pub points: Vec<TracePoint>,
    pub evaluations: Vec<EvalPoint>,
    pub status: Status,
    /// The parameters at the end and the Hessian there (2-D problems only).
    pub end: Vec<f64>,
    pub end_hessian: Option<[f64; 4]>,
}

impl RunTrace {
    /// The trace of a real run.
    pub fn of(run: &Run, problem: &Problem) -> RunTrace {
        let end = run.params().to_vec();
        let end_hessian = (problem.dim() == 2).then(|| {
            let mut h = [0.0; 4];
            problem.hessian(&end, &mut h);
            h
        });
        RunTrace {
            points: run.history().points().copied().collect(),
            evaluations: run.evaluations().points().copied().collect(),
            status: run.status(),
            end,
            end_hessian,
        }
    }
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Symptom {
    Diverged,
    Oscillating,
    Crawling,
    Plateau,
    Saddle,
    LocalMinimum,
    StoppedShort,
    Overfitting,
    Noisy,
    Underfitting,
}

/// One change of the experiment: `value` at the config path `path` (`runs[0].optimizer.lr`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub path: String,
    pub value: Value,
}

impl Change {
    /// The change in words for a run's label: the setting's key and its value, numbers to 4
    /// significant digits ("lr 0.025", "betas [0.9, 0.99]", "x0 [0.01, 0]", "optimizer SGD (lr
    /// 0.2309, momentum 0.2699)").
    pub fn words(&self) -> String {
        let key = self.path.rsplit('.').next().unwrap_or(&self.path);
        let key = key.split('[').next().unwrap_or(key);
        format!("{key} {}", value_words(&self.value))
    }

    /// The changes of a remedy as JSON gives them back (`[{"path": ..., "value": ...}]`, as a
    /// diagnosis's `remedy` is written), or what is wrong with them.
    pub fn list_from_value(value: &Value) -> Result<Vec<Change>, String> {
        let items = value.as_array().ok_or("a remedy is a list of {path, value} changes")?;
        items
            .iter()
            .map(|item| {
                let path = item.get("path").and_then(Value::as_str).ok_or("a change needs a path")?;
                let value = item.get("value").cloned().ok_or("a change needs a value")?;
                Ok(Change { path: path.to_string(), value })
            })
            .collect()
    }
}

/// A config value in a few words: numbers short, lists in brackets, a choice by its name.
fn value_words(value: &Value) -> String {
    match value {
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), crate::run::report::short),
        Value::Array(items) => format!("[{}]", items.iter().map(value_words).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let name = map.get("name").and_then(Value::as_str).unwrap_or("");
            let rest: Vec<String> = map
                .iter()
                .filter(|(key, _)| *key != "name")
                .map(|(key, v)| format!("{key} {}", value_words(v)))
                .collect();
            match (name.is_empty(), rest.is_empty()) {
                (_, true) => name.to_string(),
                (true, false) => rest.join(", "),
                (false, false) => format!("{name} ({})", rest.join(", ")),
            }
        }
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A diagnosis: the symptom, the step where it applies, the words and the remedy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnosis {
    pub symptom: Symptom,
    pub step: u64,
    pub text: String,
    pub remedy: Vec<Change>,
}

impl crate::json::InfallibleJson for Diagnosis {}

/// The experiment with a remedy applied (to make a new run of it), validated.
pub fn apply(experiment: &Experiment, remedy: &[Change]) -> Result<Experiment, ValidationErrors> {
    let mut value = experiment.to_value();
    for change in remedy {
        let steps = parse_path(&change.path).map_err(|e| ValidationErrors::one(&change.path, e))?;
        set_at(&mut value, &steps, change.value.clone()).map_err(|e| ValidationErrors::one(&change.path, e))?;
    }
    let changed = Experiment::from_value(value)?;
    changed.validate()?;
    Ok(changed)
}

/// The experiment with a remedy for run `run` applied to a copy of that run, added as a new
/// run (labelled "<label> → <the changes>", e.g. "hot → lr 0.025", made unique), so that the page shows the cure beside the
/// ailment. A remedy that changes what all runs share (`stop`, `problem`) cannot be a run of
/// its own: it gives the changed experiment, as `apply` does.
pub fn apply_as_new_run(
    experiment: &Experiment,
    run: usize,
    remedy: &[Change],
) -> Result<Experiment, ValidationErrors> {
    let prefix = format!("runs[{run}]");
    let own = remedy.iter().all(|c| c.path.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with('.')));
    let Some(original) = experiment.runs.get(run).filter(|_| own) else {
        return apply(experiment, remedy);
    };
    let mut grown = experiment.clone();
    let mut copy = original.clone();
    let taken = |label: &str| experiment.runs.iter().any(|r| r.label == label);
    // "<label> → lr 0.025": the old run's label, which may name a setting ("lr 0.25"), then the
    // settings the remedy gives, so that the new label never contradicts its run.
    // A run made this way names its own origin: a remedy of "hot → lr 0.025" is "hot → ...".
    let changes = remedy.iter().map(|c| c.words()).collect::<Vec<_>>().join(", ");
    let origin = original.label.split(" → ").next().unwrap_or(&original.label);
    let room = crate::config::MAX_LABEL_CHARS.saturating_sub(changes.chars().count() + 8).max(8);
    let base: String = if origin.chars().count() > room {
        origin.chars().take(room - 1).chain(['…']).collect()
    } else {
        origin.to_string()
    };
    let stem: String = format!("{base} → {changes}").chars().take(crate::config::MAX_LABEL_CHARS - 5).collect();
    let mut label = stem.clone();
    let mut n = 2;
    while taken(&label) {
        label = format!("{stem} ({n})");
        n += 1;
    }
    copy.label = label;
    copy.color = None;
    grown.runs.push(copy);
    let new_prefix = format!("runs[{}]", grown.runs.len() - 1);
    let moved: Vec<Change> = remedy
        .iter()
        .map(|c| Change { path: c.path.replacen(&prefix, &new_prefix, 1), value: c.value.clone() })
        .collect();
    apply(&grown, &moved)
}

/// Every diagnosis of run `run` of `experiment`, in the order of the rules above, from its own
/// trace alone.
pub fn diagnose(experiment: &Experiment, run: usize, trace: &RunTrace) -> Vec<Diagnosis> {
    diagnose_with(Context { experiment, run, trace, peers: Vec::new() })
}

/// The diagnoses of every run of `experiment` (`traces[i]` is run i's), each rule reading the
/// other runs too where they tell something (a model another optimizer fits is not too simple).
pub fn diagnose_runs(experiment: &Experiment, traces: &[RunTrace]) -> Vec<Vec<Diagnosis>> {
    (0..traces.len())
        .map(|run| {
            let peers = traces.iter().enumerate().filter(|(i, _)| *i != run).collect();
            diagnose_with(Context { experiment, run, trace: &traces[run], peers })
        })
        .collect()
}

fn diagnose_with(context: Context) -> Vec<Diagnosis> {
    use rules::*;
    [
        diverged(&context),
        oscillating(&context),
        crawling(&context),
        plateau(&context),
        saddle(&context),
        local_minimum(&context),
        stopped_short(&context),
        overfitting(&context),
        noisy(&context),
        underfitting(&context),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What every rule reads: the experiment, the run's index and its trace.
pub(crate) struct Context<'a> {
    pub(crate) experiment: &'a Experiment,
    pub(crate) run: usize,
    pub(crate) trace: &'a RunTrace,
    /// The other runs of the experiment, by index (empty when diagnosed alone).
    pub(crate) peers: Vec<(usize, &'a RunTrace)>,
}

impl Context<'_> {
    /// The config path of the run's learning rate and its value (a Lookahead's inner lr).
    pub(crate) fn lr(&self) -> Option<(String, f64)> {
        let experiment = self.experiment.to_value();
        let value = experiment.get("runs")?.get(self.run)?.get("optimizer")?;
        let base = format!("runs[{}].optimizer", self.run);
        if let Some(lr) = value.get("lr").and_then(Value::as_f64) {
            return Some((format!("{base}.lr"), lr));
        }
        let inner = value.get("inner")?.get("lr")?.as_f64()?;
        Some((format!("{base}.inner.lr"), inner))
    }

    /// The remedy that scales the learning rate by `factor`.
    pub(crate) fn scale_lr(&self, factor: f64) -> Vec<Change> {
        self.lr().map(|(path, lr)| vec![Change { path, value: json!(lr * factor) }]).unwrap_or_default()
    }

    pub(crate) fn last(&self) -> Option<&TracePoint> {
        self.trace.points.last()
    }

    pub(crate) fn stopped_at_limit(&self) -> Option<u64> {
        match self.trace.status {
            Status::Stopped { at_step } => Some(at_step),
            _ => None,
        }
    }

    pub(crate) fn converged(&self) -> bool {
        matches!(self.trace.status, Status::Converged { .. })
    }

    pub(crate) fn training(&self) -> Option<&crate::problem::TrainingConfig> {
        match &self.experiment.problem {
            ProblemConfig::Model(training) => Some(training),
            _ => None,
        }
    }
}
