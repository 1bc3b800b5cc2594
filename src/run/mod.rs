//! One optimizer run: parameters, optimizer, schedule and monitor, stepped one update at a
//! time under the reference loop convention.
//!
//! Step t: `lr = schedule.lr(t)`; `loss[t], grad[t] = f(params[t])`; the monitor checks the
//! point; `optimizer.step()`; `schedule.observe_loss(loss[t])`; the monitor checks the update.
//!
//! On a model trained on data, `f` is the loss of the next minibatch when the problem is
//! stochastic (seeded reshuffling every epoch, or the training set's own order every epoch with
//! `shuffle: false`; the last batch of an epoch may be smaller, as torch's DataLoader with
//! `drop_last=False`); an epoch ends when every training point was
//! used once (every step, for full batch). At the end of every `eval_every`-th epoch (and at
//! step 0) the run evaluates training and validation loss and accuracy, and the monitor
//! checks early stopping; with `restore_best` an early stop returns to the best weights.
//!
//! A loss plateau, parameter change or early stop that fires while the parameters are still
//! the start point (up to rounding, see `still_at_start`) makes the run "stalled", not
//! "converged": the updates were too small to move anything.

pub mod history;
pub mod monitor;
pub mod replay;
pub mod report;
pub mod session;
pub mod snapshot;
pub mod timeline;
pub mod trace;
pub mod verdict;
pub mod weights;

use std::cell::Cell;

use crate::config::RunConfig;
use crate::data::Rng;
use crate::math::{copy_into, norm2};
use crate::model::Workspace;
use crate::optim::{Optimizer, OptimizerConfig};
use crate::problem::{Problem, TrainingProblem};
use crate::run::history::{EvalPoint, History, TracePoint};
use crate::run::monitor::{Monitor, Status, StopConfig};
use crate::run::weights::WeightHistory;
use crate::schedule::Schedule;

/// What one call of `Run::step_once` did: the point it visited and the update it took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepRecord {
    /// Updates done before the point (the point is `params[step]`).
    pub step: u64,
    /// f at the point.
    pub loss: f64,
    /// ||grad f|| at the point.
    pub grad_norm: f64,
    /// The learning rate of the update, if one was taken.
    pub lr: Option<f64>,
    /// ||params[step+1] - params[step]||, if an update was taken.
    pub delta_norm: Option<f64>,
}

/// Random-generator stream of the minibatch order.
pub const STREAM_BATCHES: u64 = 12;
/// Random-generator stream of dropout masks.
pub const STREAM_DROPOUT: u64 = 13;

/// Seeded minibatch order and dropout of a run on a model problem. Every run of an experiment
/// sees the same batches, so that optimizers are compared on equal terms.
#[derive(Clone, Debug)]
struct Batches {
    seed: u64,
    /// False: the order is the training set's own and never changes.
    shuffle: bool,
    order_rng: Rng,
    dropout_rng: Rng,
    order: Vec<u32>,
    cursor: usize,
}

impl Batches {
    fn new(n: usize, seed: u64, shuffle: bool) -> Batches {
        let mut order_rng = Rng::new(seed, STREAM_BATCHES);
        let mut order: Vec<u32> = (0..n as u32).collect();
        if shuffle {
            order_rng.shuffle(&mut order);
        }
        Batches { seed, shuffle, order_rng, dropout_rng: Rng::new(seed, STREAM_DROPOUT), order, cursor: 0 }
    }

    fn reset(&mut self) {
        *self = Batches::new(self.order.len(), self.seed, self.shuffle);
    }

    /// The loss and gradient of the next batch; also says whether the batch ended an epoch.
    fn loss_grad(
        &mut self,
        problem: &TrainingProblem,
        workspace: &mut Workspace,
        w: &[f64],
        g: &mut [f64],
    ) -> (f64, bool) {
        if self.cursor >= self.order.len() {
            if self.shuffle {
                self.order_rng.shuffle(&mut self.order);
            }
            self.cursor = 0;
        }
        let end = (self.cursor + problem.batch_size()).min(self.order.len());
        let batch = &self.order[self.cursor..end];
        let loss = problem.model.loss_grad_in(workspace, w, &problem.train, batch, g, Some(&mut self.dropout_rng));
        self.cursor = end;
        (loss, end >= self.order.len())
    }
}

