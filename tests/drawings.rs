//! The chart layout that the page's hover relies on, checked against what plotters drew (SVG):
//! the x of a line drawn at a step is the pixel `ChartLayout` gives for that step, and back;
//! the legend takes a corner free of data, or a band above the plot when none is.

use convergence::chart::curves::{draw_curves, ChartLayout, CurveOptions, CurveSeries};
use convergence::chart::legend::FONT_PX;
use plotters::prelude::*;

/// Draws `series` as an SVG of 400 x 200 and returns the text and the layout.
fn svg(series: &[CurveSeries], options: &CurveOptions) -> (String, ChartLayout) {
    let mut text = String::new();
    let layout = {
        let root = plotters_svg::SVGBackend::with_string(&mut text, (400, 200)).into_drawing_area();
        draw_curves(&root, series, options).expect("the chart draws")
    };
    (text, layout)
}

/// The x coordinates of the points of every SVG element stroked in `color` (`#RRGGBB`).
fn xs_of_stroke(svg: &str, color: &str) -> Vec<f64> {
    let mut xs = Vec::new();
    for element in svg.split('<').filter(|e| e.contains(&format!("stroke=\"{color}\""))) {
        if let Some(points) = element.split("points=\"").nth(1).and_then(|rest| rest.split('"').next()) {
            for pair in points.split_whitespace() {
                if let Some(x) = pair.split(',').next().and_then(|x| x.parse::<f64>().ok()) {
                    xs.push(x);
                }
            }
        }
        for attribute in ["x1=\"", "x2=\""] {
            if let Some(x) =
                element.split(attribute).nth(1).and_then(|r| r.split('"').next()).and_then(|x| x.parse().ok())
            {
                xs.push(x);
            }
        }
    }
    xs
}

fn line(label: &str, points: Vec<(f64, f64)>) -> CurveSeries {
    CurveSeries::new(label.into(), (230, 159, 0), points)
}

#[test]
fn the_pixel_of_a_step_is_where_plotters_drew_it_and_back() {
    for log_x in [false, true] {
        let series = vec![line("a", (0..=500).map(|s| (f64::from(s), 1.0 + f64::from(s) * 0.01)).collect())];
        let options = CurveOptions { log_x, vlines: vec![250.0], ..CurveOptions::default() };
        let (text, layout) = svg(&series, &options);
        // The rung line is drawn in #BEBEBE at step 250 (log10(251) on a log axis).
        let xs = xs_of_stroke(&text, "#BEBEBE");
        assert!(!xs.is_empty(), "the vertical line is in the SVG");
        let drawn = xs[0];
        assert!(xs.iter().all(|x| (x - drawn).abs() < 0.5), "one vertical line: {xs:?}");
        let predicted = layout.pixel_of_step(250.0).expect("a pixel");
        assert!((predicted - drawn).abs() <= 1.0, "log_x {log_x}: drawn at {drawn}, layout says {predicted}");
        let step = layout.step_at(drawn).expect("inside the plot");
        let per_pixel = if log_x { 251.0 * (501f64.log10() / 324.0) * std::f64::consts::LN_10 } else { 500.0 / 324.0 };
        assert!((step - 250.0).abs() <= 1.5 * per_pixel, "log_x {log_x}: step {step} under x {drawn}");
        assert!(layout.step_at(f64::from(layout.plot[0]) - 3.0).is_none(), "left of the plot is no step");
    }
}

#[test]
fn the_legend_takes_a_corner_without_data() {
    // A curve falling from the top left to the bottom right leaves the top right and bottom
    // left free; the legend takes the top right and covers no point.
    let series = vec![
        line("falling", (0..=100).map(|s| (f64::from(s), 100.0 - f64::from(s))).collect()),
        line("also falling", (0..=100).map(|s| (f64::from(s), 95.0 - f64::from(s))).collect()),
    ];
    let (_, layout) = svg(&series, &CurveOptions::default());
    let legend = layout.legend.expect("a legend");
    assert!(!layout.legend_outside);
    assert_eq!(layout.legend_hits, 0);
    assert!(
        legend[0] > (layout.plot[0] + layout.plot[2]) / 2 && legend[1] < (layout.plot[1] + layout.plot[3]) / 2,
        "{legend:?}"
    );
    // A curve hugging the top edge pushes it to a bottom corner.
    let flat_top = vec![
        line("high", (0..=100).map(|s| (f64::from(s), 10.0 - 1e-3 * f64::from(s))).collect()),
        line("low", vec![(0.0, 0.0), (100.0, 0.0)]),
    ];
    let (_, layout) = svg(&flat_top, &CurveOptions::default());
    assert!(layout.legend_outside || layout.legend_hits == 0, "{layout:?}");
}

