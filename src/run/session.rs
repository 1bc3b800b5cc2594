//! A session: one problem and several runs stepped side by side. This is what the page, the
//! embed widget and the CLI drive: `step(n)` (which also runs
//! every run until it stops, given a large enough `n`), `reset()`, `snapshot()`.

use crate::config::validate::ValidationErrors;
use crate::config::Experiment;
use crate::problem::Problem;
use crate::run::monitor::Status;
use crate::run::snapshot::{nums, Num, RunSnapshot, Snapshot, StatusView, TrainingSnapshot};
use crate::run::Run;

/// Steps asked of each run and not yet taken, worked through by `Session::work` within a time
/// budget (the page's `el.step(n)` and animation frames).
#[derive(Clone, Debug)]
pub struct StepQueue {
    remaining: Vec<u64>,
    /// Steps a run takes per turn (adapted to the cost of a step).
    chunk: u64,
}

impl Default for StepQueue {
    fn default() -> Self {
        StepQueue { remaining: Vec::new(), chunk: 1 }
    }
}

impl StepQueue {
    /// Largest number of steps a run takes per turn.
    const MAX_CHUNK: u64 = 1 << 20;

    /// Asks `n` more steps of each of `runs` runs (saturating).
    pub fn push(&mut self, runs: usize, n: u64) {
        self.remaining.resize(runs, 0);
        self.remaining.iter_mut().for_each(|left| *left = left.saturating_add(n));
    }

    /// True while some run has steps left to take (a stopped run's steps are dropped when
    /// `Session::work` reaches it).
    pub fn is_pending(&self) -> bool {
        self.remaining.iter().any(|&left| left > 0)
    }

    /// Drops every step still asked.
    pub fn clear(&mut self) {
        self.remaining.clear();
    }
}

/// Runs of one experiment.
#[derive(Clone, Debug)]
pub struct Session {
    experiment: Experiment,
    problem: Problem,
    runs: Vec<Run>,
}

/// The start point used when a run gives no `x0`: for a landscape, 15% in from the top-left
/// corner of its view box; for a model trained on data, the seeded initial weights (the same
/// for every run); for the reference models, all zeros.
pub fn default_start(problem: &Problem) -> Vec<f64> {
    if let Problem::Model(m) = problem {
        return m.initial_weights();
    }
    match problem.view_box() {
        Some(view) => vec![view.x[0] + 0.15 * (view.x[1] - view.x[0]), view.y[1] - 0.15 * (view.y[1] - view.y[0])],
        None => vec![0.0; problem.dim()],
    }
}

impl Session {
    /// A session of a validated experiment.
    pub fn new(experiment: Experiment) -> Session {
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let runs = experiment
            .runs
            .iter()
            .map(|rc| {
                let x0 = rc.x0.clone().unwrap_or_else(|| default_start(&problem));
                Run::new(rc, x0, &experiment.stop, &problem, experiment.seed)
            })
            .collect();
        Session { experiment, problem, runs }
    }

    /// Parses, validates and builds.
    pub fn from_json(text: &str) -> Result<Session, ValidationErrors> {
        Experiment::from_json(text).map(Session::new)
    }

    /// The experiment config.
    pub fn experiment(&self) -> &Experiment {
        &self.experiment
    }

    /// Sets the landscape view box kept in the experiment (it changes no number).
    pub fn set_view(&mut self, view: Option<crate::problem::ViewBox>) {
        self.experiment.view = view;
    }

    /// Sets the search section kept in the experiment (it changes no run).
    pub fn set_search(&mut self, search: Option<crate::search::SearchConfig>) {
        self.experiment.search = search;
    }

    /// The problem.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The runs.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The problem and the runs, for stepping runs one by one.
    pub fn parts_mut(&mut self) -> (&Problem, &mut [Run]) {
        (&self.problem, &mut self.runs)
    }

    /// Turns chart history recording on or off for every run.
    pub fn set_recording(&mut self, on: bool) {
        self.runs.iter_mut().for_each(|r| r.set_recording(on));
    }

