//! Helpers shared by the integration tests: reference numbers and the list of landscapes.
// Each test crate compiles this module and uses a part of it.
#![allow(dead_code)]

use serde_json::Value;

/// A reference number: finite floats, or the strings "inf", "-inf", "nan".
pub fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) if s == "nan" => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

/// The mixed rule: |mine - reference| <= tol * max(1, |reference|); non-finite values must
/// match exactly.
pub fn close(mine: f64, reference: f64, tol: f64) -> bool {
    if !reference.is_finite() || !mine.is_finite() {
        return (reference.is_nan() && mine.is_nan()) || reference == mine;
    }
    (mine - reference).abs() <= tol * reference.abs().max(1.0)
}

/// Every 2-D landscape, by its config name.
pub const LANDSCAPES: [&str; 14] = [
    "quadratic",
    "rosenbrock",
    "himmelblau",
    "rastrigin",
    "beale",
    "booth",
    "three_hump_camel",
    "six_hump_camel",
    "styblinski_tang",
    "goldstein_price",
    "ackley",
    "saddle",
    "matyas",
    "mccormick",
];