#[test]
fn with_no_free_corner_the_legend_goes_above_the_plot() {
    // Lines along the top and bottom of the plot and a zig-zag through the middle: every corner
    // is taken.
    let zig: Vec<(f64, f64)> = (0..=40).map(|s| (f64::from(s), if s % 2 == 0 { 0.0 } else { 10.0 })).collect();
    let series = vec![line("zig-zag", zig), line("top", vec![(0.0, 10.0), (40.0, 10.0)])];
    let (_, layout) = svg(&series, &CurveOptions::default());
    let legend = layout.legend.expect("a legend");
    assert!(layout.legend_outside, "{layout:?}");
    assert!(legend[3] <= layout.plot[1], "the band {legend:?} ends above the plot {:?}", layout.plot);
    assert!(legend[3] - legend[1] >= FONT_PX as i32, "one row at least");
}

#[test]
fn key_moments_are_labelled_where_they_cover_no_data() {
    let mut series = line("run", (0..=100).map(|s| (f64::from(s), (100 - s) as f64)).collect());
    series.moments.push(convergence::chart::curves::Moment { at: (50.0, 50.0), label: "plateau".into() });
    series.divergence = Some((100.0, 0.0));
    let (_, layout) = svg(&[series], &CurveOptions::default());
    let names: Vec<&str> = layout.moments.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["plateau", "diverged"]);
    for (name, rect) in &layout.moments {
        assert!(rect[0] >= layout.plot[0] && rect[2] <= layout.plot[2], "{name} inside the plot: {rect:?}");
    }
}

#[test]
fn a_long_title_shrinks_to_fit_instead_of_being_clipped() {
    let mut text = String::new();
    let layout = {
        let root = plotters_svg::SVGBackend::with_string(&mut text, (240, 160)).into_drawing_area();
        let options = CurveOptions {
            title: "each member's learning rate (jumps: exploit and explore)".into(),
            ..CurveOptions::default()
        };
        draw_curves(&root, &[line("a", vec![(0.0, 1.0), (1.0, 2.0)])], &options).expect("the chart draws")
    };
    let title = layout.title.expect("a title");
    assert!(title[0] >= 0 && title[2] <= 240, "the title {title:?} fits in 240 px");
}

#[test]
fn key_moment_labels_keep_out_of_a_corner_legend() {
    // Two falling lines leave the top right free for the legend; a key moment is put at each of
    // many places around that corner, one chart each, and its label must never sit under the
    // legend (it may move to another side of its marker, or be left out).
    let mut checked = 0;
    for x in (40..=100).step_by(5) {
        for y in (40..=100).step_by(5) {
            let mut series = line("falling", (0..=100).map(|s| (f64::from(s), 100.0 - f64::from(s))).collect());
            series.moments.push(convergence::chart::curves::Moment {
                at: (f64::from(x), f64::from(y)),
                label: "best validation".into(),
            });
            let other = line("also falling", (0..=100).map(|s| (f64::from(s), 95.0 - f64::from(s))).collect());
            let (_, layout) = svg(&[series, other], &CurveOptions::default());
            let Some(legend) = layout.legend.filter(|_| !layout.legend_outside) else { continue };
            for (name, r) in &layout.moments {
                let overlaps = legend[0] < r[2] && r[0] < legend[2] && legend[1] < r[3] && r[1] < legend[3];
                assert!(!overlaps, "moment at ({x}, {y}): {name} {r:?} under the legend {legend:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "labels drawn and checked: {checked}");
}
