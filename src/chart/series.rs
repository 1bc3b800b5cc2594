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
//! `style` is a run index: its palette colour (unless `color` is given), dash and marker
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
    let series = items(spec, "series")
        .iter()
        .map(|item| {
            let style = style_of(item);
            let points: Vec<(f64, f64)> = numbers(item, "x")
                .into_iter()
                .zip(numbers(item, "y"))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            let mut s = CurveSeries::new(text(item, "label"), style.color, Vec::new());
            s.dash = style.dash;
            s.marker = style.marker;
            if flag(item, "markers") {
                s.criterion_markers = points.clone();
            }
            s.points = points;
            s
        })
        .collect();
    let bands = items(spec, "bands")
        .iter()
        .map(|item| {
            let (x, low, high) = (numbers(item, "x"), numbers(item, "low"), numbers(item, "high"));
            Band {
                points: x.iter().zip(&low).zip(&high).map(|((x, l), h)| (*x, *l, *h)).collect(),
                color: style_of(item).color,
                opacity: item.get("opacity").and_then(Value::as_f64).unwrap_or(0.2).clamp(0.0, 1.0),
            }
        })
        .collect();
    let vlines = items(spec, "vlines");
    let shade = numbers(spec, "shade");
    let options = CurveOptions {
        log_x: flag(spec, "log_x"),
        log_y: flag(spec, "log_y"),
        x_from_one: flag(spec, "x_from_one"),
        x_label: text(spec, "x_label"),
        vlines: vlines.iter().map(|v| v.get("x").and_then(Value::as_f64).unwrap_or(f64::NAN)).collect(),
        vline_labels: vlines.iter().map(|v| text(v, "label")).collect(),
        bands,
        shade: match shade.as_slice() {
            [a, b] if a < b => Some([*a, *b]),
            _ => None,
        },
        ..CurveOptions::default()
    };
    (series, options)
}
