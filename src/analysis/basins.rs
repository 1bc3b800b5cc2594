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
//! down, each row from the smallest x, as an image is.
//!
//! The work is in two parts. Running the starts gives each start's end (`End`: diverged, not
//! converged, or converged at a point), independently of every other start: SGD and Adam go
//! through the batched kernel (`basin_lanes`, `BATCH` starts in lockstep), any other optimizer
//! one start after another through `Run`, in chunks of steps (`advance(budget)`), so that the page can
//! draw the grid as it fills. Sorting the ends into outcomes (`Tally`) then takes them in the
//! grid's order. So a computation can be split into ranges of cells (`Basins::range`), run in
//! parallel (the page's Web Workers), and merged (`merge`): the ends concatenated in the
//! grid's order give the same tally, bit for bit, as one pass; and nothing depends on the chunk
//! sizes.

use serde::Serialize;

use crate::analysis::basin_lanes::Lockstep;
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

/// How the run from one start ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    Diverged,
    /// The step limit came first, or the run stalled at its start.
    NotConverged,
    /// A stopping criterion fired at this point.
    Converged([f64; 2]),
}

impl End {
    /// The end of a run that has stopped.
    fn of(status: &Status, x: [f64; 2]) -> End {
        match status {
            Status::Diverged { .. } => End::Diverged,
            Status::Converged { .. } => End::Converged(x),
            _ => End::NotConverged,
        }
    }

    /// The end as three numbers, [code, x, y] with code 0 diverged, 1 not converged, 2
    /// converged (the form the page's workers pass to the merge).
    pub fn to_numbers(self) -> [f64; 3] {
        match self {
            End::Diverged => [0.0, f64::NAN, f64::NAN],
            End::NotConverged => [1.0, f64::NAN, f64::NAN],
            End::Converged([x, y]) => [2.0, x, y],
        }
    }

    /// The end written by `to_numbers` (None for another code).
    pub fn from_numbers(code: f64, x: f64, y: f64) -> Option<End> {
        match code {
            0.0 => Some(End::Diverged),
            1.0 => Some(End::NotConverged),
            2.0 => Some(End::Converged([x, y])),
            _ => None,
        }
    }
}

/// Starts run in lockstep at once by the batched kernel.
const BATCH: usize = 256;

/// The sorting of ends into outcomes, in the grid's order.
#[derive(Clone, Debug)]
struct Tally {
    problem: Problem,
    view: ViewBox,
    outcomes: Vec<Outcome>,
    grid: Vec<u16>,
}

impl Tally {
    fn new(problem: &Problem, view: ViewBox) -> Tally {
        let mut outcomes =
            vec![outcome(OutcomeKind::Diverged, None, None), outcome(OutcomeKind::NotConverged, None, None)];
        for m in problem.known_minima() {
            outcomes.push(outcome(OutcomeKind::KnownMinimum, Some(m.x), Some(m.f)));
        }
        Tally { problem: problem.clone(), view, outcomes, grid: Vec::new() }
    }

    /// Sorts the next start's end into its outcome, adding a new outcome when it converged
    /// elsewhere.
    fn push(&mut self, end: End) {
        let index = match end {
            End::Diverged => 0,
            End::NotConverged => 1,
            End::Converged(end) => {
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
        };
        if let Some(o) = self.outcomes.get_mut(index) {
            o.count += 1;
        }
        self.grid.push(index as u16);
    }

    /// The grid so far, with each outcome's share of the starts sorted.
    fn result(&self, side: usize, steps: u64) -> BasinResult {
        let done = self.grid.len().max(1) as f64;
        let outcomes = self.outcomes.iter().map(|o| Outcome { share: o.count as f64 / done, ..o.clone() }).collect();
        BasinResult { side, view: self.view, outcomes, grid: self.grid.clone(), steps }
    }
}

/// The starts being run.
#[derive(Clone, Debug)]
enum Batch {
    /// Starts from `first` on, in lockstep.
    Lockstep { first: usize, lanes: Box<Lockstep> },
    /// One start through `Run`.
    Single(Box<Run>),
}

/// A basins computation in progress, over the whole grid or a range of its cells.
#[derive(Clone, Debug)]
pub struct Basins {
    problem: Problem,
    run: RunConfig,
    stop: StopConfig,
    seed: u64,
    view: ViewBox,
    side: usize,
    /// The cells this computation runs, a range of 0..side².
    cells: std::ops::Range<usize>,
    /// The cell the next batch starts at.
    next: usize,
    current: Option<Batch>,
    /// The ends so far, of cells `cells.start..`, in order.
    ends: Vec<End>,
    tally: Tally,
    /// Updates taken by the starts that ended.
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
        let tally = Tally::new(&problem, view);
        Ok(Basins {
            problem,
            run: config.clone(),
            stop: experiment.stop.clone(),
            seed: experiment.seed,
            view,
            side,
            cells: 0..side * side,
            next: 0,
            current: None,
            ends: Vec::new(),
            tally,
            steps: 0,
        })
    }

