//! The real model's loss landscape: the loss on a plane through a trained model's weights,
//! with the training path projected onto it, so that the 2-D toy landscapes connect to real
//! training (H. Li, Z. Xu, G. Taylor, C. Studer and T. Goldstein, "Visualizing the Loss
//! Landscape of Neural Nets", NeurIPS 2018).
//!
//! One run of a model experiment is trained to its end (or to `step`), recording its weights as
//! the page's timeline does (`run::weights`: at every evaluation, bounded). With w the weights
//! then and d1, d2 two directions (`directions.rs`: filter-normalised random directions, or the
//! top two principal directions of the recorded trajectory), the grid holds the full-batch
//! training loss with its penalties, the objective the run minimised,
//!   L(w + alpha d1 + beta d2),  alpha, beta in [-span, span],
//! on `side` x `side` points (`side` odd, so the centre is w itself and its value is exactly
//! L(w)); without a `span` the plane is [-1, 1]^2 for random directions (the weights' own
//! scale) and reaches `PATH_SPAN_MARGIN` times the path's largest coordinate for principal ones
//! (unit vectors, in which the path may be tens of units long), row-major from the top row (beta = span) down, each row from alpha = -span, as an
//! image is. Each recorded snapshot w_t is projected onto the plane (least squares; `captured`
//! is the share of the path's squared displacement sum ||w_t - w||^2 that the plane holds).
//! Random directions in a space of hundreds of weights are nearly orthogonal to any path, so
//! their projected path is short and says little (the paper's section 7); the principal
//! directions hold most of it.
//!
//! The work runs in chunks (`advance(budget)`): the training steps, then the directions, then
//! the grid point by point, each counted as the minibatch steps of one pass over the training
//! set (a grid point is one full-batch loss). The result does not depend on the chunk sizes.

pub mod directions;

use serde::Serialize;

use crate::config::validate::{ValidationErrors, Validator};
use crate::config::Experiment;
use crate::data::Rng;
use crate::problem::{Problem, ProblemConfig, TrainingProblem};
use crate::run::monitor::Status;
use crate::run::session::default_start;
use crate::run::Run;
use directions::{filter_normalised, principal, Basis, STREAM_PLANE};

/// The grid's points per side when a config gives none.
pub const DEFAULT_PLANE_SIDE: usize = 41;
/// The fewest points per side.
pub const MIN_PLANE_SIDE: usize = 3;
/// The most points per side.
pub const MAX_PLANE_SIDE: usize = 101;
/// The half-width of the plane, in units of the directions, when a config gives none and the
/// directions are random: the scale of the weights themselves (Li et al. plot [-1, 1]).
pub const DEFAULT_RANDOM_SPAN: f64 = 1.0;
/// With principal directions and no span given, the plane reaches this many times the path's
/// largest coordinate, so that the whole path is in view.
pub const PATH_SPAN_MARGIN: f64 = 1.2;
/// The largest half-width.
pub const MAX_PLANE_SPAN: f64 = 1000.0;
/// The directions when a config names none.
pub const DEFAULT_PLANE_DIRECTIONS: &str = "random";

/// How the plane's two directions are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaneDirections {
    /// Filter-normalised Gaussian directions (Li et al. 2018, section 4).
    Random,
    /// The top two principal directions of the recorded weight trajectory.
    Pca,
}

