//! Classification of end points (`report::classify`): a stationary point with a mixed-sign
//! Hessian is a saddle, never a minimum; a positive-definite one at a minimum of
//! `tests/reference/minima.json` is global or local as the file says; a point with a clear
//! gradient is a slope whatever its curvature; a flat point where f is lower a little way on is
//! a shoulder, and a run whose Newton step lands on a known minimum is at it. The verdict (`end` in the snapshot, the mark and
//! the words of the report) keeps "converged" and "at a minimum" apart: a saddle, a slope or a
//! loss falling without bound never gets the success mark.

use std::f64::consts::PI;

use convergence::problem::Problem;
use convergence::run::monitor::Status;
use convergence::run::report::{classify, describe, EndKind, RunReport};
use convergence::run::session::Session;
use convergence::run::verdict::Mark;

/// The problem of a config's `problem` section (a JSON object as text).
fn problem(config: &str) -> Problem {
    let text =
        format!(r#"{{"problem": {config}, "runs": [{{"label": "a", "optimizer": {{"name": "SGD", "lr": 0.1}}}}]}}"#);
    Session::from_json(&text).expect("valid config").problem().clone()
}

fn near(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "got {got}, want {want}");
}

#[test]
fn the_saddle_landscape_has_a_saddle_at_the_origin() {
    // f = x^2 - y^2: grad (0, 0), Hessian diag(2, -2).
    let (kind, eig) = classify(&problem(r#"{"name": "saddle"}"#), &[0.0, 0.0]);
    assert_eq!(kind, EndKind::Saddle);
    assert_eq!(eig, Some([-2.0, 2.0]));
}

#[test]
fn a_mixed_sign_hessian_with_a_positive_trace_is_a_saddle_not_a_minimum() {
    // McCormick: f = sin(x + y) + (x - y)^2 - 1.5 x + 2.5 y + 1. With s = x + y and d = x - y,
    // grad = (cos s + 2d - 1.5, cos s - 2d + 2.5); it vanishes where cos s = -1/2 and d = 1.
    // The Hessian is -sin(s) [[1, 1], [1, 1]] + [[2, -2], [-2, 2]], with eigenvalues
    // -2 sin(s) along (1, 1) and 4 along (1, -1). At s = 2 pi / 3, sin s = sqrt(3)/2, so the
    // eigenvalues are -sqrt(3) and 4: mixed signs, but a positive trace (4 - 1.732) and the larger
    // eigenvalue positive, which a test on the trace or on the largest eigenvalue alone would
    // call a minimum. The point is x = (2 pi/3 + 1)/2, y = (2 pi/3 - 1)/2 = (1.5472, 0.5472).
    let s = 2.0 * PI / 3.0;
    let point = [(s + 1.0) / 2.0, (s - 1.0) / 2.0];
    let (kind, eig) = classify(&problem(r#"{"name": "mccormick"}"#), &point);
    assert_eq!(kind, EndKind::Saddle, "eigenvalues {eig:?}");
    let [low, high] = eig.expect("a 2-D landscape has eigenvalues");
    near(low, -(3.0_f64.sqrt()));
    near(high, 4.0);
}

#[test]
fn the_three_hump_camels_saddles_are_saddles() {
    // f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2: f_y = x + 2y = 0 gives y = -x/2, and then
    // f_x = x (3.5 - 4.2 x^2 + x^4) = 0 gives x^2 = (4.2 -+ sqrt(3.64))/2. The larger root,
    // x^2 = 3.0539, is the two local minima; the smaller, x^2 = 1.14606, the two saddles, where
    // f_xx = 4 - 12.6 x^2 + 5 x^4 = -3.8731, f_xy = 1, f_yy = 2: det = -8.746 < 0.
    let x = ((4.2 - 3.64_f64.sqrt()) / 2.0).sqrt();
    let camel = problem(r#"{"name": "three_hump_camel"}"#);
    for point in [[x, -x / 2.0], [-x, x / 2.0]] {
        let (kind, eig) = classify(&camel, &point);
        assert_eq!(kind, EndKind::Saddle, "at {point:?}, eigenvalues {eig:?}");
    }
}

/// The config of each function of minima.json at the parameters the file states.
fn config_of(function: &str) -> String {
    match function {
        "quad_k10" => r#"{"name": "quadratic", "a": 1, "b": 10}"#.into(),
        "quad_k100" => r#"{"name": "quadratic", "a": 1, "b": 100}"#.into(),
        name => format!(r#"{{"name": "{name}"}}"#),
    }
}

#[test]
fn every_minimum_of_minima_json_is_global_or_local_as_the_file_says() {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("reference/minima.json")).expect("minima.json is JSON");
    let functions = file["functions"].as_object().expect("a functions object");
    let (mut global, mut local) = (0, 0);
    for (function, entry) in functions {
        let minima = entry["computed"]["minima"].as_array().expect("a minima list");
        let landscape = problem(&config_of(function));
        for minimum in minima {
            let x: Vec<f64> = minimum["x"].as_array().expect("x").iter().filter_map(|c| c.as_f64()).collect();
            let want = match minimum["kind"].as_str() {
                Some("global") => EndKind::GlobalMinimum,
                Some("local") => EndKind::LocalMinimum,
                other => panic!("{function}: unknown kind {other:?}"),
            };
            let (kind, eig) = classify(&landscape, &x);
            assert_eq!(kind, want, "{function} at {x:?}, eigenvalues {eig:?}");
            let [low, high] = eig.expect("a 2-D landscape has eigenvalues");
            assert!(0.0 < low && low <= high, "{function} at {x:?}: {eig:?}");
            if want == EndKind::GlobalMinimum {
                global += 1;
            } else {
                local += 1;
            }
        }
    }
    // The file lists both kinds, so both branches were checked.
    assert!(global >= 10 && local >= 10, "{global} global and {local} local minima");
}

#[test]
fn a_positive_definite_point_away_from_the_known_minima_is_an_unlisted_minimum() {
    // McCormick's other stationary point with cos s = -1/2, s = 4 pi/3 + 2 pi, lies outside the
    // standard domain and the known list: x = (s + 1)/2, y = (s - 1)/2 with s = 10 pi/3.
    // Its eigenvalues are -2 sin(s) = sqrt(3) and 4, so it is a minimum, just not a listed one.
    let s = 10.0 * PI / 3.0;
    let (kind, eig) = classify(&problem(r#"{"name": "mccormick"}"#), &[(s + 1.0) / 2.0, (s - 1.0) / 2.0]);
    assert_eq!(kind, EndKind::Minimum, "eigenvalues {eig:?}");
}

#[test]
fn a_point_with_a_clear_gradient_is_a_slope_whatever_its_curvature() {
    // Quadratic (x^2 + 10 y^2)/2 at (1, 1): grad (1, 10), Hessian diag(1, 10) positive definite.
    let (kind, eig) = classify(&problem(r#"{"name": "quadratic", "a": 1, "b": 10}"#), &[1.0, 1.0]);
    assert_eq!((kind, eig), (EndKind::Slope, Some([1.0, 10.0])));
    // The saddle x^2 - y^2 at (1, 0): grad (2, 0), Hessian diag(2, -2) mixed.
    let (kind, _) = classify(&problem(r#"{"name": "saddle"}"#), &[1.0, 0.0]);
    assert_eq!(kind, EndKind::Slope);
    // Rastrigin next to its global minimum, at (0.1, 0): grad_x = 2x + 2 pi A sin(2 pi x) = 37.1.
    let (kind, _) = classify(&problem(r#"{"name": "rastrigin"}"#), &[0.1, 0.0]);
    assert_eq!(kind, EndKind::Slope);
}

/// Runs `config` (an experiment as JSON text) to the end; returns its snapshot as JSON and the
/// report of every run.
fn run_to_end(config: &str) -> (serde_json::Value, Vec<RunReport>) {
    let mut session = Session::from_json(config).expect("valid config");
    session.step(u64::MAX);
    let snapshot = serde_json::from_str(&session.snapshot().to_json()).expect("snapshot JSON");
    let reports = session.runs().iter().map(|run| describe(run, session.problem())).collect();
    (snapshot, reports)
}

/// The snapshot's `end` of run `i`.
fn end_of(snapshot: &serde_json::Value, i: usize) -> &str {
    snapshot["runs"][i]["end"].as_str().expect("an end")
}

#[test]
fn the_snapshot_and_the_report_carry_the_same_end() {
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "six_hump_camel"}, "runs": [
            {"label": "global", "x0": [-2.5, 1.5], "optimizer": {"name": "SGD", "lr": 0.02}},
            {"label": "local", "x0": [1.5, 1.5], "optimizer": {"name": "SGD", "lr": 0.02}},
            {"label": "short", "x0": [1.5, 1.5], "optimizer": {"name": "SGD", "lr": 0.0001}}],
            "stop": {"max_steps": 200}}"#,
    );
    let ends: Vec<&str> = (0..3).map(|i| end_of(&snapshot, i)).collect();
    assert_eq!(ends, ["global_minimum", "local_minimum", "slope"]);
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(serde_json::to_value(report.end).expect("an end"), snapshot["runs"][i]["end"]);
    }
    // Only the global minimum is a success: the local one has its own mark, and its own word.
    assert_eq!(reports.iter().map(|r| r.mark).collect::<Vec<_>>(), [Mark::Success, Mark::LocalMinimum, Mark::Stopped]);
    assert_eq!(reports.iter().map(|r| r.word).collect::<Vec<_>>(), ["converged", "local minimum", "stopped"]);
    assert!(reports[1].advice.contains("cannot see a lower minimum"), "{}", reports[1].advice);
    // Six-hump camel's local minimum at (1.6071, 0.5687) has f = 2.1043; the global minima
    // have f = -1.0316, so it lies 3.136 above them.
    assert!(reports[1].place.contains("f − f_global = 3.136"), "{}", reports[1].place);
    assert!(reports[1].advice.contains("local"), "{}", reports[1].advice);
    assert!(reports[0].advice.is_empty(), "nothing to fix at the global minimum: {}", reports[0].advice);
    assert!(reports[2].text.contains("out of steps") && reports[2].text.contains("on a slope"), "{}", reports[2].text);
}

#[test]
fn a_loss_falling_without_bound_is_a_divergence_never_convergence() {
    // f = x^2 - y^2 from just off the ridge: y grows by 1.1 per step of lr 0.05 until the loss
    // is below -1e6 times its start.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "saddle"}, "runs": [
            {"label": "GD", "x0": [1.5, 0.001], "optimizer": {"name": "SGD", "lr": 0.05}}],
            "stop": {"max_steps": 500}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "diverged");
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "unbounded_below");
    assert_eq!(end_of(&snapshot, 0), "unbounded");
    assert_eq!(reports[0].mark, Mark::Diverged);
    assert!(reports[0].text.contains("fell without bound"), "{}", reports[0].text);
    assert!(!reports[0].text.contains("converged"), "{}", reports[0].text);
}

#[test]
fn a_criterion_firing_at_a_saddle_or_on_a_slope_is_not_a_success() {
    // Newton jumps onto the saddle of x^2 - y^2 in one step, where the gradient test fires; the
    // exponential decay of lr 0.22 by 0.95 per step shrinks the steps below the ||Δw|| tolerance
    // at (-0.037, 0), where the gradient is still 0.037.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "saddle"}, "runs": [
            {"label": "Newton", "x0": [1.5, 0.001], "optimizer": {"name": "Newton", "lr": 1}}],
            "stop": {"max_steps": 500}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "converged");
    assert_eq!(end_of(&snapshot, 0), "saddle");
    assert_eq!(reports[0].mark, Mark::Caution);
    assert!(reports[0].place.contains("saddle point, not a minimum"), "{}", reports[0].place);
    // This function has no minimum: the advice must not send the learner to a method that
    // slides off the saddle, which falls without bound here (the saddle lesson's GD and momentum).
    assert!(reports[0].advice.contains("This function has no minimum at all"), "{}", reports[0].advice);
    assert!(!reports[0].advice.contains("use a first-order method"), "{}", reports[0].advice);
    // On a function with minima (the three-hump camel), Newton stopped at a saddle is told to
    // slide off with a first-order method or to damp Newton.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "three_hump_camel"}, "runs": [
            {"label": "Newton", "x0": [1.0, -0.5], "optimizer": {"name": "Newton", "lr": 1}}],
            "stop": {"max_steps": 500}}"#,
    );
    assert_eq!(end_of(&snapshot, 0), "saddle", "{snapshot}");
    assert!(
        reports[0].advice.contains("use a first-order method such as gradient descent with momentum"),
        "{}",
        reports[0].advice
    );
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 10}, "runs": [
            {"label": "exponential", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.22},
             "schedule": {"name": "ExponentialLR", "gamma": 0.95}}],
            "stop": {"max_steps": 3000}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "param_change");
    assert_eq!(end_of(&snapshot, 0), "slope");
    assert_eq!(reports[0].mark, Mark::Caution);
    assert!(
        reports[0]
            .ended
            .starts_with("converged at step 366: the steps became too small to matter (||Δw|| < 1e-10 for 10 steps)"),
        "{}",
        reports[0].ended
    );
    assert!(reports[0].advice.contains("tighten param_change.tol"), "{}", reports[0].advice);
    assert!(!reports[0].text.contains("larger learning rate"), "{}", reports[0].text);
}