/// A run in progress.
#[derive(Clone, Debug)]
pub struct Run {
    label: String,
    x0: Vec<f64>,
    params: Vec<f64>,
    visited: Vec<f64>,
    grad: Vec<f64>,
    optimizer: Optimizer,
    schedule: Schedule,
    monitor: Monitor,
    max_steps: u64,
    step: u64,
    status: Status,
    last: Option<StepRecord>,
    last_lr: f64,
    /// The size of the last update taken, ||Δw|| (NaN before the first), kept whether or not
    /// the run records its history, so that the words about how it ended are the same in the
    /// CLI (which does not record) and in the page.
    last_delta_norm: f64,
    history: History,
    recording: bool,
    batches: Option<Batches>,
    epoch: u64,
    evaluations: History<EvalPoint>,
    /// The weights at the evaluations (bounded), for the timeline's model view.
    weight_history: WeightHistory,
    best_params: Vec<f64>,
    /// Scratch space of a model's training passes, kept between steps.
    workspace: Workspace,
    /// The objective at the current parameters and the step it was computed at: snapshots and
    /// reports ask for it, and for a model it costs a pass over the training set.
    objective: Cell<Option<(u64, f64)>>,
    /// The optimizer's weight decay, `(coupled, decoupled)` (`OptimizerConfig::weight_decay`):
    /// the verdict classifies the end point against the objective actually minimised.
    weight_decay: (f64, f64),
}

impl Run {
    /// A run of a validated config from `x0` on `problem` (of dimension `x0.len()`); `seed`
    /// draws minibatches and dropout masks.
    pub fn new(config: &RunConfig, x0: Vec<f64>, stop: &StopConfig, problem: &Problem, seed: u64) -> Run {
        let dim = x0.len();
        let batches = match problem {
            Problem::Model(m) if m.is_stochastic() => Some(Batches::new(m.train.len(), seed, m.shuffles())),
            _ => None,
        };
        Run {
            batches,
            epoch: 0,
            evaluations: History::default(),
            weight_history: WeightHistory::new(dim),
            best_params: x0.clone(),
            workspace: Workspace::new(),
            label: config.label.clone(),
            params: x0.clone(),
            visited: x0.clone(),
            grad: vec![0.0; dim],
            optimizer: Optimizer::new(&config.optimizer, dim),
            schedule: config.schedule.build(config.optimizer.lr()),
            monitor: Monitor::new(stop),
            max_steps: stop.max_steps,
            step: 0,
            status: Status::Running,
            last: None,
            last_lr: f64::NAN,
            last_delta_norm: f64::NAN,
            history: History::default(),
            recording: true,
            x0,
            objective: Cell::new(None),
            weight_decay: config.optimizer.weight_decay(),
        }
    }

    /// Turns the chart history on or off (off is faster).
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Updates done so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Current parameters.
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// The point visited by the last `step_once` (`params[step]` of its record).
    pub fn visited(&self) -> &[f64] {
        &self.visited
    }

    /// Where the run stands.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The last record.
    pub fn last_record(&self) -> Option<&StepRecord> {
        self.last.as_ref()
    }

    /// The learning rate of the last update taken (NaN before the first).
    pub fn last_lr(&self) -> f64 {
        self.last_lr
    }

    /// The size of the last update taken, ||Δw|| (NaN before the first).
    pub fn last_delta_norm(&self) -> f64 {
        self.last_delta_norm
    }

    /// The monitor (criteria that fired).
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// The chart history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The optimizer.
    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    /// The schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The objective (`problem.loss`) at the current parameters, computed once per step.
    pub fn objective(&self, problem: &Problem) -> f64 {
        if let Some((step, value)) = self.objective.get() {
            if step == self.step {
                return value;
            }
        }
        let value = problem.loss(&self.params);
        self.objective.set(Some((self.step, value)));
        value
    }

    /// Replaces the learning-rate schedule mid-run, keeping the step count, the parameters and
    /// the optimizer's state (population-based training gives a member a new lr this way).
    pub fn set_schedule(&mut self, schedule: Schedule) {
        self.schedule = schedule;
    }

    /// Gives the optimizer the settings of `config` mid-run if it is the same kind of
    /// optimizer, keeping its state, the step count and the parameters (`Optimizer::retune`);
    /// returns false, changing nothing, for another kind. The learning rate comes from the
    /// schedule, so a new lr also takes `set_schedule`.
    pub fn retune(&mut self, config: &OptimizerConfig) -> bool {
        let retuned = self.optimizer.retune(config);
        if retuned {
            self.weight_decay = config.weight_decay();
        }
        retuned
    }

    /// The optimizer's weight decay, `(coupled, decoupled)`.
    pub fn weight_decay(&self) -> (f64, f64) {
        self.weight_decay
    }

    /// The start point.
    pub fn x0(&self) -> &[f64] {
        &self.x0
    }

