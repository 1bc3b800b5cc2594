//! The timeline: paths drawn at a scrubbed step come from the recorded history (nothing is
//! re-run), charts draw a cursor at that step, and the marks name each criterion and ending.

use convergence::chart::curves::draw_curves;
use convergence::chart::figures::{curve_series, path_series, path_series_at};
use convergence::run::session::Session;
use convergence::run::timeline::marks;
use plotters::prelude::*;
use plotters_svg::SVGBackend;

const CONFIG: &str = r#"{"seed": 1, "problem": {"name": "quadratic", "a": 1, "b": 10},
  "runs": [{"label": "sgd", "x0": [-4, 1], "optimizer": {"name": "SGD", "lr": 0.05}},
           {"label": "too fast", "x0": [-4, 1], "optimizer": {"name": "SGD", "lr": 0.3}}],
  "stop": {"max_steps": 2000, "grad_norm": {"tol": 1e-6}}}"#;

fn finished_session() -> Session {
    let mut session = Session::from_json(CONFIG).expect("valid config");
    session.step(5000);
    session
}

#[test]
fn a_scrubbed_path_ends_where_the_run_was_at_that_step_and_nothing_is_re_run() {
    let session = finished_session();
    let steps: Vec<u64> = session.runs().iter().map(|r| r.step()).collect();
    let live = path_series(&session);
    let early = path_series_at(&session, Some(3));
    let sgd = &session.runs()[0];
    let recorded = sgd.history().points().find(|p| p.step == 3).expect("step 3 is kept");
    assert_eq!(early[0].current, (recorded.xy[0], recorded.xy[1]));
    assert_eq!(early[0].points.len(), 4, "steps 0 to 3");
    assert!(!early[0].finished, "the run had not ended at step 3");
    assert!(live[0].finished);
    assert_ne!(early[0].current, live[0].current);
    // The diverged run shows no divergence mark before it diverged.
    assert!(live[1].diverged);
    assert!(!early[1].diverged);
    // A step past the end is the live picture.
    assert_eq!(path_series_at(&session, Some(1_000_000)), live);
    let after: Vec<u64> = session.runs().iter().map(|r| r.step()).collect();
    assert_eq!(steps, after);
}

#[test]
fn marks_name_each_criterion_and_each_ending() {
    let session = finished_session();
    let snapshot = session.snapshot();
    let all = marks(session.runs());
    let sgd: Vec<_> = all.iter().filter(|m| m.run == 0).collect();
    assert!(sgd.iter().any(|m| m.kind == "converged" && m.title.contains("grad_norm")), "{sgd:?}");
    let converged_at = snapshot.runs[0].status.at_step.expect("sgd converged");
    assert!(sgd.iter().any(|m| m.step == converged_at));
    let fast: Vec<_> = all.iter().filter(|m| m.run == 1).collect();
    assert!(fast.iter().any(|m| m.kind == "diverged" && m.title.starts_with("too fast: diverged")), "{fast:?}");
}

#[test]
fn an_early_stop_is_marked_early_stopped_not_converged() {
    // The cure-early lesson: early stopping ends the run; its mark says early-stopped, as the
    // status list does, and never "converged".
    let config = r#"{"seed": 3, "problem": {"name": "model", "data": {"name": "sine", "n": 20, "noise": 0.2, "frequency": 0.5},
        "model": {"name": "polynomial", "degree": 15}},
        "runs": [{"label": "L-BFGS", "optimizer": {"name": "LBFGS", "lr": 1, "max_iter": 1, "line_search_fn": "strong_wolfe"}}],
        "stop": {"max_steps": 1000, "early_stopping": {"patience": 10, "min_delta": 0, "restore_best": true, "stop": true}}}"#;
    let mut session = Session::from_json(config).expect("valid config");
    session.step(5000);
    let all = marks(session.runs());
    let early: Vec<_> = all.iter().filter(|m| m.title.contains("early_stopping")).collect();
    assert_eq!(early.len(), 1, "{all:?}");
    assert_eq!(early[0].title, "L-BFGS: early_stopping fired: early-stopped at step 28");
    assert_eq!(early[0].kind, "early_stopped", "the tick's kind, which the page styles");
    assert!(all.iter().all(|m| !m.title.contains("converged")), "{all:?}");
}

#[test]
fn a_chart_draws_its_cursor_at_the_scrubbed_step() {
    let session = finished_session();
    let (series, mut options) = curve_series(&session, "loss", false, true, 0.0).expect("loss chart");
    let mut svg = String::new();
    let plain = {
        let root = SVGBackend::with_string(&mut svg, (400, 240)).into_drawing_area();
        draw_curves(&root, &series, &options).expect("drawn")
    };
    assert_eq!(plain.cursor, None);
    options.cursor = Some(10.0);
    let mut svg = String::new();
    let layout = {
        let root = SVGBackend::with_string(&mut svg, (400, 240)).into_drawing_area();
        draw_curves(&root, &series, &options).expect("drawn")
    };
    let x = layout.cursor.expect("a cursor inside the plot");
    let expected = layout.pixel_of_step(10.0).expect("on the axis");
    assert!((x - expected).abs() <= 0.5, "{x} vs {expected}");
    assert!(f64::from(layout.plot[0]) < x && x < f64::from(layout.plot[2]));
}

