//! Hyperparameter search as part of the experiment config: random search, successive halving,
//! Hyperband and population-based training over any numeric hyperparameter of the experiment.
//!
//! ```json
//! "search": {"method": "hyperband", "max_resource": 81, "eta": 3, "seed": 7,
//!            "space": [{"path": "runs[0].optimizer.lr", "low": 1e-4, "high": 1, "scale": "log"},
//!                      {"path": "runs[0].optimizer.momentum", "choices": [0, 0.5, 0.9]}]}
//! ```
//!
//! A trial trains one run of the experiment (`run`, default 0) with sampled hyperparameters.
//! The resource is steps on a landscape and epochs on a model trained on data; `max_resource`
//! (R) replaces the stop rule's `max_steps` inside the search, while the other stop criteria
//! keep working. The objective (lower is better) is the loss at the last point on a landscape
//! and the validation loss on a model: the final one, or with `"objective": "best"` the best
//! evaluated so far. A trial whose run diverged ranks last.
//!
//! Methods (formulas and sources in `hyperband.rs` and `pbt.rs`):
//! - `random`: `trials` configurations each trained with R; by default as many as spend what
//!   Hyperband trains for (R, eta) (`hyperband::fair_random_trials`), so that both methods
//!   get the same total resource.
//! - `successive_halving`: one Hyperband bracket of `trials` configurations (default eta^s)
//!   and `rounds` rounds (default: as many as `hyperband::halving_s` allows).
//! - `hyperband`: Li et al. 2018, Algorithm 1.
//! - `pbt`: `population` members trained for R, every `interval` units the worst `fraction`
//!   copy the best and perturb the real-valued hyperparameters of their optimizer (the
//!   learning rate included) by 0.8 or 1.2, within the space's ranges.
//!
//! Every trial's sample is drawn from its own generator, seeded with the search seed and the
//! trial's index, and every trial trains on the experiment's seed (same data, initial weights
//! and minibatch order for all): results do not depend on the order or the threads that train
//! the trials. `runner::Search` runs the search in chunks of steps for the page, and exposes
//! each stage's trials so that the CLI can train them on several threads.

pub mod hyperband;
pub mod pbt;
pub mod runner;
pub mod space;

use serde::{Deserialize, Serialize};

use crate::config::validate::Validator;
use crate::config::Experiment;

pub use runner::{Outcome, Search, SearchResults, Trial, TrialResult};
pub use space::{Parameter, Scale};

/// The search method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Random search (Bergstra and Bengio 2012).
    Random,
    /// Successive halving (Jamieson and Talwalkar 2016).
    SuccessiveHalving,
    /// Hyperband (Li et al. 2018).
    Hyperband,
    /// Population-based training (Jaderberg et al. 2017).
    Pbt,
}

/// What a trial is judged by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// The loss (landscape) or validation loss (model) at the end of the trial.
    #[default]
    Final,
    /// The lowest validation loss evaluated during the trial (models; the final loss on a
    /// landscape).
    Best,
}

/// The search section of an experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The method.
    pub method: Method,
    /// The hyperparameters searched.
    pub space: Vec<Parameter>,
    /// R: the most resource one configuration gets (steps, or epochs for models).
    #[serde(default = "default_max_resource")]
    pub max_resource: u64,
    /// eta: the proportion kept per round is 1/eta (successive halving, Hyperband; also sets
    /// random search's fair budget).
    #[serde(default = "default_eta")]
    pub eta: u64,
    /// Configurations: random search's count, or successive halving's n.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials: Option<u64>,
    /// Successive halving's number of rounds (s + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    /// Seed of the samples (the experiment's seed still draws data and weights).
    #[serde(default)]
    pub seed: u64,
    /// The run of the experiment that trials train.
    #[serde(default)]
    pub run: usize,
    /// Final or best.
    #[serde(default)]
    pub objective: Objective,
    /// PBT: members of the population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u32>,
    /// PBT: units between two exploit/explore steps (default: R / 10, at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    /// PBT: share of the population replaced each time (bottom) and copied from (top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
}

fn default_max_resource() -> u64 {
    81
}
fn default_eta() -> u64 {
    3
}

/// Most configurations one search may start.
pub const MAX_TRIALS: u64 = 10_000;
/// Largest PBT population.
pub const MAX_POPULATION: u32 = 256;
/// Largest total resource (configurations times R, in units) one search may spend.
pub const MAX_TOTAL_RESOURCE: f64 = 1e9;

impl SearchConfig {
    /// PBT's population (default 8).
    pub fn population(&self) -> u32 {
        self.population.unwrap_or(8)
    }

    /// PBT's interval (default R / 10, at least 1).
    pub fn interval(&self) -> u64 {
        self.interval.unwrap_or((self.max_resource / 10).max(1))
    }

