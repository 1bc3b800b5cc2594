//! Seed bands: how much of a minibatch run's curve is luck. One run of a model experiment is
//! repeated with N seeds s = seed, seed + 1, ..., seed + N - 1, each drawing its own initial
//! weights, minibatch order and dropout masks (the data and their split stay those of the
//! experiment's seed), and the full training loss is recorded every `stride` steps. The band
//! is the mean and the standard deviation (population, over the seeds) at each recorded step,
//! with the minimum and maximum; beside a minibatch run, the same run in full batch (the same
//! optimizer and schedule with `batch_size: null` and the experiment's own initial weights). A
//! full-batch run's band already is full batch, and its seeds differ in their initial weights
//! (and dropout masks): it has no such comparison. A run that stops early keeps its last loss for
//! the later steps, and the band ends at the first recorded step at or after the last run's
//! end, not at the step limit. The stride keeps at most `MAX_BAND_POINTS` points whatever the
//! step limit. Seeds are run one after another in chunks.

use serde::Serialize;

use crate::config::validate::{ValidationErrors, Validator};
use crate::config::{Experiment, RunConfig};
use crate::data::Rng;
use crate::math::sqrt;
use crate::problem::{Problem, ProblemConfig, STREAM_INIT};
use crate::run::monitor::StopConfig;
use crate::run::Run;

/// Most seeds of a band.
pub const MAX_BAND_SEEDS: usize = 64;
/// Most recorded steps of a band.
pub const MAX_BAND_POINTS: u64 = 500;

/// The seeds of a band when a config gives no count.
pub const DEFAULT_BAND_SEEDS: usize = 8;

/// Checks a band's settings.
pub fn check(experiment: &Experiment, run: usize, seeds: usize, v: &mut Validator) {
    let model = matches!(experiment.problem, ProblemConfig::Model(_));
    v.require(model, "problem", "seed bands need a model trained on data");
    v.require(
        (1..=MAX_BAND_SEEDS).contains(&seeds),
        "analysis.seed_bands.seeds",
        format!("must be 1 to {MAX_BAND_SEEDS}, got {seeds}"),
    );
    let count = experiment.runs.len();
    v.require(run < count, "analysis.seed_bands.run", format!("there are {count} runs, got index {run}"));
}

/// The band so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BandResult {
    pub steps: Vec<u64>,
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    /// The same run's loss in full batch at the same steps (empty until it has run, and for a
    /// run that is full batch already).
    pub full_batch: Vec<f64>,
    /// Seeds done.
    pub seeds: usize,
    /// Whether the band has a full-batch twin (a minibatch run), drawn once it has run.
    pub compared: bool,
    /// Whether the band has no width: more than one seed, and at every step a standard
    /// deviation within `NO_SPREAD` of the mean (nothing random in the run depends on the
    /// seed; the mean of equal losses may differ from them in the last bit).
    pub no_spread: bool,
}

/// The relative standard deviation at or below which a band has no width (`no_spread`).
pub const NO_SPREAD: f64 = 1e-12;

impl crate::json::InfallibleJson for BandResult {}

/// A seed band in progress.
#[derive(Clone, Debug)]
pub struct SeedBands {
    minibatch: Problem,
    full_batch: Problem,
    run: RunConfig,
    stop: StopConfig,
    seed: u64,
    seeds: usize,
    stride: u64,
    steps: Vec<u64>,
    /// Per seed, the loss at each recorded step.
    curves: Vec<Vec<f64>>,
    full: Vec<f64>,
    /// Whether the band is drawn beside the same run in full batch (a minibatch run's).
    compared: bool,
    /// The last step any finished run reached.
    reached: u64,
    current: Option<(Run, Vec<f64>)>,
}

impl SeedBands {
    /// Bands of run `run` of `experiment` (a model trained on data) over `seeds` seeds.
    pub fn new(experiment: &Experiment, run: usize, seeds: usize) -> Result<SeedBands, ValidationErrors> {
        let mut v = Validator::new();
        check(experiment, run, seeds, &mut v);
        v.finish()?;
        let training = match &experiment.problem {
            ProblemConfig::Model(training) => Some(training),
            _ => None,
        };
        let config = experiment.runs.get(run);
        let (Some(training), Some(config)) = (training, config) else {
            return Err(ValidationErrors::one("problem", "seed bands need a model trained on data"));
        };
        let mut full_config = training.as_ref().clone();
        full_config.batch_size = None;
        let stop = experiment.stop.clone();
        let stride = stop.max_steps.div_ceil(MAX_BAND_POINTS).max(1);
        let steps: Vec<u64> = (0..=stop.max_steps / stride).map(|k| k * stride).collect();
        let minibatch = experiment.problem.build_with_seed(experiment.seed);
        let compared = matches!(&minibatch, Problem::Model(m) if m.batch_size() < m.train.len());
        Ok(SeedBands {
            minibatch,
            full_batch: ProblemConfig::Model(Box::new(full_config)).build_with_seed(experiment.seed),
            run: config.clone(),
            stop,
            seed: experiment.seed,
            seeds,
            stride,
            steps,
            curves: Vec::new(),
            full: Vec::new(),
            compared,
            reached: 0,
            current: None,
        })
    }