#[test]
fn weight_decay_is_judged_against_the_objective_it_minimises() {
    // Coupled L2 (Adam's weight_decay = 1) minimises f + ||w||^2 / 2: a minimum of that, not of
    // Booth's f. Decoupled decay (AdamW) minimises no fixed objective and keeps the run off f's
    // minimum: out of steps on a slope, told about the decay rather than a larger learning rate.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "booth"}, "runs": [
            {"label": "Adam + L2", "x0": [-4, -4], "optimizer": {"name": "Adam", "lr": 0.05, "weight_decay": 1}},
            {"label": "AdamW", "x0": [-4, -4], "optimizer": {"name": "AdamW", "lr": 0.05, "weight_decay": 1}}],
            "stop": {"max_steps": 3000}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "converged");
    assert_eq!(end_of(&snapshot, 0), "minimum");
    assert_eq!(reports[0].mark, Mark::Success);
    assert!(
        reports[0].place.contains("regularised loss") && reports[0].place.contains("not of f"),
        "{}",
        reports[0].place
    );
    assert_eq!(snapshot["runs"][1]["status"]["state"], "stopped");
    assert_eq!(end_of(&snapshot, 1), "slope");
    assert!(reports[1].advice.contains("Decoupled weight decay"), "{}", reports[1].advice);
    assert!(!reports[1].advice.contains("larger learning rate"), "{}", reports[1].advice);
}

