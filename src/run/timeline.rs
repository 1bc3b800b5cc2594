//! The timeline's marks: where each run's criteria fired and where it diverged or stopped, read
//! from the runs (the step at which each criterion first fired, and the run's status), so that
//! the page can put a tick on its scrubber at each of those steps with a title in words. It
//! reads no loss: a snapshot of a large model evaluates all its data, and the page asks for the
//! marks in frames that must stay cheap.

use serde::Serialize;

use super::snapshot::StatusView;
use super::Run;

/// One tick on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineMark {
    /// The run's index.
    pub run: usize,
    /// The step of the event.
    pub step: u64,
    /// `fired` (a criterion that did not end the run), `converged`, `diverged` or `stopped`.
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
            let ends_run = ending == ("converged", Some(criterion), Some(step));
            let kind = if ends_run { "converged" } else { "fired" };
            let verb = if ends_run { "fired and converged" } else { "fired" };
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
