//! The convergence monitor: several criteria watched at once, each remembering the step at
//! which it first fired, and the divergence test.
//!
//! Step numbers count updates: the point `params[t]` is reached after t updates, so a check
//! on it (loss, gradient) fires "at step t", and a check on the update from `params[t]` to
//! `params[t+1]` fires at step t + 1.
//! - loss plateau: `|loss[t] - loss[t-1]| < tol` (mode `abs`) or `<= tol*|loss[t-1]|` (mode
//!   `rel`) for `patience` consecutive steps;
//! - parameter change: `||params[t+1] - params[t]||_2 < tol` for `patience` consecutive updates;
//! - gradient norm: `||grad f(params[t])||_2 < tol`;
//! - target loss: `loss[t] <= value`;
//! - early stopping (models on data): at each evaluation, the validation loss has not fallen
//!   below `best - min_delta` for `patience` evaluations (Prechelt 1998, "Early Stopping - But
//!   When?"); with `restore_best` the run goes back to the parameters of the best evaluation;
//! - divergence: a non-finite loss, gradient or parameter, or
//!   `loss[t] > factor * max(1, |loss[0]|)` (the reference cases' definition with factor 1e6),
//!   or, for a loss that is not bounded below, `loss[t] < -factor * max(1, |loss[0]|)`
//!   ("unbounded below": the saddle x^2 - y^2 and a quadratic with a negative curvature fall
//!   without end; every other problem is bounded below by far less than a million, e.g.
//!   Styblinski-Tang by -78.4, and models' losses are never negative, so the test never fires
//!   on them at the default factor).
//!
//! A run stops as "stalled" rather than "converged" when a progress criterion (loss plateau,
//! parameter change, early stopping) fires while its parameters are still the start point (up
//! to one rounding step at unit scale): nothing changed because the updates were too small to move any parameter (a learning
//! rate of 1e-300), not because the run reached a flat place. The criteria that describe the
//! point itself (gradient norm, target loss) still report "converged" at the start point: a
//! run that starts at a stationary point or below the target is done. The run decides this
//! ([`crate::run::Run`]), since only it knows the start point.

use serde::{Deserialize, Serialize};

use crate::config::validate::{join, Validator};

/// Largest `max_steps` a config may ask for.
pub const MAX_STEPS_LIMIT: u64 = 100_000_000;

/// How a loss change is compared with the tolerance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeMode {
    /// Relative to the previous loss.
    #[default]
    Rel,
    /// Absolute.
    Abs,
}

/// Loss plateau criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlateauCriterion {
    pub tol: f64,
    #[serde(default = "default_plateau_patience")]
    pub patience: u64,
    #[serde(default)]
    pub mode: ChangeMode,
    #[serde(default = "yes")]
    pub stop: bool,
}

/// Parameter change criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamChangeCriterion {
    pub tol: f64,
    #[serde(default = "default_param_patience")]
    pub patience: u64,
    #[serde(default = "yes")]
    pub stop: bool,
}

/// Gradient norm criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradNormCriterion {
    pub tol: f64,
    #[serde(default = "yes")]
    pub stop: bool,
}

/// Target loss criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetLossCriterion {
    pub value: f64,
    #[serde(default = "yes")]
    pub stop: bool,
}

/// Early stopping on the validation loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStoppingCriterion {
    #[serde(default = "default_early_patience")]
    pub patience: u64,
    #[serde(default)]
    pub min_delta: f64,
    #[serde(default = "yes")]
    pub restore_best: bool,
    #[serde(default = "yes")]
    pub stop: bool,
}

/// Divergence test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DivergenceCriterion {
    #[serde(default = "default_divergence_factor")]
    pub factor: f64,
}

impl Default for DivergenceCriterion {
    fn default() -> Self {
        DivergenceCriterion { factor: default_divergence_factor() }
    }
}

