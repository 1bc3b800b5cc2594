//! The visitor's own function (`{"name": "custom", "f": "..."}`): the parser's errors and their
//! positions, its limits, exact derivatives against closed forms and finite differences, and
//! the config, validation and URL round trip.

use convergence::config::urlstate::{decode, encode};
use convergence::config::Experiment;
use convergence::math;
use convergence::problem::{Expression, ProblemConfig};
use serde_json::json;

/// The character of a parse error and its message.
fn error_of(text: &str) -> (usize, String) {
    match Expression::parse(text) {
        Ok(_) => panic!("`{text}` should not parse"),
        Err(e) => (e.position, e.message),
    }
}

#[test]
fn errors_name_the_character_where_the_text_went_wrong() {
    let cases: [(&str, usize, &str); 12] = [
        ("", 1, "expected a number"),
        ("x +", 4, "found the end"),
        ("x + * y", 5, "found '*'"),
        ("sin x", 5, "expected '(' after the function sin"),
        ("(x + y", 7, "expected ')' to close the '(' at character 1"),
        ("z * 2", 1, "unknown name 'z'"),
        ("2x", 2, "expected an operator"),
        ("min(x)", 6, "min takes two arguments"),
        ("x $ y", 3, "expected an operator"),
        ("sin(x))", 7, "found ')'"),
        ("1e400 * x", 1, "not a finite number"),
        ("cos(x, y)", 6, "expected ')'"),
    ];
    for (text, position, words) in cases {
        let (at, message) = error_of(text);
        assert_eq!(at, position, "`{text}`: {message}");
        assert!(message.contains(words), "`{text}`: `{message}` should contain `{words}`");
    }
    // The displayed error starts with the position.
    let shown = Expression::parse("x ^").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(shown.starts_with("at character 4: "), "{shown}");
}

#[test]
fn length_and_depth_are_limited() {
    let long = "x".repeat(convergence::config::limits::MAX_EXPRESSION_CHARS + 1);
    assert!(error_of(&long).1.contains("at most 500 characters"));
    let just_fits = format!("x{}", " ".repeat(convergence::config::limits::MAX_EXPRESSION_CHARS - 1));
    assert!(Expression::parse(&just_fits).is_ok());
    // Deep parentheses, long chains of unary minus and of powers, and long sums are all bounded.
    let parens = format!("{}x{}", "(".repeat(200), ")".repeat(200));
    let minus = format!("{}x", "-".repeat(200));
    let powers = format!("x{}", "^x".repeat(100));
    let sum = format!("x{}", "+x".repeat(100));
    for text in [parens, minus, powers, sum] {
        let (_, message) = error_of(&text);
        assert!(message.contains("nested more than 64"), "{message}");
    }
    // A realistic function is far from the limits.
    assert!(Expression::parse("sin(x)*cos(y) + 0.1*(x^2 + y^2) - exp(-((x-1)^2 + (y+1)^2))").is_ok());
}

#[test]
fn precedence_and_associativity_follow_the_usual_rules() {
    let value = |text: &str| Expression::parse(text).map(|e| e.value(2.0, 3.0)).unwrap_or(f64::NAN);
    assert_eq!(value("-x^2"), -4.0);
    assert_eq!(value("2^3^2"), 512.0);
    assert_eq!(value("x**y"), 8.0);
    assert_eq!(value("x - y - 1"), -2.0);
    assert_eq!(value("12 / x / y"), 2.0);
    assert_eq!(value("1 + x * y"), 7.0);
    assert_eq!(value("2^-1"), 0.5);
    assert_eq!(value("min(x, y) + max(x, y)"), 5.0);
    assert_eq!(value("pi"), std::f64::consts::PI);
    assert_eq!(value("e"), std::f64::consts::E);
    assert_eq!(value("1.5e-3 * 1E3"), 1.5);
    assert_eq!(value(" abs( - x ) "), 2.0);
}

#[test]
fn the_value_is_the_libm_value_bit_for_bit() {
    let e = Expression::parse("sin(x)*cos(y) + 0.1*(x^2 + y^2)").unwrap_or_else(|e| panic!("{e}"));
    for (x, y) in [(0.3, -1.2), (2.5, 4.0), (-3.0, 0.7)] {
        let expected = math::sin(x) * math::cos(y) + 0.1 * (math::pow(x, 2.0) + math::pow(y, 2.0));
        assert_eq!(e.value(x, y).to_bits(), expected.to_bits());
    }
}

