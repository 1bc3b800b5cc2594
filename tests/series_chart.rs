//! The generic series chart of the analyses (`chart::series`): a JSON spec read into series and
//! options, drawn as SVG and checked in what plotters drew: every series in its colour, the
//! bands filled, the labelled vertical lines at their x with their legend entries, the shaded
//! range, and the legend over no data.

use convergence::chart::curves::{draw_curves, ChartLayout};
use convergence::chart::series::from_spec;
use plotters::prelude::*;
use serde_json::{json, Value};

/// Draws `spec` as an SVG of `width` x 260 and returns the text and the layout.
fn svg(spec: &Value, width: u32) -> (String, ChartLayout) {
    svg_sized(spec, width, 260)
}

/// Draws `spec` as an SVG of `width` x `height`.
fn svg_sized(spec: &Value, width: u32, height: u32) -> (String, ChartLayout) {
    let (series, options) = from_spec(spec);
    let mut text = String::new();
    let layout = {
        let root = plotters_svg::SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        draw_curves(&root, &series, &options).unwrap_or_else(|e| panic!("the chart draws: {e}"))
    };
    (text, layout)
}

/// A sweep-like spec: two runs' final loss against a log grid of learning rates, with the
/// bounds 2/L and 2/(L + mu) of the bowl a = 1, b = 10.
fn sweep_spec() -> Value {
    let lrs: Vec<f64> = (0..12).map(|k| 1e-3 * 10f64.powf(f64::from(k) / 5.0)).collect();
    let gd: Vec<f64> = lrs.iter().map(|lr| (1.0 - lr).abs().powi(40)).collect();
    let adam: Vec<f64> = lrs.iter().map(|lr| 0.5 / (1.0 + 100.0 * lr)).collect();
    json!({"log_x": true, "x_from_one": true, "log_y": true, "x_label": "learning rate",
        "series": [{"label": "gd", "style": 0, "x": lrs, "y": gd, "markers": true},
                   {"label": "adam", "style": 1, "color": "#123456", "x": lrs, "y": adam, "markers": true}],
        "vlines": [{"x": 0.2, "label": "2/L"}, {"x": 2.0 / 11.0, "label": "2/(L+μ)"}]})
}

#[test]
fn a_spec_becomes_series_and_options() {
    let (series, options) = from_spec(&sweep_spec());
    assert_eq!(series.len(), 2);
    assert_eq!(series[0].label, "gd");
    assert_eq!(series[0].color, (0xe6, 0x9f, 0x00), "style 0 takes the palette's first colour");
    assert_eq!(series[1].color, (0x12, 0x34, 0x56), "a given colour wins");
    assert_ne!(series[0].dash, series[1].dash, "each style has its own dash");
    assert_eq!(series[0].criterion_markers.len(), 12, "markers on every point");
    assert!(options.log_x && options.log_y && options.x_from_one);
    assert_eq!(options.vlines, vec![0.2, 2.0 / 11.0]);
    assert_eq!(options.vline_labels, vec!["2/L".to_string(), "2/(L+μ)".to_string()]);
    // Non-numbers (JSON null, as JavaScript writes NaN) leave their point out; a bad shade is none.
    let (series, options) =
        from_spec(&json!({"series": [{"x": [1, 2, null, 4], "y": [1, null, 3, 4]}], "shade": [2, 1]}));
    assert_eq!(series[0].points, vec![(1.0, 1.0), (4.0, 4.0)]);
    assert_eq!(options.shade, None);
    // Nothing at all still draws an empty chart.
    let (series, _) = from_spec(&json!({}));
    assert!(series.is_empty());
}

#[test]
fn the_sweep_chart_draws_its_runs_bounds_in_the_legend_and_a_clear_legend() {
    for width in [300, 640] {
        let (text, layout) = svg(&sweep_spec(), width);
        assert!(text.contains("#E69F00") && text.contains("#123456"), "both runs are drawn");
        // Each bound is a dark dashed line with its own legend entry: the legend names both.
        for label in ["2/L", "2/(L+μ)", "gd", "adam"] {
            assert!(text.lines().any(|l| l.trim() == label), "{width} px: {label} is in the legend");
        }
        assert!(layout.legend.is_some());
        assert_eq!(layout.legend_hits, 0, "{width} px: the legend covers no data");
        // 2/L = 0.2 is where the layout says: log10(0.2) on the x axis (the x range holds it,
        // though the data end at 0.158).
        let span = layout.x_range[1] - layout.x_range[0];
        let expected = layout.x_pixels[0]
            + (0.2f64.log10() - layout.x_range[0]) / span * (layout.x_pixels[1] - layout.x_pixels[0]);
        let drawn: Vec<f64> = text
            .split('<')
            .filter(|e| e.contains("stroke=\"#5A5A5A\""))
            .filter_map(|e| {
                // The vertical dashes only (the legend's samples in the same grey are horizontal).
                let points = e.split("points=\"").nth(1)?.split('"').next()?;
                let xs: Vec<f64> =
                    points.split_whitespace().filter_map(|p| p.split(',').next()?.parse().ok()).collect();
                (xs.len() == 2 && xs[0] == xs[1]).then_some(xs[0])
            })
            .collect();
        assert!(drawn.iter().any(|x| (x - expected).abs() <= 1.0), "{width} px: 2/L at {expected}, lines at {drawn:?}");
        // Neither bound line passes under the legend box.
        let legend = layout.legend.unwrap_or_default();
        assert!(
            drawn.iter().all(|x| *x < f64::from(legend[0]) || *x > f64::from(legend[2]) || layout.legend_outside),
            "{width} px: a bound under the legend {legend:?}: {drawn:?}"
        );
    }
}

