//! Population-based training's exploit and explore step (M. Jaderberg et al., "Population
//! Based Training of Neural Networks", arXiv:1711.09846, 2017, Section 3 and Appendix A:
//! "truncation selection" exploit and "perturb" explore).
//!
//! Every `interval` units the members are ranked by their objective (lower is better; a member
//! whose objective is NaN, i.e. diverged, ranks last; ties go to the lower index). With
//! q = floor(N * fraction), each of the bottom q members copies a member of the top q chosen
//! uniformly (`Rng::range_u32(q)`): its weights and its optimizer state, as torch
//! implementations copy the model's and the optimizer's `state_dict`, its schedule and its
//! hyperparameters. It then perturbs each perturbable hyperparameter by a factor 0.8 or 1.2,
//! one fair coin (`Rng::coin`) per hyperparameter, the paper's choice.
//!
//! Perturbable are the real-valued ranges of the space (not integer ranges, not choices) whose
//! path is inside the trained run's optimizer config (`runs[k].optimizer.momentum`,
//! `runs[k].optimizer.betas[0]`, `runs[k].optimizer.inner.weight_decay` inside Lookahead, and
//! the learning rate `runs[k].optimizer.lr`). A perturbed value is clamped to its range
//! [low, high] in the space, and the member's experiment is rebuilt with it and validated; a
//! value the experiment still rejects after the clamp (a rule tying it to another setting)
//! keeps the donor's value. The member's optimizer then takes the new settings mid-run with
//! `Run::retune`, keeping its copied state (moments, step count, buffers, history); the lr,
//! which the run asks its schedule for, takes a new schedule built at the same step
//! (ReduceLROnPlateau's state starts afresh). The hypergradient optimizers (SGDHD, AdamHD)
//! learn their own lr after the first step: a perturbed lr restarts their learned rate there.
//!
//! Problem-level hyperparameters (`problem.regularization.l2`, dropout, the batch size, the
//! model) are drawn for the initial population and copied by exploit, but not perturbed.
//! Every member does train on its own problem (built from its own experiment), so they could
//! be; but a new problem mid-run would also invalidate what the run keeps about the old one
//! (its cached objective, the monitor's loss history and, for the batch size, the minibatch
//! order and the steps per epoch), which this step does not reconcile.
//!
//! The bottom q members are decided before any member changes, and the top and bottom sets are
//! disjoint (fraction <= 0.5), so the order of the copies does not matter.

use serde::Serialize;

use crate::data::Rng;

/// The two perturbation factors of the paper.
pub const FACTORS: [f64; 2] = [0.8, 1.2];

/// One exploit/explore decision: member `to` takes member `from`'s state and multiplies its
/// perturbable hyperparameters by `factors`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exploit {
    /// The member copied (from the top).
    pub from: usize,
    /// The member replaced (from the bottom).
    pub to: usize,
    /// One factor per perturbable hyperparameter, each 0.8 or 1.2.
    pub factors: Vec<f64>,
}

/// The sort key of an objective: NaN counts as +infinity.
fn key(objective: f64) -> f64 {
    if objective.is_nan() {
        f64::INFINITY
    } else {
        objective
    }
}

/// Member indices from best to worst (NaN last, ties by index).
pub fn ranking(objectives: &[f64]) -> Vec<usize> {
    crate::math::order::order(objectives.iter().map(|&objective| (0, key(objective))))
}

/// How many members are replaced (and how many may be copied) for a population of `n`.
pub fn replaced(n: usize, fraction: f64) -> usize {
    let q = (n as f64 * fraction).floor() as usize;
    q.min(n / 2)
}

/// The exploit/explore decisions for one step, bottom members in ranking order (best of the
/// bottom first). `perturbable` is the number of hyperparameters to perturb.
pub fn exploit_explore(objectives: &[f64], fraction: f64, perturbable: usize, rng: &mut Rng) -> Vec<Exploit> {
    let order = ranking(objectives);
    let q = replaced(order.len(), fraction);
    if q == 0 {
        return Vec::new();
    }
    let top = &order[..q];
    let bottom = &order[order.len() - q..];
    bottom
        .iter()
        .map(|&to| {
            let from = top[rng.range_u32(q as u32) as usize];
            let factors = (0..perturbable).map(|_| if rng.coin() { FACTORS[1] } else { FACTORS[0] }).collect();
            Exploit { from, to, factors }
        })
        .collect()
}