#[test]
fn derivatives_match_the_closed_forms() {
    // f = x^2*y + sin(x)*exp(y): f_x = 2xy + cos(x)e^y, f_y = x^2 + sin(x)e^y,
    // f_xx = 2y - sin(x)e^y, f_xy = 2x + cos(x)e^y, f_yy = sin(x)e^y.
    let e = Expression::parse("x^2*y + sin(x)*exp(y)").unwrap_or_else(|e| panic!("{e}"));
    for (x, y) in [(0.7f64, -0.4f64), (-1.3, 0.9), (2.0, 0.0)] {
        let (s, c, ey) = (x.sin(), x.cos(), y.exp());
        let d = e.eval(x, y);
        let expected = [2.0 * x * y + c * ey, x * x + s * ey, 2.0 * y - s * ey, 2.0 * x + c * ey, s * ey];
        let got = [d.d[0], d.d[1], d.h[0], d.h[1], d.h[2]];
        for (g, w) in got.iter().zip(expected) {
            assert!((g - w).abs() <= 1e-13 * (1.0 + w.abs()), "at ({x}, {y}): {got:?} vs {expected:?}");
        }
    }
}

/// Central differences of f (for the gradient) and of the exact gradient (for the Hessian).
fn finite_differences(e: &Expression, x: f64, y: f64) -> [f64; 5] {
    let h = 1e-6;
    let (xp, xm, yp, ym) = (e.eval(x + h, y), e.eval(x - h, y), e.eval(x, y + h), e.eval(x, y - h));
    [
        (xp.v - xm.v) / (2.0 * h),
        (yp.v - ym.v) / (2.0 * h),
        (xp.d[0] - xm.d[0]) / (2.0 * h),
        (yp.d[0] - ym.d[0]) / (2.0 * h),
        (yp.d[1] - ym.d[1]) / (2.0 * h),
    ]
}

#[test]
fn every_function_differentiates_like_finite_differences() {
    let functions = [
        "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
        "tan(0.3*x) - y/(1 + x^2)",
        "exp(-x^2) * log(2 + y^2)",
        "sqrt(1 + x^2 + y^4)",
        "abs(x - 0.123) + tanh(y)*x",
        "min(x^2, y + 3) + max(sin(y), 0.2*x)",
        "(1.5 + x^2)^(0.5*y)",
        "x^3 - 3*x*y^2",
        "-(x - 1)^2/(y^2 + 2)",
        "2^x * y^-2",
    ];
    let points = [(0.61, 1.37), (-1.19, 0.83), (1.77, -2.41), (-0.35, -0.52)];
    for text in functions {
        let e = Expression::parse(text).unwrap_or_else(|err| panic!("`{text}`: {err}"));
        assert_eq!(e.check_derivatives(), Ok(()), "`{text}`");
        for (x, y) in points {
            let d = e.eval(x, y);
            let exact = [d.d[0], d.d[1], d.h[0], d.h[1], d.h[2]];
            let estimate = finite_differences(&e, x, y);
            for (i, (a, b)) in exact.iter().zip(estimate).enumerate() {
                assert!((a - b).abs() <= 1e-6 * (1.0 + a.abs()), "`{text}` at ({x}, {y}), component {i}: {a} vs {b}");
            }
        }
    }
}

#[test]
fn the_plain_value_is_the_dual_value_bit_for_bit() {
    // `value` evaluates without derivatives; it must give the bits `eval` gives, everywhere,
    // undefined points (NaN) and min/max ties included.
    let functions = [
        "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
        "tan(0.3*x) - y/(1 + x^2)",
        "exp(-x^2) * log(2 + y^2) - log(x)",
        "sqrt(1 + x^2 + y^4) - sqrt(y)",
        "abs(x - 0.123) + tanh(y)*x",
        "min(x^2, y + 3) + max(sin(y), 0.2*x) - min(x, x)",
        "(1.5 + x^2)^(0.5*y) + x^y",
        "x - y - -x",
        "2^x * y^-2 / (x - y)",
    ];
    for text in functions {
        let e = Expression::parse(text).unwrap_or_else(|err| panic!("`{text}`: {err}"));
        for i in -12..=12 {
            for j in -12..=12 {
                let (x, y) = (0.37 * f64::from(i), 0.41 * f64::from(j));
                let (plain, dual) = (e.value(x, y), e.eval(x, y).v);
                assert!(
                    plain.to_bits() == dual.to_bits() || (plain.is_nan() && dual.is_nan()),
                    "`{text}` at ({x}, {y}): {plain} vs {dual}"
                );
            }
        }
    }
}

