//! Convergence criteria on synthetic traces: each criterion is fed a hand-made sequence of
//! points `(loss, grad_norm)` and updates `delta_norm` and must fire at a known step. Then the
//! same semantics through `Session`: convergence, divergence, `max_steps`, reset and
//! determinism.

use convergence::bench::endless_stop;
use convergence::run::monitor::{
    ChangeMode, Criterion, Divergence, DivergenceCriterion, GradNormCriterion, Monitor, ParamChangeCriterion,
    PlateauCriterion, Status, StopConfig, TargetLossCriterion,
};
use convergence::run::session::Session;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Stop rules with every criterion off (divergence cannot be switched off).
fn nothing() -> StopConfig {
    StopConfig { max_steps: 1_000, ..endless_stop() }
}

fn plateau(tol: f64, patience: u64, mode: ChangeMode, stop: bool) -> Option<PlateauCriterion> {
    Some(PlateauCriterion { tol, patience, mode, stop })
}

fn param_change(tol: f64, patience: u64, stop: bool) -> Option<ParamChangeCriterion> {
    Some(ParamChangeCriterion { tol, patience, stop })
}

fn grad_norm(tol: f64, stop: bool) -> Option<GradNormCriterion> {
    Some(GradNormCriterion { tol, stop })
}

fn target(value: f64, stop: bool) -> Option<TargetLossCriterion> {
    Some(TargetLossCriterion { value, stop })
}

/// Feeds the points `(loss, grad_norm)` at steps 0, 1, 2, ... and returns the first verdict
/// with the index of the point that produced it.
fn feed_points(monitor: &mut Monitor, points: &[(f64, f64)]) -> Option<(u64, Status)> {
    for (t, &(loss, g)) in points.iter().enumerate() {
        if let Some(status) = monitor.check_point(t as u64, loss, g) {
            return Some((t as u64, status));
        }
    }
    None
}

/// Feeds losses with a large gradient norm (so no gradient criterion can fire).
fn feed_losses(monitor: &mut Monitor, losses: &[f64]) -> Option<(u64, Status)> {
    let points: Vec<(f64, f64)> = losses.iter().map(|&l| (l, 1.0)).collect();
    feed_points(monitor, &points)
}

/// Feeds the updates `delta_norm` at steps 1, 2, 3, ... (the update from params[t] to
/// params[t+1] is checked at step t + 1) and returns the first verdict.
fn feed_updates(monitor: &mut Monitor, deltas: &[f64]) -> Option<Status> {
    for (i, &d) in deltas.iter().enumerate() {
        if let Some(status) = monitor.check_update(i as u64 + 1, d, true) {
            return Some(status);
        }
    }
    None
}

/// Interleaves points and updates as a run does: point t, then update t -> t + 1.
/// `deltas[t]` is the update taken from point t; the last point takes no update.
fn feed_run(monitor: &mut Monitor, points: &[(f64, f64)], deltas: &[f64]) -> Option<Status> {
    for (t, &(loss, g)) in points.iter().enumerate() {
        let t = t as u64;
        if let Some(status) = monitor.check_point(t, loss, g) {
            return Some(status);
        }
        if let Some(&d) = deltas.get(t as usize) {
            if let Some(status) = monitor.check_update(t + 1, d, true) {
                return Some(status);
            }
        }
    }
    None
}

fn converged(criterion: Criterion, at_step: u64) -> Status {
    Status::Converged { criterion, at_step }
}

fn diverged(reason: Divergence, at_step: u64) -> Status {
    Status::Diverged { reason, at_step }
}

fn fired(monitor: &Monitor) -> Vec<(Criterion, u64)> {
    monitor.fired().collect()
}

// ---------------------------------------------------------------------------------------------
// Defaults and config
// ---------------------------------------------------------------------------------------------

