//! The batched kernel of the basins of attraction: SGD (with its momentum, Nesterov, dampening
//! and weight decay) or Adam (torch.optim.Adam or AdamW without AMSGrad) run from many starts of
//! a 2-D problem at once, all taking their step t together.
//!
//! A start's numbers are exactly those of `run::Run` from that start, bit for bit: the same
//! gradient (`Problem::loss_grad`), the same update of each coordinate (`optim::SgdStep` and
//! `optim::AdamStep`, shared with `Sgd::step` and `Adam::step`), the same stopping rule (one
//! `run::monitor::Monitor` per start, and `run::still_at` for a stall), the same checks at the
//! same steps (the point at step t, then the update, then its size). What is shared is computed
//! once per step for every start instead of once per start: the schedule's learning rate and
//! momentum at t, Adam's bias corrections `1 - beta^t` (every running start has taken t
//! updates) and whether SGD's momentum buffers have started. On Himmelblau, in the browser, two starts go through each step at once in `f64x2`
//! lanes (`visit_pair`: the value and gradient as `Landscape::value_grad` computes them, the
//! norms as `math::norm2`, Adam's update as `AdamStep::update_pair`), with the operations of the
//! scalar code in the same order per lane, so the numbers do not change; `tests/e2e/basins.test.mjs`
//! checks the page's grid against `converge analyse`'s, computed natively one lane at a time.
//!
//! The kernel applies when the schedule learns nothing from the losses (not ReduceLROnPlateau)
//! and the problem is a 2-D function (`Lockstep::new` returns None otherwise, and the basins run
//! each start through `Run`).

use crate::config::RunConfig;
use crate::optim::{LaneStep, Optimizer, StepLanes};
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
    optimizer: StepLanes,
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
    /// The list of running starts of the step before, reused.
    spare: Vec<usize>,
    /// True on Himmelblau, whose starts are stepped two at a time in f64x2 lanes in the browser.
    #[cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
    paired: bool,
}

impl Lockstep {
    /// Runs `config` under `stop` from each of `starts` on `problem`, when the kernel applies
    /// (see the module header).
    pub fn new(problem: &Problem, config: &RunConfig, stop: &StopConfig, starts: &[[f64; 2]]) -> Option<Lockstep> {
        let optimizer = Optimizer::lanes(&config.optimizer)?;
        let schedule = config.schedule.build(config.optimizer.lr());
        if schedule.observes_loss() || problem.dim() != 2 || matches!(problem, Problem::Model(_)) {
            return None;
        }
        let n = starts.len();
        Some(Lockstep {
            problem: problem.clone(),
            paired: matches!(problem, Problem::Landscape(crate::problem::Landscape::Himmelblau))
                && matches!(optimizer, StepLanes::Adam(_)),
            optimizer,
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
            spare: Vec::with_capacity(n),
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
            self.optimizer.next_step(lr, momentum)
        });
        let running = std::mem::take(&mut self.running);
        // The starts that run on, written into last step's spare list (no allocation per step).
        let mut kept = std::mem::take(&mut self.spare);
        kept.clear();
        let mut k = 0;
        while k < running.len() {
            let i = running[k];
            // Two starts at once in f64x2 lanes, where the landscape has a paired form.
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            if let (Some(&j), true) = (running.get(k + 1), self.paired) {
                let (on_i, on_j) = self.visit_pair(i, j, update.as_ref());
                if on_i {
                    kept.push(i);
                }
                if on_j {
                    kept.push(j);
                }
                k += 2;
                continue;
            }
            let mut g = [0.0; 2];
            let f = self.problem.loss_grad(&self.w[i], &mut g);
            if self.check(i, f, crate::math::norm2(&g), update.is_some()) {
                if let Some(step) = &update {
                    if self.update_one(i, g, step) {
                        kept.push(i);
                    }
                }
            }
            k += 1;
        }
        let taken = kept.len() as u64;
        self.running = kept;
        self.spare = running;
        self.t = t + 1;
        taken
    }

    /// Checks start `i`'s point at step t (value `f`, gradient norm `grad_norm`); `more`: an
    /// update may follow (t is below the step limit). True when the start goes on to its update.
    #[inline(always)]
    fn check(&mut self, i: usize, f: f64, grad_norm: f64, more: bool) -> bool {
        let t = self.t;
        let (Some(monitor), Some(w)) = (self.monitors.get_mut(i), self.w.get(i).copied()) else {
            return false;
        };
        if let Some(status) = monitor.check_point(t, f, grad_norm) {
            self.finish(i, status, w, t);
            return false;
        }
        if !more {
            self.finish(i, Status::Stopped { at_step: t }, w, t);
            return false;
        }
        true
    }

    /// Start `i`'s update t + 1 with gradient `g`, and its check; true when it runs on.
    #[inline(always)]
    fn update_one(&mut self, i: usize, g: [f64; 2], k: &LaneStep) -> bool {
        let (Some(&w), Some(&m), Some(&v)) = (self.w.get(i), self.m.get(i), self.v.get(i)) else {
            return false;
        };
        let (mut p, mut m, mut v) = (w, m, v);
        k.update(&mut p[0], &mut m[0], &mut v[0], g[0]);
        k.update(&mut p[1], &mut m[1], &mut v[1], g[1]);
        (self.w[i], self.m[i], self.v[i]) = (p, m, v);
        // As `Run::step_once` sums it: from 0, coordinate by coordinate.
        let mut sq = 0.0;
        let d0 = p[0] - w[0];
        sq += d0 * d0;
        let d1 = p[1] - w[1];
        sq += d1 * d1;
        self.checked_update(i, p, sq.sqrt())
    }