#[test]
fn a_model_ends_unknown_and_early_stopping_has_its_own_mark() {
    let (snapshot, reports) = run_to_end(
        r#"{"seed": 3, "problem": {"name": "model", "data": {"name": "sine", "n": 20, "noise": 0.2, "frequency": 0.5},
              "model": {"name": "polynomial", "degree": 15}},
            "runs": [{"label": "L-BFGS", "optimizer": {"name": "LBFGS", "lr": 1, "max_iter": 1, "line_search_fn": "strong_wolfe"}}],
            "stop": {"max_steps": 1000, "early_stopping": {"patience": 10}}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "early_stopped", "an early stop is not convergence");
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "early_stopping");
    assert_eq!(end_of(&snapshot, 0), "unknown");
    assert_eq!(reports[0].mark, Mark::EarlyStopped);
    assert!(reports[0].ended.starts_with("early-stopped at step 28:"), "{}", reports[0].ended);
    assert!(reports[0].ended.contains("best step 18 restored"), "{}", reports[0].ended);
    assert!(reports[0].place.starts_with("training loss"), "{}", reports[0].place);
}

#[test]
fn a_minibatch_run_out_of_steps_is_told_why_no_gradient_test_fires() {
    // The noisy cubic of the noise-noisy lesson, 300 steps: in minibatches no test fires, and the
    // advice names the remedies (full batch, a decaying learning rate, early stopping); in full
    // batch the same run out of steps is only told to look at whether the losses still fall.
    let config = |batch: &str| {
        format!(
            r#"{{"seed": 1, "problem": {{"name": "model", "data": {{"name": "polynomial", "n": 100, "noise": 0.5}},
                "model": {{"name": "polynomial", "degree": 3}}, "batch_size": {batch}}},
                "runs": [{{"label": "sgd", "optimizer": {{"name": "SGD", "lr": 0.05, "momentum": 0.9}}}}],
                "stop": {{"max_steps": 300, "grad_norm": {{"tol": 1e-12}}}}}}"#
        )
    };
    let (_, mini) = run_to_end(&config("10"));
    assert_eq!(mini[0].mark, Mark::Stopped);
    assert!(
        mini[0].advice.contains("use the full batch, decay the learning rate, or stop on the validation loss"),
        "{}",
        mini[0].advice
    );
    let (_, full) = run_to_end(&config("null"));
    assert_eq!(full[0].mark, Mark::Stopped);
    assert!(full[0].advice.starts_with("If the losses are still falling"), "{}", full[0].advice);
}

