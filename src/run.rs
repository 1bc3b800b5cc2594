//! One optimizer run: parameters, optimizer, schedule and monitor, stepped one update at a
//! time under the reference loop convention.
//!
//! Step t: `lr = schedule.lr(t)`; `loss[t], grad[t] = f(params[t])`; the monitor checks the
//! point; `optimizer.step()`; `schedule.observe_loss(loss[t])`; the monitor checks the update.

use crate::config::RunConfig;
use crate::history::{History, TracePoint};
use crate::math::norm2;
use crate::monitor::{Monitor, Status, StopConfig};
use crate::optim::Optimizer;
use crate::problem::Problem;
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
    history: History,
    recording: bool,
}

impl Run {
    /// A run of a validated config from `x0` on a problem of dimension `x0.len()`.
    pub fn new(config: &RunConfig, x0: Vec<f64>, stop: &StopConfig) -> Run {
        let dim = x0.len();
        Run {
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
            history: History::default(),
            recording: true,
            x0,
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

    /// The start point.
    pub fn x0(&self) -> &[f64] {
        &self.x0
    }

    /// Back to the start point with fresh optimizer, schedule and monitor state.
    pub fn reset(&mut self) {
        self.params.clone_from(&self.x0);
        self.visited.clone_from(&self.x0);
        self.optimizer.reset();
        self.schedule.reset();
        self.monitor.reset();
        self.step = 0;
        self.status = Status::Running;
        self.last = None;
        self.last_lr = f64::NAN;
        self.history.clear();
    }

    /// Visits the current point and, unless the run stops there, takes one update.
    /// Returns None when the run had already stopped.
    #[inline]
    pub fn step_once(&mut self, problem: &Problem) -> Option<StepRecord> {
        if !self.status.is_running() {
            return None;
        }
        let t = self.step;
        self.visited.copy_from_slice(&self.params);
        let loss = problem.loss_grad(&self.params, &mut self.grad);
        let grad_norm = norm2(&self.grad);
        let mut record = StepRecord { step: t, loss, grad_norm, lr: None, delta_norm: None };
        if let Some(status) = self.monitor.check_point(t, loss, grad_norm) {
            self.status = status;
        } else if t >= self.max_steps {
            self.status = Status::Stopped { at_step: t };
        } else {
            let lr = self.schedule.lr(t);
            let momentum = self.schedule.momentum(t);
            self.optimizer.step(&mut self.params, loss, &self.grad, lr, momentum, problem);
            self.schedule.observe_loss(loss);
            let mut sq = 0.0;
            let mut finite = true;
            for (p, v) in self.params.iter().zip(&self.visited) {
                let d = p - v;
                sq += d * d;
                finite &= p.is_finite();
            }
            let delta_norm = sq.sqrt();
            self.step = t + 1;
            record.lr = Some(lr);
            self.last_lr = lr;
            record.delta_norm = Some(delta_norm);
            if let Some(status) = self.monitor.check_update(t + 1, delta_norm, finite) {
                self.status = status;
            }
        }
        if self.recording {
            self.history.push(TracePoint {
                step: t,
                loss,
                lr: record.lr.unwrap_or(f64::NAN),
                grad_norm,
                delta_norm: record.delta_norm.unwrap_or(f64::NAN),
                xy: [self.visited.first().copied().unwrap_or(0.0), self.visited.get(1).copied().unwrap_or(0.0)],
            });
        }
        self.last = Some(record);
        Some(record)
    }

    /// Takes up to `n` steps; returns how many were taken.
    pub fn advance(&mut self, problem: &Problem, n: u64) -> u64 {
        let mut taken = 0;
        while taken < n && self.step_once(problem).is_some() {
            taken += 1;
        }
        taken
    }
}
