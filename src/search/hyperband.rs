//! Hyperband's plan of brackets and rounds, successive halving as one bracket, and the budget
//! that makes random search a fair comparison.
//!
//! Hyperband (L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh and A. Talwalkar, "Hyperband:
//! A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 18(185), 2018,
//! Algorithm 1) with maximum resource R and proportion eta:
//!
//! - `s_max = floor(log_eta(R))`, `B = (s_max + 1) R`;
//! - for `s = s_max, ..., 0`: a bracket of `n = ceil(B / R * eta^s / (s + 1))
//!   = ceil((s_max + 1) eta^s / (s + 1))` configurations starting at `r = R eta^-s`;
//! - round `i = 0, ..., s` of a bracket trains `n_i = floor(n eta^-i)` configurations with
//!   `r_i = r eta^i` resource each and keeps the best `floor(n_i / eta)`.
//!
//! For R = 81, eta = 3 this is the paper's Table 1. Everything but `r` and `r_i` is computed
//! with exact integer arithmetic: `s_max` is the largest s with `eta^s <= R`; `n` is
//! `((s_max + 1) eta^s + s) div (s + 1)`; `n_i = n div eta^i`; and `r_i = R / eta^(s-i)` is one
//! correctly rounded division (exact when eta^(s-i) divides R). The widely copied reference
//! code (the paper's companion blog post, repeated in many libraries) differs in three places:
//!
//! - it computes `s_max = int(log(R) / log(eta))` in floating point, which for R = 243,
//!   eta = 3 gives 4.999999999999999 and so s_max = 4 instead of 5 (likewise R = 1000,
//!   eta = 10 gives 2 instead of 3), dropping the most exploratory bracket;
//! - it computes `n = ceil(int(B / R / (s + 1)) * eta^s)`, truncating `(s_max + 1)/(s + 1)`
//!   before the multiplication, which gives 27, 9, 6 instead of Table 1's 34, 15, 8
//!   configurations for R = 81, eta = 3 (and 16 instead of 22 for R = 100, eta = 4, s = 2);
//! - it keeps `int(n_i / eta)` with `n_i = n * eta**(-i)` a float, which agrees with the
//!   integer form only while the float products happen to round the right way.
//!
//! The resource is a whole number of steps (landscapes) or epochs (models trained on data).
//! When eta^s does not divide R, `r_i` is fractional: the plan keeps it as a float, and the
//! runner trains a configuration of round i up to `ceil(r_i)` units in all (an integer
//! `div_ceil(R, eta^(s-i))`). Survivors resume from where they stopped rather than restart,
//! which the paper allows (Section 3.1); so a survivor costs `ceil(r_i) - ceil(r_{i-1})` new
//! units in round i, and `resumed_budget` counts that cost while `budget` is the paper's
//! `sum n_i r_i`.
//!
//! Successive halving (K. Jamieson and A. Talwalkar, "Non-stochastic Best Arm Identification
//! and Hyperparameter Optimization", AISTATS 2016) is run as one such bracket: n
//! configurations, `s + 1` rounds, round i at `R eta^(i-s)` with `floor(n eta^-i)` survivors.
//! Random search trains every configuration with R; given what Hyperband trains it gets
//! `floor(resumed_budget / R)` configurations, the same total resource.

use serde::Serialize;

/// One round of a bracket.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Round {
    /// The round, from 0.
    pub i: u32,
    /// Configurations trained in this round.
    pub n_i: u64,
    /// Resource of each configuration in this round (fractional when eta^(s-i) does not
    /// divide R).
    pub r_i: f64,
    /// The whole units a configuration has been trained for at the end of the round:
    /// `ceil(r_i)`.
    #[serde(skip)]
    pub units: u64,
}

/// One bracket: `n` configurations starting at resource `r`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bracket {
    /// The bracket's s (s_max for the most exploratory one).
    pub s: u32,
    /// Configurations drawn for the bracket.
    pub n: u64,
    /// Resource of the first round, `R eta^-s`.
    pub r: f64,
    /// The rounds, i = 0..=s.
    pub rounds: Vec<Round>,
}

/// Hyperband's whole plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The maximum resource R.
    pub max_resource: u64,
    /// The proportion eta.
    pub eta: u64,
    /// The brackets, s = s_max down to 0.
    pub brackets: Vec<Bracket>,
    /// The paper's budget, `sum over brackets and rounds of n_i r_i`.
    pub budget: f64,
    /// The units actually trained when survivors resume: `sum n_i (ceil(r_i) - ceil(r_{i-1}))`.
    pub resumed_budget: u64,
}