#[test]
fn a_function_without_a_value_at_the_start_point_is_not_told_to_lower_the_learning_rate() {
    // log(x) has no real value at x = -4: step 0 evaluates the start and finds NaN.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "log(x) + y^2"}, "runs": [
            {"label": "GD", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "diverged");
    assert_eq!(snapshot["runs"][0]["step"], 0);
    assert_eq!(reports[0].mark, Mark::Diverged);
    assert_eq!(reports[0].ended, "diverged at step 0: f has no finite value at the start point, so no step was taken");
    assert!(reports[0].advice.starts_with("No learning rate can help before the first step"), "{}", reports[0].advice);
    assert!(!reports[0].text.contains("smaller learning rate"), "{}", reports[0].text);
    // A start where f overflows (x^2 + 10 y^2 at 1e300) is the same case.
    let (_, reports) = run_to_end(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 10}, "runs": [
            {"label": "GD", "x0": [1e300, -1e300], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#,
    );
    assert!(reports[0].ended.contains("f has no finite value at the start point"), "{}", reports[0].ended);
    // A run that blows up after moving keeps the learning-rate advice.
    let (_, reports) = run_to_end(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 10}, "runs": [
            {"label": "GD", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.3}}]}"#,
    );
    assert_eq!(reports[0].mark, Mark::Diverged);
    assert!(reports[0].advice.contains("Try a smaller learning rate"), "{}", reports[0].advice);
}