    /// The same computation restricted to cells `first..end` of the grid (clamped to it).
    pub fn range(mut self, first: usize, end: usize) -> Basins {
        let total = self.side * self.side;
        let end = end.min(total);
        self.cells = first.min(end)..end;
        self.next = self.cells.start;
        self
    }

    /// The cells this computation runs.
    pub fn cells(&self) -> std::ops::Range<usize> {
        self.cells.clone()
    }

    /// The start of cell `k` (row-major from the top row).
    fn start(&self, k: usize) -> [f64; 2] {
        cell_start(&self.view, self.side, k)
    }

    /// The next batch of starts: in lockstep where the kernel applies, else one `Run`.
    fn next_batch(&mut self) -> Batch {
        let first = self.next;
        let end = first.saturating_add(BATCH).min(self.cells.end);
        let starts: Vec<[f64; 2]> = (first..end).map(|k| self.start(k)).collect();
        match Lockstep::new(&self.problem, &self.run, &self.stop, &starts) {
            Some(lanes) => {
                self.next = end;
                Batch::Lockstep { first, lanes: Box::new(lanes) }
            }
            None => {
                self.next = first + 1;
                let mut run = Run::new(&self.run, self.start(first).to_vec(), &self.stop, &self.problem, self.seed);
                run.set_recording(false);
                Batch::Single(Box::new(run))
            }
        }
    }

    /// Takes at most about `budget` optimizer steps in all (at least one); true when every
    /// start is done.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget.max(1);
        while left > 0 && !self.done() {
            let batch = match self.current.take() {
                Some(batch) => batch,
                None => self.next_batch(),
            };
            match batch {
                Batch::Lockstep { first, mut lanes } => {
                    left = left.saturating_sub(lanes.advance(left).max(1));
                    if lanes.done() {
                        for end in lanes.ends().iter().flatten() {
                            self.steps += end.steps;
                            self.finish(End::of(&end.status, end.x));
                        }
                    } else {
                        self.current = Some(Batch::Lockstep { first, lanes });
                    }
                }
                Batch::Single(mut run) => {
                    let taken = run.advance(&self.problem, left);
                    left = left.saturating_sub(taken.max(1));
                    if run.status().is_running() {
                        self.current = Some(Batch::Single(run));
                    } else {
                        self.steps += run.step();
                        let x = [
                            run.params().first().copied().unwrap_or(f64::NAN),
                            run.params().get(1).copied().unwrap_or(f64::NAN),
                        ];
                        self.finish(End::of(&run.status(), x));
                    }
                }
            }
        }
        self.done()
    }

    fn finish(&mut self, end: End) {
        self.ends.push(end);
        self.tally.push(end);
    }

    /// The share of this computation's starts done, from 0 to 1.
    pub fn progress(&self) -> f64 {
        self.ends.len() as f64 / self.cells.len().max(1) as f64
    }

    /// True when every start is done.
    pub fn done(&self) -> bool {
        self.ends.len() >= self.cells.len()
    }

    /// The ends so far, of cells from `cells().start` on.
    pub fn ends(&self) -> &[End] {
        &self.ends
    }

    /// The updates taken from every start so far.
    pub fn steps(&self) -> u64 {
        let running = match &self.current {
            Some(Batch::Lockstep { lanes, .. }) => lanes.steps(),
            Some(Batch::Single(run)) => run.step(),
            None => 0,
        };
        self.steps + running
    }

    /// The grid so far (of this computation's cells) with each outcome's share of the starts
    /// done.
    pub fn result(&self) -> BasinResult {
        self.tally.result(self.side, self.steps())
    }

    /// The result of the whole grid from the ends of every cell in the grid's order (the ranges'
    /// `ends()` concatenated) and the updates they took: the same as one pass over the grid.
    pub fn merge(&self, ends: &[End], steps: u64) -> BasinResult {
        let mut tally = Tally::new(&self.problem, self.view);
        for &end in ends {
            tally.push(end);
        }
        tally.result(self.side, steps)
    }
}

/// The start of cell `k` of a `side` x `side` grid over `view`: the cell's centre, row-major
/// from the top row (largest y), each row from the smallest x. The page's click on a cell
/// starts a run here.
pub fn cell_start(view: &ViewBox, side: usize, k: usize) -> [f64; 2] {
    let side = side.max(1);
    let n = side as f64;
    let (i, j) = ((k % side) as f64, (k / side) as f64);
    let (x, y) = (view.x, view.y);
    [x[0] + (i + 0.5) / n * (x[1] - x[0]), y[1] - (j + 0.5) / n * (y[1] - y[0])]
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    sqrt(dx * dx + dy * dy)
}

fn outcome(kind: OutcomeKind, x: Option<[f64; 2]>, value: Option<f64>) -> Outcome {
    Outcome { kind, x, value, count: 0, share: 0.0 }
}
