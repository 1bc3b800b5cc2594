//! The experiment's `analysis` section: which analyses to run and with what settings, so that a
//! link, an embed or `converge analyse` reproduces them. Every field is optional:
//!
//! ```json
//! "analysis": {"critical_points": {"seeds": 20}, "classify": [[0.5, -1.2]],
//!              "basins": {"run": 0, "side": 64}, "lr_sweep": {"runs": [0, 1], "low": 1e-4, "high": 1, "points": 16},
//!              "lr_range": {"run": 0, "low": 1e-6, "high": 10, "steps": 500},
//!              "seed_bands": {"run": 0, "seeds": 8}, "theory": true, "rate": {"tolerance": 1e-8}, "doctor": true,
//!              "loss_plane": {"run": 0, "directions": "pca", "side": 41, "span": 1}}
//! ```
//!
//! `lr_sweep.runs` defaults to every run; the `low` and `high` of `lr_sweep` and `lr_range` may
//! be omitted, and are then derived from the runs' learning rates (`lr_sweep.rs`). The defaults and ranges belong to the analyses' own
//! modules; validation asks them (`check`). `analyse` runs every named analysis to its end in
//! one call (the CLI's use; the page drives each analysis in chunks instead) and gathers the
//! results as one serde value.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::analysis::bands::{self, BandResult};
use crate::analysis::basins::{self, BasinResult};
use crate::analysis::critical::{self, CriticalPoint, PointReport};
use crate::analysis::doctor::Diagnosis;
use crate::analysis::job::{AnalysisJob, AnalysisKind};
use crate::analysis::lr_sweep::{self, RangeResult, SweepResult};
use crate::analysis::plane::{self, PlaneResult};
use crate::analysis::rate::{self, RateReadout};
use crate::analysis::theory::{Contraction, QuadraticTheory};
use crate::config::reader::ReadError;
use crate::config::tagged::{kind, Fields};
use crate::config::validate::{ValidationErrors, Validator};
use crate::config::Experiment;

/// Defines a settings struct that serde writes with its derive and reads through the small
/// field reader of `config::tagged` (as `tagged_enum!` does), which costs the wasm binary far
/// less than serde's derived visitors: `field: Type = default` is optional, `field: Type`
/// required, and an unknown field is an error naming the allowed ones.
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $fty:ty $(= $default:expr)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $fty ),*
        }

        impl $name {
            /// Reads the settings from a JSON object.
            fn from_value(value: Value) -> Result<Self, ReadError> {
                read_fields(value, &[$(stringify!($field)),*], |fields| {
                    Ok($name { $( $field: crate::tagged_enum!(@field fields, stringify!($field), $fty $(, $default)?), )* })
                })
            }

            /// The settings of an empty object: every default, or an error naming a required field.
            pub fn defaults() -> Result<Self, ReadError> {
                Self::from_value(Value::Object(serde_json::Map::new()))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as Deserialize>::deserialize(deserializer)?;
                Self::from_value(value).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}

/// Reads the fields of a JSON object with `read`, then fails on any field not in `keys`.
fn read_fields<T>(
    value: Value,
    keys: &[&str],
    read: impl FnOnce(&mut Fields) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    let Value::Object(map) = value else {
        return Err(ReadError::new(format!("invalid type: {}, expected an object", kind(&value))));
    };
    let mut fields = Fields::new(map);
    let out = read(&mut fields)?;
    fields.finish(keys)?;
    Ok(out)
}

settings! {
    /// Every critical point in the view.
    pub struct CriticalPointsConfig {
        seeds: usize = critical::DEFAULT_SEEDS_PER_SIDE,
    }
}

settings! {
    /// Basins of attraction of one run.
    pub struct BasinsConfig {
        run: usize = 0,
        side: usize = basins::DEFAULT_BASIN_SIDE,
    }
}

settings! {
    /// A learning-rate sweep of some runs (all of them when `runs` is empty).
    pub struct LrSweepConfig {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        runs: Vec<usize> = Vec::new(),
        /// The grid's ends; derived from the runs' learning rates when omitted
        /// (`lr_sweep::sweep_bounds`).
        #[serde(skip_serializing_if = "Option::is_none")]
        low: Option<f64> = None,
        #[serde(skip_serializing_if = "Option::is_none")]
        high: Option<f64> = None,
        points: usize = lr_sweep::DEFAULT_SWEEP_LRS,
    }
}

settings! {
    /// The learning-rate range test of one run.
    pub struct LrRangeConfig {
        run: usize = 0,
        /// The test's ends; derived from the run's learning rate when omitted
        /// (`lr_sweep::range_bounds`).
        #[serde(skip_serializing_if = "Option::is_none")]
        low: Option<f64> = None,
        #[serde(skip_serializing_if = "Option::is_none")]
        high: Option<f64> = None,
        steps: u64 = lr_sweep::DEFAULT_RANGE_STEPS,
    }
}

settings! {
    /// Seed bands of one run.
    pub struct SeedBandsConfig {
        run: usize = 0,
        seeds: usize = bands::DEFAULT_BAND_SEEDS,
    }
}

settings! {
    /// The real model's loss on a plane through one run's weights at its end (`plane/`). The
    /// core can centre the plane at an earlier step (`LossPlane::new`'s `step`); the section
    /// does not carry it, as the field cost the page's wasm 422 bytes gzipped.
    pub struct LossPlaneConfig {
        run: usize = 0,
        directions: String = plane::DEFAULT_PLANE_DIRECTIONS.to_string(),
        side: usize = plane::DEFAULT_PLANE_SIDE,
        /// The plane's half-width; left out, the default of the directions (`plane.rs`).
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<f64> = None,
    }
}

settings! {
    /// The rate readout of every run.
    pub struct RateConfig {
        tolerance: f64 = rate::DEFAULT_TOLERANCE,
    }
}

settings! {
    /// The `analysis` section.
    #[derive(Default)]
    pub struct AnalysisConfig {
        #[serde(skip_serializing_if = "Option::is_none")]
        critical_points: Option<CriticalPointsConfig> = None,
        /// Points to classify, as a click on the landscape does.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        classify: Vec<[f64; 2]> = Vec::new(),
        #[serde(skip_serializing_if = "Option::is_none")]
        basins: Option<BasinsConfig> = None,
        #[serde(skip_serializing_if = "Option::is_none")]
        lr_sweep: Option<LrSweepConfig> = None,
        #[serde(skip_serializing_if = "Option::is_none")]
        lr_range: Option<LrRangeConfig> = None,
        #[serde(skip_serializing_if = "Option::is_none")]
        seed_bands: Option<SeedBandsConfig> = None,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        theory: bool = false,
        #[serde(skip_serializing_if = "Option::is_none")]
        rate: Option<RateConfig> = None,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        doctor: bool = false,
        #[serde(skip_serializing_if = "Option::is_none")]
        loss_plane: Option<LossPlaneConfig> = None,
    }
}

/// The runs a sweep covers: those named, or every run.
pub(crate) fn sweep_runs(config: &LrSweepConfig, experiment: &Experiment) -> Vec<usize> {
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
            let runs = sweep_runs(c, experiment);
            match lr_sweep::sweep_bounds(experiment, &runs, c.low, c.high) {
                Ok((low, high)) => lr_sweep::check_sweep(experiment, &runs, low, high, c.points, v),
                Err(message) => v.require(false, "analysis.lr_sweep", message),
            }
        }
        if let Some(c) = &self.lr_range {
            match lr_sweep::range_bounds(experiment, c.run, c.low, c.high) {
                Ok((low, high)) => lr_sweep::check_range(experiment, c.run, low, high, c.steps, v),
                Err(message) => v.require(false, "analysis.lr_range", message),
            }
        }
        if let Some(c) = &self.seed_bands {
            bands::check(experiment, c.run, c.seeds, v);
        }
        if let Some(c) = &self.rate {
            v.positive("analysis.rate.tolerance", c.tolerance);
        }
        if let Some(c) = &self.loss_plane {
            plane::check(experiment, c.run, &c.directions, c.side, c.span, None, v);
        }
    }
}

