//! The batched kernel of the basins of attraction: Adam (torch.optim.Adam or AdamW without
//! AMSGrad) run from many starts of a 2-D problem at once, all taking their step t together.
//!
//! A start's numbers are exactly those of `run::Run` from that start, bit for bit: the same
//! gradient (`Problem::loss_grad`), the same Adam update of each coordinate
//! (`optim::AdamStep::update`, shared with `Adam::step`), the same stopping rule (one
//! `run::monitor::Monitor` per start, and `run::still_at` for a stall), the same checks at the
//! same steps (the point at step t, then the update, then its size). What is shared is computed
//! once per step for every start instead of once per start: the schedule's learning rate and
//! momentum at t, and Adam's bias corrections `1 - beta^t` (every running start has taken t
//! updates). On Himmelblau the gradient of two starts is computed at once in `f64x2` lanes in the
//! browser (`himmelblau_pair`), with the operations of `Landscape::value_grad` in the same order
//! per lane, so the numbers do not change.
//!
//! The kernel applies when the schedule learns nothing from the losses (not ReduceLROnPlateau)
//! and the problem is a 2-D function (`Lockstep::new` returns None otherwise, and the basins run
//! each start through `Run`).

use crate::config::RunConfig;
use crate::optim::{AdamLanes, Optimizer};
use crate::problem::Problem;
use crate::run::monitor::{Monitor, Status, StopConfig};
use crate::run::still_at;
use crate::schedule::Schedule;

/// How a start ended and after how many updates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneEnd {
    pub status: Status,
    /// Where the start was when it stopped.
    pub x: [f64; 2],
    /// The updates it took (`Run::step`).
    pub steps: u64,
}

/// Many starts of one optimizer advancing in lockstep.
#[derive(Clone, Debug)]
pub struct Lockstep {
    problem: Problem,
    adam: AdamLanes,
    schedule: Schedule,
    max_steps: u64,
    /// The step every running start is at.
    t: u64,
    x0: Vec<[f64; 2]>,
    w: Vec<[f64; 2]>,
    m: Vec<[f64; 2]>,
    v: Vec<[f64; 2]>,
    monitors: Vec<Monitor>,
    /// The end of each start, once it has one.
    ends: Vec<Option<LaneEnd>>,
    /// The starts still running, in order.
    running: Vec<usize>,
}

impl Lockstep {
    /// Runs `config` under `stop` from each of `starts` on `problem`, when the kernel applies
    /// (see the module header).
    pub fn new(problem: &Problem, config: &RunConfig, stop: &StopConfig, starts: &[[f64; 2]]) -> Option<Lockstep> {
        let adam = Optimizer::adam_lanes(&config.optimizer)?;
        let schedule = config.schedule.build(config.optimizer.lr());
        if schedule.observes_loss() || problem.dim() != 2 || matches!(problem, Problem::Model(_)) {
            return None;
        }
        let n = starts.len();
        Some(Lockstep {
            problem: problem.clone(),
            adam,
            schedule,
            max_steps: stop.max_steps,
            t: 0,
            x0: starts.to_vec(),
            w: starts.to_vec(),
            m: vec![[0.0; 2]; n],
            v: vec![[0.0; 2]; n],
            monitors: vec![Monitor::new(stop); n],
            ends: vec![None; n],
            running: (0..n).collect(),
        })
    }

    /// True when every start has ended.
    pub fn done(&self) -> bool {
        self.running.is_empty()
    }

    /// The updates taken so far by every start.
    pub fn steps(&self) -> u64 {
        self.ends.iter().map(|e| e.map_or(self.t, |e| e.steps)).sum()
    }

    /// Each start's end (None while it runs), in the order of the starts.
    pub fn ends(&self) -> &[Option<LaneEnd>] {
        &self.ends
    }

    /// Takes lockstep steps while fewer than `budget` updates were taken (at least one step);
    /// returns the updates taken.
    pub fn advance(&mut self, budget: u64) -> u64 {
        let mut taken = 0;
        while !self.done() && (taken == 0 || taken < budget) {
            taken += self.step();
        }
        taken
    }

    /// One step of every running start: visits its point at step t and, unless it stops there,
    /// takes update t + 1. Returns the updates taken.
    fn step(&mut self) -> u64 {
        let t = self.t;
        let update = (t < self.max_steps).then(|| {
            let lr = self.schedule.lr(t);
            let momentum = self.schedule.momentum(t);
            self.adam.next_step(lr, momentum)
        });
        let mut kept = 0;
        let mut taken = 0;
        let mut k = 0;
        while k < self.running.len() {
            // Two starts at once where the landscape has a paired gradient.
            let pair = match (self.running.get(k), self.running.get(k + 1)) {
                (Some(&a), Some(&b)) => self.pair_value_grad(a, b).map(|(fa, ga, fb, gb)| [(a, fa, ga), (b, fb, gb)]),
                _ => None,
            };
            let visits = match pair {
                Some(two) => {
                    k += 2;
                    two
                }
                None => {
                    let Some(&i) = self.running.get(k) else { break };
                    k += 1;
                    let mut g = [0.0; 2];
                    let f = self.problem.loss_grad(&self.w[i], &mut g);
                    // A lone start is written twice; the second visit finds it ended.
                    [(i, f, g), (usize::MAX, 0.0, [0.0; 2])]
                }
            };
            for (i, f, g) in visits {
                if i == usize::MAX {
                    continue;
                }
                if self.visit(i, f, g, update.as_ref()) {
                    self.running[kept] = i;
                    kept += 1;
                    taken += 1;
                }
            }
        }
        self.running.truncate(kept);
        self.t = t + 1;
        taken
    }