    /// Checks start `i`'s update t + 1 to `p`, of size `delta_norm`; true when it runs on.
    #[inline(always)]
    fn checked_update(&mut self, i: usize, p: [f64; 2], delta_norm: f64) -> bool {
        let finite = p[0].is_finite() & p[1].is_finite();
        let Some(monitor) = self.monitors.get_mut(i) else { return false };
        if let Some(status) = monitor.check_update(self.t + 1, delta_norm, finite) {
            self.finish(i, status, p, self.t + 1);
            return false;
        }
        true
    }

    /// Steps starts `i` and `j` together on Himmelblau, two f64x2 lanes through the value, the
    /// gradient, its norm, Adam's update and its size (each lane as `check` and `update_one` do
    /// it alone; the monitors check each start on its own). Returns whether each runs on.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn visit_pair(&mut self, i: usize, j: usize, update: Option<&LaneStep>) -> (bool, bool) {
        use core::arch::wasm32::{
            f64x2, f64x2_add, f64x2_extract_lane as lane, f64x2_mul, f64x2_splat, f64x2_sqrt, f64x2_sub,
        };
        let (Some(&wi), Some(&wj)) = (self.w.get(i), self.w.get(j)) else { return (false, false) };
        let (x, y) = (f64x2(wi[0], wj[0]), f64x2(wi[1], wj[1]));
        let (f, gx, gy) = himmelblau_lanes(x, y);
        // crate::math::norm2: from 0, coordinate by coordinate, then the root.
        let zero = f64x2_splat(0.0);
        let norm = f64x2_sqrt(f64x2_add(f64x2_add(zero, f64x2_mul(gx, gx)), f64x2_mul(gy, gy)));
        let more = update.is_some();
        let on_i = self.check(i, lane::<0>(f), lane::<0>(norm), more);
        let on_j = self.check(j, lane::<1>(f), lane::<1>(norm), more);
        let Some(step) = update else { return (false, false) };
        let k = match step {
            LaneStep::Adam(k) => k,
            // Only Adam has a paired update (`paired` is false for SGD).
            LaneStep::Sgd(_) => {
                let gi = [lane::<0>(gx), lane::<0>(gy)];
                let gj = [lane::<1>(gx), lane::<1>(gy)];
                let on_i = on_i && self.update_one(i, gi, step);
                return (on_i, on_j && self.update_one(j, gj, step));
            }
        };
        match (on_i, on_j) {
            (true, true) => {}
            (true, false) => return (self.update_one(i, [lane::<0>(gx), lane::<0>(gy)], step), false),
            (false, true) => return (false, self.update_one(j, [lane::<1>(gx), lane::<1>(gy)], step)),
            (false, false) => return (false, false),
        }
        let (Some(&mi), Some(&mj), Some(&vi), Some(&vj)) = (self.m.get(i), self.m.get(j), self.v.get(i), self.v.get(j))
        else {
            return (false, false);
        };
        let (mut px, mut mx, mut vx) = (x, f64x2(mi[0], mj[0]), f64x2(vi[0], vj[0]));
        let (mut py, mut my, mut vy) = (y, f64x2(mi[1], mj[1]), f64x2(vi[1], vj[1]));
        k.update_pair(&mut px, &mut mx, &mut vx, gx);
        k.update_pair(&mut py, &mut my, &mut vy, gy);
        let (dx, dy) = (f64x2_sub(px, x), f64x2_sub(py, y));
        let delta = f64x2_sqrt(f64x2_add(f64x2_add(zero, f64x2_mul(dx, dx)), f64x2_mul(dy, dy)));
        let (pi, pj) = ([lane::<0>(px), lane::<0>(py)], [lane::<1>(px), lane::<1>(py)]);
        (self.w[i], self.m[i], self.v[i]) = (pi, [lane::<0>(mx), lane::<0>(my)], [lane::<0>(vx), lane::<0>(vy)]);
        (self.w[j], self.m[j], self.v[j]) = (pj, [lane::<1>(mx), lane::<1>(my)], [lane::<1>(vx), lane::<1>(vy)]);
        (self.checked_update(i, pi, lane::<0>(delta)), self.checked_update(j, pj, lane::<1>(delta)))
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

/// Himmelblau's value and gradient at two points in f64x2 lanes, each lane with the operations
/// of `Landscape::value_grad` in its order: u = x x + y - 11, v = x + y y - 7, f = u u + v v,
/// g = (4 x u + 2 v, 2 u + 4 y v).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn himmelblau_lanes(
    x: core::arch::wasm32::v128,
    y: core::arch::wasm32::v128,
) -> (core::arch::wasm32::v128, core::arch::wasm32::v128, core::arch::wasm32::v128) {
    use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat, f64x2_sub};
    let u = f64x2_sub(f64x2_add(f64x2_mul(x, x), y), f64x2_splat(11.0));
    let v = f64x2_sub(f64x2_add(x, f64x2_mul(y, y)), f64x2_splat(7.0));
    let f = f64x2_add(f64x2_mul(u, u), f64x2_mul(v, v));
    let (four, two) = (f64x2_splat(4.0), f64x2_splat(2.0));
    let gx = f64x2_add(f64x2_mul(f64x2_mul(four, x), u), f64x2_mul(two, v));
    let gy = f64x2_add(f64x2_mul(two, u), f64x2_mul(f64x2_mul(four, y), v));
    (f, gx, gy)
}
