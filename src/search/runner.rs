//! The search as a state machine that advances in chunks of steps, for the page
//! (`advance(budget)`, like `analysis::sweep`), and stage by stage for the CLI's threads.
//!
//! Every method is a list of brackets, each a list of rounds (`hyperband::Bracket`): random
//! search is one bracket with one round at R; successive halving one bracket; Hyperband its
//! plan; PBT one bracket whose rounds end every `interval` units, all members kept. A stage is
//! one round of one bracket: its trials train, independently of each other, up to
//! `ceil(r_i)` units in all (survivors resume); when all are done the stage closes: every
//! trial's objective is recorded, then the best `n_{i+1}` trials survive (ties to the lower
//! trial index, diverged trials last), or PBT's exploit/explore step runs, or the next
//! bracket draws its configurations.
//!
//! Trial i's sample comes from `Rng::new(search seed, STREAM_SAMPLES + i)`; trial indices
//! count configurations in the order brackets draw them. Trials never share state, and stages
//! close in a fixed order, so the results are the same for any chunk budget and any number of
//! threads: `advance(budget)` trains the stage's trials one after another, while the CLI calls
//! `advance(0)` to open and close stages and trains `stage_mut()` on several threads.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::hyperband::{self, Bracket, Round};
use super::pbt;
use super::space::{self, Parameter, Step};
use super::{Method, Objective, SearchConfig};
use crate::config::validate::ValidationErrors;
use crate::config::Experiment;
use crate::data::Rng;
use crate::problem::Problem;
use crate::run::session::default_start;
use crate::run::Run;

/// First random-generator stream of the samples: trial i uses `STREAM_SAMPLES + i`.
pub const STREAM_SAMPLES: u64 = 1 << 32;
/// Stream of PBT's exploit/explore choices.
pub const STREAM_PBT: u64 = 31;
/// Steps a trial takes per turn in `advance`.
const TURN: u64 = 4096;
/// Most points of a PBT member's recorded path.
const PATH_POINTS: u64 = 400;

/// The unit of the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Optimizer steps (landscapes and the reference models).
    Steps,
    /// Passes over the training set (models trained on data).
    Epochs,
}

/// What a trial trains.
#[derive(Clone, Debug)]
struct Live {
    /// The one-run experiment of the trial.
    experiment: Experiment,
    problem: Problem,
    run: Run,
    steps_per_unit: u64,
}

/// What a trial reached when trained to a number of units: computed by `Search::train_trial`
/// (in a Web Worker, say) and handed back with `Search::report`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The trial.
    pub index: u64,
    /// The units it was trained to.
    pub units: u64,
    /// The steps it took (fewer than the units ask when its run stopped).
    pub steps: u64,
    /// The objective at the end (`Objective::Final`; NaN when it diverged or could not train).
    pub final_objective: f64,
    /// The objective with `Objective::Best`.
    pub best_objective: f64,
    /// Why the sampled config could not train, if it could not.
    pub error: Option<String>,
}

/// One configuration being trained.
#[derive(Clone, Debug)]
pub struct Trial {
    index: u64,
    values: Vec<Value>,
    live: Option<Box<Live>>,
    error: Option<String>,
    target: u64,
    stride: Option<u64>,
    path: Vec<[f64; 3]>,
    /// The units of the current stage.
    units: u64,
    /// In a search whose trials train elsewhere: what the trial reached.
    outcome: Option<Outcome>,
}