#[test]
fn a_plateau_from_bouncing_across_a_valley_is_told_to_lower_the_learning_rate() {
    // f = x^2 + 10 y^2 with lr 0.1 = 2/L for L = 20: y flips between 3 and -3 forever while x
    // settles, so the loss goes flat at 90 on a slope of 60.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "x^2 + 10*y^2"}, "runs": [
            {"label": "GD", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "loss_plateau", "{snapshot}");
    assert_eq!(end_of(&snapshot, 0), "slope");
    assert_eq!(reports[0].mark, Mark::Caution);
    assert!(reports[0].advice.contains("stability limit"), "{}", reports[0].advice);
    assert!(reports[0].advice.ends_with("lower it."), "{}", reports[0].advice);
    assert!(!reports[0].advice.contains("raise its patience"), "{}", reports[0].advice);
    // A crawl (a learning rate far too small) that goes flat on the same slope keeps the
    // plateau advice: its steps bring about as little as the tolerance allows.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "x^2 + 10*y^2"}, "runs": [
            {"label": "GD", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 1e-9}}],
            "stop": {"loss_plateau": {"tol": 1e-6}, "param_change": null}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "loss_plateau", "{snapshot}");
    assert_eq!(end_of(&snapshot, 0), "slope");
    assert!(reports[0].advice.contains("tighten loss_plateau.tol"), "{}", reports[0].advice);
}

#[test]
fn the_bouncing_advice_is_the_same_without_a_recorded_history_and_names_no_2_over_l_for_momentum() {
    // The CLI's `run --words` does not record the chart history: the advice must not depend on it.
    let config = r#"{"problem": {"name": "custom", "f": "x^2 + 10*y^2"}, "runs": [
        {"label": "GD", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#;
    let (_, recorded) = run_to_end(config);
    let mut session = Session::from_json(config).expect("valid config");
    session.set_recording(false);
    session.step(u64::MAX);
    let unrecorded = describe(&session.runs()[0], session.problem());
    assert!(recorded[0].advice.contains("2/L"), "{}", recorded[0].advice);
    assert_eq!(unrecorded.advice, recorded[0].advice);
    // Heavy ball with momentum 0.9 at lr 0.19 = 2(1 + 0.9)/L keeps one mode flipping: the
    // plateau fires on the slope, and the words do not claim gradient descent's limit.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "x^2 + 10*y^2"}, "runs": [
            {"label": "HB", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.19, "momentum": 0.9}}]}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "loss_plateau", "{snapshot}");
    assert_eq!(end_of(&snapshot, 0), "slope");
    assert!(!reports[0].advice.contains("2/L"), "{}", reports[0].advice);
    assert!(reports[0].advice.contains("lower the learning rate, or let a schedule decay it"), "{}", reports[0].advice);
}