#[test]
fn bands_widen_the_range_and_are_filled_under_the_mean() {
    let steps: Vec<f64> = (0..50).map(f64::from).collect();
    let mean: Vec<f64> = steps.iter().map(|t| 1.0 / (1.0 + t)).collect();
    let spec = json!({"x_label": "step",
        "series": [{"label": "mean", "style": 2, "x": steps, "y": mean}],
        "bands": [{"style": 2, "x": steps, "low": mean.iter().map(|m| m - 0.5).collect::<Vec<_>>(),
                   "high": mean.iter().map(|m| m + 0.5).collect::<Vec<_>>(), "opacity": 0.3}],
        "shade": [10, 20]});
    let (text, layout) = svg(&spec, 400);
    assert!(text.contains("opacity=\"0.3\" fill=\"#009E73\""), "the band is filled in the style's colour");
    // The y axis reaches the band's low edge (about -0.5), below every point of the mean.
    assert!(text.lines().any(|l| l.trim().starts_with("-0.")), "a negative y tick: the range includes the band");
    assert!(text.contains("opacity=\"0.12\" fill=\"#009E73\""), "the shaded range is drawn");
    assert_eq!(layout.legend_hits, 0);
    let (_, options) = from_spec(&spec);
    assert_eq!(options.bands.len(), 1);
    assert_eq!(options.bands[0].points.len(), 50);
    assert_eq!(options.shade, Some([10.0, 20.0]));
}

#[test]
fn an_automatic_log_axis_takes_more_than_two_decades() {
    let spec = |ys: Vec<f64>| json!({"log_y": "auto", "series": [{"x": [1, 2, 3], "y": ys}]});
    assert!(from_spec(&spec(vec![1.0, 0.5, 0.009])).1.log_y, "111 times: log");
    assert!(!from_spec(&spec(vec![1.0, 0.5, 0.011])).1.log_y, "91 times: linear");
    assert!(!from_spec(&spec(vec![1.0, 0.0, -5.0])).1.log_y, "one positive value: linear");
    assert!(from_spec(&json!({"log_y": true})).1.log_y && !from_spec(&json!({})).1.log_y);
}

/// The labels plotters drew left of the plot (the y axis's ticks), top to bottom.
fn y_tick_labels(text: &str, layout: &ChartLayout) -> Vec<String> {
    let mut labels = Vec::new();
    for piece in text.split("<text").skip(1) {
        let x: f64 = piece
            .split("x=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::MAX);
        let label = piece.split('>').nth(1).and_then(|r| r.split('<').next()).unwrap_or("");
        if x < f64::from(layout.plot[0]) && !label.is_empty() {
            labels.push(label.trim().to_string());
        }
    }
    labels
}

#[test]
fn a_linear_axis_of_tiny_values_still_has_a_scale() {
    // PBT's best objective on Himmelblau: 3.2e-30, then exactly 0. plotters alone gave this
    // axis one tick, "-1.893e-31".
    let spec = json!({"series": [{"label": "best", "x": [200, 400, 600], "y": [3.1554436208840472e-30, 0.0, 0.0]}]});
    let (text, layout) = svg(&spec, 400);
    let labels = y_tick_labels(&text, &layout);
    assert!(labels.len() >= 3, "a scale of several ticks: {labels:?}");
    assert!(labels.iter().any(|l| l == "0"), "0 is on the axis: {labels:?}");
    assert!(labels.iter().all(|l| !l.starts_with('-')), "non-negative data on a non-negative axis: {labels:?}");
    // Values near 1 that differ by 1e-14 (a flat line at the scale of a tick label) too.
    let spec = json!({"series": [{"label": "flat", "x": [1, 2], "y": [1.0, 1.0 + 1e-14]}]});
    let (text, layout) = svg(&spec, 400);
    assert!(y_tick_labels(&text, &layout).len() >= 3, "{:?}", y_tick_labels(&text, &layout));
}