    /// Back to the start point with fresh optimizer, schedule and monitor state.
    pub fn reset(&mut self) {
        self.params.clone_from(&self.x0);
        self.visited.clone_from(&self.x0);
        // A scratch buffer, overwritten before each use; cleared so that a reset run is in
        // every piece the run of a fresh session.
        self.grad.fill(0.0);
        self.optimizer.reset();
        self.schedule.reset();
        self.monitor.reset();
        self.step = 0;
        self.status = Status::Running;
        self.last = None;
        self.last_lr = f64::NAN;
        self.last_delta_norm = f64::NAN;
        self.history.clear();
        if let Some(b) = self.batches.as_mut() {
            b.reset();
        }
        self.epoch = 0;
        self.evaluations.clear();
        self.weight_history.clear();
        self.best_params.clone_from(&self.x0);
        self.objective.set(None);
    }

    /// Whole passes over the training set done (model problems).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Evaluations of training and validation loss (model problems).
    pub fn evaluations(&self) -> &History<EvalPoint> {
        &self.evaluations
    }

    /// The weights the run had at step `step`, or the nearest recorded before it: `(the step
    /// they are of, the weights)`. At or after the current step they are the current weights;
    /// before it, the latest snapshot at or before `step` (None when there is none).
    pub fn weights_at(&self, step: u64) -> Option<(u64, &[f64])> {
        if step >= self.step {
            return Some((self.step, &self.params));
        }
        self.weight_history.at_or_before(step)
    }

    /// The weights recorded at the evaluations (model problems, while recording).
    pub fn weight_history(&self) -> &WeightHistory {
        &self.weight_history
    }

    /// Evaluates the model at the current weights and records it (and, while recording, the
    /// weights); returns the validation loss.
    fn record_evaluation(&mut self, problem: &TrainingProblem) -> f64 {
        if self.recording {
            self.weight_history.push(self.step, &self.params);
        }
        let e = problem.evaluate(&self.params);
        self.evaluations.push(EvalPoint {
            step: self.step,
            epoch: self.epoch,
            train_loss: e.train_loss,
            validation_loss: e.validation_loss,
            train_accuracy: e.train_accuracy,
            validation_accuracy: e.validation_accuracy,
        });
        e.validation_loss
    }

    /// Evaluates the model at the current weights, records it and checks early stopping.
    fn evaluate(&mut self, problem: &TrainingProblem) {
        let validation_loss = self.record_evaluation(problem);
        let verdict = self.monitor.check_validation(self.step, validation_loss);
        if self.monitor.best_validation().is_some_and(|(step, _)| step == self.step) {
            self.best_params.clone_from(&self.params);
        }
        if let Some(status) = verdict {
            let status = self.judge(status);
            let restore = self.monitor.config().early_stopping.as_ref().is_some_and(|c| c.restore_best);
            if restore && matches!(status, Status::Converged { .. }) {
                self.params.clone_from(&self.best_params);
                self.objective.set(None);
                // The last evaluation now describes the restored weights.
                self.record_evaluation(problem);
            }
            if self.status.is_running() {
                self.status = status;
            }
        }
    }

    /// True while the parameters are still the start point, up to one rounding step at unit
    /// scale: `||params - x0|| <= EPSILON * max(1, ||x0||)`. A start at 0 that crept by 1e-300
    /// counts as not moved; the scale floor of 1 is the landscapes' and models' natural one.
    fn still_at_start(&self) -> bool {
        still_at(&self.params, &self.x0)
    }

    /// A monitor's verdict as the run's status: a progress criterion that fires while the
    /// parameters are still the start point means the run stalled, not converged.
    fn judge(&self, status: Status) -> Status {
        match status {
            Status::Converged { criterion, at_step } if criterion.measures_progress() && self.still_at_start() => {
                Status::Stalled { criterion, at_step }
            }
            other => other,
        }
    }

