//! Learning-rate sweeps.
//!
//! - The sweep: each chosen run (an optimizer with its schedule) is run again at every learning
//!   rate of a log grid, lr_k = low * (high/low)^(k/(n-1)), with the experiment's stop rule; each
//!   row gives the final loss, how the run ended, the step its stopping test fired at and the
//!   mark of its verdict (so that a test firing away from a minimum is not counted as
//!   converging). On a quadratic the result carries the theory (`theory.rs`): the stability bound 2/L and the optimal
//!   2/(L + mu) of gradient descent.
//! - The learning-rate range test (L. N. Smith, "Cyclical Learning Rates for Training Neural
//!   Networks", WACV 2017, section 3.3): one run whose lr grows exponentially from low to high
//!   over the given steps (the schedule ExponentialLR with gamma = (high/low)^(1/steps)); the
//!   loss is smoothed by an exponential moving average with bias correction (beta = 0.98) and
//!   the test stops once it exceeds 4 times its best. Past the average's warm-up (50 points),
//!   the suggested range runs from the lr where the smoothed loss has fallen 5% below its value
//!   there to the lr of its lowest point before it first turns ragged (10% above its best so
//!   far; Smith's "the loss ... becomes ragged"); `steepest` is the lr where it falls fastest against ln(lr),
//!   measured across 25 points.
//!
//! Both advance in chunks of steps.
//!
//! Where the `analysis` section gives no `low` or `high`, they are derived from the learning
//! rates of the runs concerned (`sweep_bounds`, `range_bounds`): a sweep spans from a hundredth
//! of the smallest to ten times the largest (on a quadratic, at least to twice the stability
//! bound 2/L, so that the grid shows where gradient descent diverges); a range test from a
//! thousandth of its run's lr to a hundred times it (Smith's test must start where nothing
//! happens yet and end where the loss blows up).

use serde::Serialize;
use serde_json::json;

use crate::analysis::theory::QuadraticTheory;
use crate::config::validate::{ValidationErrors, Validator};
use crate::config::{Experiment, RunConfig};
use crate::math::{exp, ln, pow};
use crate::problem::Problem;
use crate::run::monitor::{DivergenceCriterion, Status, StopConfig};
use crate::run::report::mark_word;
use crate::run::session::default_start;
use crate::run::verdict::{judge, Mark};
use crate::run::Run;
use crate::search::space::{parse_path, set_at};

/// Most learning rates of a sweep.
pub const MAX_SWEEP_LRS: usize = 64;
/// Most steps of a range test.
pub const MAX_RANGE_STEPS: u64 = 100_000;
/// The smoothing of the range test's loss.
const RANGE_BETA: f64 = 0.98;
/// Points the range test's average needs to forget its start: 1 / (1 - beta).
const RANGE_WARMUP: usize = 50;
/// The suggested range starts where the smoothed loss has fallen this share below its value
/// after the warm-up.
const RANGE_FALL: f64 = 0.05;
/// The smoothed loss turns ragged when it rises this share above its best so far: the
/// suggested range ends at that best.
const RANGE_RAGGED: f64 = 0.1;
/// The range test stops when the smoothed loss exceeds this multiple of its best.
const RANGE_BLOWUP: f64 = 4.0;

/// One run of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    pub run: String,
    pub lr: f64,
    pub final_loss: f64,
    /// "converged", "diverged", "stopped" (the step limit) or "stalled".
    pub outcome: &'static str,
    pub steps: u64,
    /// The step its stopping test fired at, if one did (a convergence criterion, which is not
    /// by itself a minimum reached).
    pub converged_at: Option<u64>,
    /// True when the run converged at a minimum (for a model, on a fit that learned something):
    /// its verdict's mark is `success` or `local_minimum`. The steps chart counts only these.
    pub reached: bool,
    /// The mark in one or two words ("converged", "not at a minimum", "learned nothing", ...).
    pub word: &'static str,
}