impl Trial {
    fn new(index: u64, values: Vec<Value>, built: Result<Live, ValidationErrors>) -> Trial {
        let (live, error) = match built {
            Ok(live) => (Some(Box::new(live)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Trial { index, values, live, error, target: 0, stride: None, path: Vec::new(), units: 0, outcome: None }
    }

    /// A trial that trains elsewhere: it waits for its outcome.
    fn elsewhere(index: u64, values: Vec<Value>) -> Trial {
        Trial {
            index,
            values,
            live: None,
            error: None,
            target: 0,
            stride: None,
            path: Vec::new(),
            units: 0,
            outcome: None,
        }
    }

    /// The trial's index (PBT: the member).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        if let Some(outcome) = &self.outcome {
            return outcome.steps;
        }
        self.live.as_ref().map_or(0, |l| l.run.step())
    }

    /// The run, unless the sampled config was invalid.
    pub fn run(&self) -> Option<&Run> {
        self.live.as_ref().map(|l| &l.run)
    }

    /// The one-run experiment the trial trains, unless the sampled config was invalid.
    pub fn experiment(&self) -> Option<&Experiment> {
        self.live.as_ref().map(|l| &l.experiment)
    }

    fn set_target_units(&mut self, units: u64) {
        self.units = units;
        if let Some(live) = &self.live {
            self.target = units.saturating_mul(live.steps_per_unit);
        }
    }

    /// True when the trial reached its target for the stage, stopped, or cannot train (in a
    /// search whose trials train elsewhere: when its outcome for the stage's units is in).
    pub fn is_done(&self) -> bool {
        if self.live.is_none() && self.error.is_none() {
            return self.outcome.as_ref().is_some_and(|o| o.units >= self.units);
        }
        self.live.as_ref().is_none_or(|l| l.run.step() >= self.target || !l.run.status().is_running())
    }

    /// Trains up to `budget` steps towards the stage's target; returns the steps taken.
    pub fn train(&mut self, budget: u64) -> u64 {
        let Some(live) = self.live.as_mut() else {
            return 0;
        };
        let mut taken = 0;
        while taken < budget {
            let step = live.run.step();
            if step >= self.target || !live.run.status().is_running() {
                break;
            }
            let mut want = (self.target - step).min(budget - taken);
            if let Some(stride) = self.stride {
                want = want.min(stride - step % stride);
            }
            let t = live.run.advance(&live.problem, want);
            taken += t;
            if let Some(stride) = self.stride {
                if live.run.step() % stride == 0 {
                    push_point(&mut self.path, &live.run);
                }
            }
            if t == 0 {
                break;
            }
        }
        taken
    }

    /// The objective now: the loss at the current point (landscapes), or the validation loss,
    /// final or best (models). NaN when the run diverged or the config was invalid.
    pub fn objective(&self, kind: Objective) -> f64 {
        if let Some(outcome) = &self.outcome {
            return match kind {
                Objective::Final => outcome.final_objective,
                Objective::Best => outcome.best_objective,
            };
        }
        let Some(live) = &self.live else {
            return f64::NAN;
        };
        match &live.problem {
            Problem::Model(m) => {
                let last = m.evaluate(live.run.params()).validation_loss;
                match (kind, live.run.monitor().best_validation()) {
                    (Objective::Best, Some((_, best))) if !last.is_nan() => best.min(last),
                    _ => last,
                }
            }
            problem => problem.loss(live.run.params()),
        }
    }
}

fn push_point(path: &mut Vec<[f64; 3]>, run: &Run) {
    let p = run.params();
    path.push([run.step() as f64, p.first().copied().unwrap_or(f64::NAN), p.get(1).copied().unwrap_or(f64::NAN)]);
}

/// One row of the results: a trial at the end of a stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrialResult {
    /// The trial (PBT: the member).
    pub index: u64,
    /// Config path -> value of the sampled hyperparameters.
    pub configuration: Map<String, Value>,
    /// The round's resource r_i (fractional in some Hyperband brackets).
    pub resource: f64,
    /// The whole units trained in all, `ceil(r_i)`.
    pub units: u64,
    /// Steps trained in all.
    pub steps: u64,
    /// The objective (null when the run diverged).
    pub objective: f64,
    /// Hyperband's and successive halving's s (null for random search and PBT).
    pub bracket: Option<u32>,
    /// The round within the bracket (PBT: the interval).
    pub round: u32,
    /// Why the sampled config could not train, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One PBT copy, for drawing the jump.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Jump {
    /// Steps trained when it happened (of the member copied).
    pub step: u64,
    /// The member copied.
    pub from: u64,
    /// The member replaced.
    pub to: u64,
    /// The perturbation factors (0.8 or 1.2 each).
    pub factors: Vec<f64>,
}

/// What PBT records for the page: each member's base lr over time, its path on a 2-D
/// landscape (`[step, x, y]`, also just before and after each jump), and the jumps.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PbtRecord {
    /// Per member, `[step, lr]` at the start of every interval and after every jump.
    pub lr: Vec<Vec<[f64; 2]>>,
    /// Per member, `[step, x, y]` (2-D problems only).
    pub paths: Vec<Vec<[f64; 3]>>,
    /// Every copy, in order.
    pub jumps: Vec<Jump>,
}