/// When a run stops: `max_steps` and the criteria (`null` switches a criterion off).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopConfig {
    #[serde(default = "default_max_steps")]
    pub max_steps: u64,
    #[serde(default = "default_plateau")]
    pub loss_plateau: Option<PlateauCriterion>,
    #[serde(default = "default_param_change")]
    pub param_change: Option<ParamChangeCriterion>,
    #[serde(default = "default_grad_norm")]
    pub grad_norm: Option<GradNormCriterion>,
    #[serde(default)]
    pub target_loss: Option<TargetLossCriterion>,
    #[serde(default)]
    pub early_stopping: Option<EarlyStoppingCriterion>,
    #[serde(default)]
    pub divergence: DivergenceCriterion,
}

fn yes() -> bool {
    true
}
fn default_plateau_patience() -> u64 {
    50
}
fn default_param_patience() -> u64 {
    10
}
fn default_early_patience() -> u64 {
    10
}
fn default_divergence_factor() -> f64 {
    1e6
}
fn default_max_steps() -> u64 {
    10_000
}
fn default_plateau() -> Option<PlateauCriterion> {
    Some(PlateauCriterion { tol: 1e-12, patience: default_plateau_patience(), mode: ChangeMode::Rel, stop: true })
}
fn default_param_change() -> Option<ParamChangeCriterion> {
    Some(ParamChangeCriterion { tol: 1e-10, patience: default_param_patience(), stop: true })
}
fn default_grad_norm() -> Option<GradNormCriterion> {
    Some(GradNormCriterion { tol: 1e-8, stop: true })
}

impl Default for StopConfig {
    fn default() -> Self {
        StopConfig {
            max_steps: default_max_steps(),
            loss_plateau: default_plateau(),
            param_change: default_param_change(),
            grad_norm: default_grad_norm(),
            target_loss: None,
            early_stopping: None,
            divergence: DivergenceCriterion::default(),
        }
    }
}

impl StopConfig {
    /// Checks the limits and tolerances, recording problems under `path`.
    pub fn validate(&self, path: &str, v: &mut Validator) {
        v.require(
            (1..=MAX_STEPS_LIMIT).contains(&self.max_steps),
            join(path, "max_steps"),
            format!("must be in [1, {MAX_STEPS_LIMIT}], got {}", self.max_steps),
        );
        if let Some(c) = &self.loss_plateau {
            v.positive(join(path, "loss_plateau.tol"), c.tol);
            v.require(c.patience >= 1, join(path, "loss_plateau.patience"), "must be >= 1, got 0");
        }
        if let Some(c) = &self.param_change {
            v.positive(join(path, "param_change.tol"), c.tol);
            v.require(c.patience >= 1, join(path, "param_change.patience"), "must be >= 1, got 0");
        }
        if let Some(c) = &self.grad_norm {
            v.positive(join(path, "grad_norm.tol"), c.tol);
        }
        if let Some(c) = &self.target_loss {
            v.finite(join(path, "target_loss.value"), c.value);
        }
        if let Some(c) = &self.early_stopping {
            v.require(c.patience >= 1, join(path, "early_stopping.patience"), "must be >= 1, got 0");
            v.non_negative(join(path, "early_stopping.min_delta"), c.min_delta);
        }
        let factor = self.divergence.factor;
        v.require(
            factor.is_finite() && factor >= 1.0,
            join(path, "divergence.factor"),
            format!("must be a finite number >= 1, got {factor}"),
        );
    }
}

/// A convergence criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    LossPlateau,
    ParamChange,
    GradNorm,
    TargetLoss,
    EarlyStopping,
}

impl Criterion {
    /// All criteria, in reporting order.
    pub const ALL: [Criterion; 5] = [
        Criterion::LossPlateau,
        Criterion::ParamChange,
        Criterion::GradNorm,
        Criterion::TargetLoss,
        Criterion::EarlyStopping,
    ];