#[test]
fn stop_config_defaults_match_the_documentation() {
    let d = StopConfig::default();
    assert_eq!(d.max_steps, 10_000);
    assert_eq!(d.loss_plateau, plateau(1e-12, 50, ChangeMode::Rel, true));
    assert_eq!(d.param_change, param_change(1e-10, 10, true));
    assert_eq!(d.grad_norm, grad_norm(1e-8, true));
    assert_eq!(d.target_loss, None);
    assert_eq!(d.divergence.factor, 1e6);
    // An empty object takes the same defaults; `null` switches a criterion off.
    let parsed: StopConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(parsed, d);
    let off: StopConfig =
        serde_json::from_str(r#"{"loss_plateau": null, "param_change": null, "grad_norm": null}"#).unwrap();
    assert_eq!(off.loss_plateau, None);
    assert_eq!(off.param_change, None);
    assert_eq!(off.grad_norm, None);
    // Omitted criterion fields take their defaults.
    let partial: StopConfig = serde_json::from_str(
        r#"{"loss_plateau": {"tol": 1e-6}, "param_change": {"tol": 1e-7}, "target_loss": {"value": 0.5}}"#,
    )
    .unwrap();
    assert_eq!(partial.loss_plateau, plateau(1e-6, 50, ChangeMode::Rel, true));
    assert_eq!(partial.param_change, param_change(1e-7, 10, true));
    assert_eq!(partial.target_loss, target(0.5, true));
}

#[test]
fn criterion_names_and_reporting_order() {
    let named = [
        (Criterion::LossPlateau, "loss_plateau"),
        (Criterion::ParamChange, "param_change"),
        (Criterion::GradNorm, "grad_norm"),
        (Criterion::TargetLoss, "target_loss"),
    ];
    for (c, name) in named {
        assert_eq!(c.name(), name);
    }
    // Reporting order starts with these four, in this order.
    assert_eq!(Criterion::ALL[..4], named.map(|(c, _)| c));
    assert_eq!(Divergence::NonfiniteLoss.name(), "nonfinite_loss");
    assert_eq!(Divergence::NonfiniteGradient.name(), "nonfinite_gradient");
    assert_eq!(Divergence::NonfiniteParams.name(), "nonfinite_params");
    assert_eq!(Divergence::LossExploded.name(), "loss_exploded");
}

#[test]
fn nothing_fires_without_criteria() {
    let mut m = Monitor::new(&nothing());
    let losses: Vec<f64> = (0..100).map(|t| 1.0 / (1.0 + t as f64)).collect();
    assert_eq!(feed_losses(&mut m, &losses), None);
    assert_eq!(feed_updates(&mut m, &[0.0; 100]), None);
    assert_eq!(feed_points(&mut m, &[(0.0, 0.0); 10]), None);
    assert!(fired(&m).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Loss plateau
// ---------------------------------------------------------------------------------------------

#[test]
fn plateau_rel_fires_after_patience_flat_steps() {
    let mut stop = nothing();
    stop.loss_plateau = plateau(1e-12, 3, ChangeMode::Rel, true);
    let mut m = Monitor::new(&stop);
    // Changes: step 1 large, steps 2, 3, 4 zero -> the third flat step is step 4.
    let verdict = feed_losses(&mut m, &[10.0, 5.0, 5.0, 5.0, 5.0, 5.0]);
    assert_eq!(verdict, Some((4, converged(Criterion::LossPlateau, 4))));
    assert_eq!(fired(&m), [(Criterion::LossPlateau, 4)]);
}

#[test]
fn plateau_patience_one_fires_on_the_first_flat_step() {
    let mut stop = nothing();
    stop.loss_plateau = plateau(1e-3, 1, ChangeMode::Rel, true);
    let mut m = Monitor::new(&stop);
    // Step 0 has no previous loss and can never be flat.
    let verdict = feed_losses(&mut m, &[1.0, 0.5, 0.25, 0.2500001]);
    assert_eq!(verdict, Some((3, converged(Criterion::LossPlateau, 3))));
}

#[test]
fn plateau_first_point_alone_never_fires() {
    let mut stop = nothing();
    stop.loss_plateau = plateau(1.0, 1, ChangeMode::Abs, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, 3.0, 1.0), None);
    assert_eq!(m.check_point(1, 3.0, 1.0), Some(converged(Criterion::LossPlateau, 1)));
}

#[test]
fn plateau_counter_resets_when_the_change_grows_again() {
    let mut stop = nothing();
    stop.loss_plateau = plateau(1e-12, 3, ChangeMode::Rel, true);
    let mut m = Monitor::new(&stop);
    // Flat at steps 2, 3; step 4 changes (reset); flat at 5, 6, 7 -> fires at 7, not at 4.
    let losses = [10.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0];
    assert_eq!(feed_losses(&mut m, &losses), Some((7, converged(Criterion::LossPlateau, 7))));

    // Several resets in a row.
    let mut m = Monitor::new(&stop);
    let losses = [8.0, 8.0, 8.0, 7.0, 7.0, 7.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0, 5.0];
    assert_eq!(feed_losses(&mut m, &losses), Some((12, converged(Criterion::LossPlateau, 12))));
}

#[test]
fn plateau_rel_and_abs_modes_differ() {
    // Large losses: a change of 0.5 on 1e6 is flat relative to 1e-6 but not absolutely.
    let losses = [1e6, 1e6 + 0.5, 1e6 + 1.0, 1e6 + 1.5];
    let mut rel = nothing();
    rel.loss_plateau = plateau(1e-6, 2, ChangeMode::Rel, true);
    let mut abs = nothing();
    abs.loss_plateau = plateau(1e-6, 2, ChangeMode::Abs, true);
    assert_eq!(feed_losses(&mut Monitor::new(&rel), &losses), Some((2, converged(Criterion::LossPlateau, 2))));
    assert_eq!(feed_losses(&mut Monitor::new(&abs), &losses), None);

    // Small losses: a change of 1e-8 on 1e-3 is absolutely flat for 1e-6 but not relatively.
    let losses = [1e-3, 1e-3 - 1e-8, 1e-3 - 2e-8, 1e-3 - 3e-8];
    assert_eq!(feed_losses(&mut Monitor::new(&rel), &losses), None);
    assert_eq!(feed_losses(&mut Monitor::new(&abs), &losses), Some((2, converged(Criterion::LossPlateau, 2))));
}

#[test]
fn plateau_boundaries_rel_is_inclusive_abs_is_strict() {
    // |6 - 8| = 2 = 0.25 * |8|: flat in rel mode (<=); |change| = tol is not flat in abs mode (<).
    let mut rel = nothing();
    rel.loss_plateau = plateau(0.25, 1, ChangeMode::Rel, true);
    assert_eq!(feed_losses(&mut Monitor::new(&rel), &[8.0, 6.0]), Some((1, converged(Criterion::LossPlateau, 1))));
    let mut abs = nothing();
    abs.loss_plateau = plateau(2.0, 1, ChangeMode::Abs, true);
    assert_eq!(feed_losses(&mut Monitor::new(&abs), &[8.0, 6.0]), None);
    assert_eq!(feed_losses(&mut Monitor::new(&abs), &[8.0, 6.5]), Some((1, converged(Criterion::LossPlateau, 1))));
    // Rel mode compares with the *previous* loss: |8 - 6| = 2 > 0.25 * 6.
    assert_eq!(feed_losses(&mut Monitor::new(&rel), &[6.0, 8.0]), None);
    // A loss increase counts by its size, like a decrease.
    assert_eq!(feed_losses(&mut Monitor::new(&abs), &[6.0, 7.5]), Some((1, converged(Criterion::LossPlateau, 1))));
}

#[test]
fn plateau_rel_at_zero_loss() {
    // A run sitting at loss exactly 0 is flat in rel mode (0 <= tol * 0).
    let mut stop = nothing();
    stop.loss_plateau = plateau(1e-12, 2, ChangeMode::Rel, true);
    let verdict = feed_losses(&mut Monitor::new(&stop), &[1.0, 0.0, 0.0, 0.0]);
    assert_eq!(verdict, Some((3, converged(Criterion::LossPlateau, 3))));
}

// ---------------------------------------------------------------------------------------------
// Parameter change
// ---------------------------------------------------------------------------------------------

#[test]
fn param_change_fires_after_patience_consecutive_small_updates() {
    let mut stop = nothing();
    stop.param_change = param_change(1e-10, 3, true);
    let mut m = Monitor::new(&stop);
    // Updates at steps 1..: big, small, small, small -> fires at step 4.
    let verdict = feed_updates(&mut m, &[1.0, 1e-11, 1e-11, 1e-11, 1e-11]);
    assert_eq!(verdict, Some(converged(Criterion::ParamChange, 4)));
    assert_eq!(fired(&m), [(Criterion::ParamChange, 4)]);
}

#[test]
fn param_change_counter_resets_on_a_large_update() {
    let mut stop = nothing();
    stop.param_change = param_change(1e-10, 3, true);
    let mut m = Monitor::new(&stop);
    // small (1), small (2), big (3, reset), small (4), small (5), small (6) -> fires at 6.
    let verdict = feed_updates(&mut m, &[1e-11, 1e-11, 0.5, 1e-11, 0.0, 1e-11, 1e-11]);
    assert_eq!(verdict, Some(converged(Criterion::ParamChange, 6)));
}

#[test]
fn param_change_tolerance_is_strict() {
    let mut stop = nothing();
    stop.param_change = param_change(1e-10, 1, true);
    assert_eq!(feed_updates(&mut Monitor::new(&stop), &[1e-10, 1e-10, 1e-10]), None);
    assert_eq!(feed_updates(&mut Monitor::new(&stop), &[1e-10, 9.9e-11]), Some(converged(Criterion::ParamChange, 2)));
}

#[test]
fn param_change_step_is_the_step_reached_by_the_update() {
    // Interleaved like a run: the update from point 2 to point 3 is checked at step 3.
    let mut stop = nothing();
    stop.param_change = param_change(1e-3, 1, true);
    let points = [(5.0, 1.0), (4.0, 1.0), (3.0, 1.0), (2.0, 1.0), (1.0, 1.0)];
    let deltas = [1.0, 1.0, 1e-4, 1.0];
    assert_eq!(feed_run(&mut Monitor::new(&stop), &points, &deltas), Some(converged(Criterion::ParamChange, 3)));
}

// ---------------------------------------------------------------------------------------------
// Gradient norm and target loss
// ---------------------------------------------------------------------------------------------

#[test]
fn grad_norm_fires_at_the_first_small_gradient() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1e-8, true);
    let mut m = Monitor::new(&stop);
    let points = [(3.0, 1.0), (2.0, 1e-3), (1.0, 1e-8), (0.5, 9e-9), (0.4, 0.0)];
    // 1e-8 is not < 1e-8; 9e-9 is.
    assert_eq!(feed_points(&mut m, &points), Some((3, converged(Criterion::GradNorm, 3))));
    assert_eq!(fired(&m), [(Criterion::GradNorm, 3)]);
}

