//! Replays a reference case (the PyTorch float64 trajectories in `tests/reference/cases`)
//! under its loop convention, ignoring the expected outputs it carries.
//!
//! ```text
//! for t in 0..N:
//!     lr[t] = lr in effect; loss[t] = f(params[t]); grad[t] = grad f(params[t])
//!     optimizer.step(); scheduler.step()   # ReduceLROnPlateau: scheduler.step(loss[t])
//! loss[N] = f(params[N])
//! ```
//! Unlike a monitored run, a replay never stops early: non-finite values propagate as in torch.
//!
//! Memory: [`Case::replay_each`] hands each point to a callback and keeps only the current
//! parameters, so a comparison with the expected trajectory (which the case file carries) or
//! [`Case::write_json`] needs one parameter vector plus, for the JSON, the loss and lr columns
//! (two floats per step, at most [`MAX_REPLAY_STEPS`] steps: 16 MB). Reading a case keeps its
//! inputs only and skips the expected outputs it carries. [`Case::replay`] collects the whole
//! trajectory, `steps + 1` parameter vectors, and suits short cases.

use std::cell::Cell;
use std::io::{self, Write};

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::config::validate::{ValidationErrors, Validator};
use crate::optim::{Optimizer, OptimizerConfig};
use crate::problem::ProblemConfig;
use crate::run::snapshot::{nums, Num};
use crate::schedule::ScheduleConfig;

/// The inputs of a reference case.
#[derive(Clone, Debug)]
pub struct Case {
    pub problem: ProblemConfig,
    pub x0: Vec<f64>,
    pub optimizer: OptimizerConfig,
    pub schedule: ScheduleConfig,
    pub steps: u64,
}

/// Longest replay accepted.
pub const MAX_REPLAY_STEPS: u64 = 1_000_000;

/// The outputs of a replay.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// N + 1 rows: params[0] = x0.
    pub params: Vec<Vec<f64>>,
    /// N + 1 values.
    pub loss: Vec<f64>,
    /// N values.
    pub lr: Vec<f64>,
}

/// One point of a replay: `params[t]`, `loss[t]` and, except at the final point, `lr[t]`.
#[derive(Clone, Copy, Debug)]
pub struct ReplayPoint<'a> {
    /// The index t, from 0 to N.
    pub t: u64,
    /// `params[t]`.
    pub params: &'a [f64],
    /// `loss[t] = f(params[t])`.
    pub loss: f64,
    /// The lr of the step taken from this point; None at the final point N.
    pub lr: Option<f64>,
}

/// The replay output as JSON-ready values.
#[derive(Serialize)]
struct TrajectoryView {
    params: Vec<Vec<Num>>,
    loss: Vec<Num>,
    lr: Vec<Num>,
}

impl crate::json::InfallibleJson for TrajectoryView {}

impl Trajectory {
    /// `{"params": [...], "loss": [...], "lr": [...]}` with non-finite values as strings.
    pub fn to_json(&self) -> String {
        let view = TrajectoryView {
            params: self.params.iter().map(|p| nums(p)).collect(),
            loss: nums(&self.loss),
            lr: nums(&self.lr),
        };
        crate::json::to_string(&view)
    }
}

/// Floats serialized as a JSON array of [`Num`], without copying them.
struct Nums<'a>(&'a [f64]);

impl Serialize for Nums<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|x| Num(*x)))
    }
}

/// The `params` array of a streamed replay: serializing it runs the replay, writing each
/// parameter vector as it is reached and collecting the loss and lr columns for later.
struct ParamRows<'a> {
    case: &'a Case,
    loss: Cell<Vec<f64>>,
    lr: Cell<Vec<f64>>,
}

impl Serialize for ParamRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (mut loss, mut lr) = (self.loss.take(), self.lr.take());
        let mut seq = s.serialize_seq(usize::try_from(self.case.steps).ok().map(|n| n + 1))?;
        let written = self.case.replay_each(|point| {
            loss.push(point.loss);
            lr.extend(point.lr);
            seq.serialize_element(&Nums(point.params))
        });
        self.loss.set(loss);
        self.lr.set(lr);
        written?;
        seq.end()
    }
}

/// A replay written as the JSON of [`Trajectory::to_json`] while it runs.
struct Streamed<'a> {
    case: &'a Case,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = ParamRows { case: self.case, loss: Cell::default(), lr: Cell::default() };
        let mut doc = s.serialize_struct("Trajectory", 3)?;
        doc.serialize_field("params", &rows)?;
        doc.serialize_field("loss", &Nums(&rows.loss.take()))?;
        doc.serialize_field("lr", &Nums(&rows.lr.take()))?;
        doc.end()
    }
}

/// The fields of a case file that replay reads; the expected outputs are skipped unread.
#[derive(Deserialize)]
struct CaseInputs {
    problem: Option<Value>,
    x0: Option<Value>,
    optimizer: Option<Value>,
    schedule: Option<Value>,
    steps: Option<Value>,
}