    /// The config and snapshot name.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::LossPlateau => "loss_plateau",
            Criterion::ParamChange => "param_change",
            Criterion::GradNorm => "grad_norm",
            Criterion::TargetLoss => "target_loss",
            Criterion::EarlyStopping => "early_stopping",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// True for the criteria that judge progress (a change between steps or evaluations), which
    /// fire without meaning when nothing moved; false for those that judge the point itself.
    pub fn measures_progress(self) -> bool {
        matches!(self, Criterion::LossPlateau | Criterion::ParamChange | Criterion::EarlyStopping)
    }
}

/// Why a run diverged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Divergence {
    /// The loss became inf or NaN.
    NonfiniteLoss,
    /// The gradient became inf or NaN.
    NonfiniteGradient,
    /// A parameter became inf or NaN.
    NonfiniteParams,
    /// The loss grew past `factor * max(1, |loss[0]|)`.
    LossExploded,
    /// The loss fell below `-factor * max(1, |loss[0]|)`: the problem has no minimum that way.
    UnboundedBelow,
}

impl Divergence {
    /// The snapshot name.
    pub fn name(self) -> &'static str {
        match self {
            Divergence::NonfiniteLoss => "nonfinite_loss",
            Divergence::NonfiniteGradient => "nonfinite_gradient",
            Divergence::NonfiniteParams => "nonfinite_params",
            Divergence::LossExploded => "loss_exploded",
            Divergence::UnboundedBelow => "unbounded_below",
        }
    }
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Still stepping.
    Running,
    /// A stopping criterion fired.
    Converged { criterion: Criterion, at_step: u64 },
    /// The run blew up.
    Diverged { reason: Divergence, at_step: u64 },
    /// `max_steps` was reached without convergence.
    Stopped { at_step: u64 },
    /// A progress criterion fired while the parameters were still the start point.
    Stalled { criterion: Criterion, at_step: u64 },
}

impl Status {
    /// True while the run may take more steps.
    pub fn is_running(&self) -> bool {
        matches!(self, Status::Running)
    }
}

/// Watches one run.
#[derive(Clone, Debug)]
pub struct Monitor {
    config: StopConfig,
    initial_loss: Option<f64>,
    previous_loss: Option<f64>,
    plateau_count: u64,
    param_count: u64,
    fired: [Option<u64>; 5],
    best_validation: Option<(u64, f64)>,
    evaluations_without_improvement: u64,
    /// The first step of the lowest loss seen and that loss, kept whether or not the run
    /// records a history (the words on how a run ended use it, in the CLI as in the page).
    best_loss: Option<(u64, f64)>,
}

impl Monitor {
    /// A monitor with nothing observed yet.
    pub fn new(config: &StopConfig) -> Self {
        Monitor {
            config: config.clone(),
            initial_loss: None,
            previous_loss: None,
            plateau_count: 0,
            param_count: 0,
            fired: [None; 5],
            best_validation: None,
            evaluations_without_improvement: 0,
            best_loss: None,
        }
    }

    /// The first step of the lowest finite loss seen, and that loss.
    pub fn best_loss(&self) -> Option<(u64, f64)> {
        self.best_loss
    }

    /// The stop settings.
    pub fn config(&self) -> &StopConfig {
        &self.config
    }

    /// Forgets everything observed.
    pub fn reset(&mut self) {
        *self = Monitor::new(&self.config);
    }