#[test]
fn grad_norm_can_fire_at_step_zero() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1e-8, true);
    assert_eq!(feed_points(&mut Monitor::new(&stop), &[(0.0, 0.0)]), Some((0, converged(Criterion::GradNorm, 0))));
}

#[test]
fn target_loss_fires_when_the_loss_reaches_the_value() {
    let mut stop = nothing();
    stop.target_loss = target(1.0, true);
    let mut m = Monitor::new(&stop);
    // loss <= value: exactly 1.0 fires.
    assert_eq!(feed_losses(&mut m, &[5.0, 2.0, 1.0, 0.5]), Some((2, converged(Criterion::TargetLoss, 2))));
    assert_eq!(fired(&m), [(Criterion::TargetLoss, 2)]);
    // A negative target on a loss that goes negative.
    let mut stop = nothing();
    stop.target_loss = target(-10.0, true);
    let losses = [0.0, -5.0, -9.999, -10.5, -11.0];
    assert_eq!(feed_losses(&mut Monitor::new(&stop), &losses), Some((3, converged(Criterion::TargetLoss, 3))));
}

// ---------------------------------------------------------------------------------------------
// Divergence
// ---------------------------------------------------------------------------------------------

#[test]
fn divergence_nonfinite_loss() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut m = Monitor::new(&nothing());
        let verdict = feed_losses(&mut m, &[1.0, 2.0, 3.0, bad, 1.0]);
        assert_eq!(verdict, Some((3, diverged(Divergence::NonfiniteLoss, 3))), "loss {bad}");
    }
    // At the very first point too.
    let mut m = Monitor::new(&nothing());
    assert_eq!(m.check_point(0, f64::NAN, 1.0), Some(diverged(Divergence::NonfiniteLoss, 0)));
}