/// Budgets of the search, in units and steps.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Budget {
    /// The plan's total resource in the paper's accounting (`sum n_i r_i`; random search and
    /// PBT: configurations times R).
    pub planned: f64,
    /// The whole units the plan trains when survivors resume.
    pub units: u64,
    /// Steps actually trained so far (runs that stop early use fewer).
    pub steps: u64,
}

/// Everything the search found, the same JSON for the CLI and the page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResults {
    /// The method.
    pub method: Method,
    /// Steps or epochs.
    pub unit: Unit,
    /// True when every stage is done.
    pub done: bool,
    /// One row per trial per stage, in the order stages closed.
    pub trials: Vec<TrialResult>,
    /// The row with the lowest objective (PBT: in the last round); ties to the first row.
    pub best: Option<TrialResult>,
    /// The row with the lowest objective over every round: `best` itself, except in PBT,
    /// where it can be a member's state at an earlier round that the population did not keep
    /// (training on raised its loss again, or a better member's state was copied over it).
    pub lowest: Option<TrialResult>,
    /// The whole experiment with the best configuration, without the search section.
    pub best_experiment: Option<Value>,
    /// Planned and spent resource.
    pub budget: Budget,
    /// PBT's lr curves, paths and jumps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pbt: Option<PbtRecord>,
}

impl crate::json::InfallibleJson for SearchResults {}

/// A search in progress.
#[derive(Clone, Debug)]
pub struct Search {
    config: SearchConfig,
    base: Experiment,
    unit: Unit,
    brackets: Vec<Bracket>,
    labels: Vec<Option<u32>>,
    bracket: usize,
    round: usize,
    stage: Vec<Trial>,
    stage_open: bool,
    next_index: u64,
    results: Vec<TrialResult>,
    spent: Vec<u64>,
    pbt_rng: Rng,
    pbt_record: Option<PbtRecord>,
    perturbable: Vec<usize>,
    finished: bool,
    /// The trials train elsewhere (`jobs`, `train_trial`, `report`).
    remote: bool,
}

/// Sort key of an objective: NaN counts as +infinity.
fn key(objective: f64) -> f64 {
    if objective.is_nan() {
        f64::INFINITY
    } else {
        objective
    }
}

/// True for a path inside the trained run's optimizer config (`runs[k].optimizer.<field>`,
/// also `runs[k].optimizer.inner.<field>` and items such as `betas[0]`).
fn is_optimizer_path(path: &str) -> bool {
    matches!(
        space::parse_path(path).ok().as_deref(),
        Some([Step::Key(runs), Step::Index(_), Step::Key(opt), _, ..]) if runs == "runs" && opt == "optimizer"
    )
}

/// Builds what a trial trains from a full experiment: run `run` alone, with the search's
/// resource in place of the stop rule's step limit.
fn build_live(experiment: Experiment, run: usize) -> Result<Live, ValidationErrors> {
    let mut experiment = experiment;
    let Some(rc) = experiment.runs.get(run).cloned() else {
        return Err(ValidationErrors::one("search.run", format!("there is no run {run}")));
    };
    experiment.runs = vec![rc.clone()];
    experiment.search = None;
    let problem = experiment.problem.build_with_seed(experiment.seed);
    let x0 = rc.x0.clone().unwrap_or_else(|| default_start(&problem));
    let mut stop = experiment.stop.clone();
    stop.max_steps = u64::MAX;
    let mut r = Run::new(&rc, x0, &stop, &problem, experiment.seed);
    r.set_recording(false);
    let steps_per_unit = match &problem {
        Problem::Model(m) => (m.train.len().div_ceil(m.batch_size().max(1)) as u64).max(1),
        _ => 1,
    };
    Ok(Live { experiment, problem, run: r, steps_per_unit })
}