    /// The step at which each criterion first fired, stopping or not.
    pub fn fired(&self) -> impl Iterator<Item = (Criterion, u64)> + '_ {
        Criterion::ALL.into_iter().filter_map(|c| self.fired[c.index()].map(|s| (c, s)))
    }

    /// Records a firing; returns the stopping status if this criterion stops the run.
    fn fire(&mut self, criterion: Criterion, step: u64, stops: bool, verdict: &mut Option<Status>) {
        if self.fired[criterion.index()].is_none() {
            self.fired[criterion.index()] = Some(step);
        }
        if stops && verdict.is_none() {
            *verdict = Some(Status::Converged { criterion, at_step: step });
        }
    }

    /// Checks the point reached after `step` updates, with its loss and gradient norm.
    #[inline(always)]
    pub fn check_point(&mut self, step: u64, loss: f64, grad_norm: f64) -> Option<Status> {
        if !loss.is_finite() {
            return Some(Status::Diverged { reason: Divergence::NonfiniteLoss, at_step: step });
        }
        if !grad_norm.is_finite() {
            return Some(Status::Diverged { reason: Divergence::NonfiniteGradient, at_step: step });
        }
        if self.best_loss.is_none_or(|(_, best)| loss < best) {
            self.best_loss = Some((step, loss));
        }
        let initial = *self.initial_loss.get_or_insert(loss);
        let bound = self.config.divergence.factor * initial.abs().max(1.0);
        if loss > bound {
            return Some(Status::Diverged { reason: Divergence::LossExploded, at_step: step });
        }
        if loss < -bound {
            return Some(Status::Diverged { reason: Divergence::UnboundedBelow, at_step: step });
        }
        let mut verdict = None;
        if let Some(c) = &self.config.grad_norm {
            if grad_norm < c.tol {
                let stop = c.stop;
                self.fire(Criterion::GradNorm, step, stop, &mut verdict);
            }
        }
        if let Some(c) = &self.config.target_loss {
            if loss <= c.value {
                let stop = c.stop;
                self.fire(Criterion::TargetLoss, step, stop, &mut verdict);
            }
        }
        if let Some(c) = &self.config.loss_plateau {
            if let Some(previous) = self.previous_loss {
                let change = (loss - previous).abs();
                let flat = match c.mode {
                    ChangeMode::Abs => change < c.tol,
                    ChangeMode::Rel => change <= c.tol * previous.abs(),
                };
                self.plateau_count = if flat { self.plateau_count + 1 } else { 0 };
                if self.plateau_count >= c.patience {
                    let stop = c.stop;
                    self.fire(Criterion::LossPlateau, step, stop, &mut verdict);
                }
            }
        }
        self.previous_loss = Some(loss);
        verdict
    }

    /// The step and validation loss of the best evaluation so far.
    pub fn best_validation(&self) -> Option<(u64, f64)> {
        self.best_validation
    }

    /// Checks an evaluation of the validation loss at the point reached after `step` updates.
    /// Early stopping fires when the loss has not fallen below `best - min_delta` for
    /// `patience` evaluations in a row.
    pub fn check_validation(&mut self, step: u64, validation_loss: f64) -> Option<Status> {
        if !validation_loss.is_finite() {
            return Some(Status::Diverged { reason: Divergence::NonfiniteLoss, at_step: step });
        }
        let Some(c) = self.config.early_stopping.clone() else {
            if self.best_validation.is_none_or(|(_, best)| validation_loss < best) {
                self.best_validation = Some((step, validation_loss));
            }
            return None;
        };
        match self.best_validation {
            Some((_, best)) if validation_loss >= best - c.min_delta => self.evaluations_without_improvement += 1,
            _ => {
                self.best_validation = Some((step, validation_loss));
                self.evaluations_without_improvement = 0;
            }
        }
        let mut verdict = None;
        if self.evaluations_without_improvement >= c.patience {
            self.fire(Criterion::EarlyStopping, step, c.stop, &mut verdict);
        }
        verdict
    }

    /// Checks the update that produced the point reached after `step` updates.
    #[inline(always)]
    pub fn check_update(&mut self, step: u64, delta_norm: f64, params_finite: bool) -> Option<Status> {
        if !params_finite || !delta_norm.is_finite() {
            return Some(Status::Diverged { reason: Divergence::NonfiniteParams, at_step: step });
        }
        let mut verdict = None;
        if let Some(c) = &self.config.param_change {
            self.param_count = if delta_norm < c.tol { self.param_count + 1 } else { 0 };
            if self.param_count >= c.patience {
                let stop = c.stop;
                self.fire(Criterion::ParamChange, step, stop, &mut verdict);
            }
        }
        verdict
    }
}