/// Removes descriptive keys the case format adds around the config vocabulary.
fn strip(value: &mut Value, keys: &[&str]) {
    if let Value::Object(map) = value {
        for key in keys {
            map.remove(*key);
        }
    }
}

fn field<T: serde::de::DeserializeOwned>(value: Option<Value>, name: &str) -> Result<T, ValidationErrors> {
    let value = value.ok_or_else(|| ValidationErrors::one(name, "missing field"))?;
    crate::config::reader::from_value(&value).map_err(|e| e.under_key(name).into_errors())
}

impl Case {
    /// Reads the inputs of a case from its JSON text and validates them. A text over
    /// `limits::MAX_CASE_BYTES` is rejected before parsing.
    pub fn from_json(text: &str) -> Result<Case, ValidationErrors> {
        crate::config::limits::check_len("case", text, crate::config::limits::MAX_CASE_BYTES)?;
        let mut case: CaseInputs =
            serde_json::from_str(text).map_err(|e| ValidationErrors::one("", format!("invalid JSON: {e}")))?;
        if let Some(problem) = case.problem.as_mut() {
            strip(problem, &["formula", "key", "kappa", "penalised_params"]);
            if let Some(data) = problem.get_mut("data") {
                strip(data, &["generator"]);
            }
        }
        if let Some(optimizer) = case.optimizer.as_mut() {
            strip(optimizer, &["update_rule"]);
            if let Some(inner) = optimizer.get_mut("inner") {
                strip(inner, &["update_rule"]);
            }
        }
        if let Some(schedule) = case.schedule.as_mut() {
            strip_schedule(schedule);
        }
        let parsed = Case {
            problem: field(case.problem, "problem")?,
            x0: field(case.x0, "x0")?,
            optimizer: field(case.optimizer, "optimizer")?,
            schedule: field(case.schedule, "schedule")?,
            steps: field(case.steps, "steps")?,
        };
        parsed.validate()?;
        Ok(parsed)
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        self.problem.validate("problem", &mut v);
        if self.x0.len() != self.problem.dim() {
            v.error("x0", format!("must have {} entries, got {}", self.problem.dim(), self.x0.len()));
        }
        self.optimizer.validate("optimizer", &mut v);
        self.schedule.validate("schedule", self.optimizer.has_momentum(), &mut v);
        v.require(
            self.steps <= MAX_REPLAY_STEPS,
            "steps",
            format!("must be at most {MAX_REPLAY_STEPS}, got {}", self.steps),
        );
        v.finish()
    }

    /// Runs the case under the reference loop convention, handing every point to `visit` as it
    /// is reached (N + 1 calls); an error from `visit` stops the replay and is returned.
    pub fn replay_each<E>(&self, mut visit: impl FnMut(ReplayPoint<'_>) -> Result<(), E>) -> Result<(), E> {
        let problem = self.problem.build();
        let dim = self.x0.len();
        let mut optimizer = Optimizer::new(&self.optimizer, dim);
        let mut schedule = self.schedule.build(self.optimizer.lr());
        let mut w = self.x0.clone();
        let mut grad = vec![0.0; dim];
        for t in 0..self.steps {
            let lr = schedule.lr(t);
            let momentum = schedule.momentum(t);
            let loss = problem.loss_grad(&w, &mut grad);
            visit(ReplayPoint { t, params: &w, loss, lr: Some(lr) })?;
            optimizer.step(&mut w, loss, &grad, lr, momentum, &problem);
            schedule.observe_loss(loss);
        }
        visit(ReplayPoint { t: self.steps, params: &w, loss: problem.loss(&w), lr: None })
    }

    /// Runs the case and collects the whole trajectory (`steps + 1` parameter vectors).
    pub fn replay(&self) -> Trajectory {
        let n = usize::try_from(self.steps).unwrap_or(0);
        let mut out = Trajectory {
            params: Vec::with_capacity(n + 1),
            loss: Vec::with_capacity(n + 1),
            lr: Vec::with_capacity(n),
        };
        let collected: Result<(), std::convert::Infallible> = self.replay_each(|point| {
            out.params.push(point.params.to_vec());
            out.loss.push(point.loss);
            out.lr.extend(point.lr);
            Ok(())
        });
        match collected {
            Ok(()) => out,
            Err(never) => match never {},
        }
    }

    /// Runs the case and writes `{"params": [...], "loss": [...], "lr": [...]}` (the JSON of
    /// [`Trajectory::to_json`]) to `out`, each parameter vector as soon as it is reached.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(out, &Streamed { case: self }).map_err(io::Error::from)
    }
}

fn strip_schedule(schedule: &mut Value) {
    strip(schedule, &["formula", "metric"]);
    if let Some(Value::Array(children)) = schedule.get_mut("schedulers") {
        children.iter_mut().for_each(strip_schedule);
    }
}
