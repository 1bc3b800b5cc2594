//! One analysis of the experiment's `analysis` section, advanced in chunks: by the page's
//! analysis worker between progress messages, by `section::analyse` to its end in one call. Both
//! give the same numbers whatever the chunks, because every analysis is a deterministic loop
//! over independent runs (or seeds of a Newton search) and a chunk only decides where the loop
//! pauses.
//!
//! The budget of `advance` counts optimizer steps; a critical-point seed counts as
//! `STEPS_PER_SEED` steps (its Newton iterations are about as costly as that many steps).

use crate::analysis::bands::SeedBands;
use crate::analysis::basins::Basins;
use crate::analysis::critical::{classify_point, CriticalSearch};
use crate::analysis::doctor::{diagnose_runs, RunTrace};
use crate::analysis::lr_sweep::{range_bounds, sweep_bounds, LrSweep, RangeTest};
use crate::analysis::plane::LossPlane;
use crate::analysis::rate::{readout, RateModel, DEFAULT_TOLERANCE};
use crate::analysis::section::{
    sweep_runs, AnalysisConfig, AnalysisReport, BasinsConfig, CriticalPointsConfig, LossPlaneConfig, LrRangeConfig,
    LrSweepConfig, PerRun, SeedBandsConfig, Theory,
};
use crate::analysis::theory::{Contraction, QuadraticTheory};
use crate::config::reader::ReadError;
use crate::config::validate::ValidationErrors;
use crate::config::Experiment;
use crate::problem::ViewBox;
use crate::run::monitor::Status;
use crate::run::session::Session;

/// Newton iterations a critical-point seed counts as, against a budget of optimizer steps.
const STEPS_PER_SEED: u64 = 100;

/// The analyses, by their key in the `analysis` section (and in `converge analyse`'s output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalysisKind {
    CriticalPoints,
    Classify,
    Basins,
    LrSweep,
    LrRange,
    SeedBands,
    Theory,
    Rate,
    Doctor,
    LossPlane,
}

impl AnalysisKind {
    /// Every analysis, in the order `analyse` runs them.
    pub const ALL: [AnalysisKind; 10] = [
        AnalysisKind::CriticalPoints,
        AnalysisKind::Classify,
        AnalysisKind::Basins,
        AnalysisKind::LrSweep,
        AnalysisKind::LrRange,
        AnalysisKind::SeedBands,
        AnalysisKind::Theory,
        AnalysisKind::Rate,
        AnalysisKind::Doctor,
        AnalysisKind::LossPlane,
    ];

