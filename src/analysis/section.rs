//! The experiment's `analysis` section: which analyses to run and with what settings, so that a
//! link, an embed or `converge analyse` reproduces them. Every field is optional:
//!
//! ```json
//! "analysis": {"critical_points": {"seeds": 20}, "classify": [[0.5, -1.2]],
//!              "basins": {"run": 0, "side": 64}, "lr_sweep": {"runs": [0, 1], "low": 1e-4, "high": 1, "points": 16},
//!              "lr_range": {"run": 0, "low": 1e-6, "high": 10, "steps": 500},
//!              "seed_bands": {"run": 0, "seeds": 8}, "theory": true, "rate": {"tolerance": 1e-8}, "doctor": true}
//! ```
//!
//! `lr_sweep.runs` defaults to every run. The defaults and ranges belong to the analyses' own
//! modules; validation asks them (`check`). `analyse` runs every named analysis to its end in
//! one call (the CLI's use; the page drives each analysis in chunks instead) and gathers the
//! results as one serde value.

use serde::{Deserialize, Serialize};

use crate::analysis::bands::{self, BandResult, SeedBands};
use crate::analysis::basins::{self, BasinResult, Basins};
use crate::analysis::critical::{self, classify_point, CriticalPoint, CriticalSearch, PointReport};
use crate::analysis::doctor::{diagnose, Diagnosis, RunTrace};
use crate::analysis::lr_sweep::{self, LrSweep, RangeResult, RangeTest, SweepResult};
use crate::analysis::rate::{readout, RateReadout};
use crate::analysis::theory::QuadraticTheory;
use crate::config::validate::{ValidationErrors, Validator};
use crate::config::Experiment;
use crate::run::session::Session;

fn default_seeds_per_side() -> usize {
    critical::DEFAULT_SEEDS_PER_SIDE
}
fn default_basin_side() -> usize {
    basins::DEFAULT_BASIN_SIDE
}
fn default_sweep_points() -> usize {
    lr_sweep::DEFAULT_SWEEP_LRS
}
fn default_range_steps() -> u64 {
    lr_sweep::DEFAULT_RANGE_STEPS
}
fn default_band_seeds() -> usize {
    bands::DEFAULT_BAND_SEEDS
}
fn default_tolerance() -> f64 {
    1e-8
}

/// Every critical point in the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalPointsConfig {
    #[serde(default = "default_seeds_per_side")]
    pub seeds: usize,
}

/// Basins of attraction of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasinsConfig {
    #[serde(default)]
    pub run: usize,
    #[serde(default = "default_basin_side")]
    pub side: usize,
}

/// A learning-rate sweep of some runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrSweepConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<usize>,
    pub low: f64,
    pub high: f64,
    #[serde(default = "default_sweep_points")]
    pub points: usize,
}

/// The learning-rate range test of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrRangeConfig {
    #[serde(default)]
    pub run: usize,
    pub low: f64,
    pub high: f64,
    #[serde(default = "default_range_steps")]
    pub steps: u64,
}

/// Seed bands of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedBandsConfig {
    #[serde(default)]
    pub run: usize,
    #[serde(default = "default_band_seeds")]
    pub seeds: usize,
}

/// The rate readout of every run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateConfig {
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
}

/// The `analysis` section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_points: Option<CriticalPointsConfig>,
    /// Points to classify, as a click on the landscape does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classify: Vec<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basins: Option<BasinsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_sweep: Option<LrSweepConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr_range: Option<LrRangeConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_bands: Option<SeedBandsConfig>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub theory: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<RateConfig>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub doctor: bool,
}

/// The runs a sweep covers: those named, or every run.
fn sweep_runs(config: &LrSweepConfig, experiment: &Experiment) -> Vec<usize> {
    if config.runs.is_empty() {
        (0..experiment.runs.len()).collect()
    } else {
        config.runs.clone()
    }
}