#[test]
fn divergence_nonfinite_gradient() {
    for bad in [f64::NAN, f64::INFINITY] {
        let mut m = Monitor::new(&nothing());
        let verdict = feed_points(&mut m, &[(1.0, 1.0), (0.9, 1.0), (0.8, bad)]);
        assert_eq!(verdict, Some((2, diverged(Divergence::NonfiniteGradient, 2))), "grad {bad}");
    }
    // A non-finite loss is reported before a non-finite gradient at the same point.
    let mut m = Monitor::new(&nothing());
    assert_eq!(m.check_point(0, f64::INFINITY, f64::NAN), Some(diverged(Divergence::NonfiniteLoss, 0)));
}

#[test]
fn divergence_nonfinite_params() {
    let mut m = Monitor::new(&nothing());
    assert_eq!(m.check_update(1, 0.5, true), None);
    assert_eq!(m.check_update(2, 0.5, false), Some(diverged(Divergence::NonfiniteParams, 2)));
    // A non-finite step length means non-finite parameters, whatever the flag says.
    for bad in [f64::NAN, f64::INFINITY] {
        let mut m = Monitor::new(&nothing());
        assert_eq!(m.check_update(7, bad, true), Some(diverged(Divergence::NonfiniteParams, 7)));
    }
    // Divergence wins over a parameter-change criterion on the same update.
    let mut stop = nothing();
    stop.param_change = param_change(1.0, 1, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_update(1, 0.0, false), Some(diverged(Divergence::NonfiniteParams, 1)));
}

#[test]
fn divergence_loss_exploded_past_factor_times_initial_loss() {
    // loss0 = 2: threshold 1e6 * 2 = 2e6.
    let mut m = Monitor::new(&nothing());
    let verdict = feed_losses(&mut m, &[2.0, 10.0, 1.99e6, 2e6, 2.000001e6]);
    assert_eq!(verdict, Some((4, diverged(Divergence::LossExploded, 4))));
}

#[test]
fn divergence_does_not_fire_just_below_the_factor() {
    let mut m = Monitor::new(&nothing());
    let below = 2e6 * (1.0 - 1e-12);
    assert_eq!(feed_losses(&mut m, &[2.0, below, 2e6, below, 1.0]), None);
}

