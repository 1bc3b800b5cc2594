//! The complexity sweep: train the same model at growing complexity (polynomial degree, or
//! hidden units per layer of an MLP) with one run's optimizer and stop rule, and record the
//! final training and validation loss of each. Drawn against complexity, the two make the
//! classic U-curve of under- and over-fitting (e.g. Hastie, Tibshirani and Friedman, "The
//! Elements of Statistical Learning", fig. 2.11).
//!
//! The sweep advances in chunks of steps (`advance(budget)`) so that the page never freezes:
//! it trains one complexity at a time and moves on when that run stops.

use serde::{Deserialize, Serialize};

use crate::config::validate::{ValidationErrors, Validator};
use crate::config::Experiment;
use crate::model::ModelConfig;
use crate::problem::{Problem, ProblemConfig};
use crate::run::session::Session;

/// What the sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepParameter {
    /// The degree of a polynomial model.
    Degree,
    /// The units of every hidden layer of an MLP.
    HiddenUnits,
}

/// One finished complexity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    pub value: u32,
    pub train_loss: f64,
    pub validation_loss: f64,
    pub steps: u64,
    /// True when the validation loss is an overfitting beside the training loss
    /// (`run::verdict::overfits`, the rule of the runs' status lines).
    pub overfits: bool,
}

impl crate::json::InfallibleJson for SweepPoint {}

/// A sweep in progress.
#[derive(Clone, Debug)]
pub struct Sweep {
    base: Experiment,
    parameter: SweepParameter,
    values: Vec<u32>,
    next: usize,
    current: Option<Session>,
    results: Vec<SweepPoint>,
}

/// Most values a sweep may visit.
pub const MAX_SWEEP_VALUES: usize = 32;

fn with_complexity(base: &Experiment, parameter: SweepParameter, value: u32) -> Option<Experiment> {
    let mut experiment = base.clone();
    let ProblemConfig::Model(training) = &mut experiment.problem else {
        return None;
    };
    match (&mut training.model, parameter) {
        (ModelConfig::Polynomial { degree }, SweepParameter::Degree) => *degree = value as usize,
        (ModelConfig::Mlp { hidden, .. }, SweepParameter::HiddenUnits) => {
            hidden.iter_mut().for_each(|h| *h = value as usize)
        }
        _ => return None,
    }
    // Each complexity starts from its own seeded initial weights.
    experiment.runs.iter_mut().for_each(|r| r.x0 = None);
    Some(experiment)
}

/// Reads the complexities to sweep from numbers as the page sends them: each must be a whole
/// number that fits a `u32` (a value is never wrapped or rounded into another one).
pub fn whole_values(values: &[f64]) -> Result<Vec<u32>, ValidationErrors> {
    let mut v = Validator::new();
    let mut out = Vec::with_capacity(values.len());
    for (i, &value) in values.iter().enumerate() {
        if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) {
            out.push(value as u32);
        } else {
            v.error(
                format!("sweep.values[{i}]"),
                format!("must be a whole number from 0 to {}, got {value}", u32::MAX),
            );
        }
    }
    v.finish().map(|()| out)
}

impl Sweep {
    /// A sweep of `values` of `parameter` with run `run` of `base` (a model problem).
    pub fn new(
        base: &Experiment,
        parameter: SweepParameter,
        values: &[u32],
        run: usize,
    ) -> Result<Sweep, ValidationErrors> {
        let mut v = Validator::new();
        v.require(
            !values.is_empty() && values.len() <= MAX_SWEEP_VALUES,
            "sweep.values",
            format!("give 1 to {MAX_SWEEP_VALUES} values, got {}", values.len()),
        );
        v.require(run < base.runs.len(), "sweep.run", format!("there are {} runs, got index {run}", base.runs.len()));
        let mut single = base.clone();
        if let Some(r) = base.runs.get(run) {
            single.runs = vec![r.clone()];
        }
        for (i, value) in values.iter().enumerate() {
            match with_complexity(&single, parameter, *value) {
                Some(e) => {
                    if let Err(errors) = e.validate() {
                        for error in errors.0 {
                            v.error(format!("sweep.values[{i}]"), format!("{value}: {error}"));
                        }
                    }
                }
                None => v.error(
                    "sweep.parameter",
                    match parameter {
                        SweepParameter::Degree => "a degree sweep needs a polynomial model",
                        SweepParameter::HiddenUnits => "a hidden-units sweep needs an mlp model",
                    },
                ),
            }
            if !v.is_empty() {
                break;
            }
        }
        v.finish()?;
        Ok(Sweep { base: single, parameter, values: values.to_vec(), next: 0, current: None, results: Vec::new() })
    }

    /// Trains for at most `budget` steps in all; returns true when every value is done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget;
        while left > 0 {
            if self.current.is_none() {
                let Some(&value) = self.values.get(self.next) else {
                    return true;
                };
                self.current = with_complexity(&self.base, self.parameter, value).map(Session::new);
                if self.current.is_none() {
                    self.next += 1;
                    continue;
                }
            }
            let Some(session) = self.current.as_mut() else {
                continue;
            };
            session.set_recording(false);
            left = left.saturating_sub(session.step(left.min(5_000)).max(1));
            if !session.any_running() {
                self.finish_current();
            }
        }
        self.done()
    }

    fn finish_current(&mut self) {
        let Some(session) = self.current.take() else {
            return;
        };
        let value = self.values.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        let (Problem::Model(problem), Some(run)) = (session.problem(), session.runs().first()) else {
            return;
        };
        let e = problem.evaluate(run.params());
        self.results.push(SweepPoint {
            value,
            train_loss: e.train_loss,
            validation_loss: e.validation_loss,
            steps: run.step(),
            overfits: crate::run::verdict::overfits(e.train_loss, e.validation_loss),
        });
    }

    /// True when every value is done.
    pub fn done(&self) -> bool {
        self.current.is_none() && self.next >= self.values.len()
    }

    /// The finished values so far.
    pub fn results(&self) -> &[SweepPoint] {
        &self.results
    }

    /// What is varied.
    pub fn parameter(&self) -> SweepParameter {
        self.parameter
    }
}