    /// The analysis's key in the config and in the report.
    pub fn key(self) -> &'static str {
        match self {
            AnalysisKind::CriticalPoints => "critical_points",
            AnalysisKind::Classify => "classify",
            AnalysisKind::Basins => "basins",
            AnalysisKind::LrSweep => "lr_sweep",
            AnalysisKind::LrRange => "lr_range",
            AnalysisKind::SeedBands => "seed_bands",
            AnalysisKind::Theory => "theory",
            AnalysisKind::Rate => "rate",
            AnalysisKind::Doctor => "doctor",
            AnalysisKind::LossPlane => "loss_plane",
        }
    }

    /// The analysis with key `key`; the error names the known keys.
    pub fn parse(key: &str) -> Result<AnalysisKind, ValidationErrors> {
        AnalysisKind::ALL.into_iter().find(|k| k.key() == key).ok_or_else(|| {
            let known: Vec<&str> = AnalysisKind::ALL.iter().map(|k| k.key()).collect();
            ValidationErrors::one(
                "analysis",
                format!("unknown analysis \"{key}\"; expected one of {}", known.join(", ")),
            )
        })
    }

    /// The analysis's name on the page.
    pub fn title(self) -> &'static str {
        match self {
            AnalysisKind::CriticalPoints => "Critical points",
            AnalysisKind::Classify => "Classify a point",
            AnalysisKind::Basins => "Basins of attraction",
            AnalysisKind::LrSweep => "Learning-rate sweep",
            AnalysisKind::LrRange => "Learning-rate range test",
            AnalysisKind::SeedBands => "Seed bands",
            AnalysisKind::Theory => "Theory on quadratics",
            AnalysisKind::Rate => "Convergence rate",
            AnalysisKind::Doctor => "Convergence doctor",
            AnalysisKind::LossPlane => "The model's loss landscape",
        }
    }

    /// One sentence on what the analysis shows.
    pub fn blurb(self) -> &'static str {
        match self {
            AnalysisKind::CriticalPoints => "Every point in view where the gradient vanishes, found by Newton's method on the gradient from a grid of seeds, and classified by the Hessian's eigenvalues: minimum, maximum, saddle or degenerate.",
            AnalysisKind::Classify => "The kind of a point from the Hessian's eigenvalues, and the known minimum whose basin holds it.",
            AnalysisKind::Basins => "The selected run's optimizer, schedule and stopping rule started from every point of a grid; each start is coloured by where it ended: a known minimum, diverged or not converged.",
            AnalysisKind::LrSweep => "Each run repeated over a log grid of learning rates: the final loss and the steps to converge against the learning rate.",
            AnalysisKind::LrRange => "One run whose learning rate grows exponentially at every step (Smith 2017): the loss against the learning rate suggests a range to train with.",
            AnalysisKind::SeedBands => "The selected run repeated over seeds, each with its own initial weights (and minibatch order and dropout masks, where it has them): the mean loss and its spread at each step; a minibatch run beside the same run in full batch.",
            AnalysisKind::Theory => "For a quadratic loss: its condition number, gradient descent's stability bound and optimal rate, and heavy-ball momentum's optimal settings and rate (Polyak 1964; Goh 2017).",
            AnalysisKind::Rate => "f - f* and the distance to the minimum against the step, with the fitted rate (linear, or a power of 1/t) and the steps it needs to reach the tolerance.",
            AnalysisKind::Doctor => "A diagnosis of each run from its history, in plain words, with the remedy the topic prescribes.",
            AnalysisKind::LossPlane => "The training loss on a plane through the trained weights, spanned by two filter-normalised random directions or the path's two principal directions (Li et al. 2018), with the training path projected onto it.",
        }
    }

    /// The problems the analysis applies to: "landscape" (a 2-D landscape), "model" (a model
    /// trained on data) or "any".
    pub fn needs(self) -> &'static str {
        match self {
            AnalysisKind::CriticalPoints | AnalysisKind::Classify | AnalysisKind::Basins => "landscape",
            // The theory holds for the quadratic landscapes (the bowl, linreg), and the rate is
            // measured against a known minimum, which no model trained on data has.
            AnalysisKind::Theory | AnalysisKind::Rate => "landscape",
            // Smith's range test is for models; on a landscape its suggestion can pass the
            // stability bound that the sweep and the theory show.
            AnalysisKind::SeedBands | AnalysisKind::LossPlane | AnalysisKind::LrRange => "model",
            _ => "any",
        }
    }

    /// True when `config` names this analysis.
    pub fn named_in(self, config: &AnalysisConfig) -> bool {
        match self {
            AnalysisKind::CriticalPoints => config.critical_points.is_some(),
            AnalysisKind::Classify => !config.classify.is_empty(),
            AnalysisKind::Basins => config.basins.is_some(),
            AnalysisKind::LrSweep => config.lr_sweep.is_some(),
            AnalysisKind::LrRange => config.lr_range.is_some(),
            AnalysisKind::SeedBands => config.seed_bands.is_some(),
            AnalysisKind::Theory => config.theory,
            AnalysisKind::Rate => config.rate.is_some(),
            AnalysisKind::Doctor => config.doctor,
            AnalysisKind::LossPlane => config.loss_plane.is_some(),
        }
    }
}

/// The work of one analysis in progress.
#[derive(Clone, Debug)]
enum Work {
    Critical(CriticalSearch),
    Basins(Box<Basins>),
    LrSweep(LrSweep),
    LrRange(RangeTest),
    SeedBands(SeedBands),
    LossPlane(Box<LossPlane>),
    /// The experiment's own runs, to their end, for the rate readout, the doctor or the
    /// theory's measured contractions.
    Runs(Box<Session>),
    /// An analysis computed at once (classify, and theory where there is none).
    Done,
}

/// One analysis of an experiment, advanced in chunks.
#[derive(Clone, Debug)]
pub struct AnalysisJob {
    experiment: Experiment,
    kind: AnalysisKind,
    config: AnalysisConfig,
    work: Work,
    report: AnalysisReport,
    /// Where each of the experiment's own runs stops for the rate readout, the doctor or the
    /// theory (`stop_at`: where the page's runs stand), or `None`: at their end.
    until: Option<Vec<u64>>,
}