/// The sweep's rows so far, with the theory of a quadratic.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    pub lrs: Vec<f64>,
    pub rows: Vec<SweepRow>,
    pub theory: Option<QuadraticTheory>,
}

impl crate::json::InfallibleJson for SweepResult {}

/// The learning rates per sweep when a config gives no count.
pub const DEFAULT_SWEEP_LRS: usize = 16;
/// The steps of a range test when a config gives none.
pub const DEFAULT_RANGE_STEPS: u64 = 500;

/// A sweep without `low` starts this factor below the smallest of its runs' learning rates.
pub const SWEEP_BELOW: f64 = 100.0;
/// A sweep without `high` ends this factor above the largest of its runs' learning rates.
pub const SWEEP_ABOVE: f64 = 10.0;
/// On a quadratic, a sweep without `high` reaches at least this multiple of the stability bound 2/L.
pub const SWEEP_PAST_STABLE: f64 = 2.0;
/// A range test without `low` starts this factor below its run's learning rate.
pub const RANGE_BELOW: f64 = 1e3;
/// A range test without `high` ends this factor above its run's learning rate.
pub const RANGE_ABOVE: f64 = 1e2;

/// The learning rate of run `run` (a Lookahead's inner one), if it has one.
pub fn run_lr(experiment: &Experiment, run: usize) -> Option<f64> {
    let value = experiment.to_value();
    let optimizer = value.get("runs")?.get(run)?.get("optimizer")?;
    optimizer.get("lr").or_else(|| optimizer.get("inner")?.get("lr"))?.as_f64()
}

/// The learning rates of `runs` (those that exist and have one), or the error saying why no
/// bound can be derived.
fn run_lrs(experiment: &Experiment, runs: &[usize]) -> Result<Vec<f64>, String> {
    let lrs: Vec<f64> = runs.iter().filter_map(|&r| run_lr(experiment, r)).filter(|lr| *lr > 0.0).collect();
    if lrs.is_empty() {
        Err("needs low and high: none of its runs has a learning rate to derive them from".into())
    } else {
        Ok(lrs)
    }
}

/// A sweep's bounds: `low` and `high` where given, else derived from the runs' learning rates
/// (see the module's header).
pub fn sweep_bounds(
    experiment: &Experiment,
    runs: &[usize],
    low: Option<f64>,
    high: Option<f64>,
) -> Result<(f64, f64), String> {
    if let (Some(low), Some(high)) = (low, high) {
        return Ok((low, high));
    }
    let lrs = run_lrs(experiment, runs)?;
    let smallest = lrs.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = lrs.iter().copied().fold(0.0, f64::max);
    let past_stable = QuadraticTheory::of(&experiment.problem).map_or(0.0, |t| SWEEP_PAST_STABLE * t.gd_stable_below);
    Ok((low.unwrap_or(smallest / SWEEP_BELOW), high.unwrap_or((largest * SWEEP_ABOVE).max(past_stable))))
}

/// A range test's bounds: `low` and `high` where given, else derived from run `run`'s
/// learning rate (see the module's header).
pub fn range_bounds(
    experiment: &Experiment,
    run: usize,
    low: Option<f64>,
    high: Option<f64>,
) -> Result<(f64, f64), String> {
    if let (Some(low), Some(high)) = (low, high) {
        return Ok((low, high));
    }
    let lr = run_lrs(experiment, &[run])?.first().copied().unwrap_or(f64::NAN);
    Ok((low.unwrap_or(lr / RANGE_BELOW), high.unwrap_or(lr * RANGE_ABOVE)))
}

/// Checks that `low` and `high` bound a log range, reporting under `path`.
fn check_bounds(path: &str, low: f64, high: f64, v: &mut Validator) {
    let ok = low > 0.0 && high > low && high.is_finite();
    v.require(ok, path, format!("needs 0 < low < high < infinity, got low {low} and high {high}"));
}