    /// Advances every run by up to `n` steps, fewer for a run that stops on the way (so
    /// `step(u64::MAX)` runs every run until it stops); returns the steps taken by all runs
    /// together.
    pub fn step(&mut self, n: u64) -> u64 {
        let problem = &self.problem;
        self.runs.iter_mut().map(|r| r.advance(problem, n)).sum()
    }

    /// Works through `queue` (the steps each run still has to take) until it is empty or
    /// `budget` has passed on `clock` (any monotonic clock, e.g. milliseconds); returns the
    /// steps taken by all runs together.
    ///
    /// The runs take turns, `queue.chunk` steps at a time; the clock is read after every
    /// turn, so one call overruns its budget by at most one turn. The chunk doubles while a
    /// whole round of turns takes under an eighth of the budget and halves when one turn takes
    /// more than a quarter of it, so cheap steps are not paid for with clock reads and costly
    /// ones stay within the budget. Runs are independent, so taking turns gives the same
    /// numbers as stepping each run to the end in one go.
    pub fn work(&mut self, queue: &mut StepQueue, budget: f64, clock: &dyn Fn() -> f64) -> u64 {
        queue.remaining.resize(self.runs.len(), 0);
        let start = clock();
        let mut taken = 0;
        loop {
            let round_start = clock();
            let mut any = false;
            for (run, left) in self.runs.iter_mut().zip(queue.remaining.iter_mut()) {
                if *left == 0 || run.status() != Status::Running {
                    *left = 0;
                    continue;
                }
                any = true;
                let want = queue.chunk.min(*left);
                let turn_start = clock();
                taken += run.advance(&self.problem, want);
                *left -= want;
                let now = clock();
                if now - turn_start > budget / 4.0 {
                    queue.chunk = (queue.chunk / 2).max(1);
                }
                if now - start >= budget {
                    return taken;
                }
            }
            if !any {
                return taken;
            }
            if clock() - round_start < budget / 8.0 && queue.chunk < StepQueue::MAX_CHUNK {
                queue.chunk *= 2;
            }
        }
    }

    /// True while any run may take more steps.
    pub fn any_running(&self) -> bool {
        self.runs.iter().any(|r| r.status() == Status::Running)
    }

    /// Every run back to its start.
    pub fn reset(&mut self) {
        self.runs.iter_mut().for_each(Run::reset);
    }

    /// Where every run stands.
    pub fn snapshot(&self) -> Snapshot {
        let runs = self
            .runs
            .iter()
            .map(|run| {
                let last = run.last_record();
                RunSnapshot {
                    label: run.label().to_string(),
                    step: run.step(),
                    loss: Num(run.objective(&self.problem)),
                    params: nums(run.params()),
                    status: StatusView::from(run.status()),
                    end: crate::run::verdict::judge(run, &self.problem).end.kind,
                    grad_norm: Num(last.map_or(f64::NAN, |r| r.grad_norm)),
                    lr: Num(run.last_lr()),
                    criteria: crate::math::order::map_from(run.monitor().fired().map(|(c, s)| (c.name(), s))),
                    evaluations: run.step() + run.optimizer().extra_evaluations(),
                    training: self.training_snapshot(run),
                }
            })
            .collect();
        Snapshot { runs }
    }

    fn training_snapshot(&self, run: &Run) -> Option<TrainingSnapshot> {
        let Problem::Model(model) = &self.problem else {
            return None;
        };
        let last = run.evaluations().last();
        let value = |f: fn(&crate::run::history::EvalPoint) -> f64| Num(last.map_or(f64::NAN, f));
        let best = run.monitor().best_validation();
        Some(TrainingSnapshot {
            epoch: run.epoch(),
            evaluated_at: last.map(|e| e.step),
            evaluates: model.eval_every() > 0,
            train_loss: value(|e| e.train_loss),
            validation_loss: value(|e| e.validation_loss),
            train_accuracy: value(|e| e.train_accuracy),
            validation_accuracy: value(|e| e.validation_accuracy),
            gap: value(|e| e.validation_loss - e.train_loss),
            best_step: best.map(|b| b.0),
            best_validation_loss: Num(best.map_or(f64::NAN, |b| b.1)),
        })
    }
}