/// A run's doctor's diagnoses or rate readout, with its label.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PerRun<T> {
    pub label: String,
    pub result: T,
}

/// The theory with each run's measured and predicted contraction (`measured`, filled once the
/// runs have ended), or why there is none for this problem (`{"unavailable": "..."}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Theory {
    Quadratic {
        #[serde(flatten)]
        theory: QuadraticTheory,
        measured: Vec<Contraction>,
    },
    Unavailable {
        unavailable: String,
    },
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_plane: Option<PlaneResult>,
}

impl crate::json::InfallibleJson for AnalysisReport {}

/// Runs every analysis the experiment's `analysis` section names, each to its end, as the page's
/// analysis worker does in chunks (`AnalysisJob`).
pub fn analyse(experiment: &Experiment) -> Result<AnalysisReport, ValidationErrors> {
    let config = experiment.analysis.clone().unwrap_or_default();
    let mut report = AnalysisReport::default();
    for kind in AnalysisKind::ALL.into_iter().filter(|k| k.named_in(&config)) {
        let mut job = AnalysisJob::new(experiment, kind, None)?;
        while !job.advance(u64::MAX) {}
        report.merge(job.report().clone());
    }
    Ok(report)
}

impl AnalysisReport {
    /// Takes every result `other` has.
    fn merge(&mut self, other: AnalysisReport) {
        let AnalysisReport {
            critical_points,
            classify,
            basins,
            lr_sweep,
            lr_range,
            seed_bands,
            theory,
            rate,
            doctor,
            loss_plane,
        } = other;
        self.critical_points = critical_points.or(self.critical_points.take());
        if !classify.is_empty() {
            self.classify = classify;
        }
        self.basins = basins.or(self.basins.take());
        self.lr_sweep = lr_sweep.or(self.lr_sweep.take());
        self.lr_range = lr_range.or(self.lr_range.take());
        self.seed_bands = seed_bands.or(self.seed_bands.take());
        self.theory = theory.or(self.theory.take());
        self.rate = rate.or(self.rate.take());
        self.doctor = doctor.or(self.doctor.take());
        self.loss_plane = loss_plane.or(self.loss_plane.take());
    }
}