/// Checks a sweep's settings.
pub fn check_sweep(experiment: &Experiment, runs: &[usize], low: f64, high: f64, n: usize, v: &mut Validator) {
    check_bounds("analysis.lr_sweep", low, high, v);
    v.require(
        (2..=MAX_SWEEP_LRS).contains(&n),
        "analysis.lr_sweep.points",
        format!("must be 2 to {MAX_SWEEP_LRS}, got {n}"),
    );
    v.require(!runs.is_empty(), "analysis.lr_sweep.runs", "name at least one run");
    let count = experiment.runs.len();
    for &r in runs {
        v.require(r < count, "analysis.lr_sweep.runs", format!("there are {count} runs, got index {r}"));
    }
}

/// Checks a range test's settings.
pub fn check_range(experiment: &Experiment, run: usize, low: f64, high: f64, steps: u64, v: &mut Validator) {
    check_bounds("analysis.lr_range", low, high, v);
    v.require(
        (2..=MAX_RANGE_STEPS).contains(&steps),
        "analysis.lr_range.steps",
        format!("must be 2 to {MAX_RANGE_STEPS}, got {steps}"),
    );
    let count = experiment.runs.len();
    v.require(run < count, "analysis.lr_range.run", format!("there are {count} runs, got index {run}"));
}

/// The log grid of `n` learning rates from `low` to `high`.
pub fn log_grid(low: f64, high: f64, n: usize) -> Vec<f64> {
    let last = n.saturating_sub(1).max(1) as f64;
    (0..n).map(|k| low * pow(high / low, k as f64 / last)).collect()
}

/// The experiment's run `run` at another learning rate, as its config path says (`lr`, or a
/// Lookahead's `inner.lr`), validated.
fn with_lr(experiment: &Experiment, run: usize, lr: f64) -> Result<RunConfig, ValidationErrors> {
    let mut value = experiment.to_value();
    let base = format!("runs[{run}].optimizer");
    let optimizer = value.get("runs").and_then(|r| r.get(run)).and_then(|r| r.get("optimizer"));
    let path = match optimizer {
        Some(o) if o.get("lr").is_some() => format!("{base}.lr"),
        Some(o) if o.get("inner").is_some() => format!("{base}.inner.lr"),
        _ => return Err(ValidationErrors::one(base, "this optimizer has no learning rate to sweep")),
    };
    let steps = parse_path(&path).map_err(|e| ValidationErrors::one(&path, e))?;
    set_at(&mut value, &steps, json!(lr)).map_err(|e| ValidationErrors::one(&path, e))?;
    let changed = Experiment::from_value(value)?;
    changed.validate()?;
    changed.runs.get(run).cloned().ok_or_else(|| ValidationErrors::one("runs", "the run went missing"))
}

/// The sweep in progress.
#[derive(Clone, Debug)]
pub struct LrSweep {
    problem: Problem,
    stop: StopConfig,
    seed: u64,
    lrs: Vec<f64>,
    /// Every (run config, lr) pair, run by run.
    jobs: Vec<(RunConfig, f64)>,
    x0s: Vec<Vec<f64>>,
    current: Option<Run>,
    rows: Vec<SweepRow>,
    theory: Option<QuadraticTheory>,
}

impl LrSweep {
    /// A sweep of runs `runs` of `experiment` over `n` learning rates from `low` to `high`.
    pub fn new(
        experiment: &Experiment,
        runs: &[usize],
        low: f64,
        high: f64,
        n: usize,
    ) -> Result<LrSweep, ValidationErrors> {
        let mut v = Validator::new();
        check_sweep(experiment, runs, low, high, n, &mut v);
        v.finish()?;
        let lrs = log_grid(low, high, n);
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let mut jobs = Vec::new();
        let mut x0s = Vec::new();
        for &r in runs {
            let given = experiment.runs.get(r).and_then(|c| c.x0.clone());
            let x0 = given.unwrap_or_else(|| default_start(&problem));
            for &lr in &lrs {
                jobs.push((with_lr(experiment, r, lr)?, lr));
                x0s.push(x0.clone());
            }
        }
        Ok(LrSweep {
            theory: QuadraticTheory::of(&experiment.problem).ok(),
            problem,
            stop: experiment.stop.clone(),
            seed: experiment.seed,
            lrs,
            jobs,
            x0s,
            current: None,
            rows: Vec::new(),
        })
    }

