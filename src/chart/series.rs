//! A generic series chart described by a small JSON spec, so that the page can draw any
//! analysis's numbers (a learning-rate sweep, a range test, seed bands, a rate readout) with
//! the curve chart of `curves.rs` (its axes, legend placement and key moments) without a
//! drawing function per analysis in the page's wasm. The spec is read through
//! `serde_json::Value` (no derived deserializer, which would cost the page's wasm more):
//!
//! ```json
//! {"log_x": true, "log_y": false, "x_from_one": true, "x_label": "learning rate",
//!  "series": [{"label": "gd", "style": 0, "color": "#e69f00", "x": [...], "y": [...], "markers": true}],
//!  "bands": [{"style": 0, "x": [...], "low": [...], "high": [...], "opacity": 0.2}],
//!  "vlines": [{"x": 0.2, "label": "2/L"}], "shade": [0.001, 0.1]}
//! ```
//!
//! `"log_y": "auto"` takes a log y axis when the series' positive values span more than two
//! decades (`AUTO_LOG_SPAN`). `style` is a run index: its palette colour (unless `color` is given), dash and marker
//! (`style.rs`); `markers` marks every point; `x_from_one` plots log10(x) on a log x axis
//! (log10(x + 1) otherwise, for steps counted from 0). Non-numbers (JSON `null`, as
//! `JSON.stringify` writes NaN and infinities) leave a point out.

use serde_json::Value;

use super::curves::{Band, CurveOptions, CurveSeries};
use super::style::run_style;

/// The numbers of `value[key]` (NaN for an entry that is not a number).
fn numbers(value: &Value, key: &str) -> Vec<f64> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |items| items.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The entries of `value[key]` (none when it is not an array).
fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The colour, dash and marker of an entry: its `style` index, its `color` if given.
fn style_of(item: &Value) -> super::style::RunStyle {
    let index = item.get("style").and_then(Value::as_u64).unwrap_or(0) as usize;
    run_style(item.get("color").and_then(Value::as_str), index)
}

/// The series and options a spec describes (see the header).
pub fn from_spec(spec: &Value) -> (Vec<CurveSeries>, CurveOptions) {
    // Plain loops and pushes: each iterator chain collected into a new type of vector would
    // add its own code to the page's wasm.
    let mut series = Vec::new();
    let mut values = Vec::new();
    for item in items(spec, "series") {
        let style = style_of(item);
        let mut points = Vec::new();
        for (x, y) in numbers(item, "x").into_iter().zip(numbers(item, "y")) {
            if x.is_finite() && y.is_finite() {
                points.push((x, y));
                values.push(y);
            }
        }
        let mut s = CurveSeries::new(text(item, "label"), style.color, Vec::new());
        s.dash = style.dash;
        s.marker = style.marker;
        if flag(item, "markers") {
            s.criterion_markers = points.clone();
        }
        s.points = points;
        series.push(s);
    }
    let mut bands = Vec::new();
    for item in items(spec, "bands") {
        let (x, low, high) = (numbers(item, "x"), numbers(item, "low"), numbers(item, "high"));
        let mut points = Vec::new();
        for (i, x) in x.into_iter().enumerate() {
            if let (Some(l), Some(h)) = (low.get(i), high.get(i)) {
                points.push((x, *l, *h));
            }
        }
        let opacity = item.get("opacity").and_then(Value::as_f64).unwrap_or(0.2).clamp(0.0, 1.0);
        bands.push(Band { points, color: style_of(item).color, opacity });
    }
    let mut vlines = Vec::new();
    let mut vline_labels = Vec::new();
    for line in items(spec, "vlines") {
        vlines.push(line.get("x").and_then(Value::as_f64).unwrap_or(f64::NAN));
        vline_labels.push(text(line, "label"));
    }
    let shade = numbers(spec, "shade");
    let log_y = match spec.get("log_y") {
        Some(Value::String(auto)) if auto == "auto" => spans_decades(&values),
        _ => flag(spec, "log_y"),
    };
    let options = CurveOptions {
        log_x: flag(spec, "log_x"),
        log_y,
        x_from_one: flag(spec, "x_from_one"),
        x_label: text(spec, "x_label"),
        vlines,
        vline_labels,
        bands,
        shade: match shade.as_slice() {
            [a, b] if a < b => Some([*a, *b]),
            _ => None,
        },
        ..CurveOptions::default()
    };
    (series, options)
}

/// The ratio of the largest to the smallest positive value above which `"log_y": "auto"` takes
/// a log axis: more than two decades.
pub const AUTO_LOG_SPAN: f64 = 100.0;

/// True when the positive values span more than `AUTO_LOG_SPAN` (at least two of them).
fn spans_decades(values: &[f64]) -> bool {
    let (mut low, mut high, mut count) = (f64::INFINITY, 0.0f64, 0);
    for &v in values {
        if v > 0.0 {
            low = low.min(v);
            high = high.max(v);
            count += 1;
        }
    }
    count >= 2 && high > AUTO_LOG_SPAN * low
}
