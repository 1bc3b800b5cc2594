//! The timeline's marks: where each run's criteria fired and where it diverged or stopped, read
//! from the runs (the step at which each criterion first fired, and the run's status), so that
//! the page can put a tick on its scrubber at each of those steps with a title in words. It
//! reads no loss: a snapshot of a large model evaluates all its data, and the page asks for the
//! marks in frames that must stay cheap.
//!
//! While the timeline is scrubbed, the page's status lines show each run as it stood at the
//! scrubbed step (`states_at`): the recorded point at or before it (step and loss) and, for a
//! model, the evaluation at or before it (training and validation loss and accuracy), in words
//! marked "at step s", never the live verdict. It reads only what was recorded, but for the
//! run's last point at or after its current step: a run ended by the ||Δw|| test (or a running
//! run) has not recorded the point its last update reached, so that point's step and loss are
//! the live ones (the objective at the current parameters, as the live status line says). A
//! diverged run keeps its last recorded point, the last with a value.

use serde::Serialize;

use super::history::{EvalPoint, TracePoint};
use super::monitor::{Criterion, Status};
use super::report::{evaluation_words, short};
use super::snapshot::StatusView;
use super::Run;
use crate::problem::Problem;

/// One tick on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineMark {
    /// The run's index.
    pub run: usize,
    /// The step of the event.
    pub step: u64,
    /// `fired` (a criterion that did not end the run), `converged`, `early_stopped`, `diverged`
    /// or `stopped`.
    pub kind: &'static str,
    /// The event in words, naming the run and the criterion or reason.
    pub title: String,
}

/// Every mark of the runs, in run order and, within a run, in step order.
pub fn marks(runs: &[Run]) -> Vec<TimelineMark> {
    let mut out = Vec::new();
    for (run, r) in runs.iter().enumerate() {
        let mut own: Vec<TimelineMark> = Vec::new();
        let status = StatusView::from(r.status());
        let ending = (status.state, status.criterion, status.at_step);
        for (criterion, step) in r.monitor().fired() {
            let criterion = criterion.name();
            // Early stopping ends a run as `early_stopped` (the status's state), not as
            // converged: the validation loss stopped improving, nothing says a minimum.
            let kind = match ending {
                (state @ ("converged" | "early_stopped"), Some(c), Some(s)) if c == criterion && s == step => state,
                _ => "fired",
            };
            let verb = match kind {
                "early_stopped" => "fired: early-stopped",
                "converged" => "fired and converged",
                _ => "fired",
            };
            own.push(TimelineMark {
                run,
                step,
                kind,
                title: format!("{}: {criterion} {verb} at step {step}", r.label()),
            });
        }
        if let ("diverged" | "stopped", Some(reason), Some(step)) = ending {
            let kind = ending.0;
            own.push(TimelineMark {
                run,
                step,
                kind,
                title: format!("{}: {kind} ({reason}) at step {step}", r.label()),
            });
        }
        out.extend(crate::math::order::sorted_by_u64(own, |m| m.step));
    }
    out
}

/// A run as it stood at a scrubbed step, from its recorded history (or live, see the module
/// header).
#[derive(Clone, Debug, PartialEq)]
pub struct RunAt {
    /// The step of the point shown (at or before the step asked for; None before any point).
    pub step: Option<u64>,
    /// The loss there (of the minibatch for a stochastic model's recorded point, the objective
    /// for the live one; NaN before any point).
    pub loss: f64,
    /// A model's evaluation at or before the step asked for.
    pub evaluation: Option<EvalPoint>,
    /// The line in words, e.g. "at step 460: loss 0.1234; evaluated at step 460: training
    /// loss 0.1, validation loss 0.2, accuracy 97 % training, 90 % validation".
    pub text: String,
}

/// The last of `points` (in step order) at or before `step`.
fn last_at_or_before<'a, T: Copy + 'a>(
    points: impl Iterator<Item = &'a T>,
    step: u64,
    step_of: impl Fn(&T) -> u64,
) -> Option<T> {
    points.take_while(|p| step_of(p) <= step).last().copied()
}

/// Every run as it stood at step `step`, in run order (see the module header).
pub fn states_at(runs: &[Run], problem: &Problem, step: u64) -> Vec<RunAt> {
    runs.iter()
        .map(|r| {
            let mut point: Option<TracePoint> = last_at_or_before(r.history().points(), step, |p| p.step);
            // Only where the last update's point is a finite one the run stands at: a run
            // ended by the ||Δw|| test, or still running (not a divergence, whose last point
            // has no value).
            let live =
                matches!(r.status(), Status::Running | Status::Converged { criterion: Criterion::ParamChange, .. });
            if let Some(p) = point.as_mut().filter(|p| live && step >= r.step() && p.step < r.step()) {
                p.step = r.step();
                p.loss = r.objective(problem);
            }
            let evaluation = last_at_or_before(r.evaluations().points(), step, |e| e.step);
            let mut text = match point {
                Some(p) => format!("at step {}: loss {}", p.step, short(p.loss)),
                None => format!("at step {step}: nothing recorded yet"),
            };
            if let Some(e) = evaluation {
                text.push_str(&format!("; evaluated at step {}: {}", e.step, evaluation_words(&e)));
            }
            let status = StatusView::from(r.status());
            if let (false, Some(end)) = (r.status().is_running(), status.at_step) {
                if end < step {
                    text.push_str(&format!(" (the run {} at step {end})", status.state.replace('_', " ")));
                }
            }
            RunAt { step: point.map(|p| p.step), loss: point.map_or(f64::NAN, |p| p.loss), evaluation, text }
        })
        .collect()
}
