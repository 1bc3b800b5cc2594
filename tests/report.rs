//! Classification of end points (`report::classify`): a stationary point with a mixed-sign
//! Hessian is a saddle, never a minimum; a positive-definite one at a minimum of
//! `tests/reference/minima.json` is global or local as the file says; a point with a clear
//! gradient is a slope whatever its curvature.

use std::f64::consts::PI;

use convergence::problem::Problem;
use convergence::run::report::{classify, EndKind};
use convergence::run::session::Session;

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