#[test]
fn himmelblau_typed_by_hand_equals_the_built_in_one() {
    let typed = ProblemConfig::Custom { f: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2".into() }.build();
    let built_in = ProblemConfig::Himmelblau {}.build();
    for w in [[0.5, -1.5], [3.0, 2.0], [-2.8, 3.1]] {
        let (mut g1, mut g2, mut h1, mut h2) = ([0.0; 2], [0.0; 2], [0.0; 4], [0.0; 4]);
        let f1 = typed.loss_grad(&w, &mut g1);
        let f2 = built_in.loss_grad(&w, &mut g2);
        typed.hessian(&w, &mut h1);
        built_in.hessian(&w, &mut h2);
        let near = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
        assert!(near(f1, f2), "{f1} vs {f2}");
        assert!(g1.iter().zip(&g2).all(|(a, b)| near(*a, *b)), "{g1:?} vs {g2:?}");
        assert!(h1.iter().zip(&h2).all(|(a, b)| near(*a, *b)), "{h1:?} vs {h2:?}");
    }
    assert_eq!(typed.formula(), "(x^2 + y - 11)^2 + (x + y^2 - 7)^2");
    assert!(typed.view_box().is_some());
}

#[test]
fn undefined_points_give_nan_not_a_panic() {
    let e = Expression::parse("log(x) + sqrt(y)").unwrap_or_else(|e| panic!("{e}"));
    assert!(e.value(-1.0, 1.0).is_nan());
    assert!(e.value(1.0, -1.0).is_nan());
    assert_eq!(e.value(1.0, 4.0), 2.0);
}

fn config(f: &str) -> serde_json::Value {
    json!({"seed": 2, "problem": {"name": "custom", "f": f},
           "runs": [{"label": "gd", "x0": [1.0, -2.0], "optimizer": {"name": "SGD", "lr": 0.05}}],
           "stop": {"max_steps": 500}})
}

#[test]
fn a_bad_function_is_reported_at_problem_f_with_its_position() {
    let errors = Experiment::from_json(&config("sin(x) + cos(").to_string()).err().map(|e| e.to_string());
    let message = errors.unwrap_or_default();
    assert!(message.contains("problem.f: at character 14: expected a number"), "{message}");
    let missing = Experiment::from_json(&json!({"problem": {"name": "custom"}, "runs": []}).to_string());
    assert!(missing.err().is_some_and(|e| e.to_string().contains("missing field `f`")));
}

#[test]
fn a_custom_function_round_trips_through_json_and_the_url() {
    let f = "sin(x)*cos(y) + 0.1*(x^2 + y^2)";
    let experiment = Experiment::from_json(&config(f).to_string()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(experiment.problem, ProblemConfig::Custom { f: f.into() });
    let again = Experiment::from_json(&experiment.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, experiment);
    let hash = encode(&experiment);
    assert!(hash.starts_with("problem=custom(f='"), "{hash}");
    assert!(hash.chars().all(|c| c.is_ascii_alphanumeric() || "-._~%&=:,;()@!'".contains(c)), "{hash}");
    assert_eq!(decode(&hash).unwrap_or_else(|e| panic!("{hash}: {e}")), experiment);
}

#[test]
fn gradient_descent_finds_the_minimum_of_a_typed_bowl() {
    let text = config("(x - 1)^2 + 2*(y + 0.5)^2").to_string();
    let experiment = Experiment::from_json(&text).unwrap_or_else(|e| panic!("{e}"));
    let mut session = convergence::run::session::Session::new(experiment);
    session.step(500);
    let run = &session.runs()[0];
    let p = run.params();
    assert!((p[0] - 1.0).abs() < 1e-6 && (p[1] + 0.5).abs() < 1e-6, "ended at {p:?}, {:?}", run.status());
    assert!(matches!(run.status(), convergence::run::monitor::Status::Converged { .. }), "{:?}", run.status());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..proptest::prelude::ProptestConfig::default() })]

    /// Any text parses or fails with a position inside it (or one past its end), never panics;
    /// a parsed function evaluates anywhere without panicking.
    #[test]
    fn any_text_parses_or_names_a_position(text in "[-+*/^(), .0-9exyainpqrtlsbcdhmo]{0,80}", x in -1e3f64..1e3, y in -1e3f64..1e3) {
        match Expression::parse(&text) {
            Ok(e) => {
                // Evaluating must not panic; the value and its derivatives may be anything.
                let d = e.eval(x, y);
                proptest::prop_assert_eq!(d.v.to_bits(), e.value(x, y).to_bits());
            }
            Err(err) => {
                let length = text.chars().count();
                proptest::prop_assert!((1..=length + 1).contains(&err.position), "{} for {:?}", err, text);
            }
        }
    }

    /// Unicode and control characters are rejected at their position, never split.
    #[test]
    fn any_unicode_is_safe(text in "\\PC{0,40}") {
        if let Err(err) = Expression::parse(&text) {
            proptest::prop_assert!(err.position <= text.chars().count() + 1);
        }
    }
}