#[test]
fn divergence_threshold_uses_max_one_abs_initial_loss() {
    // |loss0| < 1: the threshold is factor * 1.
    let mut m = Monitor::new(&nothing());
    assert_eq!(feed_losses(&mut m, &[0.001, 9.99e5, 1e6]), None);
    assert_eq!(m.check_point(3, 1.0000001e6, 1.0), Some(diverged(Divergence::LossExploded, 3)));
    // Negative initial loss: |loss0| = 3, threshold 3e6.
    let mut m = Monitor::new(&nothing());
    assert_eq!(feed_losses(&mut m, &[-3.0, 2.9e6, 3e6]), None);
    assert_eq!(m.check_point(3, 3.1e6, 1.0), Some(diverged(Divergence::LossExploded, 3)));
    // The reference point is the first loss seen, not the smallest one.
    let mut m = Monitor::new(&nothing());
    assert_eq!(feed_losses(&mut m, &[100.0, 1e-6, 9e7, 1e8]), None);
    assert_eq!(m.check_point(4, 1.01e8, 1.0), Some(diverged(Divergence::LossExploded, 4)));
}

#[test]
fn divergence_custom_factor() {
    let mut stop = nothing();
    stop.divergence = DivergenceCriterion { factor: 10.0 };
    let mut m = Monitor::new(&stop);
    // loss0 = 4: threshold 40.
    let verdict = feed_losses(&mut m, &[4.0, 39.9, 40.0, 40.5]);
    assert_eq!(verdict, Some((3, diverged(Divergence::LossExploded, 3))));
}

#[test]
fn divergence_wins_over_stopping_criteria_at_the_same_point() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1.0, true);
    stop.target_loss = target(1e300, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, 1.0, 5.0), Some(converged(Criterion::TargetLoss, 0)));
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1.0, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, 1.0, 5.0), None);
    // Tiny gradient, but the loss exploded.
    assert_eq!(m.check_point(1, 1e7, 0.0), Some(diverged(Divergence::LossExploded, 1)));
    assert!(fired(&m).is_empty(), "a diverging point records no criterion: {:?}", fired(&m));
    // A non-finite loss with a zero gradient and a target it would meet.
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1.0, true);
    stop.target_loss = target(0.0, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, f64::NEG_INFINITY, 0.0), Some(diverged(Divergence::NonfiniteLoss, 0)));
}

// ---------------------------------------------------------------------------------------------
// Non-stopping criteria, several criteria, reset
// ---------------------------------------------------------------------------------------------

#[test]
fn non_stopping_criteria_are_recorded_while_the_run_continues() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1e-3, false);
    stop.target_loss = target(0.5, false);
    stop.loss_plateau = plateau(1e-9, 2, ChangeMode::Abs, false);
    stop.param_change = param_change(1e-6, 2, false);
    let mut m = Monitor::new(&stop);
    let points = [
        (4.0, 1.0),  // 0
        (2.0, 1e-4), // 1: grad_norm
        (0.5, 1.0),  // 2: target
        (0.5, 1.0),  // 3: flat 1
        (0.5, 1e-4), // 4: flat 2 -> plateau; grad fires again
        (0.1, 1.0),  // 5
        (0.1, 1.0),  // 6
    ];
    let deltas = [1.0, 1e-7, 1e-7, 1.0, 1e-7, 1e-7];
    // Nothing stops the run.
    assert_eq!(feed_run(&mut m, &points, &deltas), None);
    // Every criterion is recorded with its *first* step, in reporting order.
    assert_eq!(
        fired(&m),
        [
            (Criterion::LossPlateau, 4),
            (Criterion::ParamChange, 3),
            (Criterion::GradNorm, 1),
            (Criterion::TargetLoss, 2),
        ]
    );
}

#[test]
fn a_non_stopping_criterion_does_not_block_a_later_stopping_one() {
    let mut stop = nothing();
    stop.target_loss = target(1.0, false);
    stop.grad_norm = grad_norm(1e-6, true);
    let mut m = Monitor::new(&stop);
    let points = [(3.0, 1.0), (1.0, 1.0), (0.5, 1e-3), (0.4, 1e-7), (0.3, 1e-9)];
    assert_eq!(feed_points(&mut m, &points), Some((3, converged(Criterion::GradNorm, 3))));
    assert_eq!(fired(&m), [(Criterion::GradNorm, 3), (Criterion::TargetLoss, 1)]);
}