#[test]
fn a_step_size_criterion_is_marked_on_the_step_size_chart_even_when_the_steps_reach_zero() {
    // Newton on a quadratic reaches the minimum in one step; every later step is exactly 0, so
    // the step-size test fires after the update it measured and a log axis cannot draw its
    // value. Its moment must still be there, at the measured update (value 0, drawn at the
    // bottom edge with a down arrow by the chart).
    let config = r#"{"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "newton", "x0": [1, 1], "optimizer": {"name": "Newton"}}],
        "stop": {"max_steps": 100, "grad_norm": null, "loss_plateau": null}}"#;
    let mut session = Session::from_json(config).expect("valid config");
    session.step(100);
    let run = &session.runs()[0];
    assert!(matches!(run.status(), convergence::run::monitor::Status::Converged { .. }), "{:?}", run.status());
    let (series, _) = curve_series(&session, "delta_norm", false, true, 0.0).expect("step-size chart");
    let moment = series[0].moments.iter().find(|m| m.label == "‖Δw‖ < tol").expect("the step-size test is marked");
    assert_eq!(moment.at.1, 0.0, "the measured update was exactly 0: {moment:?}");
}

#[test]
fn a_divergence_is_marked_at_the_last_finite_value_and_not_at_all_without_one() {
    // "too fast" blows up after some finite steps: its cross sits on its last finite loss. A run
    // whose loss is undefined at its start has no finite value, so no cross is drawn (not one at
    // an invented 0).
    let session = finished_session();
    let (series, _) = curve_series(&session, "loss", false, false, 0.0).expect("loss chart");
    let (at, value) = series[1].divergence.expect("the diverged run is marked");
    let last_finite = series[1].points.iter().rev().find(|p| p.1.is_finite()).expect("finite steps");
    assert_eq!(value, last_finite.1);
    assert!(at >= last_finite.0, "{at} vs {last_finite:?}");
    let config = r#"{"problem": {"name": "custom", "f": "log(x) + y^2"},
        "runs": [{"label": "gd", "x0": [-4, 3], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#;
    let mut session = Session::from_json(config).expect("valid config");
    session.step(10);
    assert!(matches!(session.runs()[0].status(), convergence::run::monitor::Status::Diverged { at_step: 0, .. }));
    let (series, _) = curve_series(&session, "loss", false, false, 0.0).expect("loss chart");
    assert_eq!(series[0].divergence, None);
}

#[test]
fn a_run_ended_by_the_update_test_shows_its_live_last_point_when_scrubbed_to_its_end() {
    // An lr halved every step: the updates die out and the ||Δw|| test ends the run at the
    // step its last update reached, a point the history never recorded (no loss was computed
    // there). Scrubbed at or past that step, the status line is the live one, at that step;
    // one step earlier it is the recorded point (a tester saw "at step 1223" for a run that
    // converged at 1224, with another loss).
    use convergence::run::timeline::states_at;
    let mut session = Session::from_json(
        r#"{"problem": {"name": "quadratic", "a": 1, "b": 10}, "runs": [{"label": "halving", "x0": [-4, 1],
            "optimizer": {"name": "SGD", "lr": 0.05}, "schedule": {"name": "ExponentialLR", "gamma": 0.5}}],
            "stop": {"grad_norm": null}}"#,
    )
    .expect("valid config");
    session.step(5000);
    let snapshot: serde_json::Value = serde_json::from_str(&session.snapshot().to_json()).expect("snapshot JSON");
    assert_eq!(snapshot["runs"][0]["status"]["criterion"], "param_change", "{snapshot}");
    let run = &session.runs()[0];
    let end = run.step();
    assert!(run.history().last().is_some_and(|p| p.step == end - 1), "the last update's point is not recorded");
    for at in [end, end + 1000] {
        let state = &states_at(session.runs(), session.problem(), at)[0];
        assert_eq!(state.step, Some(end), "at {at}");
        assert_eq!(state.loss, snapshot["runs"][0]["loss"].as_f64().expect("a loss"), "at {at}");
        assert!(state.text.starts_with(&format!("at step {end}: loss ")), "{}", state.text);
    }
    let before = &states_at(session.runs(), session.problem(), end - 1)[0];
    assert_eq!(before.step, Some(end - 1));
    assert_eq!(before.loss, run.history().last().map(|p| p.loss).expect("a point"));
}