impl AnalysisConfig {
    /// Checks every named analysis against `experiment`, recording problems under `analysis`.
    pub fn validate(&self, experiment: &Experiment, v: &mut Validator) {
        if let Some(c) = &self.critical_points {
            critical::check(experiment.problem.dim(), c.seeds, v);
        }
        for (i, p) in self.classify.iter().enumerate() {
            v.require(experiment.problem.dim() == 2, "analysis.classify", "classifying points needs a 2-D landscape");
            v.finite(format!("analysis.classify[{i}][0]"), p[0]);
            v.finite(format!("analysis.classify[{i}][1]"), p[1]);
        }
        if let Some(c) = &self.basins {
            basins::check(experiment, c.run, c.side, v);
        }
        if let Some(c) = &self.lr_sweep {
            lr_sweep::check_sweep(experiment, &sweep_runs(c, experiment), c.low, c.high, c.points, v);
        }
        if let Some(c) = &self.lr_range {
            lr_sweep::check_range(experiment, c.run, c.low, c.high, c.steps, v);
        }
        if let Some(c) = &self.seed_bands {
            bands::check(experiment, c.run, c.seeds, v);
        }
        if let Some(c) = &self.rate {
            v.positive("analysis.rate.tolerance", c.tolerance);
        }
    }
}

/// A run's doctor's diagnoses or rate readout, with its label.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PerRun<T> {
    pub label: String,
    pub result: T,
}

/// The theory, or why there is none for this problem (`{"unavailable": "..."}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Theory {
    Quadratic(QuadraticTheory),
    Unavailable { unavailable: String },
}

/// The results of every named analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AnalysisReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical_points: Option<Vec<CriticalPoint>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classify: Vec<PointReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basins: Option<BasinResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr_sweep: Option<SweepResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lr_range: Option<RangeResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_bands: Option<BandResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theory: Option<Theory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<Vec<PerRun<Option<RateReadout>>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doctor: Option<Vec<PerRun<Vec<Diagnosis>>>>,
}

impl crate::json::InfallibleJson for AnalysisReport {}

/// Runs every analysis the experiment's `analysis` section names, each to its end.
pub fn analyse(experiment: &Experiment) -> Result<AnalysisReport, ValidationErrors> {
    let config = experiment.analysis.clone().unwrap_or_default();
    let mut report = AnalysisReport::default();
    let problem = experiment.problem.build_with_seed(experiment.seed);
    let view = experiment.view.or_else(|| problem.view_box());
    if let Some(c) = &config.critical_points {
        let Some(view) = view else {
            return Err(ValidationErrors::one("analysis.critical_points", "needs a 2-D landscape"));
        };
        let mut search = CriticalSearch::new(&problem, view, c.seeds)?;
        search.advance(usize::MAX);
        report.critical_points = Some(search.result());
    }
    if let Some(view) = view {
        report.classify = config.classify.iter().filter_map(|&p| classify_point(&problem, p, &view)).collect();
    }
    if let Some(c) = &config.basins {
        let mut b = Basins::new(experiment, c.run, c.side, None)?;
        b.advance(u64::MAX);
        report.basins = Some(b.result());
    }
    if let Some(c) = &config.lr_sweep {
        let mut s = LrSweep::new(experiment, &sweep_runs(c, experiment), c.low, c.high, c.points)?;
        s.advance(u64::MAX);
        report.lr_sweep = Some(s.result());
    }
    if let Some(c) = &config.lr_range {
        let mut t = RangeTest::new(experiment, c.run, c.low, c.high, c.steps)?;
        t.advance(u64::MAX);
        report.lr_range = Some(t.result());
    }
    if let Some(c) = &config.seed_bands {
        let mut b = SeedBands::new(experiment, c.run, c.seeds)?;
        b.advance(u64::MAX);
        report.seed_bands = Some(b.result());
    }
    if config.theory {
        report.theory = Some(match QuadraticTheory::of(&experiment.problem) {
            Ok(theory) => Theory::Quadratic(theory),
            Err(unavailable) => Theory::Unavailable { unavailable },
        });
    }
    if config.rate.is_some() || config.doctor {
        let mut session = Session::new(experiment.clone());
        session.step(u64::MAX);
        if let Some(c) = &config.rate {
            let per_run = session.runs().iter().map(|run| PerRun {
                label: run.label().to_string(),
                result: readout(&experiment.problem, session.problem(), run, c.tolerance),
            });
            report.rate = Some(per_run.collect());
        }
        if config.doctor {
            let per_run = session.runs().iter().enumerate().map(|(i, run)| PerRun {
                label: run.label().to_string(),
                result: diagnose(experiment, i, &RunTrace::of(run, session.problem())),
            });
            report.doctor = Some(per_run.collect());
        }
    }
    Ok(report)
}