#[test]
fn several_criteria_the_first_stopping_one_wins_others_still_recorded() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1e-2, true);
    stop.target_loss = target(1.0, true);
    stop.param_change = param_change(1e-3, 1, true);
    stop.loss_plateau = plateau(1e-12, 1, ChangeMode::Rel, true);
    // Target loss is reached at step 2, the gradient is small only from step 4.
    let points = [(5.0, 1.0), (3.0, 1.0), (1.0, 1.0), (0.9, 1.0), (0.8, 1e-3)];
    let mut m = Monitor::new(&stop);
    assert_eq!(feed_points(&mut m, &points), Some((2, converged(Criterion::TargetLoss, 2))));
    assert_eq!(fired(&m), [(Criterion::TargetLoss, 2)]);

    // Interleaved: the update after point 1 is tiny (step 2), the target is reached at point 3.
    let points = [(5.0, 1.0), (3.0, 1.0), (2.0, 1.0), (1.0, 1.0)];
    let deltas = [1.0, 1e-4, 1.0];
    let mut m = Monitor::new(&stop);
    assert_eq!(feed_run(&mut m, &points, &deltas), Some(converged(Criterion::ParamChange, 2)));

    // Two criteria at the same point: one stops the run, both are recorded at that step.
    let mut m = Monitor::new(&stop);
    let verdict = m.check_point(0, 0.5, 1e-3);
    assert!(
        matches!(
            verdict,
            Some(Status::Converged { criterion: Criterion::GradNorm | Criterion::TargetLoss, at_step: 0 })
        ),
        "{verdict:?}"
    );
    assert_eq!(fired(&m), [(Criterion::GradNorm, 0), (Criterion::TargetLoss, 0)]);

    // Later firings keep the first step of each criterion.
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, 2.0, 1.0), None);
    let verdict = m.check_point(1, 0.5, 1e-3).expect("stops");
    assert!(matches!(verdict, Status::Converged { at_step: 1, .. }), "{verdict:?}");
    assert_eq!(fired(&m), [(Criterion::GradNorm, 1), (Criterion::TargetLoss, 1)]);
    let verdict = m.check_point(2, 0.5, 1e-3).expect("stops");
    assert!(matches!(verdict, Status::Converged { at_step: 2, .. }), "{verdict:?}");
    // First steps are kept.
    assert_eq!(fired(&m), [(Criterion::LossPlateau, 2), (Criterion::GradNorm, 1), (Criterion::TargetLoss, 1)]);
}

#[test]
fn a_non_stopping_criterion_at_the_same_point_does_not_stop() {
    let mut stop = nothing();
    stop.grad_norm = grad_norm(1e-2, false);
    stop.target_loss = target(1.0, true);
    let mut m = Monitor::new(&stop);
    assert_eq!(m.check_point(0, 5.0, 1e-3), None);
    assert_eq!(m.check_point(1, 0.5, 1e-3), Some(converged(Criterion::TargetLoss, 1)));
    assert_eq!(fired(&m), [(Criterion::GradNorm, 0), (Criterion::TargetLoss, 1)]);
}

#[test]
fn reset_forgets_everything() {
    let mut stop = nothing();
    stop.loss_plateau = plateau(1e-12, 2, ChangeMode::Rel, true);
    stop.param_change = param_change(1e-3, 2, false);
    stop.grad_norm = grad_norm(1e-3, false);
    let mut m = Monitor::new(&stop);
    assert_eq!(feed_losses(&mut m, &[100.0, 1.0, 1.0]), None);
    assert_eq!(m.check_point(3, 1.0, 0.0), Some(converged(Criterion::LossPlateau, 3)));
    assert_eq!(feed_updates(&mut m, &[0.0, 0.0]), None);
    assert_eq!(fired(&m).len(), 3);
    m.reset();
    assert!(fired(&m).is_empty());
    assert_eq!(m.config(), &stop);
    // The plateau counter and previous loss are gone: one flat step is not enough again.
    assert_eq!(m.check_point(0, 1.0, 1.0), None);
    assert_eq!(m.check_point(1, 1.0, 1.0), None);
    assert_eq!(m.check_point(2, 1.0, 1.0), Some(converged(Criterion::LossPlateau, 2)));
    // The initial loss is the first loss after the reset (1.0 -> threshold 1e6, not 1e8).
    let mut m = Monitor::new(&nothing());
    assert_eq!(m.check_point(0, 100.0, 1.0), None);
    m.reset();
    assert_eq!(m.check_point(0, 1.0, 1.0), None);
    assert_eq!(m.check_point(1, 2e6, 1.0), Some(diverged(Divergence::LossExploded, 1)));
}

// ---------------------------------------------------------------------------------------------
// Through Session
// ---------------------------------------------------------------------------------------------

fn session(json: &str) -> Session {
    Session::from_json(json).unwrap_or_else(|e| panic!("config rejected: {e}"))
}