impl AnalysisJob {
    /// Starts analysis `kind` of `experiment` with the settings of its `analysis` section (the
    /// analysis's defaults where the section does not name it), over `view` (the experiment's or
    /// the problem's when `None`).
    pub fn new(
        experiment: &Experiment,
        kind: AnalysisKind,
        view: Option<ViewBox>,
    ) -> Result<AnalysisJob, ValidationErrors> {
        let config = experiment.analysis.clone().unwrap_or_default();
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let view = view.or(experiment.view).or_else(|| problem.view_box());
        let mut report = AnalysisReport::default();
        let work = match kind {
            AnalysisKind::CriticalPoints => {
                let Some(view) = view else {
                    return Err(ValidationErrors::one("analysis.critical_points", "needs a 2-D landscape"));
                };
                let seeds = settings(config.critical_points.clone(), CriticalPointsConfig::defaults)?.seeds;
                Work::Critical(CriticalSearch::new(&problem, view, seeds)?)
            }
            AnalysisKind::Basins => {
                let c = settings(config.basins.clone(), BasinsConfig::defaults)?;
                Work::Basins(Box::new(Basins::new(experiment, c.run, c.side, view)?))
            }
            AnalysisKind::LrSweep => {
                let c = settings(config.lr_sweep.clone(), LrSweepConfig::defaults)?;
                let runs = sweep_runs(&c, experiment);
                let (low, high) = sweep_bounds(experiment, &runs, c.low, c.high)
                    .map_err(|message| ValidationErrors::one("analysis.lr_sweep", message))?;
                Work::LrSweep(LrSweep::new(experiment, &runs, low, high, c.points)?)
            }
            AnalysisKind::LrRange => {
                let c = settings(config.lr_range.clone(), LrRangeConfig::defaults)?;
                let (low, high) = range_bounds(experiment, c.run, c.low, c.high)
                    .map_err(|message| ValidationErrors::one("analysis.lr_range", message))?;
                Work::LrRange(RangeTest::new(experiment, c.run, low, high, c.steps)?)
            }
            AnalysisKind::SeedBands => {
                let c = settings(config.seed_bands.clone(), SeedBandsConfig::defaults)?;
                Work::SeedBands(SeedBands::new(experiment, c.run, c.seeds)?)
            }
            AnalysisKind::LossPlane => {
                let c = settings(config.loss_plane.clone(), LossPlaneConfig::defaults)?;
                Work::LossPlane(Box::new(LossPlane::new(experiment, c.run, &c.directions, c.side, c.span, None)?))
            }
            AnalysisKind::Rate | AnalysisKind::Doctor => Work::Runs(Box::new(Session::new(experiment.clone()))),
            AnalysisKind::Classify => {
                if let Some(view) = view {
                    report.classify =
                        config.classify.iter().filter_map(|&p| classify_point(&problem, p, &view)).collect();
                }
                Work::Done
            }
            AnalysisKind::Theory => match QuadraticTheory::of(&experiment.problem) {
                // The runs go to their end for their measured contraction.
                Ok(theory) => {
                    report.theory = Some(Theory::Quadratic { theory, measured: Vec::new() });
                    Work::Runs(Box::new(Session::new(experiment.clone())))
                }
                Err(unavailable) => {
                    report.theory = Some(Theory::Unavailable { unavailable });
                    Work::Done
                }
            },
        };
        let mut job = AnalysisJob { experiment: experiment.clone(), kind, config, work, report, until: None };
        job.collect();
        Ok(job)
    }

    /// Restricts a basins job to cells `first..end` of its grid (see `Basins::range`), so that
    /// workers can share the grid; any other job is unchanged.
    pub fn restrict(&mut self, first: usize, end: usize) {
        if let Work::Basins(b) = &mut self.work {
            **b = b.as_ref().clone().range(first, end);
            self.collect();
        }
    }

    /// Stops the experiment's own runs (the rate readout's, the doctor's, the theory's) where
    /// the page's runs stand, run i after `steps[i]` updates (or earlier, where it ends), so that
    /// the doctor diagnoses a run while it plays from its history so far; a missing entry is
    /// no limit. Other analyses ignore it.
    pub fn stop_at(&mut self, steps: Vec<u64>) {
        if matches!(self.work, Work::Runs(_)) {
            self.until = Some(steps);
            self.collect();
        }
    }

    /// True when every run of `session` has ended or reached its limit (`stop_at`).
    fn runs_done(&self, session: &Session) -> bool {
        session.runs().iter().enumerate().all(|(i, run)| {
            run.status() != Status::Running
                || self.until.as_ref().and_then(|u| u.get(i)).is_some_and(|&limit| run.step() >= limit)
        })
    }

    /// The basins computation of a basins job.
    pub fn basins(&self) -> Option<&Basins> {
        match &self.work {
            Work::Basins(b) => Some(b),
            _ => None,
        }
    }