#[test]
fn a_validation_loss_without_a_value_at_the_start_ends_the_run_before_any_update() {
    // One target of 1e200 squares to infinity. Among a few seeds, find one whose split puts it in
    // the validation set (the training loss at the start is then finite).
    let mut rows: Vec<String> = (0..20).map(|i| format!("{},{}", f64::from(i) / 10.0, f64::from(i) / 5.0)).collect();
    rows.push("1.0,1e200".into());
    let text = rows.join("\\n");
    let found = (0..40u64).find_map(|seed| {
        let config = format!(
            r#"{{"seed": {seed}, "problem": {{"name": "model", "data": {{"name": "csv", "text": "{text}"}}, "model": {{"name": "linear"}}}},
                "runs": [{{"label": "sgd", "optimizer": {{"name": "SGD", "lr": 0.01}}}}]}}"#
        );
        let mut session = Session::from_json(&config).expect("valid config");
        session.step(5);
        let run = &session.runs()[0];
        let training_finite = run.last_record().is_some_and(|r| r.loss.is_finite());
        (training_finite && matches!(run.status(), Status::Diverged { at_step: 0, .. })).then_some(session)
    });
    let session = found.expect("a seed puts the outlier in the validation set");
    let run = &session.runs()[0];
    assert_eq!(run.step(), 0, "no update was taken");
    let report = describe(run, session.problem());
    assert!(
        report.ended.contains(
            "diverged at step 0: the validation loss has no finite value at the initial weights, so no step was taken"
        ),
        "{}",
        report.ended
    );
    assert!(report.advice.starts_with("No learning rate can help before the first step"), "{}", report.advice);
}

#[test]
fn a_network_that_learned_nothing_is_not_a_success() {
    // Adam at lr 0.3 saturates a tanh network on the spiral: the gradient test fires at step 279
    // with a training loss of about 0.69, a coin toss's ln 2.
    let (snapshot, reports) = run_to_end(
        r#"{"seed": 1, "problem": {"name": "model", "data": {"name": "spiral"},
            "model": {"name": "mlp", "hidden": [8, 8, 8], "activation": "tanh"}},
            "runs": [{"label": "Adam lr 0.3", "optimizer": {"name": "Adam", "lr": 0.3}}],
            "stop": {"max_steps": 12000, "grad_norm": {"tol": 1e-4}}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["state"], "converged", "{snapshot}");
    let train = snapshot["runs"][0]["training"]["train_loss"].as_f64().expect("a training loss");
    assert!(train > 0.6, "about a coin toss's ln 2: {train}");
    assert_eq!(reports[0].mark, Mark::Caution);
    assert_eq!(reports[0].word, "learned nothing");
    assert!(reports[0].advice.contains("learned nothing"), "{}", reports[0].advice);
    assert!(reports[0].advice.contains("lower the learning rate"), "{}", reports[0].advice);
}

#[test]
fn a_flat_shoulder_is_not_a_minimum_and_a_flat_bowl_is() {
    // x^3 + y^2 at (0.01, 0): gradient (3e-4, 0), Hessian diag(0.06, 2) positive definite, yet
    // f is lower at x < 0: no minimum anywhere.
    let cubic = problem(r#"{"name": "custom", "f": "x^3 + y^2"}"#);
    let (kind, eig) = classify(&cubic, &[0.01, 0.0]);
    assert_eq!(kind, EndKind::Shoulder, "{eig:?}");
    // x^4 + y^4 near its minimum at 0: as flat, and a minimum (a typed function has no list of
    // known minima, so it is a plain minimum).
    let quartic = problem(r#"{"name": "custom", "f": "x^4 + y^4"}"#);
    assert_eq!(classify(&quartic, &[0.0158, 0.0158]).0, EndKind::Minimum);
    // A run that ends on the shoulder is cautioned, in words that say so.
    let config = r#"{"problem": {"name": "custom", "f": "x^3 + y^2"}, "runs": [{"label": "gd", "x0": [1, 1],
        "optimizer": {"name": "SGD", "lr": 0.1}}], "stop": {"max_steps": 100000, "grad_norm": {"tol": 1e-3}}}"#;
    let (snapshot, reports) = run_to_end(config);
    assert_eq!(snapshot["runs"][0]["status"]["state"], "converged", "{snapshot}");
    assert_eq!(snapshot["runs"][0]["end"], "shoulder");
    assert_eq!(reports[0].mark, Mark::Caution);
    assert!(reports[0].text.contains("on a flat shoulder, not at a minimum"), "{}", reports[0].text);
    assert!(reports[0].advice.contains("f is lower a little way on"), "{}", reports[0].advice);
}