const BOWL: &str = r#"{"seed": 1, "problem": {"name": "quadratic"},
    "runs": [{"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.05}}]}"#;

#[test]
fn session_quadratic_bowl_with_sgd_converges() {
    let mut s = session(BOWL);
    s.step(u64::MAX);
    assert!(!s.any_running());
    let snap = s.snapshot();
    let run = &snap.runs[0];
    assert_eq!(run.status.state, "converged", "{}", snap.to_json());
    let criterion = run.status.criterion.expect("a criterion");
    let at_step = run.status.at_step.expect("a step");
    assert!(Criterion::ALL.iter().any(|c| c.name() == criterion), "{criterion}");
    assert!(at_step > 0 && at_step < 10_000, "{at_step}");
    // The run converged at a point, so no update was taken there.
    assert_eq!(run.step, at_step);
    assert_eq!(run.criteria.get(criterion), Some(&at_step));
    assert!(run.params.iter().all(|p| p.0.abs() < 1e-6), "{}", snap.to_json());
    assert!(run.loss.0 < 1e-12);
    // Stepping a stopped session does nothing.
    assert_eq!(s.step(10), 0);
    assert_eq!(s.snapshot().to_json(), snap.to_json());
    // The JSON carries the same.
    let json: serde_json::Value = serde_json::from_str(&snap.to_json()).unwrap();
    assert_eq!(json["runs"][0]["status"]["state"], "converged");
    assert_eq!(json["runs"][0]["status"]["criterion"], criterion);
    assert_eq!(json["runs"][0]["status"]["at_step"], at_step);
}

#[test]
fn session_sgd_lr_one_on_a_steep_quadratic_diverges() {
    // y <- y - 1 * 100 * y = -99 y: loss[0] = 58, loss[1] = 490050, loss[2] = 4.8e9 > 5.8e7.
    let mut s = session(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 100},
            "runs": [{"label": "sgd", "x0": [-4.0, 1.0], "optimizer": {"name": "SGD", "lr": 1.0}}]}"#,
    );
    s.step(u64::MAX);
    let snap = s.snapshot();
    let run = &snap.runs[0];
    assert_eq!(run.status.state, "diverged", "{}", snap.to_json());
    assert_eq!(run.status.criterion, Some("loss_exploded"));
    assert_eq!(run.status.at_step, Some(2));
    assert!(!s.any_running());
    // Default start point too.
    let mut s = session(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 100},
            "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 1.0}}]}"#,
    );
    s.step(u64::MAX);
    assert_eq!(s.snapshot().runs[0].status.state, "diverged");
}

#[test]
fn session_nonfinite_loss_divergence() {
    // y0 = 1e150: loss[0] = 5e301 (threshold 5e307), loss[1] = 4.9e305, loss[2] overflows to inf.
    let mut s = session(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 100},
            "runs": [{"label": "sgd", "x0": [0.0, 1e150], "optimizer": {"name": "SGD", "lr": 1.0}}]}"#,
    );
    s.step(u64::MAX);
    let snap = s.snapshot();
    let run = &snap.runs[0];
    assert_eq!(run.status.state, "diverged", "{}", snap.to_json());
    assert_eq!(run.status.criterion, Some("nonfinite_loss"));
    assert_eq!(run.status.at_step, Some(2));
    // Non-finite numbers are written as strings.
    let json: serde_json::Value = serde_json::from_str(&snap.to_json()).unwrap();
    assert_eq!(json["runs"][0]["loss"], "inf");
}

#[test]
fn session_max_steps_stops_the_run() {
    let mut s = session(
        r#"{"problem": {"name": "rosenbrock"},
            "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.001}}],
            "stop": {"max_steps": 5}}"#,
    );
    assert!(s.any_running());
    s.step(u64::MAX);
    let snap = s.snapshot();
    let run = &snap.runs[0];
    assert_eq!(run.status.state, "stopped");
    assert_eq!(run.status.criterion, Some("max_steps"));
    assert_eq!(run.status.at_step, Some(5));
    assert_eq!(run.step, 5);
    assert!(run.criteria.is_empty());
    assert!(!s.any_running());
}

#[test]
fn session_a_running_snapshot() {
    let mut s = session(BOWL);
    let snap = s.snapshot();
    assert_eq!(snap.runs[0].status.state, "running");
    assert_eq!(snap.runs[0].status.criterion, None);
    assert_eq!(snap.runs[0].step, 0);
    assert_eq!(s.step(3), 3);
    let snap = s.snapshot();
    assert_eq!(snap.runs[0].status.state, "running");
    assert_eq!(snap.runs[0].step, 3);
    assert_eq!(snap.runs[0].lr.0, 0.05);
}

#[test]
fn session_reset_then_rerun_is_bit_identical() {
    let config = r#"{"seed": 7, "problem": {"name": "rosenbrock"},
        "runs": [
            {"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01},
             "schedule": {"name": "OneCycleLR", "max_lr": 0.05, "total_steps": 2000}},
            {"label": "lbfgs", "x0": [-1.5, 2.0],
             "optimizer": {"name": "LBFGS", "max_iter": 2, "line_search_fn": "strong_wolfe"}},
            {"label": "la", "x0": [0.5, -0.5],
             "optimizer": {"name": "Lookahead", "inner": {"name": "SGD", "lr": 0.001, "momentum": 0.9}},
             "schedule": {"name": "ReduceLROnPlateau", "patience": 5}}
        ],
        "stop": {"max_steps": 1500}}"#;
    let mut s = session(config);
    let initial = s.snapshot().to_json();
    s.step(u64::MAX);
    let first = s.snapshot().to_json();
    s.reset();
    assert_eq!(s.snapshot().to_json(), initial);
    assert!(s.any_running());
    s.step(u64::MAX);
    assert_eq!(s.snapshot().to_json(), first);
    // Reset halfway through, then run to the end.
    s.reset();
    s.step(321);
    s.reset();
    s.step(u64::MAX);
    assert_eq!(s.snapshot().to_json(), first);
}