impl Search {
    /// A search of an experiment with a search section (validated here).
    pub fn new(experiment: &Experiment) -> Result<Search, ValidationErrors> {
        let Some(config) = experiment.search.clone() else {
            return Err(ValidationErrors::one("search", "the experiment has no search section"));
        };
        experiment.validate()?;
        let (r, eta) = (config.max_resource, config.eta);
        let (brackets, labels): (Vec<Bracket>, Vec<Option<u32>>) = match config.method {
            Method::Random => {
                let n = config.random_trials();
                let round = Round { i: 0, n_i: n, r_i: r as f64, units: r };
                (vec![Bracket { s: 0, n, r: r as f64, rounds: vec![round] }], vec![None])
            }
            Method::SuccessiveHalving => {
                let s = config.halving_s();
                (vec![hyperband::bracket(r, eta, s, config.halving_trials())], vec![Some(s)])
            }
            Method::Hyperband => {
                let plan = hyperband::plan(r, eta);
                let labels = plan.brackets.iter().map(|b| Some(b.s)).collect();
                (plan.brackets, labels)
            }
            Method::Pbt => {
                let n = u64::from(config.population());
                let interval = config.interval();
                let count = r.div_ceil(interval);
                let rounds = (0..count)
                    .map(|i| {
                        let units = (i + 1).saturating_mul(interval).min(r);
                        Round { i: i as u32, n_i: n, r_i: units as f64, units }
                    })
                    .collect();
                (vec![Bracket { s: 0, n, r: interval.min(r) as f64, rounds }], vec![None])
            }
        };
        let unit = match experiment.problem.build_with_seed(experiment.seed) {
            Problem::Model(_) => Unit::Epochs,
            _ => Unit::Steps,
        };
        let perturbable = config
            .space
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_real_range() && is_optimizer_path(&p.path))
            .map(|(i, _)| i)
            .collect();
        let mut base = experiment.clone();
        base.search = None;
        let pbt_record = (config.method == Method::Pbt).then(PbtRecord::default);
        Ok(Search {
            pbt_rng: Rng::new(config.seed, STREAM_PBT),
            config,
            base,
            unit,
            brackets,
            labels,
            bracket: 0,
            round: 0,
            stage: Vec::new(),
            stage_open: false,
            next_index: 0,
            results: Vec::new(),
            spent: Vec::new(),
            pbt_record,
            perturbable,
            finished: false,
            remote: false,
        })
    }

    /// A search whose trials train elsewhere: `jobs` says which trial to train to how many
    /// units, `train_trial` trains one (on any thread or in any Web Worker, from the same
    /// experiment), and `report` hands its outcome back. A trial trained afresh to r_i units
    /// takes exactly the steps a resumed one takes, so the results are the same bits as
    /// `advance`'s, whoever trains the trials. Population-based training copies trials into
    /// each other and is not split this way.
    pub fn new_remote(experiment: &Experiment) -> Result<Search, ValidationErrors> {
        let mut search = Search::new(experiment)?;
        if search.pbt_record.is_some() {
            return Err(ValidationErrors::one(
                "search.method",
                "population-based training copies trials into each other, so its trials cannot train apart",
            ));
        }
        search.remote = true;
        Ok(search)
    }

    /// The trials the current stage still waits for, as (trial index, units), opening and
    /// closing stages as their outcomes come in; empty when the search is done.
    pub fn jobs(&mut self) -> Vec<(u64, u64)> {
        loop {
            if self.finished {
                return Vec::new();
            }
            if !self.stage_open {
                self.open_stage();
                continue;
            }
            let waiting: Vec<(u64, u64)> =
                self.stage.iter().filter(|t| !t.is_done()).map(|t| (t.index, t.units)).collect();
            if !waiting.is_empty() {
                return waiting;
            }
            self.close_stage();
        }
    }

    /// Hands back a trial's outcome (one of `jobs`); outcomes of other trials or units are
    /// ignored.
    pub fn report(&mut self, outcome: Outcome) {
        if let Some(trial) = self.stage.iter_mut().find(|t| t.index == outcome.index && t.units == outcome.units) {
            trial.outcome = Some(outcome);
        }
    }

    /// Trains trial `index` afresh to `units` units and says what it reached.
    pub fn train_trial(&self, index: u64, units: u64) -> Outcome {
        let values = self.sample(index);
        let built = space::apply(&self.base, self.space(), &values).and_then(|e| build_live(e, self.config.run));
        let mut trial = Trial::new(index, values, built);
        trial.set_target_units(units);
        trial.train(u64::MAX);
        Outcome {
            index,
            units,
            steps: trial.steps(),
            final_objective: trial.objective(Objective::Final),
            best_objective: trial.objective(Objective::Best),
            error: trial.error,
        }
    }

    /// Parses and validates a JSON experiment with a search section.
    pub fn from_json(text: &str) -> Result<Search, ValidationErrors> {
        Experiment::from_json(text).and_then(|e| Search::new(&e))
    }

    /// The search settings.
    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// The brackets and rounds the search runs.
    pub fn brackets(&self) -> &[Bracket] {
        &self.brackets
    }

    /// True when every stage is done.
    pub fn is_done(&self) -> bool {
        self.finished
    }

    /// The trials of the current stage, to train on several threads (each to the end with
    /// `Trial::train(u64::MAX)`); call `advance(0)` first and after.
    pub fn stage_mut(&mut self) -> &mut [Trial] {
        &mut self.stage
    }

    /// The trials of the current stage.
    pub fn stage(&self) -> &[Trial] {
        &self.stage
    }

    /// Trains for at most `budget` steps in all, opening and closing stages as they come;
    /// returns true when the search is done. `advance(0)` only opens and closes stages: it
    /// returns false exactly when the current stage has a trial left to train.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget;
        loop {
            if self.finished {
                return true;
            }
            if !self.stage_open {
                self.open_stage();
                continue;
            }
            let Some(trial) = self.stage.iter_mut().find(|t| !t.is_done()) else {
                self.close_stage();
                continue;
            };
            if left == 0 {
                return false;
            }
            let taken = trial.train(left.min(TURN));
            left = left.saturating_sub(taken.max(1));
        }
    }

    /// The parameters (the space).
    fn space(&self) -> &[Parameter] {
        &self.config.space
    }

    fn sample(&self, index: u64) -> Vec<Value> {
        let mut rng = Rng::new(self.config.seed, STREAM_SAMPLES.wrapping_add(index));
        self.space().iter().map(|p| p.sample(&mut rng)).collect()
    }

    /// The bracket and round of the current stage; the search is finished when there is none.
    fn current(&mut self) -> Option<(Bracket, Round)> {
        let found = self.brackets.get(self.bracket).and_then(|b| Some((b.clone(), b.rounds.get(self.round).copied()?)));
        if found.is_none() {
            self.finished = true;
        }
        found
    }

    fn open_stage(&mut self) {
        let Some((bracket, round)) = self.current() else {
            return;
        };
        if self.round == 0 {
            let n = bracket.n;
            let pbt = self.pbt_record.is_some();
            let mut stage = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 16));
            for k in 0..n {
                let index = if pbt { k } else { self.next_index + k };
                let values = self.sample(index);
                if self.remote {
                    stage.push(Trial::elsewhere(index, values));
                    continue;
                }
                let built =
                    space::apply(&self.base, self.space(), &values).and_then(|e| build_live(e, self.config.run));
                let mut trial = Trial::new(index, values, built);
                if pbt {
                    let two_d = trial.live.as_ref().is_some_and(|l| l.run.params().len() == 2);
                    if two_d {
                        let total = self
                            .config
                            .max_resource
                            .saturating_mul(trial.live.as_ref().map_or(1, |l| l.steps_per_unit));
                        trial.stride = Some(total.div_ceil(PATH_POINTS).max(1));
                        if let Some(live) = &trial.live {
                            push_point(&mut trial.path, &live.run);
                        }
                    }
                }
                stage.push(trial);
            }
            self.next_index += n;
            self.stage = stage;
        }
        for trial in &mut self.stage {
            trial.set_target_units(round.units);
        }
        if let Some(record) = &mut self.pbt_record {
            record.lr.resize(self.stage.len(), Vec::new());
            for (trial, lr) in self.stage.iter().zip(record.lr.iter_mut()) {
                if let Some(live) = &trial.live {
                    lr.push([live.run.step() as f64, live.experiment.runs[0].optimizer.lr()]);
                }
            }
        }
        self.stage_open = true;
    }

    fn close_stage(&mut self) {
        self.stage_open = false;
        let Some((bracket, round)) = self.current() else {
            return;
        };
        let label = self.labels.get(self.bracket).copied().flatten();
        let objectives: Vec<f64> = self.stage.iter().map(|t| t.objective(self.config.objective)).collect();
        for (trial, &objective) in self.stage.iter().zip(&objectives) {
            let configuration = crate::json::object_from(
                self.space().iter().zip(&trial.values).map(|(p, v)| (p.path.clone(), v.clone())),
            );
            let index = usize::try_from(trial.index).unwrap_or(usize::MAX);
            if self.pbt_record.is_none() {
                if self.spent.len() <= index {
                    self.spent.resize(index + 1, 0);
                }
                if let Some(s) = self.spent.get_mut(index) {
                    *s = trial.steps();
                }
            }
            self.results.push(TrialResult {
                index: trial.index,
                configuration,
                resource: round.r_i,
                units: round.units,
                steps: trial.steps(),
                objective,
                bracket: label,
                round: round.i,
                error: trial.outcome.as_ref().map_or_else(|| trial.error.clone(), |o| o.error.clone()),
            });
        }
        let last_round = self.round + 1 >= bracket.rounds.len();
        if self.pbt_record.is_some() {
            if last_round {
                self.spent = self.stage.iter().map(Trial::steps).collect();
                self.finished = true;
            } else {
                self.exploit_explore(&objectives);
                self.round += 1;
            }
            return;
        }
        if last_round {
            self.bracket += 1;
            self.round = 0;
            self.stage.clear();
            if self.bracket >= self.brackets.len() {
                self.finished = true;
            }
            return;
        }
        let keep = bracket.rounds.get(self.round + 1).map_or(0, |r| r.n_i);
        let order = pbt::ranking(&objectives);
        let survivors: Vec<usize> = order.into_iter().take(usize::try_from(keep).unwrap_or(usize::MAX)).collect();
        // Survivors keep their draw order, so that the next stage trains them in index order.
        let survivors = crate::math::order::sorted_by_u64(survivors, |&i| i as u64);
        let mut stage = std::mem::take(&mut self.stage);
        let mut kept = Vec::with_capacity(survivors.len());
        for (i, trial) in stage.drain(..).enumerate() {
            if survivors.binary_search(&i).is_ok() {
                kept.push(trial);
            }
        }
        self.stage = kept;
        self.round += 1;
    }

    fn exploit_explore(&mut self, objectives: &[f64]) {
        let decisions =
            pbt::exploit_explore(objectives, self.config.fraction(), self.perturbable.len(), &mut self.pbt_rng);
        // Copies are taken before any member changes.
        let donors: Vec<Trial> = decisions.iter().map(|d| self.stage[d.from].clone()).collect();
        for (d, donor) in decisions.iter().zip(donors) {
            let (mut values, experiment) = self.explore(&donor.values, &d.factors);
            let mut live = donor.live.clone();
            if let (Some(l), Some(experiment)) = (live.as_mut(), experiment) {
                if let Some(rc) = experiment.runs.get(self.config.run) {
                    l.run.set_schedule(rc.schedule.build(rc.optimizer.lr()));
                    // The kind of optimizer is the donor's (only numbers are perturbed), so
                    // the retune always applies.
                    l.run.retune(&rc.optimizer);
                    l.experiment.runs = vec![rc.clone()];
                }
            } else {
                // The donor's own values cannot train (its config was invalid): the member
                // copies them unperturbed.
                values.clone_from(&donor.values);
            }
            let step = live.as_ref().map_or(0, |l| l.run.step());
            let Some(member) = self.stage.get_mut(d.to) else {
                continue;
            };
            if let Some(old) = &member.live {
                if member.stride.is_some() {
                    push_point(&mut member.path, &old.run);
                }
            }
            member.values = values;
            member.live = live;
            member.error.clone_from(&donor.error);
            if let (Some(l), Some(_)) = (&member.live, member.stride) {
                push_point(&mut member.path, &l.run);
            }
            if let Some(record) = &mut self.pbt_record {
                record.jumps.push(Jump { step, from: donor.index, to: member.index, factors: d.factors.clone() });
                if let (Some(lr), Some(l)) = (record.lr.get_mut(d.to), &member.live) {
                    lr.push([step as f64, l.experiment.runs[0].optimizer.lr()]);
                }
            }
        }
    }

    /// PBT's explore step on a donor's values: each perturbable value times its factor,
    /// clamped to its range [low, high] in the space, and the experiment they make. A value the
    /// experiment still rejects after the clamp (a rule that ties it to another setting) keeps
    /// the donor's value: the values are then tried one at a time in space order, each kept
    /// only if the experiment accepts it with those kept before. None when even the donor's
    /// values make no valid experiment.
    fn explore(&self, donor: &[Value], factors: &[f64]) -> (Vec<Value>, Option<Experiment>) {
        let perturbed = |values: &[Value], p: usize, factor: f64| -> Option<Value> {
            let (parameter, x) = (self.space().get(p)?, values.get(p)?.as_f64()?);
            let low = parameter.low.unwrap_or(f64::NEG_INFINITY);
            let high = parameter.high.unwrap_or(f64::INFINITY);
            Some(space::number((x * factor).max(low).min(high), false))
        };
        let mut values = donor.to_vec();
        for (&p, &factor) in self.perturbable.iter().zip(factors) {
            if let Some(new) = perturbed(donor, p, factor) {
                if let Some(slot) = values.get_mut(p) {
                    *slot = new;
                }
            }
        }
        if let Ok(experiment) = space::apply(&self.base, self.space(), &values) {
            return (values, Some(experiment));
        }
        let mut values = donor.to_vec();
        let mut experiment = space::apply(&self.base, self.space(), &values).ok();
        for (&p, &factor) in self.perturbable.iter().zip(factors) {
            let Some(new) = perturbed(donor, p, factor) else {
                continue;
            };
            let Some(old) = values.get_mut(p).map(|slot| std::mem::replace(slot, new)) else {
                continue;
            };
            match space::apply(&self.base, self.space(), &values) {
                Ok(e) => experiment = Some(e),
                Err(_) => values[p] = old,
            }
        }
        (values, experiment)
    }

    /// Everything found so far.
    pub fn results(&self) -> SearchResults {
        let candidates: &[TrialResult] = if self.pbt_record.is_some() {
            let last = self.results.iter().map(|r| r.round).max().unwrap_or(0);
            let start = self.results.iter().position(|r| r.round == last).unwrap_or(self.results.len());
            &self.results[start..]
        } else {
            &self.results
        };
        let lowest_of = |rows: &[TrialResult]| {
            rows.iter()
                .filter(|r| !r.objective.is_nan())
                .min_by(|a, b| key(a.objective).total_cmp(&key(b.objective)))
                .cloned()
        };
        let best = lowest_of(candidates);
        let lowest = lowest_of(&self.results);
        let best_experiment = best.as_ref().and_then(|b| {
            let values: Vec<Value> =
                self.space().iter().map(|p| b.configuration.get(&p.path).cloned().unwrap_or(Value::Null)).collect();
            space::apply(&self.base, self.space(), &values).ok().map(|e| e.to_value())
        });
        let mut pbt = self.pbt_record.clone();
        if let Some(record) = &mut pbt {
            record.paths = self.stage.iter().map(|t| t.path.clone()).collect();
        }
        let (planned, units) = match self.config.method {
            Method::Random | Method::Pbt => {
                let n = self.brackets.first().map_or(0, |b| b.n);
                (n as f64 * self.config.max_resource as f64, n.saturating_mul(self.config.max_resource))
            }
            _ => (
                self.brackets.iter().map(hyperband::paper_budget).sum(),
                self.brackets.iter().map(hyperband::resumed_budget).sum(),
            ),
        };
        let live_steps: u64 = if self.pbt_record.is_some() && !self.finished {
            self.stage.iter().map(Trial::steps).sum()
        } else {
            self.spent.iter().sum()
        };
        SearchResults {
            method: self.config.method,
            unit: self.unit,
            done: self.finished,
            trials: self.results.clone(),
            best,
            lowest,
            best_experiment,
            budget: Budget { planned, units, steps: live_steps },
            pbt,
        }
    }

    /// The results as compact JSON (NaN objectives are written as null).
    pub fn results_json(&self) -> String {
        crate::json::to_string(&self.results())
    }
}