/// Largest R accepted (so that every power and product below fits in u128 with room).
pub const MAX_RESOURCE: u64 = 1_000_000_000;
/// Largest eta accepted.
pub const MAX_ETA: u64 = 1_000;

/// eta^k in u128 (saturating; never reached for R <= MAX_RESOURCE).
fn pow(eta: u64, k: u32) -> u128 {
    (0..k).fold(1_u128, |p, _| p.saturating_mul(u128::from(eta)))
}

/// `floor(log_eta(R))` exactly: the largest s with `eta^s <= R` (0 when R < eta).
pub fn s_max(max_resource: u64, eta: u64) -> u32 {
    if eta < 2 {
        return 0;
    }
    let mut s = 0;
    let mut p = u128::from(eta);
    while p <= u128::from(max_resource) {
        s += 1;
        p = p.saturating_mul(u128::from(eta));
    }
    s
}

/// The rounds of one bracket of `n` configurations with `s + 1` rounds ending at R.
pub fn bracket(max_resource: u64, eta: u64, s: u32, n: u64) -> Bracket {
    let big_r = u128::from(max_resource);
    let rounds = (0..=s)
        .map(|i| {
            let down = pow(eta, s - i);
            let n_i = u128::from(n) / pow(eta, i);
            Round {
                i,
                n_i: u64::try_from(n_i).unwrap_or(u64::MAX),
                r_i: max_resource as f64 / down as f64,
                units: u64::try_from(big_r.div_ceil(down.max(1))).unwrap_or(u64::MAX),
            }
        })
        .collect();
    Bracket { s, n, r: max_resource as f64 / pow(eta, s) as f64, rounds }
}

/// Hyperband's plan for maximum resource R >= 1 and eta >= 2 (the caller validates both).
pub fn plan(max_resource: u64, eta: u64) -> Plan {
    let s_max = s_max(max_resource, eta);
    let brackets: Vec<Bracket> = (0..=s_max)
        .rev()
        .map(|s| {
            let numerator = u128::from(s_max + 1) * pow(eta, s);
            let n = numerator.div_ceil(u128::from(s + 1));
            bracket(max_resource, eta, s, u64::try_from(n).unwrap_or(u64::MAX))
        })
        .collect();
    let budget = brackets.iter().map(paper_budget).sum();
    let resumed_budget = brackets.iter().map(resumed_budget).sum();
    Plan { max_resource, eta, brackets, budget, resumed_budget }
}

/// A bracket's budget in the paper's accounting, `sum n_i r_i`.
pub fn paper_budget(bracket: &Bracket) -> f64 {
    bracket.rounds.iter().map(|r| r.n_i as f64 * r.r_i).sum()
}

/// A bracket's units when survivors resume: `sum n_i (ceil(r_i) - ceil(r_{i-1}))`.
pub fn resumed_budget(bracket: &Bracket) -> u64 {
    let mut done = 0;
    let mut total: u64 = 0;
    for round in &bracket.rounds {
        total = total.saturating_add(round.n_i.saturating_mul(round.units.saturating_sub(done)));
        done = round.units;
    }
    total
}

/// Configurations Hyperband draws in all (the sum of the brackets' n).
pub fn configurations(plan: &Plan) -> u64 {
    plan.brackets.iter().fold(0_u64, |sum, b| sum.saturating_add(b.n))
}

/// The number of random-search configurations that spend what Hyperband trains for (R, eta):
/// `floor(resumed_budget / R)`, each trained with R. Hyperband's survivors resume, so it
/// trains `resumed_budget` units, not the paper's `budget`; random search given the paper's
/// budget would train about a fifth more than Hyperband does.
pub fn fair_random_trials(max_resource: u64, eta: u64) -> u64 {
    let p = plan(max_resource, eta);
    p.resumed_budget / max_resource.max(1)
}

/// Default rounds minus one for successive halving of n configurations: the largest s with
/// `eta^s <= min(n, R)`, so that the last round keeps at least one configuration and starts
/// from at least one unit of resource.
pub fn halving_s(n: u64, max_resource: u64, eta: u64) -> u32 {
    s_max(n.min(max_resource), eta)
}