#[test]
fn session_two_sessions_from_one_config_are_bit_identical() {
    let config = r#"{"seed": 3, "problem": {"name": "himmelblau"},
        "runs": [
            {"label": "rmsprop", "optimizer": {"name": "RMSprop", "lr": 0.01, "centered": true, "momentum": 0.5}},
            {"label": "nadam", "x0": [1.0, -4.0], "optimizer": {"name": "NAdam"}},
            {"label": "newton", "x0": [0.3, 0.2], "optimizer": {"name": "Newton", "damping": 0.1}}
        ],
        "stop": {"max_steps": 2000}}"#;
    let mut a = session(config);
    let mut b = session(config);
    assert_eq!(a.snapshot().to_json(), b.snapshot().to_json());
    a.step(u64::MAX);
    // Different chunking, same numbers.
    while b.any_running() {
        b.step(7);
    }
    assert_eq!(a.snapshot().to_json(), b.snapshot().to_json());
}

#[test]
fn session_runs_side_by_side_match_runs_alone() {
    let runs = [
        r#"{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.02}}"#,
        r#"{"label": "momentum", "x0": [-1.0, 1.0], "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.9},
            "schedule": {"name": "StepLR", "step_size": 100, "gamma": 0.5}}"#,
        r#"{"label": "adagrad", "x0": [0.0, 0.0], "optimizer": {"name": "Adagrad", "lr": 0.5}}"#,
    ];
    let stop = r#"{"max_steps": 3000, "loss_plateau": {"tol": 1e-10, "patience": 20}}"#;
    let together = format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{}], "stop": {stop}}}"#, runs.join(","));
    let mut s = session(&together);
    // One step at a time, interleaving the runs.
    while s.any_running() {
        s.step(1);
    }
    let snap = s.snapshot();
    for (i, run) in runs.iter().enumerate() {
        let alone = format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{run}], "stop": {stop}}}"#);
        let mut a = session(&alone);
        a.step(u64::MAX);
        let alone_snap = a.snapshot();
        assert_eq!(
            serde_json::to_string(&alone_snap.runs[0]).unwrap(),
            serde_json::to_string(&snap.runs[i]).unwrap(),
            "run {i}"
        );
    }
}

#[test]
fn session_stop_false_criteria_appear_in_the_snapshot() {
    // The grad-norm criterion only watches; max_steps ends the run.
    let mut s = session(
        r#"{"problem": {"name": "quadratic"},
            "runs": [{"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.05}}],
            "stop": {"max_steps": 1000, "grad_norm": {"tol": 1e-2, "stop": false},
                     "loss_plateau": null, "param_change": null}}"#,
    );
    s.step(u64::MAX);
    let snap = s.snapshot();
    let run = &snap.runs[0];
    assert_eq!(run.status.state, "stopped");
    assert_eq!(run.status.at_step, Some(1000));
    let at = *run.criteria.get("grad_norm").expect("grad_norm recorded");
    assert!(at > 0 && at < 1000, "{at}");
    // It is the first point whose gradient norm is below 1e-2: replay with a stopping criterion.
    let mut t = session(
        r#"{"problem": {"name": "quadratic"},
            "runs": [{"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.05}}],
            "stop": {"max_steps": 1000, "grad_norm": {"tol": 1e-2},
                     "loss_plateau": null, "param_change": null}}"#,
    );
    t.step(u64::MAX);
    let stopped = &t.snapshot().runs[0];
    assert_eq!(stopped.status.state, "converged");
    assert_eq!(stopped.status.criterion, Some("grad_norm"));
    assert_eq!(stopped.status.at_step, Some(at));
}

/// The snapshot's `lr` is the learning rate of the last update, also after the run stopped at
/// a point where no update was taken.
#[test]
fn session_snapshot_lr_is_that_of_the_last_update() {
    let mut s = session(
        r#"{"problem": {"name": "quadratic"},
            "runs": [{"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.05}}],
            "stop": {"max_steps": 5}}"#,
    );
    s.step(u64::MAX);
    assert_eq!(s.snapshot().runs[0].lr.0, 0.05);
    // Before the first update there is none.
    s.reset();
    assert!(s.snapshot().runs[0].lr.0.is_nan());
}