    /// Takes at most `budget` steps in all (at least one); true when every run is done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget.max(1);
        while left > 0 && !self.done() {
            let k = self.rows.len();
            let mut run = match self.current.take() {
                Some(run) => run,
                None => {
                    let (Some((config, _)), Some(x0)) = (self.jobs.get(k), self.x0s.get(k)) else {
                        return true;
                    };
                    let mut run = Run::new(config, x0.clone(), &self.stop, &self.problem, self.seed);
                    run.set_recording(false);
                    run
                }
            };
            left = left.saturating_sub(run.advance(&self.problem, left).max(1));
            if run.status().is_running() {
                self.current = Some(run);
                continue;
            }
            let lr = self.jobs.get(k).map_or(f64::NAN, |j| j.1);
            let (outcome, converged_at) = match run.status() {
                Status::Converged { at_step, .. } => ("converged", Some(at_step)),
                Status::Diverged { .. } => ("diverged", None),
                Status::Stalled { .. } => ("stalled", None),
                _ => ("stopped", None),
            };
            let mark = judge(&run, &self.problem).mark;
            self.rows.push(SweepRow {
                run: run.label().to_string(),
                lr,
                final_loss: run.objective(&self.problem),
                outcome,
                steps: run.step(),
                converged_at,
                reached: matches!(mark, Mark::Success | Mark::LocalMinimum),
                word: mark_word(mark, &run, &self.problem),
            });
        }
        self.done()
    }

    /// The share of runs done.
    pub fn progress(&self) -> f64 {
        self.rows.len() as f64 / self.jobs.len().max(1) as f64
    }

    /// True when every run is done.
    pub fn done(&self) -> bool {
        self.rows.len() >= self.jobs.len()
    }

    /// The rows so far.
    pub fn result(&self) -> SweepResult {
        SweepResult { lrs: self.lrs.clone(), rows: self.rows.clone(), theory: self.theory.clone() }
    }
}

/// The range test's curve and suggestion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RangeResult {
    /// (lr, raw loss, smoothed loss) per step.
    pub points: Vec<[f64; 3]>,
    /// The lr where the smoothed loss fell fastest against ln(lr).
    pub steepest: Option<f64>,
    /// From where the smoothed loss starts to fall to where it is lowest.
    pub suggested: Option<[f64; 2]>,
    /// True when the test ended because the loss blew up.
    pub blew_up: bool,
}

impl crate::json::InfallibleJson for RangeResult {}

/// The learning-rate range test in progress.
#[derive(Clone, Debug)]
pub struct RangeTest {
    problem: Problem,
    run: Run,
    steps: u64,
    average: f64,
    best: f64,
    points: Vec<[f64; 3]>,
    blew_up: bool,
}

