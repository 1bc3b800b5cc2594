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

/// The y coordinates of the points of every SVG polyline stroked in `color` (`#RRGGBB`).
fn ys_of_stroke(svg: &str, color: &str) -> Vec<f64> {
    svg.split('<')
        .filter(|e| e.contains(&format!("stroke=\"{color}\"")))
        .filter_map(|e| e.split("points=\"").nth(1).and_then(|rest| rest.split('"').next()))
        .flat_map(|points| {
            points.split_whitespace().filter_map(|pair| pair.split(',').nth(1)?.parse::<f64>().ok()).collect::<Vec<_>>()
        })
        .collect()
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
fn the_legend_keeps_off_the_tolerance_lines() {
    // A curve along the top and a tolerance line low in the plot (where the bottom corners'
    // boxes would sit): the legend covers neither.
    let flat = line("run", (0..=100).map(|s| (f64::from(s), 10.0 - 0.001 * f64::from(s))).collect());
    let options = CurveOptions { hlines: vec![1.0], ..CurveOptions::default() };
    let (text, layout) = svg(&[flat], &options);
    let legend = layout.legend.expect("a legend");
    let ys: Vec<f64> = text
        .split("<polyline")
        .filter(|e| e.contains("stroke=\"#969696\""))
        .flat_map(|e| e.split("points=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string))
        .flat_map(|points| {
            points.split_whitespace().filter_map(|p| p.split(',').nth(1)?.parse::<f64>().ok()).collect::<Vec<_>>()
        })
        .collect();
    assert!(!ys.is_empty(), "the tolerance line is drawn");
    for y in ys {
        assert!(
            y < f64::from(legend[1]) || y > f64::from(legend[3]),
            "the legend {legend:?} lies on the tolerance line at y {y}"
        );
    }
}

#[test]
fn key_moment_labels_are_in_their_runs_colour() {
    // Two runs at one plateau, each with a "plateau" moment: each label is written in its own
    // run's colour (darkened to read on white), so the two labels say whose they are.
    let mut blue = CurveSeries::new("blue".into(), (86, 180, 233), (0..=100).map(|s| (f64::from(s), 5.0)).collect());
    let mut pink = CurveSeries::new("pink".into(), (204, 121, 167), (0..=100).map(|s| (f64::from(s), 5.2)).collect());
    blue.moments.push(convergence::chart::curves::Moment { at: (100.0, 5.0), label: "plateau".into() });
    pink.moments.push(convergence::chart::curves::Moment { at: (90.0, 5.2), label: "plateau".into() });
    let (text, layout) = svg(&[blue, pink], &CurveOptions::default());
    assert_eq!(layout.moments.len(), 2, "{layout:?}");
    let fills: Vec<String> = text
        .split("<text")
        .skip(1)
        .filter(|t| t.contains(">\nplateau\n<"))
        .filter_map(|t| t.split("fill=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string))
        .collect();
    let ink = |c: (u8, u8, u8)| {
        let (r, g, b) = convergence::chart::style::text_on_white(c);
        format!("#{r:02X}{g:02X}{b:02X}")
    };
    assert_eq!(fills, [ink((86, 180, 233)), ink((204, 121, 167))]);
    assert_ne!(fills[0], fills[1]);
}

#[test]
fn curves_that_run_together_are_nested_and_others_are_not() {
    // Two losses at the same values all along (and a third far below): the one drawn first is
    // wider, so that the one on top runs inside it and both colours show.
    let falling = |offset: f64| (0..=100).map(move |s| (f64::from(s), 100.0 - f64::from(s) + offset)).collect();
    let series = vec![line("a", falling(0.0)), line("b", falling(0.5)), line("c", falling(-60.0))];
    let (text, layout) = svg(&series, &CurveOptions::default());
    assert_eq!(layout.widths, vec![4, 2, 2], "{layout:?}");
    assert!(text.contains("stroke-width=\"4\""), "the wide line is drawn 4 px wide");
    // The line inside runs over a pale casing 4 px wide, so that it stands apart from the wide
    // line around it even in one colour.
    assert!(text.contains("stroke=\"#FFFFFF\" stroke-width=\"4\""), "a pale casing under the inner line");
    let same_colour =
        vec![line("training", falling(0.0)), CurveSeries { dash: Some((6, 4)), ..line("validation", falling(0.3)) }];
    assert_eq!(svg(&same_colour, &CurveOptions::default()).1.widths, vec![4, 2]);
    // Curves apart are all plain.
    let apart = vec![line("a", falling(0.0)), line("c", falling(-60.0))];
    assert_eq!(svg(&apart, &CurveOptions::default()).1.widths, vec![2, 2]);
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

/// Draws `runs` over `view` as an SVG of `size` and returns the paths' layout.
fn paths_layout(
    view: convergence::problem::ViewBox,
    runs: &[convergence::chart::paths::PathSeries],
    minima: &[convergence::problem::KnownMinimum],
    size: (u32, u32),
) -> convergence::chart::paths::PathsLayout {
    let mut text = String::new();
    let root = plotters_svg::SVGBackend::with_string(&mut text, size).into_drawing_area();
    convergence::chart::paths::draw_paths_layout(&root, view, runs, minima, None).expect("the paths draw")
}

fn path_run(index: usize, points: Vec<(f64, f64)>, diverged: bool) -> convergence::chart::paths::PathSeries {
    convergence::chart::paths::PathSeries {
        style: convergence::chart::style::run_style(None, index),
        current: points[points.len() - 1],
        start: points[0],
        points,
        finished: true,
        diverged,
    }
}

fn global_minimum(x: [f64; 2]) -> convergence::problem::KnownMinimum {
    convergence::problem::KnownMinimum {
        x,
        f: 0.0,
        kind: convergence::problem::MinimumKind::Global,
        hessian_eigenvalues: [1.0, 1.0],
    }
}

fn overlap(a: [i32; 4], b: [i32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

#[test]
fn an_end_just_short_of_the_minimum_shows_apart_from_one_on_it() {
    // Adam against SGD on Rosenbrock: one valley, SGD's end 0.01 short of the minimum at (1, 1),
    // 1 px away from Adam's at 100 px per unit.
    let view = convergence::problem::ViewBox { x: [-2.0, 2.0], y: [-1.0, 3.0] };
    let valley: Vec<(f64, f64)> = (0..=100).map(|k| -1.5 + 2.5 * f64::from(k) / 100.0).map(|x| (x, x * x)).collect();
    let mut sgd = valley.clone();
    sgd.push((1.0, 0.99));
    let runs = [path_run(0, sgd, false), path_run(1, valley, false)];
    let layout = paths_layout(view, &runs, &[global_minimum([1.0, 1.0])], (400, 400));
    let (a, b) = (layout.markers[0], layout.markers[1]);
    let apart = f64::from((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)).sqrt();
    assert!(apart >= 12.0, "the two end markers are {apart:.1} px apart: {layout:?}");
    let texts: Vec<(usize, &str)> = layout.labels.iter().map(|(run, text, _)| (*run, text.as_str())).collect();
    assert!(texts.contains(&(0, "0.01 from min")), "SGD's distance is written: {texts:?}");
    assert!(
        texts.iter().any(|(run, text)| *run == 1 && text.ends_with("e-16 from min") || *text == "0 from min"),
        "{texts:?}"
    );
    // The same paths nest: SGD's line is wider than Adam's, drawn over it.
    assert!(layout.widths[0] > layout.widths[1], "{:?}", layout.widths);
}

#[test]
fn stacked_end_markers_fan_out_whole_and_labels_cover_nothing() {
    // Two to five runs ending together at many places of the view, the corners and edges
    // included: every end marker ends up at least 12 px from every other, whole inside the
    // picture, and no distance label leaves the picture or covers another label or a marker.
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let size = (300, 240);
    let mut checked = 0;
    for count in 2..=5 {
        for ex in [-1.0, -0.97, -0.5, 0.0, 0.6, 0.98, 1.0] {
            for ey in [-1.0, -0.95, 0.0, 0.4, 0.99, 1.0] {
                let runs: Vec<_> = (0..count)
                    .map(|i| {
                        let from = (-0.8 + 0.3 * i as f64, 0.9 - 0.4 * i as f64);
                        path_run(i, vec![from, (ex + 1e-3 * i as f64, ey), (ex, ey + 1e-3 * i as f64)], false)
                    })
                    .collect();
                let layout = paths_layout(view, &runs, &[global_minimum([ex, ey])], size);
                let boxes: Vec<[i32; 4]> =
                    layout.markers.iter().map(|m| [m.0 - 5, m.1 - 5, m.0 + 6, m.1 + 6]).collect();
                for (i, m) in layout.markers.iter().enumerate() {
                    assert!(m.0 >= 5 && m.1 >= 5 && m.0 + 5 <= 300 && m.1 + 5 <= 240, "marker {i} at {m:?} is cut");
                    for (j, n) in layout.markers.iter().enumerate().take(i) {
                        let d = f64::from((m.0 - n.0).pow(2) + (m.1 - n.1).pow(2)).sqrt();
                        assert!(d >= 12.0, "{count} runs ending at ({ex}, {ey}): markers {j} and {i} {d:.1} px apart");
                    }
                }
                for (k, (run, text, r)) in layout.labels.iter().enumerate() {
                    assert!(r[0] >= 0 && r[1] >= 0 && r[2] <= 300 && r[3] <= 240, "{text} at {r:?} leaves the picture");
                    assert!(
                        !boxes.iter().any(|b| overlap(*b, *r)),
                        "run {run}'s {text} at {r:?} covers a marker {boxes:?}"
                    );
                    assert!(!layout.labels[..k].iter().any(|(_, _, q)| overlap(*q, *r)), "{text} covers another label");
                    checked += 1;
                }
                assert_eq!(layout.labels.len(), count, "{count} runs at ({ex}, {ey}): a distance missing {layout:?}");
            }
        }
    }
    assert!(checked > 200, "labels checked: {checked}");
}

#[test]
fn only_coincident_paths_are_nested() {
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let line = |y: f64| vec![(-0.9, y), (0.9, y)];
    // Three runs along one line: 6, 4 and 2 px wide; a run elsewhere stays 2 px.
    let runs = [
        path_run(0, line(0.0), false),
        path_run(1, line(0.0), false),
        path_run(2, line(0.0), false),
        path_run(3, line(0.5), false),
    ];
    let layout = paths_layout(view, &runs, &[], (300, 300));
    assert_eq!(layout.widths, vec![6, 4, 2, 2]);
    // A short jump along a long path (Newton's one step along gradient descent's) nests too.
    let runs = [
        path_run(0, vec![(-0.9, 0.0), (0.0, 0.0), (0.0, 0.9)], false),
        path_run(1, vec![(-0.9, 0.0), (0.0, 0.0)], false),
    ];
    assert_eq!(paths_layout(view, &runs, &[], (300, 300)).widths, vec![4, 2]);
}

#[test]
fn legend_rows_never_leave_the_plot_too_short() {
    // Five runs whose lines take every corner, on a phone-sized chart: the legend goes into a
    // band of rows above the plot, and the layout asks for the height that keeps the plot at
    // least MIN_PLOT_PX tall; drawn at that height, it is.
    use convergence::chart::curves::MIN_PLOT_PX;
    let zig: Vec<(f64, f64)> = (0..=40).map(|s| (f64::from(s), if s % 2 == 0 { 0.0 } else { 10.0 })).collect();
    let series: Vec<CurveSeries> = ["constant", "inverse time", "1/sqrt(t)", "exponential", "warm-up + cosine"]
        .iter()
        .map(|name| line(name, zig.clone()))
        .collect();
    let draw = |height: u32| {
        let mut text = String::new();
        let root = plotters_svg::SVGBackend::with_string(&mut text, (300, height)).into_drawing_area();
        draw_curves(&root, &series, &CurveOptions::default()).expect("the chart draws")
    };
    let small = draw(150);
    assert!(small.legend_outside, "{small:?}");
    let plot_height = small.plot[3] - small.plot[1];
    assert!(plot_height < MIN_PLOT_PX, "the band squeezes the plot: {plot_height}");
    assert_eq!(small.height_needed, 150 + MIN_PLOT_PX - plot_height);
    let grown = draw(small.height_needed as u32);
    assert!(grown.plot[3] - grown.plot[1] >= MIN_PLOT_PX, "{grown:?}");
    assert_eq!(grown.height_needed, small.height_needed, "grown enough at once");
    // A chart whose plot is tall enough asks for nothing more.
    let roomy = draw(260);
    assert_eq!(roomy.height_needed, 260);
}

#[test]
fn many_long_labels_shorten_and_the_chart_grows_once_to_a_full_plot() {
    // Sixteen runs with 50-character labels on a narrow chart (a tester's link on a phone): the
    // band of one row per run is taller than the chart. One growth to the height asked for
    // gives a plot MIN_PLOT_PX tall, and every label too wide for the chart ends in "…" and
    // fits inside it.
    use convergence::chart::curves::MIN_PLOT_PX;
    let zig: Vec<(f64, f64)> = (0..=40).map(|s| (f64::from(s), if s % 2 == 0 { 0.0 } else { 10.0 })).collect();
    let series: Vec<CurveSeries> =
        (0..16).map(|i| line(&format!("run number {i} with a rather long descriptive label"), zig.clone())).collect();
    let draw = |height: u32| {
        let mut text = String::new();
        let layout = {
            let root = plotters_svg::SVGBackend::with_string(&mut text, (220, height)).into_drawing_area();
            draw_curves(&root, &series, &CurveOptions::default()).expect("the chart draws")
        };
        (text, layout)
    };
    let (_, small) = draw(140);
    assert!(small.legend_outside, "{small:?}");
    assert!(small.height_needed > 140 + MIN_PLOT_PX, "{small:?}");
    let (text, grown) = draw(small.height_needed as u32);
    assert!(grown.plot[3] - grown.plot[1] >= MIN_PLOT_PX, "{grown:?}");
    assert_eq!(grown.height_needed, small.height_needed, "grown enough at once");
    // Measured by the backend, every cut entry fits the band (the chart's width less margins).
    let mut scratch = String::new();
    {
        use convergence::chart::legend::{Legend, LegendEntry};
        let root = plotters_svg::SVGBackend::with_string(&mut scratch, (220, 140)).into_drawing_area();
        let entries = series
            .iter()
            .map(|s| LegendEntry { label: s.label.clone(), color: (0, 0, 0), dash: None, marker: None })
            .collect();
        let legend = Legend::measure(&root, entries, 208).expect("measured");
        assert!(legend.box_size().0 <= 208, "{:?}", legend.box_size());
        assert!(legend.entries.iter().all(|e| e.label.ends_with('…') && e.label.len() < 50), "{:?}", legend.entries);
    }
    assert!(text.matches('…').count() >= 16, "every long label is cut: {text}");
    assert!(!text.contains("descriptive label\n"), "no whole 50-character label: {text}");
    // A label that fits stays whole.
    let short = [line("adam", zig.clone()), line("sgd", zig.clone())];
    let mut text = String::new();
    {
        let root = plotters_svg::SVGBackend::with_string(&mut text, (220, 140)).into_drawing_area();
        draw_curves(&root, &short, &CurveOptions::default()).expect("the chart draws");
    }
    assert!(text.contains("\nadam\n") && !text.contains("…"), "{text}");
}

#[test]
fn key_moment_labels_stay_inside_and_off_lines_markers_and_each_other() {
    // Two runs converging at the same step and value at the right edge on a tolerance line (two
    // "‖∇f‖ < tol" at one point, as in the six-hump lesson), for many values: each label lies
    // inside the plot, off both markers, off the other label, and off the tolerance line and the
    // curves wherever a free place exists (checked by where the label went).
    let mut checked = 0;
    for tol in [0.5, 1.0, 2.0, 5.0, 9.0] {
        let falling = |offset: f64| -> Vec<(f64, f64)> {
            (0..=100).map(|s| (f64::from(s), (10.0 - 0.1 * f64::from(s)).max(tol) + offset)).collect()
        };
        let mut a = line("a", falling(0.0));
        a.moments.push(convergence::chart::curves::Moment { at: (100.0, tol), label: "‖∇f‖ < tol".into() });
        let mut b = line("b", falling(0.0));
        b.moments.push(convergence::chart::curves::Moment { at: (100.0, tol), label: "‖∇f‖ < tol".into() });
        let options = CurveOptions { hlines: vec![tol], ..CurveOptions::default() };
        let (text, layout) = svg(&[a, b], &options);
        assert_eq!(layout.moments.len(), 2, "tol {tol}: both labelled: {layout:?}");
        let [pl, pt, pr, pb] = layout.plot;
        for (k, (name, r)) in layout.moments.iter().enumerate() {
            assert!(
                r[0] >= pl && r[2] <= pr && r[1] >= pt && r[3] <= pb,
                "tol {tol}: {name} {r:?} leaves the plot {:?}",
                layout.plot
            );
            for (_, q) in &layout.moments[..k] {
                assert!(!overlap(*q, *r), "tol {tol}: the labels overlap: {q:?} {r:?}");
            }
            if let Some(legend) = layout.legend.filter(|_| !layout.legend_outside) {
                assert!(!overlap(legend, *r), "tol {tol}: {name} under the legend");
            }
            checked += 1;
        }
        // Neither label strikes through the tolerance line (dashed, #969696).
        let y_line = ys_of_stroke(&text, "#969696");
        assert!(!y_line.is_empty(), "tol {tol}: the tolerance line is drawn");
        for (name, r) in &layout.moments {
            assert!(
                !y_line.iter().any(|y| f64::from(r[1]) < *y && *y < f64::from(r[3])),
                "tol {tol}: {name} {r:?} strikes through the tolerance line at {y_line:?}"
            );
        }
    }
    assert_eq!(checked, 10);
}

#[test]
fn a_label_with_no_room_beside_its_marker_moves_off_the_data() {
    // A noisy validation band (the noise-noisy lesson): every place beside the best-validation
    // marker inside the band covers the band; the label moves out of it (on a leader line).
    let noisy: Vec<(f64, f64)> = (0..=200).map(|s| (f64::from(s), if s % 2 == 0 { 4.0 } else { 6.0 })).collect();
    let mut band = CurveSeries::new("validation".into(), (0, 114, 178), noisy);
    band.moments.push(convergence::chart::curves::Moment { at: (100.0, 5.0), label: "best validation".into() });
    let floor = line("training", vec![(0.0, 0.0), (200.0, 0.0)]);
    let (text, layout) = svg(&[band, floor], &CurveOptions::default());
    let ys = ys_of_stroke(&text, "#0072B2");
    let (top, bottom) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(*y), hi.max(*y)));
    assert!(top < bottom, "the band is drawn: {ys:?}");
    let (name, r) = layout.moments.first().expect("the moment is labelled");
    assert!(f64::from(r[1]) > bottom || f64::from(r[3]) < top, "{name} {r:?} lies on the band {top}..{bottom}");
}

/// The SVG of `runs` drawn over `view` at `size`, and the paths' layout.
fn paths_svg(
    view: convergence::problem::ViewBox,
    runs: &[convergence::chart::paths::PathSeries],
    minima: &[convergence::problem::KnownMinimum],
    size: (u32, u32),
) -> (String, convergence::chart::paths::PathsLayout) {
    let mut text = String::new();
    let layout = {
        let root = plotters_svg::SVGBackend::with_string(&mut text, size).into_drawing_area();
        convergence::chart::paths::draw_paths_layout(&root, view, runs, minima, None).expect("the paths draw")
    };
    (text, layout)
}

/// A zig-zag across y = 0 of `swings` swings of half-height `amplitude(k)`, from x = -0.9 to 0.
fn zigzag(swings: usize, amplitude: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    (0..=swings)
        .map(|k| (-0.9 + 0.9 * k as f64 / swings as f64, if k % 2 == 0 { 1.0 } else { -1.0 } * amplitude(k)))
        .collect()
}

#[test]
fn zig_zags_over_one_another_are_thin_and_marked_at_their_turns() {
    // Three learning-rate schedules on a bowl: zig-zags over one another, their swings shrinking
    // at different rates. Wide nested stripes would merge into one band; each is drawn thin
    // instead (nested in 1 px steps), with its own marker at its turning points, so that each can
    // be followed.
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let runs: Vec<_> = [0.97, 0.93, 0.88]
        .iter()
        .enumerate()
        .map(|(i, rate)| path_run(i, zigzag(20, |k| 0.8 * f64::powi(*rate, k as i32)), false))
        .collect();
    let layout = paths_layout(view, &runs, &[], (300, 300));
    assert_eq!(layout.widths, vec![3, 2, 1], "zig-zags nest in 1 px steps, not 2");
    for (i, tips) in layout.tips.iter().enumerate() {
        assert!(tips.len() >= 10, "run {i} has {} tip markers", tips.len());
    }
    // The tips of the fastest-shrinking run lie inside those of the slowest (they can be told apart).
    let height = |tips: &[(i32, i32)]| tips.iter().map(|t| (t.1 - 150).abs()).max().unwrap_or(0);
    assert!(height(&layout.tips[2]) <= height(&layout.tips[0]));
    // A smooth path is neither thinned nor marked.
    let smooth = [path_run(0, vec![(-0.9, -0.9), (0.0, 0.0), (0.9, 0.2)], false)];
    let layout = paths_layout(view, &smooth, &[], (300, 300));
    assert_eq!(layout.widths, vec![2]);
    assert!(layout.tips[0].is_empty());
}

#[test]
fn every_run_stopped_away_from_a_minimum_has_its_distance_inside_the_map() {
    // A run stuck in the top right corner (its label would leave the map to the right or top),
    // one stopped short on a slope alone, one on the minimum, one diverged and one still
    // running: the two stopped away from the minimum are labelled, inside the map, on no marker.
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let size = (300, 300);
    let mut running = path_run(4, vec![(-0.9, -0.9), (-0.6, -0.8)], false);
    running.finished = false;
    let runs = [
        path_run(0, vec![(0.5, 0.3), (0.97, 0.98)], false),
        path_run(1, vec![(-0.9, 0.5), (-0.5, 0.0)], false),
        path_run(2, vec![(0.5, -0.5), (0.0, 0.0)], false),
        path_run(3, vec![(0.0, -0.5), (0.0, -2.0)], true),
        running,
    ];
    let layout = paths_layout(view, &runs, &[global_minimum([0.0, 0.0])], size);
    let labelled: Vec<usize> = layout.labels.iter().map(|(run, _, _)| *run).collect();
    assert_eq!(labelled, vec![0, 1], "{:?}", layout.labels);
    let texts: Vec<&str> = layout.labels.iter().map(|(_, text, _)| text.as_str()).collect();
    assert_eq!(texts, vec!["1.379 from min", "0.5 from min"]);
    // Stopped 0.005 short, its marker inside the minimum's ring as if it had arrived: labelled;
    // one that arrived (1e-9 off): not.
    for (end, expected) in [(0.005, vec!["0.005 from min"]), (1e-9, vec![])] {
        let alone = [path_run(0, vec![(0.3, 0.4), (end, 0.0)], false)];
        let layout = paths_layout(view, &alone, &[global_minimum([0.0, 0.0])], size);
        let texts: Vec<&str> = layout.labels.iter().map(|(_, text, _)| text.as_str()).collect();
        assert_eq!(texts, expected, "a run ending {end} from the minimum");
    }
    let markers: Vec<[i32; 4]> = layout.markers.iter().map(|m| [m.0 - 5, m.1 - 5, m.0 + 6, m.1 + 6]).collect();
    for (run, text, r) in &layout.labels {
        assert!(r[0] >= 0 && r[1] >= 0 && r[2] <= 300 && r[3] <= 300, "run {run}'s {text} at {r:?} leaves the map");
        assert!(!markers.iter().any(|m| overlap(*m, *r)), "run {run}'s {text} at {r:?} covers a marker");
    }
}

/// The length of the segment a-b inside `r`, in pixels (sampled every 0.1 px).
fn length_inside(r: [i32; 4], a: (f64, f64), b: (f64, f64)) -> f64 {
    let n = (((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt() * 10.0).ceil().max(1.0) as usize;
    let step = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt() / n as f64;
    (0..n)
        .map(|k| (k as f64 + 0.5) / n as f64)
        .map(|t| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
        .filter(|p| {
            f64::from(r[0]) <= p.0 && p.0 <= f64::from(r[2]) && f64::from(r[1]) <= p.1 && p.1 <= f64::from(r[3])
        })
        .count() as f64
        * step
}

#[test]
fn distance_labels_go_where_they_cover_the_fewest_path_pixels_and_leaders_cross_no_label() {
    // A phone-sized map crossed by paths: horizontal lines above and below each end and a
    // vertical one beside it. Every label covers no path where a free place exists, stays inside,
    // and no leader line crosses another label.
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let size = (280, 280);
    let mut runs = Vec::new();
    for (k, y) in [-0.4, 0.4].iter().enumerate() {
        runs.push(path_run(runs.len(), vec![(-1.0, *y + 0.05), (1.0, *y + 0.05)], false));
        runs.push(path_run(runs.len(), vec![(-0.8 + 0.1 * k as f64, -1.0), (0.3 - 0.1 * k as f64, *y)], false));
    }
    let (_, layout) = paths_svg(view, &runs, &[global_minimum([0.9, -0.9])], size);
    let map = convergence::chart::paths::ViewMapping { view, width: 280.0, height: 280.0 };
    let lines: Vec<((f64, f64), (f64, f64))> = runs
        .iter()
        .flat_map(|r| r.points.windows(2).map(|w| (map.to_pixel(w[0]), map.to_pixel(w[1]))).collect::<Vec<_>>())
        .collect();
    assert_eq!(layout.labels.len(), 4, "{:?}", layout.labels);
    for (run, text, r) in &layout.labels {
        let covered: f64 = lines.iter().map(|(a, b)| length_inside(*r, *a, *b)).sum();
        assert!(covered < 1.0, "run {run}'s {text} at {r:?} covers {covered:.1} px of path");
        assert!(r[0] >= 0 && r[1] >= 0 && r[2] <= 280 && r[3] <= 280, "{text} at {r:?} leaves the map");
    }
    for (a, b) in &layout.leaders {
        let (a, b) = ((f64::from(a.0), f64::from(a.1)), (f64::from(b.0), f64::from(b.1)));
        for (run, text, r) in &layout.labels {
            let inner = [r[0] + 1, r[1] + 1, r[2] - 1, r[3] - 1];
            assert!(length_inside(inner, a, b) == 0.0, "a leader {a:?}-{b:?} crosses run {run}'s {text} at {r:?}");
        }
    }
}

#[test]
fn end_markers_have_a_halo_drawn_after_every_path() {
    // Newton at the saddle: its end marker lies on gradient descent's line along y = 0. A white
    // halo under it is drawn after every path, so the line does not run through it.
    let view = convergence::problem::ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };
    let runs = [path_run(2, vec![(0.5, 0.5), (0.0, 0.0)], false), path_run(0, vec![(0.9, 0.0), (-0.9, 0.0)], true)];
    let (svg, layout) = paths_svg(view, &runs, &[], (200, 200));
    let end = layout.markers[0];
    assert_eq!(end, (100, 100));
    // The last element that draws gradient descent's orange line.
    let last_line = svg
        .match_indices("<polyline")
        .map(|(at, _)| at)
        .filter(|&at| {
            let element = svg[at..].split('>').next().unwrap_or("");
            element.contains("stroke=\"#E69F00\"") && element.contains("points=\"190,100 10,100 \"")
        })
        .last()
        .expect("the line is drawn");
    // A white-filled shape around Newton's end (its halo, taller than the 5 px marker), after
    // that line.
    let halo = svg.match_indices("<polygon").map(|(at, _)| at).find(|&at| {
        let element = svg[at..].split('>').next().unwrap_or("");
        element.contains("fill=\"#FFFFFF\"") && element.contains(&format!("{},{} ", end.0, end.1 - 8))
    });
    let halo = halo.expect("a white halo around the end marker");
    assert!(halo > last_line, "the halo is drawn after every path");
}

#[test]
fn no_key_moment_leader_line_crosses_another_label() {
    // Four runs reaching the tolerance at nearby steps near the bottom of a phone-sized chart
    // (the six-hump lesson's stacked "‖∇f‖ < tol", the hypergradient lesson's crowded ends), for
    // many spacings: labels pushed away hang on leader lines, and no leader runs through another
    // label's box.
    use convergence::chart::curves::Moment;
    let mut leaders_seen = 0;
    for spread in [0.0, 1.0, 2.0, 4.0, 8.0] {
        for width in [280u32, 400] {
            let series: Vec<CurveSeries> = (0..4)
                .map(|k| {
                    let end = 90.0 - spread * f64::from(k);
                    let tol = 1e-3;
                    let points =
                        (0..=end as i32).map(|s| (f64::from(s), (10.0 - 0.11 * f64::from(s)).max(tol))).collect();
                    let mut s = line(&format!("run {k}"), points);
                    s.moments.push(Moment { at: (end, tol), label: "‖∇f‖ < tol".into() });
                    s
                })
                .collect();
            let mut text = String::new();
            let layout = {
                let root = plotters_svg::SVGBackend::with_string(&mut text, (width, 180)).into_drawing_area();
                let options = CurveOptions { hlines: vec![1e-3], no_legend: true, ..CurveOptions::default() };
                draw_curves(&root, &series, &options).expect("the chart draws")
            };
            for (a, b) in &layout.moment_leaders {
                leaders_seen += 1;
                let (a, b) = ((f64::from(a.0), f64::from(a.1)), (f64::from(b.0), f64::from(b.1)));
                for (name, r) in &layout.moments {
                    let inner = [r[0] + 1, r[1] + 1, r[2] - 1, r[3] - 1];
                    assert!(
                        length_inside(inner, a, b) == 0.0,
                        "spread {spread}, width {width}: a leader {a:?}-{b:?} crosses {name} at {r:?}"
                    );
                }
            }
        }
    }
    assert!(leaders_seen >= 5, "leader lines drawn: {leaders_seen}");
}

#[test]
fn a_zero_loss_on_a_log_axis_still_gets_its_marker_at_the_bottom_edge() {
    // Gradient descent on Rastrigin from (0.4, 0.3) reaches a loss of exactly 0 at step 18: a log
    // axis cannot show it, so its marker sits at the plot's bottom edge with a down arrow, and its
    // label says the value.
    use convergence::chart::curves::Moment;
    let mut points: Vec<(f64, f64)> = (0..18).map(|s| (f64::from(s), 10f64.powi(1 - s))).collect();
    points.push((18.0, 0.0));
    let mut series = line("GD", points);
    series.moments.push(Moment { at: (18.0, 0.0), label: "‖∇f‖ < tol".into() });
    let options = CurveOptions { log_y: true, no_legend: true, ..CurveOptions::default() };
    let (svg, layout) = svg(&[series], &options);
    assert_eq!(layout.moments.len(), 1, "{layout:?}");
    let (label, rect) = &layout.moments[0];
    assert_eq!(label, "‖∇f‖ < tol (↓ 0)");
    let [left, top, right, bottom] = layout.plot;
    assert!(
        rect[0] >= left && rect[2] <= right && rect[1] >= top && rect[3] <= bottom,
        "{rect:?} in {:?}",
        layout.plot
    );
    // The marker (a white-filled circle of radius 5) at step 18's x, just above the bottom edge.
    let x = layout.pixel_of_step(18.0).expect("step 18 is on the axis").round() as i32;
    assert!(x <= right, "step 18 is inside the plot: {x}");
    let marker = format!("<circle cx=\"{x}\" cy=\"{}\" r=\"5\"", bottom - 12);
    assert!(svg.contains(&marker), "no marker {marker} in the SVG");
}

/// The boxes of the x tick labels in an SVG drawn with the fixed text estimate: every text
/// element centred below the plot, above the axis name.
fn x_tick_boxes(svg: &str, plot: [i32; 4]) -> Vec<(String, [i32; 4])> {
    let attribute = |element: &str, name: &str| -> Option<f64> {
        element.split(&format!(" {name}=\"")).nth(1)?.split('"').next()?.parse().ok()
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let (x, y) = (attribute(element, "x")?, attribute(element, "y")?);
            let text = element.split('>').nth(1)?.split('<').next()?.trim().to_string();
            let below = y > f64::from(plot[3]) && y < f64::from(plot[3]) + 20.0;
            let (w, h) = convergence::chart::svg::text_size(&text, 11.0);
            let (w, h) = (w as i32, h as i32);
            let left = if element.contains("text-anchor=\"middle\"") { x as i32 - w / 2 } else { x as i32 };
            below.then(|| (text, [left, y as i32 - h, left + w, y as i32]))
        })
        .collect()
}

#[test]
fn x_tick_labels_never_run_together_and_log_ticks_are_compact() {
    // The learning-rate sweep on a phone: a log x axis from 0.001 to 0.25 (the diverged rates left
    // out), at plot widths from 200
    // to 600 px. No two tick labels overlap (with a gap of 4 px) and none is longer than 6
    // characters ("0.0032", not "0.003162").
    let rates: Vec<f64> = (0..12).map(|k| 10f64.powf(-3.0 + 3.0 * f64::from(k) / 15.0)).collect();
    let series = vec![line("gd", rates.iter().map(|r| (*r, 1.0 / (1.0 + r))).collect())];
    let options =
        CurveOptions { log_x: true, x_from_one: true, x_label: "learning rate".into(), ..CurveOptions::default() };
    for plot_width in [200u32, 260, 320, 400, 600] {
        let mut text = String::new();
        let layout = {
            let root = convergence::chart::svg::text_svg(&mut text, (plot_width + 76, 200)).into_drawing_area();
            draw_curves(&root, &series, &options).expect("the chart draws")
        };
        let ticks = x_tick_boxes(&text, layout.plot);
        assert!(ticks.len() >= 2, "width {plot_width}: ticks {ticks:?}");
        for (k, (name, r)) in ticks.iter().enumerate() {
            assert!(name.chars().count() <= 6, "width {plot_width}: tick {name} is long");
            for (other, q) in &ticks[..k] {
                let apart = r[0] >= q[2] + 4 || q[0] >= r[2] + 4;
                assert!(apart, "width {plot_width}: ticks {other} {q:?} and {name} {r:?} run together");
            }
        }
    }
}

#[test]
fn smooth_curves_are_drawn_as_long_segments_not_pixel_stairs() {
    // A loss falling smoothly over 2000 steps on a 400 px chart: drawn one vertex per pixel
    // column (two after decimation), each rounded to a whole pixel, it is a staircase on a 2x
    // screen; simplified first, it is a few dozen long segments within half a pixel of the curve.
    let falling = line("loss", (0..=2000).map(|s| (f64::from(s), 1.0 / (1.0 + 0.01 * f64::from(s)))).collect());
    let (svg, layout) = svg(&[falling], &CurveOptions { no_legend: true, ..CurveOptions::default() });
    let xs = xs_of_stroke(&svg, "#E69F00");
    let ys = ys_of_stroke(&svg, "#E69F00");
    let width = layout.plot[2] - layout.plot[0];
    assert!(xs.len() >= 2 && xs.len() < (width / 4) as usize, "{} vertices over {width} px", xs.len());
    // Every drawn vertex lies on the curve (within a pixel of it).
    let (top, bottom) = (f64::from(layout.plot[1]), f64::from(layout.plot[3]));
    for (x, y) in xs.iter().zip(&ys) {
        let step = layout.step_at(*x).expect("inside the plot");
        let value = 1.0 / (1.0 + 0.01 * step);
        // The y axis spans the values padded by 6 % on each side.
        let span = 1.0 - 1.0 / 21.0;
        let expected = top + (1.0 + 0.06 * span - value) / (1.12 * span) * (bottom - top);
        assert!((y - expected).abs() <= 2.0, "vertex ({x}, {y}) is off the curve ({expected:.1})");
    }
}

/// The segments of every SVG polyline stroked in `color` (`#RRGGBB`).
fn segments_of_stroke(svg: &str, color: &str) -> Vec<((f64, f64), (f64, f64))> {
    svg.split('<')
        .filter(|e| e.contains(&format!("stroke=\"{color}\"")))
        .filter_map(|e| e.split("points=\"").nth(1).and_then(|rest| rest.split('"').next()))
        .flat_map(|points| {
            let pts: Vec<(f64, f64)> = points
                .split_whitespace()
                .filter_map(|pair| {
                    let (x, y) = pair.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect();
            pts.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn key_moment_labels_go_to_free_space_beside_crowded_curves() {
    // Two runs falling steeply side by side to their criteria at the bottom left (the
    // hypergradient lesson), under a third run's flat line: every place in the markers' columns
    // covers a curve, the free space is to the right; each label goes there, on a leader line.
    let colors = [("#E69F00", (230, 159, 0)), ("#56B4E9", (86, 180, 233)), ("#009E73", (0, 158, 115))];
    let steep = |end: f64| -> Vec<(f64, f64)> {
        (0..=20).map(|k| (end * f64::from(k) / 20.0, 100.0 - 5.0 * f64::from(k))).collect()
    };
    let flat = CurveSeries::new("flat".into(), colors[0].1, (0..=400).map(|s| (f64::from(s), 96.0)).collect());
    let mut a = CurveSeries::new("a".into(), colors[1].1, steep(40.0));
    a.moments.push(convergence::chart::curves::Moment { at: (40.0, 0.0), label: "‖∇f‖ < tol".into() });
    let mut b = CurveSeries::new("b".into(), colors[2].1, steep(90.0));
    b.moments.push(convergence::chart::curves::Moment { at: (90.0, 0.0), label: "‖∇f‖ < tol".into() });
    let (text, layout) = svg(&[flat, a, b], &CurveOptions::default());
    assert_eq!(layout.moments.len(), 2, "both labelled: {layout:?}");
    for (name, r) in &layout.moments {
        for (hex, _) in colors {
            let covered: f64 = segments_of_stroke(&text, hex).iter().map(|(p, q)| length_inside(*r, *p, *q)).sum();
            assert!(covered < 1.0, "{name} {r:?} covers {covered:.1} px of the {hex} curve");
        }
    }
}

/// The y tick labels of a chart's SVG: each label's text and the x where it ends (plotters
/// anchors them at their right end, beside the axis).
fn y_tick_labels(svg: &str) -> Vec<(String, f64)> {
    svg.split("<text")
        .filter(|e| e.contains("text-anchor=\"end\""))
        .filter_map(|e| {
            let x = e.split("x=\"").nth(1)?.split('"').next()?.parse::<f64>().ok()?;
            let text = e.split('>').nth(1)?.split('<').next()?.trim().to_string();
            Some((text, x))
        })
        .collect()
}

#[test]
fn long_y_tick_labels_widen_their_area_instead_of_being_clipped() {
    // Ordinary values keep the usual area (the plot starts 58 px from the left).
    let (_, ordinary) = svg(&[line("a", vec![(0.0, 1.0), (1.0, 2.0)])], &CurveOptions::default());
    assert_eq!(ordinary.plot[0], 58);
    for (low, high) in [(-1.1e308, -9e307), (-1.32e-5, -1.1e-5)] {
        let (text, layout) = svg(&[line("a", vec![(0.0, low), (1.0, high)])], &CurveOptions::default());
        let labels = y_tick_labels(&text);
        assert!(labels.len() >= 3, "{labels:?}");
        let mut measure = String::new();
        let root = plotters_svg::SVGBackend::with_string(&mut measure, (400, 200)).into_drawing_area();
        let font: TextStyle = (convergence::chart::style::FONT, 11).into_font().into();
        for (label, right) in &labels {
            let width = f64::from(root.estimate_text_size(label, &font).expect("measured").0);
            assert!(
                right - width >= 0.0,
                "{label} starts at {} px, left of the chart (plot at {})",
                right - width,
                layout.plot[0]
            );
            assert!(*right < f64::from(layout.plot[0]), "{label} ends left of the plot");
        }
        if low < -1e300 {
            assert!(layout.plot[0] > 58, "the area widened for {labels:?}");
        }
    }
}

/// The white grounds drawn under key-moment labels: `<rect>`s filled white at the label ground's
/// opacity, as [x, y] of their top-left corner.
fn label_grounds(svg: &str) -> Vec<[i32; 2]> {
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.contains("fill=\"#FFFFFF\"") && r.contains("opacity=\"0.85\""))
        .filter_map(|r| {
            let attr = |name: &str| r.split(&format!(" {name}=\"")).nth(1)?.split('"').next()?.parse::<f64>().ok();
            Some([attr("x")? as i32, attr("y")? as i32])
        })
        .collect()
}

#[test]
fn a_key_moment_label_over_lines_gets_a_white_ground_and_one_in_a_free_place_none() {
    // Forty level lines fill the plot: wherever the label goes, lines run through it.
    let mut series: Vec<CurveSeries> =
        (0..40).map(|k| line("", (0..=100).map(|s| (f64::from(s), f64::from(k))).collect())).collect();
    series[20].moments.push(convergence::chart::curves::Moment { at: (50.0, 20.0), label: "best validation".into() });
    let (text, layout) = svg(&series, &CurveOptions::default());
    let rect = layout.moments.first().map(|(_, r)| *r).expect("the label is placed");
    let grounds = label_grounds(&text);
    assert_eq!(grounds.len(), 1, "{grounds:?}");
    assert!((grounds[0][0] - (rect[0] - 1)).abs() <= 1 && (grounds[0][1] - rect[1]).abs() <= 1, "{grounds:?} {rect:?}");
    // One line and room beside it: the label covers nothing and needs no ground.
    let mut free = line("run", (0..=100).map(|s| (f64::from(s), (100 - s) as f64)).collect());
    free.moments.push(convergence::chart::curves::Moment { at: (50.0, 50.0), label: "plateau".into() });
    let (text, layout) = svg(&[free], &CurveOptions::default());
    assert_eq!(layout.moments.len(), 1);
    assert!(label_grounds(&text).is_empty());
}