    /// Takes about `budget` optimizer steps of work (at least one unit); true when done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let budget = budget.max(1);
        match &mut self.work {
            Work::Critical(c) => {
                c.advance(usize::try_from((budget / STEPS_PER_SEED).max(1)).unwrap_or(usize::MAX));
            }
            Work::Basins(b) => {
                b.advance(budget);
            }
            Work::LrSweep(s) => {
                s.advance(budget);
            }
            Work::LrRange(t) => {
                t.advance(budget);
            }
            Work::SeedBands(b) => {
                b.advance(budget);
            }
            Work::LossPlane(p) => {
                p.advance(budget);
            }
            Work::Runs(session) => {
                let runs = u64::try_from(session.runs().len()).unwrap_or(1).max(1);
                let per_run = (budget / runs).max(1);
                let (problem, runs) = session.parts_mut();
                for (i, run) in runs.iter_mut().enumerate() {
                    let limit = self.until.as_ref().and_then(|u| u.get(i)).copied().unwrap_or(u64::MAX);
                    let left = limit.saturating_sub(run.step()).min(per_run);
                    if left > 0 && run.status() == Status::Running {
                        run.advance(problem, left);
                    }
                }
            }
            Work::Done => {}
        }
        self.collect();
        self.done()
    }

    /// True when the analysis has its final result.
    pub fn done(&self) -> bool {
        match &self.work {
            Work::Critical(c) => c.done(),
            Work::Basins(b) => b.done(),
            Work::LrSweep(s) => s.done(),
            Work::LrRange(t) => t.done(),
            Work::SeedBands(b) => b.done(),
            Work::LossPlane(p) => p.done(),
            Work::Runs(session) => self.runs_done(session),
            Work::Done => true,
        }
    }

    /// The share of the work done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        match &self.work {
            Work::Critical(c) => c.progress(),
            Work::Basins(b) => b.progress(),
            Work::LrSweep(s) => s.progress(),
            Work::LrRange(t) => t.progress(),
            Work::SeedBands(b) => b.progress(),
            Work::LossPlane(p) => p.progress(),
            Work::Runs(session) if !self.runs_done(session) => {
                let max = self.experiment.stop.max_steps.max(1) as f64;
                let runs = session.runs();
                runs.iter().map(|r| (r.step() as f64 / max).min(1.0)).sum::<f64>() / runs.len().max(1) as f64
            }
            Work::Runs(_) | Work::Done => 1.0,
        }
    }

    /// The results so far (final once `done`), with the keys and values of `converge analyse`:
    /// only this job's analysis is set.
    pub fn report(&self) -> &AnalysisReport {
        &self.report
    }

    /// Copies the work's current results into the report.
    fn collect(&mut self) {
        let runs_done = matches!(&self.work, Work::Runs(session) if self.runs_done(session));
        match &self.work {
            Work::Critical(c) => self.report.critical_points = Some(c.result()),
            Work::Basins(b) => self.report.basins = Some(b.result()),
            Work::LrSweep(s) => self.report.lr_sweep = Some(s.result()),
            Work::LrRange(t) => self.report.lr_range = Some(t.result()),
            Work::SeedBands(b) => self.report.seed_bands = Some(b.result()),
            Work::LossPlane(p) => self.report.loss_plane = Some(p.result()),
            Work::Runs(session) if runs_done => {
                if let Some(Theory::Quadratic { theory, measured }) = &mut self.report.theory {
                    *measured = session
                        .runs()
                        .iter()
                        .zip(&self.experiment.runs)
                        .map(|(run, config)| Contraction {
                            label: run.label().to_string(),
                            measured: readout(&self.experiment.problem, session.problem(), run, DEFAULT_TOLERANCE)
                                .and_then(|r| r.distance_fit)
                                .filter(|fit| fit.model == RateModel::Linear)
                                .map(|fit| fit.rate),
                            predicted: theory.predicted_rate(&config.optimizer, &config.schedule),
                        })
                        .collect();
                } else if self.kind == AnalysisKind::Rate {
                    let tolerance = self.config.rate.as_ref().map_or(DEFAULT_TOLERANCE, |c| c.tolerance);
                    let per_run = session.runs().iter().map(|run| PerRun {
                        label: run.label().to_string(),
                        result: readout(&self.experiment.problem, session.problem(), run, tolerance),
                    });
                    self.report.rate = Some(per_run.collect());
                } else {
                    let traces: Vec<RunTrace> =
                        session.runs().iter().map(|run| RunTrace::of(run, session.problem())).collect();
                    let diagnoses = diagnose_runs(&self.experiment, &traces);
                    let per_run = session
                        .runs()
                        .iter()
                        .zip(diagnoses)
                        .map(|(run, result)| PerRun { label: run.label().to_string(), result });
                    self.report.doctor = Some(per_run.collect());
                }
            }
            Work::Runs(_) | Work::Done => {}
        }
    }
}

/// The settings the section gives, or the analysis's defaults.
fn settings<T>(given: Option<T>, defaults: fn() -> Result<T, ReadError>) -> Result<T, ValidationErrors> {
    match given {
        Some(settings) => Ok(settings),
        None => defaults().map_err(|e| ValidationErrors::one("analysis", e.to_string())),
    }
}