impl PlaneDirections {
    /// The names a config may give.
    pub const NAMES: [&'static str; 2] = ["random", "pca"];

    /// The directions named `name`.
    pub fn parse(name: &str) -> Option<PlaneDirections> {
        match name {
            "random" => Some(PlaneDirections::Random),
            "pca" => Some(PlaneDirections::Pca),
            _ => None,
        }
    }
}

/// Checks a loss plane's settings against the experiment.
pub fn check(
    experiment: &Experiment,
    run: usize,
    directions: &str,
    side: usize,
    span: Option<f64>,
    step: Option<u64>,
    v: &mut Validator,
) {
    let model = matches!(experiment.problem, ProblemConfig::Model(_));
    v.require(model, "problem", "the loss plane needs a model trained on data");
    let count = experiment.runs.len();
    v.require(run < count, "analysis.loss_plane.run", format!("there are {count} runs, got index {run}"));
    v.require(
        PlaneDirections::parse(directions).is_some(),
        "analysis.loss_plane.directions",
        format!("must be one of {}, got \"{directions}\"", PlaneDirections::NAMES.join(", ")),
    );
    v.require(
        (MIN_PLANE_SIDE..=MAX_PLANE_SIDE).contains(&side) && side % 2 == 1,
        "analysis.loss_plane.side",
        format!(
            "must be odd, from {MIN_PLANE_SIDE} to {MAX_PLANE_SIDE} (the centre is the weights themselves), got {side}"
        ),
    );
    if let Some(span) = span {
        v.require(
            span > 0.0 && span <= MAX_PLANE_SPAN,
            "analysis.loss_plane.span",
            format!("must be in (0, {MAX_PLANE_SPAN}], got {span}"),
        );
    }
    if let Some(step) = step {
        let max = experiment.stop.max_steps;
        v.require(step <= max, "analysis.loss_plane.step", format!("must be at most max_steps ({max}), got {step}"));
    }
}

/// The plane so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaneResult {
    /// The run's index and label.
    pub run: usize,
    pub label: String,
    /// The step of the weights w at the centre (None while training).
    pub step: Option<u64>,
    pub directions: PlaneDirections,
    pub side: usize,
    /// The plane's half-width (None while training, when it comes from the path).
    pub span: Option<f64>,
    /// The loss at each grid point done, row-major from the top row (beta = span), each row
    /// from alpha = -span.
    pub values: Vec<f64>,
    /// The recorded weights' coordinates (alpha, beta), oldest first; the last is w, at (0, 0).
    pub path: Vec<[f64; 2]>,
    /// The step of each point of `path`.
    pub path_steps: Vec<u64>,
    /// The share of the path's squared displacement from w that the plane holds.
    pub captured: Option<f64>,
    /// For principal directions, the share of the displacement along each of them.
    pub explained: Option<[f64; 2]>,
    /// The lowest grid point: alpha, beta, loss.
    pub lowest: Option<[f64; 3]>,
    /// A caveat in words, when the plane is not what was asked for.
    pub note: Option<String>,
}

impl crate::json::InfallibleJson for PlaneResult {}

/// The plane's directions and the projected path, fixed once the run is trained.
#[derive(Clone, Debug)]
struct Plane {
    w: Vec<f64>,
    span: f64,
    basis: Basis,
    path: Vec<[f64; 2]>,
    path_steps: Vec<u64>,
    captured: f64,
    explained: Option<[f64; 2]>,
    note: Option<String>,
}

/// A loss plane in progress.
#[derive(Clone, Debug)]
pub struct LossPlane {
    problem: Problem,
    run_index: usize,
    run: Run,
    /// Train to this step at most.
    until: u64,
    directions: PlaneDirections,
    side: usize,
    /// The half-width asked for (None: from the directions and the path).
    span: Option<f64>,
    seed: u64,
    /// Budget units one grid point costs: the minibatch steps of one pass over the data.
    point_cost: u64,
    plane: Option<Plane>,
    values: Vec<f64>,
}

impl LossPlane {
    /// The plane of run `run` of `experiment` (a model trained on data) after `step` steps (its
    /// end when None), spanned by `directions`, with `side` x `side` points over
    /// [-span, span]^2 (span None: the default of the directions).
    pub fn new(
        experiment: &Experiment,
        run: usize,
        directions: &str,
        side: usize,
        span: Option<f64>,
        step: Option<u64>,
    ) -> Result<LossPlane, ValidationErrors> {
        let mut v = Validator::new();
        check(experiment, run, directions, side, span, step, &mut v);
        v.finish()?;
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let (Some(config), Some(directions), Problem::Model(model)) =
            (experiment.runs.get(run), PlaneDirections::parse(directions), &problem)
        else {
            return Err(ValidationErrors::one("problem", "the loss plane needs a model trained on data"));
        };
        let point_cost = u64::try_from(model.train.len().div_ceil(model.batch_size().max(1))).unwrap_or(1).max(1);
        let x0 = config.x0.clone().unwrap_or_else(|| default_start(&problem));
        let trained = Run::new(config, x0, &experiment.stop, &problem, experiment.seed);
        Ok(LossPlane {
            until: step.unwrap_or(experiment.stop.max_steps),
            run_index: run,
            run: trained,
            directions,
            side,
            span,
            seed: experiment.seed,
            point_cost,
            plane: None,
            values: Vec::with_capacity(side * side),
            problem,
        })
    }