    /// The next run to start: a seed of the band, then (for a minibatch run) the same run in
    /// full batch.
    fn start_next(&self) -> Option<Run> {
        let k = self.curves.len();
        let mut run = if k < self.seeds {
            let seed = self.seed.wrapping_add(k as u64);
            let Problem::Model(model) = &self.minibatch else {
                return None;
            };
            let x0 = model.model.init(&mut Rng::new(seed, STREAM_INIT));
            Run::new(&self.run, x0, &self.stop, &self.minibatch, seed)
        } else if self.compared && self.full.is_empty() {
            let Problem::Model(model) = &self.full_batch else {
                return None;
            };
            Run::new(&self.run, model.initial_weights(), &self.stop, &self.full_batch, self.seed)
        } else {
            return None;
        };
        run.set_recording(false);
        Some(run)
    }

    /// Takes at most `budget` steps in all (at least one); true when every run is done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget.max(1);
        while left > 0 && !self.done() {
            let (mut run, mut curve) = match self.current.take() {
                Some(current) => current,
                None => match self.start_next() {
                    Some(run) => (run, Vec::with_capacity(self.steps.len())),
                    None => return true,
                },
            };
            let problem = if self.curves.len() < self.seeds { &self.minibatch } else { &self.full_batch };
            while left > 0 && curve.len() < self.steps.len() {
                let target = self.steps.get(curve.len()).copied().unwrap_or(0);
                if run.step() < target && run.status().is_running() {
                    left = left.saturating_sub(run.advance(problem, (target - run.step()).min(left)).max(1));
                    continue;
                }
                // A stopped run keeps its last loss.
                curve.push(run.objective(problem));
            }
            if curve.len() < self.steps.len() {
                self.current = Some((run, curve));
                continue;
            }
            self.reached = self.reached.max(run.step());
            if self.curves.len() < self.seeds {
                self.curves.push(curve);
            } else {
                self.full = curve;
            }
        }
        self.done()
    }

    /// The share of runs done (the seeds and the full-batch run, if compared).
    pub fn progress(&self) -> f64 {
        let compared = usize::from(self.compared);
        (self.curves.len() + usize::from(!self.full.is_empty())) as f64 / (self.seeds + compared) as f64
    }

    /// True when every seed and the full-batch run (if compared) are done.
    pub fn done(&self) -> bool {
        self.curves.len() >= self.seeds && (!self.compared || !self.full.is_empty())
    }

    /// The band over the seeds done so far.
    pub fn result(&self) -> BandResult {
        let n = self.curves.len().max(1) as f64;
        let at = |i: usize| self.curves.iter().filter_map(move |c| c.get(i).copied());
        // The band ends at the first recorded step at or after the last finished run's end.
        let ended = self.steps.iter().position(|&s| s >= self.reached).map_or(self.steps.len(), |i| i + 1);
        let count = if self.curves.is_empty() { 0 } else { ended };
        let mean: Vec<f64> = (0..count).map(|i| at(i).sum::<f64>() / n).collect();
        let std: Vec<f64> = (0..count)
            .map(|i| {
                let m = mean.get(i).copied().unwrap_or(f64::NAN);
                sqrt(at(i).map(|x| (x - m) * (x - m)).sum::<f64>() / n)
            })
            .collect();
        let no_spread = self.curves.len() > 1 && std.iter().zip(&mean).all(|(s, m)| *s <= NO_SPREAD * m.abs());
        BandResult {
            steps: self.steps.get(..count).unwrap_or(&[]).to_vec(),
            std,
            min: (0..count).map(|i| at(i).fold(f64::INFINITY, f64::min)).collect(),
            max: (0..count).map(|i| at(i).fold(f64::NEG_INFINITY, f64::max)).collect(),
            mean,
            full_batch: self.full.get(..count).unwrap_or(&self.full).to_vec(),
            compared: self.compared,
            seeds: self.curves.len(),
            no_spread,
        }
    }

    /// Steps between recorded points.
    pub fn stride(&self) -> u64 {
        self.stride
    }
}
