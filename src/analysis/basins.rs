//! Basins of attraction of an optimizer: run one of the experiment's runs (its optimizer,
//! schedule and the experiment's stop rule) from every cell centre of an n x n grid of starts
//! over the view, and record which outcome each start reached.
//!
//! The outcomes are, in this order: `diverged` (index 0), `not_converged` (1: the step limit
//! came first, or the run stalled at its start), then every known minimum of the landscape
//! (`Problem::known_minima`, in its order), then any other point where runs converged, in the
//! order they were first reached (points within `MERGE_SHARE` of the view's diagonal are one;
//! each is classified from its Hessian). A converged run belongs to a known minimum within
//! `MERGE_SHARE` of the diagonal of it. The grid is row-major from the top row (largest y)
//! down, each row from the smallest x, as an image is. The starts are run one after another in
//! chunks of steps (`advance(budget)`), so the page can draw the grid as it fills; the result
//! does not depend on the chunk sizes.

use serde::Serialize;

use crate::analysis::critical::{kind_of, PointKind};
use crate::config::validate::{ValidationErrors, Validator};
use crate::config::{Experiment, RunConfig};
use crate::math::sqrt;
use crate::problem::{Problem, ViewBox};
use crate::run::monitor::{Status, StopConfig};
use crate::run::report::hessian_eigenvalues;
use crate::run::Run;

/// Most starts per side of the grid.
pub const MAX_BASIN_SIDE: usize = 256;
/// End points within this share of the view's diagonal are the same outcome.
const MERGE_SHARE: f64 = 1e-2;

/// What runs from some starts reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Diverged,
    NotConverged,
    /// A minimum of the landscape's known list.
    KnownMinimum,
    /// Another point where runs converged, classified from its Hessian.
    Minimum,
    Saddle,
    Maximum,
    Degenerate,
}

/// One outcome with its share of the starts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// Where it is (None for diverged and not converged).
    pub x: Option<[f64; 2]>,
    pub value: Option<f64>,
    /// Starts that reached it, and their share of the starts done so far.
    pub count: u64,
    pub share: f64,
}

/// The grid so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BasinResult {
    pub side: usize,
    pub view: ViewBox,
    pub outcomes: Vec<Outcome>,
    /// The outcome index of each start done, row-major from the top row.
    pub grid: Vec<u16>,
    /// Optimizer updates taken from every start so far.
    pub steps: u64,
}

impl crate::json::InfallibleJson for BasinResult {}

/// The starts per side of the grid when a config gives none.
pub const DEFAULT_BASIN_SIDE: usize = 64;

/// Checks a basins computation's settings.
pub fn check(experiment: &Experiment, run: usize, side: usize, v: &mut Validator) {
    v.require(experiment.problem.dim() == 2, "problem", "basins need a 2-D landscape");
    v.require(
        (1..=MAX_BASIN_SIDE).contains(&side),
        "analysis.basins.side",
        format!("must be 1 to {MAX_BASIN_SIDE} starts per side, got {side}"),
    );
    let runs = experiment.runs.len();
    v.require(run < runs, "analysis.basins.run", format!("there are {runs} runs, got index {run}"));
}

/// A basins computation in progress.
#[derive(Clone, Debug)]
pub struct Basins {
    problem: Problem,
    run: RunConfig,
    stop: StopConfig,
    seed: u64,
    view: ViewBox,
    side: usize,
    current: Option<Run>,
    outcomes: Vec<Outcome>,
    grid: Vec<u16>,
    steps: u64,
}

impl Basins {
    /// The basins of run `run` of `experiment` on a `side` x `side` grid over `view` (the
    /// experiment's own view, or the problem's, when `None`).
    pub fn new(
        experiment: &Experiment,
        run: usize,
        side: usize,
        view: Option<ViewBox>,
    ) -> Result<Basins, ValidationErrors> {
        let problem = experiment.problem.build_with_seed(experiment.seed);
        let view = view.or(experiment.view).or_else(|| problem.view_box());
        let mut v = Validator::new();
        check(experiment, run, side, &mut v);
        let config = experiment.runs.get(run);
        if let Some(view) = &view {
            view.validate("view", &mut v);
        }
        v.finish()?;
        let (Some(view), Some(config)) = (view, config) else {
            return Err(ValidationErrors::one("view", "a 2-D landscape needs a view box"));
        };
        let mut outcomes =
            vec![outcome(OutcomeKind::Diverged, None, None), outcome(OutcomeKind::NotConverged, None, None)];
        for m in problem.known_minima() {
            outcomes.push(outcome(OutcomeKind::KnownMinimum, Some(m.x), Some(m.f)));
        }
        Ok(Basins {
            problem,
            run: config.clone(),
            stop: experiment.stop.clone(),
            seed: experiment.seed,
            view,
            side,
            current: None,
            outcomes,
            grid: Vec::with_capacity(side * side),
            steps: 0,
        })
    }