impl RangeTest {
    /// The range test of run `run` of `experiment` from `low` to `high` over `steps` steps.
    pub fn new(
        experiment: &Experiment,
        run: usize,
        low: f64,
        high: f64,
        steps: u64,
    ) -> Result<RangeTest, ValidationErrors> {
        let mut v = Validator::new();
        check_range(experiment, run, low, high, steps, &mut v);
        v.finish()?;
        let mut config = with_lr(experiment, run, low)?;
        let gamma = exp(ln(high / low) / steps as f64);
        config.schedule =
            serde_json::from_value::<crate::schedule::ScheduleConfig>(json!({"name": "ExponentialLR", "gamma": gamma}))
                .map_err(|e| ValidationErrors::one("analysis.lr_range", e.to_string()))?;
        // Only the step limit and a blow-up end the test; the test watches the loss itself.
        let stop = StopConfig {
            max_steps: steps,
            loss_plateau: None,
            param_change: None,
            grad_norm: None,
            target_loss: None,
            early_stopping: None,
            divergence: DivergenceCriterion::default(),
        };
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let x0 = config.x0.clone().unwrap_or_else(|| default_start(&problem));
        let mut r = Run::new(&config, x0, &stop, &problem, experiment.seed);
        r.set_recording(false);
        Ok(RangeTest { problem, run: r, steps, average: 0.0, best: f64::INFINITY, points: Vec::new(), blew_up: false })
    }

    /// Takes at most `budget` steps; true when the test is over.
    pub fn advance(&mut self, budget: u64) -> bool {
        for _ in 0..budget.max(1) {
            if self.done() {
                break;
            }
            let Some(record) = self.run.step_once(&self.problem) else {
                break;
            };
            let Some(lr) = record.lr else {
                continue;
            };
            self.average = RANGE_BETA * self.average + (1.0 - RANGE_BETA) * record.loss;
            let smoothed = self.average / (1.0 - pow(RANGE_BETA, (self.points.len() + 1) as f64));
            self.points.push([lr, record.loss, smoothed]);
            self.best = self.best.min(smoothed);
            if !smoothed.is_finite() || smoothed > RANGE_BLOWUP * self.best.abs().max(f64::MIN_POSITIVE) {
                self.blew_up = true;
            }
        }
        self.done()
    }

    /// The share of the steps done.
    pub fn progress(&self) -> f64 {
        (self.points.len() as f64 / self.steps as f64).min(1.0)
    }

    /// True when the loss blew up, the run ended or every step is done.
    pub fn done(&self) -> bool {
        self.blew_up || !self.run.status().is_running() || self.points.len() as u64 >= self.steps
    }

    /// The curve and the suggested range. The first `RANGE_WARMUP` points are skipped (the
    /// average still forgets its start there), and slopes are taken across `RANGE_WARMUP / 2`
    /// points, so that minibatch noise does not pass for a trend.
    pub fn result(&self) -> RangeResult {
        let p = &self.points;
        let settled = p.get(RANGE_WARMUP..).unwrap_or(&[]);
        // The lowest point before the loss first turns ragged: RANGE_RAGGED above its best so far.
        let mut lowest: Option<(usize, &[f64; 3])> = None;
        for (i, q) in settled.iter().enumerate() {
            match lowest {
                Some((_, best)) if !q[2].is_finite() || q[2] > best[2] + RANGE_RAGGED * best[2].abs() => break,
                Some((_, best)) if q[2] >= best[2] => {}
                _ => lowest = Some((i, q)),
            }
        }
        let falling = settled.first().and_then(|first| {
            let fallen = first[2] - RANGE_FALL * first[2].abs();
            settled.iter().find(|q| q[2] < fallen).map(|q| q[0])
        });
        let suggested = match (falling, lowest) {
            (Some(from), Some((_, to))) if from < to[0] => Some([from, to[0]]),
            _ => None,
        };
        let end = lowest.map_or(0, |(i, _)| i);
        let window = RANGE_WARMUP / 2;
        let steepest = settled
            .get(..=end)
            .unwrap_or(&[])
            .windows(window + 1)
            .filter_map(|w| {
                let (a, b, mid) = (w.first()?, w.last()?, w.get(window / 2)?);
                let slope = (b[2] - a[2]) / (ln(b[0]) - ln(a[0]));
                slope.is_finite().then_some((mid[0], slope))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(lr, _)| lr);
        RangeResult { points: p.clone(), steepest, suggested, blew_up: self.blew_up }
    }
}
