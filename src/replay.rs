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

use serde::Serialize;
use serde_json::Value;

use crate::optim::{Optimizer, OptimizerConfig};
use crate::problem::ProblemConfig;
use crate::schedule::ScheduleConfig;
use crate::snapshot::{nums, Num};
use crate::validate::{ValidationErrors, Validator};

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

/// The replay output as JSON-ready values.
#[derive(Serialize)]
struct TrajectoryView {
    params: Vec<Vec<Num>>,
    loss: Vec<Num>,
    lr: Vec<Num>,
}

impl Trajectory {
    /// `{"params": [...], "loss": [...], "lr": [...]}` with non-finite values as strings.
    pub fn to_json(&self) -> String {
        let view = TrajectoryView {
            params: self.params.iter().map(|p| nums(p)).collect(),
            loss: nums(&self.loss),
            lr: nums(&self.lr),
        };
        serde_json::to_string(&view).unwrap_or_default()
    }
}

/// Removes descriptive keys the case format adds around the config vocabulary.
fn strip(value: &mut Value, keys: &[&str]) {
    if let Value::Object(map) = value {
        for key in keys {
            map.remove(*key);
        }
    }
}

fn field<T: serde::de::DeserializeOwned>(case: &Value, name: &str) -> Result<T, ValidationErrors> {
    let value = case.get(name).ok_or_else(|| ValidationErrors::one(name, "missing field"))?;
    crate::reader::from_value(value).map_err(|e| e.under_key(name).into_errors())
}

impl Case {
    /// Reads the inputs of a case from its JSON text and validates them.
    pub fn from_json(text: &str) -> Result<Case, ValidationErrors> {
        let mut case: Value =
            serde_json::from_str(text).map_err(|e| ValidationErrors::one("", format!("invalid JSON: {e}")))?;
        if let Some(problem) = case.get_mut("problem") {
            strip(problem, &["formula", "key", "kappa", "penalised_params"]);
            if let Some(data) = problem.get_mut("data") {
                strip(data, &["generator"]);
            }
        }
        if let Some(optimizer) = case.get_mut("optimizer") {
            strip(optimizer, &["update_rule"]);
            if let Some(inner) = optimizer.get_mut("inner") {
                strip(inner, &["update_rule"]);
            }
        }
        if let Some(schedule) = case.get_mut("schedule") {
            strip_schedule(schedule);
        }
        let parsed = Case {
            problem: field(&case, "problem")?,
            x0: field(&case, "x0")?,
            optimizer: field(&case, "optimizer")?,
            schedule: field(&case, "schedule")?,
            steps: field(&case, "steps")?,
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

    /// Runs the case under the reference loop convention.
    pub fn replay(&self) -> Trajectory {
        let problem = self.problem.build();
        let dim = self.x0.len();
        let mut optimizer = Optimizer::new(&self.optimizer, dim);
        let mut schedule = self.schedule.build(self.optimizer.lr());
        let mut w = self.x0.clone();
        let mut grad = vec![0.0; dim];
        let n = self.steps as usize;
        let mut out = Trajectory {
            params: Vec::with_capacity(n + 1),
            loss: Vec::with_capacity(n + 1),
            lr: Vec::with_capacity(n),
        };
        for t in 0..self.steps {
            out.params.push(w.clone());
            let lr = schedule.lr(t);
            let momentum = schedule.momentum(t);
            let loss = problem.loss_grad(&w, &mut grad);
            optimizer.step(&mut w, loss, &grad, lr, momentum, &problem);
            schedule.observe_loss(loss);
            out.lr.push(lr);
            out.loss.push(loss);
        }
        out.loss.push(problem.loss(&w));
        out.params.push(w);
        out
    }
}

fn strip_schedule(schedule: &mut Value) {
    strip(schedule, &["formula", "metric"]);
    if let Some(Value::Array(children)) = schedule.get_mut("schedulers") {
        children.iter_mut().for_each(strip_schedule);
    }
}