    /// PBT's fraction (default 0.25).
    pub fn fraction(&self) -> f64 {
        self.fraction.unwrap_or(0.25)
    }

    /// Random search's trial count (default: Hyperband's budget divided by R).
    pub fn random_trials(&self) -> u64 {
        self.trials.unwrap_or_else(|| hyperband::fair_random_trials(self.max_resource, self.eta))
    }

    /// Successive halving's s (rounds minus one).
    pub fn halving_s(&self) -> u32 {
        match self.rounds {
            Some(r) => r.saturating_sub(1),
            None => hyperband::halving_s(self.halving_trials(), self.max_resource, self.eta),
        }
    }

    /// Successive halving's n (default eta^s_max, the most exploratory Hyperband bracket).
    pub fn halving_trials(&self) -> u64 {
        self.trials.unwrap_or_else(|| {
            let s = hyperband::s_max(self.max_resource, self.eta);
            (0..s).fold(1_u64, |p, _| p.saturating_mul(self.eta))
        })
    }

    /// Checks the section against its experiment, recording problems under `search`.
    pub fn validate(&self, experiment: &Experiment, v: &mut Validator) {
        let r = self.max_resource;
        v.require(
            (1..=hyperband::MAX_RESOURCE).contains(&r),
            "search.max_resource",
            format!("must be in [1, {}], got {r}", hyperband::MAX_RESOURCE),
        );
        v.require(
            (2..=hyperband::MAX_ETA).contains(&self.eta),
            "search.eta",
            format!("must be in [2, {}], got {}", hyperband::MAX_ETA, self.eta),
        );
        v.require(
            self.run < experiment.runs.len(),
            "search.run",
            format!("there are {} runs, got index {}", experiment.runs.len(), self.run),
        );
        let pbt = self.method == Method::Pbt;
        for (field, given) in [
            ("population", self.population.is_some()),
            ("interval", self.interval.is_some()),
            ("fraction", self.fraction.is_some()),
        ] {
            v.require(!given || pbt, format!("search.{field}"), "is a setting of method pbt only");
        }
        let counts = matches!(self.method, Method::Random | Method::SuccessiveHalving);
        v.require(self.trials.is_none() || counts, "search.trials", "is a setting of random and successive_halving");
        v.require(
            self.rounds.is_none() || self.method == Method::SuccessiveHalving,
            "search.rounds",
            "is a setting of successive_halving only",
        );
        if !v.is_empty() {
            return;
        }
        let configurations = match self.method {
            Method::Random => self.random_trials(),
            Method::SuccessiveHalving => self.halving_trials(),
            Method::Hyperband => hyperband::configurations(&hyperband::plan(r, self.eta)),
            Method::Pbt => u64::from(self.population()),
        };
        v.require(
            (1..=MAX_TRIALS).contains(&configurations),
            "search",
            format!("would start {configurations} configurations; 1 to {MAX_TRIALS} are allowed (lower max_resource, raise eta, or set trials)"),
        );
        if configurations as f64 * r as f64 > MAX_TOTAL_RESOURCE {
            v.error(
                "search.max_resource",
                format!(
                    "{configurations} configurations of up to {r} units exceed the limit of {MAX_TOTAL_RESOURCE} units"
                ),
            );
        }
        if self.method == Method::SuccessiveHalving {
            let s = self.halving_s();
            let eta_s = (0..s).fold(1_u128, |p, _| p.saturating_mul(u128::from(self.eta)));
            v.require(
                self.rounds.is_none_or(|rounds| rounds >= 1),
                "search.rounds",
                format!("must be >= 1, got {}", self.rounds.unwrap_or(0)),
            );
            v.require(
                eta_s <= u128::from(configurations),
                "search.rounds",
                format!(
                    "{} rounds keep no configuration of {configurations} at the end (eta^s must be <= trials)",
                    s + 1
                ),
            );
            v.require(
                eta_s <= u128::from(r),
                "search.rounds",
                format!("{} rounds start below one unit of resource (eta^s must be <= max_resource {r})", s + 1),
            );
        }
        if pbt {
            let population = self.population();
            v.require(
                (2..=MAX_POPULATION).contains(&population),
                "search.population",
                format!("must be in [2, {MAX_POPULATION}], got {population}"),
            );
            let interval = self.interval();
            v.require(
                (1..=r).contains(&interval),
                "search.interval",
                format!("must be in [1, max_resource = {r}], got {interval}"),
            );
            let fraction = self.fraction();
            let ok = fraction > 0.0 && fraction <= 0.5 && (f64::from(population) * fraction).floor() >= 1.0;
            v.require(
                ok,
                "search.fraction",
                format!(
                    "must be in (0, 0.5] and leave at least one member (population * fraction >= 1), got {fraction}"
                ),
            );
        }
        space::validate(&self.space, experiment, self.run, v);
    }
}