    /// The values and gradients of starts `a` and `b` at once, where the landscape has a paired
    /// form.
    #[inline]
    fn pair_value_grad(&self, a: usize, b: usize) -> Option<(f64, [f64; 2], f64, [f64; 2])> {
        match &self.problem {
            Problem::Landscape(crate::problem::Landscape::Himmelblau) => {
                let (wa, wb) = (self.w[a], self.w[b]);
                Some(himmelblau_pair(wa, wb))
            }
            _ => None,
        }
    }

    /// Start `i` at its point of step t with value `f` and gradient `g`: checks the point and
    /// takes the update (`update`: None at the step limit). True when the start runs on.
    #[inline]
    fn visit(&mut self, i: usize, f: f64, g: [f64; 2], update: Option<&crate::optim::AdamStep>) -> bool {
        let t = self.t;
        let grad_norm = crate::math::norm2(&g);
        let (Some(monitor), Some(w)) = (self.monitors.get_mut(i), self.w.get(i).copied()) else {
            return false;
        };
        if let Some(status) = monitor.check_point(t, f, grad_norm) {
            self.finish(i, status, w, t);
            return false;
        }
        let Some(k) = update else {
            self.finish(i, Status::Stopped { at_step: t }, w, t);
            return false;
        };
        let (mut p, mut m, mut v) = (w, self.m[i], self.v[i]);
        k.update(&mut p[0], &mut m[0], &mut v[0], g[0]);
        k.update(&mut p[1], &mut m[1], &mut v[1], g[1]);
        (self.w[i], self.m[i], self.v[i]) = (p, m, v);
        // As `Run::step_once` sums it: from 0, coordinate by coordinate.
        let mut sq = 0.0;
        let d0 = p[0] - w[0];
        sq += d0 * d0;
        let d1 = p[1] - w[1];
        sq += d1 * d1;
        let finite = p[0].is_finite() & p[1].is_finite();
        if let Some(status) = self.monitors[i].check_update(t + 1, sq.sqrt(), finite) {
            self.finish(i, status, p, t + 1);
            return false;
        }
        true
    }

    /// Records the end of start `i` at `x` after `steps` updates, judged as `Run::judge` does.
    fn finish(&mut self, i: usize, status: Status, x: [f64; 2], steps: u64) {
        let status = match status {
            Status::Converged { criterion, at_step } if criterion.measures_progress() && still_at(&x, &self.x0[i]) => {
                Status::Stalled { criterion, at_step }
            }
            other => other,
        };
        if let Some(end) = self.ends.get_mut(i) {
            *end = Some(LaneEnd { status, x, steps });
        }
    }
}

/// Himmelblau's value and gradient at two points, as `Landscape::value_grad` computes them: in
/// `f64x2` lanes in the browser, one point after the other natively.
#[inline(always)]
fn himmelblau_pair(a: [f64; 2], b: [f64; 2]) -> (f64, [f64; 2], f64, [f64; 2]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{f64x2, f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, f64x2_sub};
        let x = f64x2(a[0], b[0]);
        let y = f64x2(a[1], b[1]);
        // u = x * x + y - 11; v = x + y * y - 7; f = u * u + v * v;
        // g = [4 * x * u + 2 * v, 2 * u + 4 * y * v], each operation in the scalar order.
        let u = f64x2_sub(f64x2_add(f64x2_mul(x, x), y), f64x2_splat(11.0));
        let v = f64x2_sub(f64x2_add(x, f64x2_mul(y, y)), f64x2_splat(7.0));
        let f = f64x2_add(f64x2_mul(u, u), f64x2_mul(v, v));
        let four = f64x2_splat(4.0);
        let two = f64x2_splat(2.0);
        let gx = f64x2_add(f64x2_mul(f64x2_mul(four, x), u), f64x2_mul(two, v));
        let gy = f64x2_add(f64x2_mul(two, u), f64x2_mul(f64x2_mul(four, y), v));
        (
            f64x2_extract_lane::<0>(f),
            [f64x2_extract_lane::<0>(gx), f64x2_extract_lane::<0>(gy)],
            f64x2_extract_lane::<1>(f),
            [f64x2_extract_lane::<1>(gx), f64x2_extract_lane::<1>(gy)],
        )
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let h = crate::problem::Landscape::Himmelblau;
        let (fa, ga) = h.value_grad(a[0], a[1]);
        let (fb, gb) = h.value_grad(b[0], b[1]);
        (fa, ga, fb, gb)
    }
}