#[test]
fn a_run_in_the_global_minimums_bowl_is_at_it_though_a_little_way_off() {
    // Figure 2 of the article: gradient descent along Rosenbrock's valley, stopped by the
    // gradient test at 0.0025 from (1, 1), where the curvature along the valley is 0.4. The
    // Newton step from there lands within 0.002 of (1, 1): the global minimum.
    let config = r#"{"seed": 1, "problem": {"name": "rosenbrock"}, "runs": [{"label": "gd", "x0": [-1.5, 2],
        "optimizer": {"name": "SGD", "lr": 0.001}}], "stop": {"max_steps": 20000, "grad_norm": {"tol": 1e-3}}}"#;
    let mut session = Session::from_json(config).expect("valid config");
    session.step(u64::MAX);
    let w = session.runs()[0].params().to_vec();
    let off = (w[0] - 1.0).hypot(w[1] - 1.0);
    assert!(off > 2e-3, "the run ends {off} from (1, 1), outside the distance test");
    assert_eq!(classify(session.problem(), &w).0, EndKind::GlobalMinimum, "at {w:?}");
}

#[test]
fn a_run_that_has_not_taken_a_step_is_not_said_to_be_running() {
    let config = r#"{"problem": {"name": "quadratic", "a": 1, "b": 4}, "runs": [{"label": "gd", "x0": [-4, 3],
        "optimizer": {"name": "SGD", "lr": 0.1}}]}"#;
    let mut session = Session::from_json(config).expect("valid config");
    let before = describe(&session.runs()[0], session.problem());
    assert_eq!(before.text, "not started: loss 26 at the start point");
    assert_eq!(before.word, "not started");
    session.step(1);
    let after = describe(&session.runs()[0], session.problem());
    assert!(after.text.starts_with("running: step 1, loss "), "{}", after.text);
    assert_eq!(after.word, "running");
}

#[test]
fn a_run_bouncing_across_a_kink_out_of_steps_is_told_to_lower_the_learning_rate() {
    // |x| + |y| with SGD at lr 0.1 from (1.05, 2.03) (a tester's case): after 20 steps the run
    // hops between points 0.05 to 0.07 from the minimum for ever, on a slope of ||∇f|| = √2
    // wherever it lands. More steps or a larger learning rate cannot help.
    let (snapshot, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "abs(x) + abs(y)"}, "runs": [
            {"label": "GD", "x0": [1.05, 2.03], "optimizer": {"name": "SGD", "lr": 0.1}}],
            "stop": {"max_steps": 3000}}"#,
    );
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "max_steps", "{snapshot}");
    assert_eq!(reports[0].mark, Mark::Stopped);
    let advice = &reports[0].advice;
    assert!(advice.contains("smaller or decaying learning rate"), "{advice}");
    assert!(!advice.contains("larger learning rate"), "{advice}");
    assert!(advice.contains("in the last 29"), "the best loss is 20-odd steps in: {advice}");
    // The same run with a learning rate so small that it is still descending at the end keeps
    // the advice to allow more steps.
    let (_, reports) = run_to_end(
        r#"{"problem": {"name": "custom", "f": "abs(x) + abs(y)"}, "runs": [
            {"label": "GD", "x0": [1.05, 2.03], "optimizer": {"name": "SGD", "lr": 0.0001}}],
            "stop": {"max_steps": 3000}}"#,
    );
    assert_eq!(reports[0].mark, Mark::Stopped);
    assert!(reports[0].advice.starts_with("Allow more steps"), "{}", reports[0].advice);
}