    /// True while the run still trains.
    fn training(&self) -> bool {
        self.run.status().is_running() && self.run.step() < self.until
    }

    /// Takes about `budget` steps of work (at least one unit); true when the grid is complete.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget.max(1);
        while left > 0 && self.training() {
            let n = (self.until - self.run.step()).min(left);
            left = left.saturating_sub(self.run.advance(&self.problem, n).max(1));
        }
        if left == 0 {
            return self.done();
        }
        if self.plane.is_none() {
            self.plane = Some(self.make_plane());
            left = left.saturating_sub(1);
        }
        let Some(plane) = &self.plane else {
            return self.done();
        };
        let total = self.side * self.side;
        let mut point = vec![0.0; plane.w.len()];
        let (d1, d2) = plane.basis.directions();
        while left > 0 && self.values.len() < total {
            let k = self.values.len();
            let (alpha, beta) = self.coordinates(k, plane.span);
            for (((p, w), a), b) in point.iter_mut().zip(&plane.w).zip(d1).zip(d2) {
                *p = w + alpha * a + beta * b;
            }
            self.values.push(self.problem.loss(&point));
            left = left.saturating_sub(self.point_cost);
        }
        self.done()
    }

    /// The (alpha, beta) of grid point `k` (row-major from the top row) on a plane of
    /// half-width `span`. The middle row and column are exactly 0: -span + 2 span (1/2) = 0.
    fn coordinates(&self, k: usize, span: f64) -> (f64, f64) {
        let last = (self.side - 1).max(1) as f64;
        let (row, col) = (k / self.side, k % self.side);
        let at = |i: usize| -span + 2.0 * span * (i as f64 / last);
        (at(col), at(self.side - 1 - row))
    }

    /// The directions and the projected path, from the trained run.
    fn make_plane(&self) -> Plane {
        let w = self.run.params().to_vec();
        let mut trajectory: Vec<(u64, Vec<f64>)> = Vec::new();
        let history = self.run.weight_history();
        for step in history.steps() {
            if let Some((at, weights)) = history.at_or_before(step) {
                trajectory.push((at, weights.to_vec()));
            }
        }
        if trajectory.first().is_none_or(|(step, _)| *step != 0) {
            trajectory.insert(0, (0, self.run.x0().to_vec()));
        }
        // The last point is w itself (early stopping may have restored earlier weights).
        if trajectory.last().is_some_and(|(step, _)| *step == self.run.step()) {
            trajectory.pop();
        }
        trajectory.push((self.run.step(), w.clone()));
        let rows: Vec<Vec<f64>> =
            trajectory.iter().map(|(_, p)| p.iter().zip(&w).map(|(a, b)| a - b).collect()).collect();
        let mut rng = Rng::new(self.seed, STREAM_PLANE);
        let mut note = None;
        let mut explained = None;
        let random = |rng: &mut Rng| {
            let widths = match &self.problem {
                Problem::Model(m) => m.model.layer_sizes(),
                _ => Vec::new(),
            };
            let d1 = filter_normalised(&w, &widths, rng);
            let d2 = filter_normalised(&w, &widths, rng);
            Basis::new(d1, d2)
        };
        let basis = match self.directions {
            PlaneDirections::Random => random(&mut rng),
            PlaneDirections::Pca => match principal(&rows, &mut rng) {
                Some(p) => {
                    explained = Some(p.explained);
                    Basis::new(p.d1, p.d2)
                }
                None => {
                    note = Some("The weights never moved, so the trajectory has no principal directions: the plane uses filter-normalised random directions.".to_string());
                    random(&mut rng)
                }
            },
        };
        if basis.is_degenerate() {
            note = Some(format!(
                "The two directions are parallel (cosine {:.9}), so they span a line, not a plane: the path is projected onto the first one. Filter normalisation leaves a model with a single filter little choice; try the principal directions.",
                basis.cosine()
            ));
        }
        if let Status::Diverged { at_step, .. } = self.run.status() {
            note = Some(format!(
                "The run diverged at step {at_step}: the plane is centred on the weights it had then, where the loss is huge or not a number, so it says little about training."
            ));
        }
        let mut path = Vec::with_capacity(rows.len());
        let (mut held, mut moved) = (0.0, 0.0);
        for row in &rows {
            let (alpha, beta) = basis.coordinates(row);
            path.push([alpha, beta]);
            held += basis.squared_norm((alpha, beta));
            moved += directions::dot(row, row);
        }
        let captured = if moved > 0.0 { (held / moved).min(1.0) } else { 1.0 };
        let path_steps = trajectory.iter().map(|(step, _)| *step).collect();
        let reach = path.iter().flatten().filter(|c| c.is_finite()).fold(0.0f64, |m, c| m.max(c.abs()));
        let span = match (self.span, self.directions) {
            (Some(span), _) => span,
            (None, PlaneDirections::Pca) if reach > 0.0 => (PATH_SPAN_MARGIN * reach).min(MAX_PLANE_SPAN),
            (None, _) => DEFAULT_RANDOM_SPAN,
        };
        Plane { w, span, basis, path, path_steps, captured, explained, note }
    }

    /// The share of the work done: the training steps, then the grid (weighted by cost).
    pub fn progress(&self) -> f64 {
        let target = self.until.max(1) as f64;
        let trained = if self.training() { self.run.step() as f64 / target } else { 1.0 };
        let grid_cost = (self.side * self.side) as f64 * self.point_cost as f64;
        let grid = self.values.len() as f64 * self.point_cost as f64;
        (trained * target + grid) / (target + grid_cost)
    }

    /// True when every grid point is done.
    pub fn done(&self) -> bool {
        self.plane.is_some() && self.values.len() >= self.side * self.side
    }

    /// The plane so far.
    pub fn result(&self) -> PlaneResult {
        let plane = self.plane.as_ref();
        let lowest = self
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .fold(None::<(usize, f64)>, |best, (k, &v)| match best {
                Some((_, b)) if b <= v => best,
                _ => Some((k, v)),
            })
            .zip(plane)
            .map(|((k, v), plane)| {
                let (alpha, beta) = self.coordinates(k, plane.span);
                [alpha, beta, v]
            });
        PlaneResult {
            run: self.run_index,
            label: self.run.label().to_string(),
            step: plane.map(|_| self.run.step()),
            directions: self.directions,
            side: self.side,
            span: plane.map(|p| p.span),
            values: self.values.clone(),
            path: plane.map_or_else(Vec::new, |p| p.path.clone()),
            path_steps: plane.map_or_else(Vec::new, |p| p.path_steps.clone()),
            captured: plane.map(|p| p.captured),
            explained: plane.and_then(|p| p.explained),
            lowest,
            note: plane.and_then(|p| p.note.clone()),
        }
    }

    /// The training problem (for tests: the loss at the centre).
    pub fn training_problem(&self) -> Option<&TrainingProblem> {
        match &self.problem {
            Problem::Model(m) => Some(m),
            _ => None,
        }
    }

    /// The weights at the plane's centre, once trained.
    pub fn centre(&self) -> Option<&[f64]> {
        self.plane.as_ref().map(|p| p.w.as_slice())
    }

    /// The plane's directions, once trained.
    pub fn directions(&self) -> Option<(&[f64], &[f64])> {
        self.plane.as_ref().map(|p| p.basis.directions())
    }
}