    /// Visits the current point and, unless the run stops there, takes one update.
    /// Returns None when the run had already stopped.
    #[inline]
    pub fn step_once(&mut self, problem: &Problem) -> Option<StepRecord> {
        if !self.status.is_running() {
            return None;
        }
        let t = self.step;
        copy_into(&mut self.visited, &self.params);
        let training = match problem {
            Problem::Model(m) => Some(m.as_ref()),
            _ => None,
        };
        if let (Some(m), 0) = (training, t) {
            if m.eval_every() > 0 && self.evaluations.is_empty() {
                self.evaluate(m);
                if !self.status.is_running() {
                    return Some(self.visit_without_update(m));
                }
            }
        }
        let (loss, epoch_done) = match (self.batches.as_mut(), training) {
            (Some(batches), Some(m)) => batches.loss_grad(m, &mut self.workspace, &self.params, &mut self.grad),
            (None, Some(m)) => (m.loss_grad_in(&mut self.workspace, &self.params, &mut self.grad), true),
            _ => (problem.loss_grad(&self.params, &mut self.grad), true),
        };
        let grad_norm = norm2(&self.grad);
        let mut record = StepRecord { step: t, loss, grad_norm, lr: None, delta_norm: None };
        if let Some(status) = self.monitor.check_point(t, loss, grad_norm) {
            self.status = self.judge(status);
        } else if t >= self.max_steps {
            self.status = Status::Stopped { at_step: t };
        } else {
            let lr = self.schedule.lr(t);
            let momentum = self.schedule.momentum(t);
            self.optimizer.step(&mut self.params, loss, &self.grad, lr, momentum, problem);
            // An optimizer that learns its own learning rate reports the one it used.
            let lr = self.optimizer.learned_lr().unwrap_or(lr);
            self.schedule.observe_loss(loss);
            let mut sq = 0.0;
            let mut finite = true;
            // Plain indexing: `zip` is a call per element in the size-optimised wasm build.
            let (params, visited) = (self.params.as_slice(), self.visited.as_slice());
            for i in 0..params.len().min(visited.len()) {
                let d = params[i] - visited[i];
                sq += d * d;
                finite &= params[i].is_finite();
            }
            let delta_norm = sq.sqrt();
            self.step = t + 1;
            record.lr = Some(lr);
            self.last_lr = lr;
            self.last_delta_norm = delta_norm;
            record.delta_norm = Some(delta_norm);
            if let Some(status) = self.monitor.check_update(t + 1, delta_norm, finite) {
                self.status = self.judge(status);
            }
            if let (Some(m), true) = (training, epoch_done) {
                self.epoch += 1;
                let every = u64::from(m.eval_every());
                if every > 0 && self.epoch % every == 0 && finite {
                    self.evaluate(m);
                }
            }
        }
        if self.recording {
            self.history.push(self.trace_point(&record));
        }
        self.last = Some(record);
        Some(record)
    }

    /// The chart history's point of `record`, at the point just visited.
    #[inline(always)]
    fn trace_point(&self, record: &StepRecord) -> TracePoint {
        TracePoint {
            step: record.step,
            loss: record.loss,
            lr: record.lr.unwrap_or(f64::NAN),
            grad_norm: record.grad_norm,
            delta_norm: record.delta_norm.unwrap_or(f64::NAN),
            xy: [self.visited.first().copied().unwrap_or(0.0), self.visited.get(1).copied().unwrap_or(0.0)],
        }
    }

    /// The start of a model run whose first evaluation ended it (a validation loss that is not
    /// finite): the point is visited on the whole training set and recorded, but no update is
    /// taken. Apart from `step_once`, which it leaves as lean as before for every other step.
    #[cold]
    #[inline(never)]
    fn visit_without_update(&mut self, model: &TrainingProblem) -> StepRecord {
        let loss = model.loss_grad_in(&mut self.workspace, &self.params, &mut self.grad);
        let record = StepRecord { step: self.step, loss, grad_norm: norm2(&self.grad), lr: None, delta_norm: None };
        if self.recording {
            self.history.push(self.trace_point(&record));
        }
        self.last = Some(record);
        record
    }

    /// Takes up to `n` steps; returns how many were taken.
    pub fn advance(&mut self, problem: &Problem, n: u64) -> u64 {
        let mut taken = 0;
        while taken < n && self.step_once(problem).is_some() {
            taken += 1;
        }
        // A run that has just taken its last allowed update visits its final point now, so that
        // it reports "stopped" without waiting for another call.
        if self.step >= self.max_steps && self.status.is_running() {
            self.step_once(problem);
        }
        taken
    }
}

/// True when `params` are still the start point `x0` (to a relative `f64::EPSILON`): a progress
/// criterion that fires there means the run stalled (`Status::Stalled`), not converged. The
/// batched basins kernel (`analysis::basin_lanes`) judges its lanes with it too.
pub(crate) fn still_at(params: &[f64], x0: &[f64]) -> bool {
    let mut moved = 0.0;
    let mut start = 0.0;
    for (p, x) in params.iter().zip(x0) {
        moved += (p - x) * (p - x);
        start += x * x;
    }
    // Compared squared: sqrt(moved) <= EPSILON * max(1, sqrt(start)).
    moved <= f64::EPSILON * f64::EPSILON * start.max(1.0)
}