    /// The start of cell `k` (row-major from the top row).
    fn start(&self, k: usize) -> Vec<f64> {
        let n = self.side as f64;
        let (i, j) = ((k % self.side) as f64, (k / self.side) as f64);
        let (x, y) = (self.view.x, self.view.y);
        vec![x[0] + (i + 0.5) / n * (x[1] - x[0]), y[1] - (j + 0.5) / n * (y[1] - y[0])]
    }

    /// Takes at most `budget` optimizer steps in all (at least one); true when every start is done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget.max(1);
        while left > 0 && !self.done() {
            let mut run = match self.current.take() {
                Some(run) => run,
                None => {
                    let mut run =
                        Run::new(&self.run, self.start(self.grid.len()), &self.stop, &self.problem, self.seed);
                    run.set_recording(false);
                    run
                }
            };
            let taken = run.advance(&self.problem, left);
            left = left.saturating_sub(taken.max(1));
            if run.status().is_running() {
                self.current = Some(run);
            } else {
                self.steps += run.step();
                let index = self.outcome_of(&run);
                self.grid.push(index);
            }
        }
        self.done()
    }

    /// The outcome index of a finished run, adding a new outcome when it converged elsewhere.
    fn outcome_of(&mut self, run: &Run) -> u16 {
        let index = match run.status() {
            Status::Diverged { .. } => 0,
            Status::Converged { .. } => {
                let end = [
                    run.params().first().copied().unwrap_or(f64::NAN),
                    run.params().get(1).copied().unwrap_or(f64::NAN),
                ];
                let corner = [self.view.x[0], self.view.y[0]];
                let diagonal = distance([self.view.x[1], self.view.y[1]], corner);
                let near =
                    self.outcomes.iter().position(|o| o.x.is_some_and(|x| distance(x, end) <= MERGE_SHARE * diagonal));
                match near {
                    Some(i) => i,
                    // Each start adds at most one outcome, so 65,536 starts could just pass the
                    // u16 index: past u16::MAX, further new points count as not converged.
                    None if self.outcomes.len() < usize::from(u16::MAX) => {
                        let kind = match kind_of(hessian_eigenvalues(&self.problem, &end).unwrap_or([f64::NAN; 2])) {
                            PointKind::Minimum => OutcomeKind::Minimum,
                            PointKind::Saddle => OutcomeKind::Saddle,
                            PointKind::Maximum => OutcomeKind::Maximum,
                            PointKind::Degenerate => OutcomeKind::Degenerate,
                        };
                        self.outcomes.push(outcome(kind, Some(end), Some(self.problem.loss(&end))));
                        self.outcomes.len() - 1
                    }
                    None => 1,
                }
            }
            _ => 1,
        };
        if let Some(o) = self.outcomes.get_mut(index) {
            o.count += 1;
        }
        index as u16
    }

    /// The share of starts done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.grid.len() as f64 / (self.side * self.side) as f64
    }

    /// True when every start is done.
    pub fn done(&self) -> bool {
        self.grid.len() >= self.side * self.side
    }

    /// The grid so far with each outcome's share of the starts done.
    pub fn result(&self) -> BasinResult {
        let done = self.grid.len().max(1) as f64;
        let outcomes = self.outcomes.iter().map(|o| Outcome { share: o.count as f64 / done, ..o.clone() }).collect();
        let steps = self.steps + self.current.as_ref().map_or(0, Run::step);
        BasinResult { side: self.side, view: self.view, outcomes, grid: self.grid.clone(), steps }
    }
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    sqrt(dx * dx + dy * dy)
}

fn outcome(kind: OutcomeKind, x: Option<[f64; 2]>, value: Option<f64>) -> Outcome {
    Outcome { kind, x, value, count: 0, share: 0.0 }
}
