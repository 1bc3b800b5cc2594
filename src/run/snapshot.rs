//! The snapshot: where every run stands, as printed by `converge run` and returned by the
//! page's `snapshot()`.
//!
//! `{"runs": [{"label", "step", "loss", "params", "status": {"state", "criterion",
//! "at_step"}, "end", ...}]}`. `status` says how a run ended, `end` where it is
//! (`global_minimum`, `local_minimum`, `minimum`, `saddle`, `maximum`, `slope`, `unbounded`
//! or `unknown`, from [`crate::run::verdict`]): "converged" with an `end` that is not a minimum
//! is a criterion that fired away from a minimum, and an early stop is `early_stopped`, never
//! "converged". Non-finite numbers are written as the strings "inf", "-inf" and "nan" (JSON has
//! no such numbers), as in the reference cases.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::run::monitor::{Criterion, Status};
use crate::run::verdict::EndKind;

/// A float that serializes non-finite values as "inf", "-inf" or "nan".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str("nan")
        } else if x > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }
}

/// Wraps a slice of floats.
pub fn nums(values: &[f64]) -> Vec<Num> {
    values.iter().copied().map(Num).collect()
}

/// A run's status in words a program can read.
///
/// Early stopping ends a run as `{"state": "early_stopped", "criterion": "early_stopping"}`,
/// not as `converged`: the validation loss stopped improving, which says nothing of a minimum
/// of the training loss (an early stop is not convergence).
///
/// A stalled run (a progress criterion fired while the parameters never left the start point)
/// is `{"state": "stopped", "criterion": "stalled"}`: a reader that knows only the four states
/// sees a run that stopped without converging, which is the truth; the criterion that fired
/// is in the run's `criteria`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusView {
    /// `running`, `converged`, `early_stopped`, `diverged` or `stopped`.
    pub state: &'static str,
    /// The criterion that stopped the run, the divergence reason (`nonfinite_loss`,
    /// `nonfinite_gradient`, `nonfinite_params`, `loss_exploded`, `unbounded_below`), or, for
    /// `stopped`, `max_steps` or `stalled`.
    pub criterion: Option<&'static str>,
    /// The step at which it happened.
    pub at_step: Option<u64>,
}

impl From<Status> for StatusView {
    fn from(status: Status) -> Self {
        match status {
            Status::Running => StatusView { state: "running", criterion: None, at_step: None },
            Status::Converged { criterion: Criterion::EarlyStopping, at_step } => StatusView {
                state: "early_stopped",
                criterion: Some(Criterion::EarlyStopping.name()),
                at_step: Some(at_step),
            },
            Status::Converged { criterion, at_step } => {
                StatusView { state: "converged", criterion: Some(criterion.name()), at_step: Some(at_step) }
            }
            Status::Diverged { reason, at_step } => {
                StatusView { state: "diverged", criterion: Some(reason.name()), at_step: Some(at_step) }
            }
            Status::Stopped { at_step } => {
                StatusView { state: "stopped", criterion: Some("max_steps"), at_step: Some(at_step) }
            }
            Status::Stalled { at_step, .. } => {
                StatusView { state: "stopped", criterion: Some("stalled"), at_step: Some(at_step) }
            }
        }
    }
}

/// One run in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSnapshot {
    pub label: String,
    /// Updates done.
    pub step: u64,
    /// f at the current parameters.
    pub loss: Num,
    /// Current parameters.
    pub params: Vec<Num>,
    pub status: StatusView,
    /// Where the run is (for a model trained on data, `unknown`: its losses are in `training`).
    pub end: EndKind,
    /// ||grad f|| at the last visited point.
    pub grad_norm: Num,
    /// Learning rate of the last update.
    pub lr: Num,
    /// The step at which each criterion first fired, stopping or not.
    pub criteria: BTreeMap<&'static str, u64>,
    /// Objective evaluations (one per step, plus line-search evaluations).
    pub evaluations: u64,
    /// Model problems only: epochs, the last evaluation and the best validation point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingSnapshot>,
}

/// Where a run on a model problem stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainingSnapshot {
    /// Whole passes over the training set.
    pub epoch: u64,
    /// The step of the last evaluation; None before the first one (a run is evaluated when it
    /// takes its first step and then every `eval_every` epochs, never when that is 0), when
    /// the losses and accuracies below are NaN because nothing was measured.
    pub evaluated_at: Option<u64>,
    /// Whether the run evaluates at all (false when `eval_every` is 0): with `evaluated_at`
    /// None, the page says "no evaluations" rather than "not evaluated yet".
    pub evaluates: bool,
    /// Data loss on the training set at the last evaluation.
    pub train_loss: Num,
    /// Data loss on the validation set at the last evaluation.
    pub validation_loss: Num,
    /// Accuracies at the last evaluation (NaN for regression).
    pub train_accuracy: Num,
    pub validation_accuracy: Num,
    /// The generalization gap, validation minus training loss.
    pub gap: Num,
    /// The step of the lowest validation loss so far, and that loss.
    pub best_step: Option<u64>,
    pub best_validation_loss: Num,
}

/// Every run of a session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub runs: Vec<RunSnapshot>,
}

impl crate::json::InfallibleJson for Snapshot {}

impl Snapshot {
    /// Compact JSON.
    pub fn to_json(&self) -> String {
        crate::json::to_string(self)
    }
}
