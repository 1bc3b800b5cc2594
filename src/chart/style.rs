//! How a run looks in every drawing: its colour, dash pattern and marker shape, chosen by its
//! index so that overlapping runs stay distinguishable in colour, in line and in shape.
//!
//! The colours are Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008),
//! without black (it vanishes on the dark end of the landscape) and with yellow last (it
//! vanishes on white). The test below checks that the colours stay apart for the common forms of
//! colour blindness, simulated with Machado, Oliveira and Fernandes's matrices (IEEE TVCG 2009,
//! severity 1.0) in linear RGB and compared as CIE76 distances in CIELAB.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// The default run colours: Okabe–Ito's orange, sky blue, bluish green, vermillion, reddish
/// purple, blue and yellow.
pub const PALETTE: [&str; 7] = ["#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#0072b2", "#f0e442"];

/// The charts' one font family. Named by its variant rather than the text "sans-serif":
/// plotters reads a family given as text through `str::to_lowercase`, which brings Unicode's
/// case tables (about 4 KB of code and more of data) into the wasm.
pub const FONT: plotters::style::FontFamily<'static> = plotters::style::FontFamily::SansSerif;

/// Dash patterns (dash length, gap length in pixels) by run index; `None` is a solid line.
pub const DASHES: [Option<(u32, u32)>; 5] = [None, Some((9, 4)), Some((3, 3)), Some((14, 4)), Some((6, 6))];

/// The shape of a run's end and criterion markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

/// Marker shapes by run index.
pub const MARKERS: [Marker; 5] =
    [Marker::Circle, Marker::Square, Marker::TriangleUp, Marker::Diamond, Marker::TriangleDown];

/// Everything that tells one run from another in a drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunStyle {
    pub color: (u8, u8, u8),
    pub dash: Option<(u32, u32)>,
    pub marker: Marker,
}

/// The colour of run `index`, from its config or the palette.
pub fn run_color(config: Option<&str>, index: usize) -> String {
    config.map(str::to_string).unwrap_or_else(|| PALETTE[index % PALETTE.len()].to_string())
}

/// The style of run `index` with its configured colour, if any.
pub fn run_style(config_color: Option<&str>, index: usize) -> RunStyle {
    RunStyle {
        color: super::parse_color(&run_color(config_color, index)),
        dash: DASHES[index % DASHES.len()],
        marker: MARKERS[index % MARKERS.len()],
    }
}

/// A colour dimmed towards white (for the runs behind a highlighted one).
pub fn dimmed(color: (u8, u8, u8)) -> (u8, u8, u8) {
    let fade = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * 0.65) as u8;
    (fade(color.0), fade(color.1), fade(color.2))
}

/// WCAG 2's relative luminance of an sRGB colour (0 black to 1 white).
pub fn luminance(color: (u8, u8, u8)) -> f64 {
    let linear = |c: u8| {
        let v = f64::from(c) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            crate::math::pow((v + 0.055) / 1.055, 2.4)
        }
    };
    0.2126 * linear(color.0) + 0.7152 * linear(color.1) + 0.0722 * linear(color.2)
}

/// WCAG 2's least contrast for normal text, against its background.
pub const TEXT_CONTRAST: f64 = 4.5;

/// A run's colour for text on white: the colour itself where it reads at `TEXT_CONTRAST`, else
/// darkened (every channel scaled toward black in steps of 5 %) until it does.
pub fn text_on_white(color: (u8, u8, u8)) -> (u8, u8, u8) {
    let contrast = |c: (u8, u8, u8)| 1.05 / (luminance(c) + 0.05);
    (0..=20)
        .map(|k| {
            let f = 1.0 - 0.05 * f64::from(k);
            let scale = |v: u8| (f64::from(v) * f).round() as u8;
            (scale(color.0), scale(color.1), scale(color.2))
        })
        .find(|c| contrast(*c) >= TEXT_CONTRAST)
        .unwrap_or((0, 0, 0))
}

/// The order in which runs are drawn: every run in index order, the `front` one last (on top).
pub fn drawing_order(count: usize, front: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).filter(|i| Some(*i) != front).collect();
    if let Some(f) = front.filter(|f| *f < count) {
        order.push(f);
    }
    order
}

/// The vertices of a polygonal marker of `radius` pixels about `centre` (None for a circle).
fn marker_vertices(marker: Marker, centre: (i32, i32), radius: i32) -> Option<Vec<(i32, i32)>> {
    let (x, y) = centre;
    let r = radius;
    match marker {
        Marker::Circle => None,
        Marker::Square => {
            let s = r * 4 / 5;
            Some(vec![(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)])
        }
        Marker::TriangleUp => Some(vec![(x, y - r - 1), (x + r, y + r * 3 / 4), (x - r, y + r * 3 / 4)]),
        Marker::TriangleDown => Some(vec![(x, y + r + 1), (x + r, y - r * 3 / 4), (x - r, y - r * 3 / 4)]),
        Marker::Diamond => Some(vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)]),
    }
}

/// Draws a marker at a pixel of `root`: filled with `fill` (if any) and outlined in `stroke`.
pub fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marker: Marker,
    centre: (i32, i32),
    radius: i32,
    fill: Option<(u8, u8, u8)>,
    stroke: ((u8, u8, u8), u32),
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing a marker failed: {e}");
    let stroke_style = RGBColor(stroke.0 .0, stroke.0 .1, stroke.0 .2).stroke_width(stroke.1);
    match marker_vertices(marker, centre, radius) {
        None => {
            if let Some(f) = fill {
                root.draw(&Circle::new(centre, radius, RGBColor(f.0, f.1, f.2).filled())).map_err(err)?;
            }
            root.draw(&Circle::new(centre, radius, stroke_style)).map_err(err)
        }
        Some(vertices) => {
            if let Some(f) = fill {
                root.draw(&Polygon::new(vertices.clone(), RGBColor(f.0, f.1, f.2).filled())).map_err(err)?;
            }
            let mut outline = vertices.clone();
            outline.extend(vertices.first().copied());
            root.draw(&PathElement::new(outline, stroke_style)).map_err(err)
        }
    }
}

/// Draws a polyline in pixels, solid or with a dash pattern.
pub fn draw_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(i32, i32)],
    dash: Option<(u32, u32)>,
    style: ShapeStyle,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing a line failed: {e}");
    if points.len() < 2 {
        return Ok(());
    }
    match dash {
        None => root.draw(&PathElement::new(points.to_vec(), style)).map_err(err),
        Some((on, off)) => {
            root.draw(&DashedPathElement::new(points.iter().copied(), on as i32, off as i32, style)).map_err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sRGB (0-255) to linear RGB.
    fn linear(c: u8) -> f64 {
        let v = f64::from(c) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }

    /// Linear RGB to CIELAB (D65).
    fn lab(rgb: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = rgb.map(|v| v.clamp(0.0, 1.0));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
        [116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))]
    }

    /// Machado et al. (2009), severity 1.0.
    const PROTAN: [[f64; 3]; 3] =
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];
    const DEUTAN: [[f64; 3]; 3] =
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]];
    const TRITAN: [[f64; 3]; 3] =
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]];

    fn seen(color: (u8, u8, u8), m: Option<&[[f64; 3]; 3]>) -> [f64; 3] {
        let rgb = [linear(color.0), linear(color.1), linear(color.2)];
        let out = match m {
            None => rgb,
            Some(m) => [0, 1, 2].map(|i| m[i][0] * rgb[0] + m[i][1] * rgb[1] + m[i][2] * rgb[2]),
        };
        lab(out)
    }

    fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    #[test]
    fn the_first_five_colours_stay_apart_for_every_kind_of_colour_vision() {
        let colors: Vec<(u8, u8, u8)> = PALETTE.iter().map(|c| super::super::parse_color(c)).collect();
        for (name, m) in
            [("normal", None), ("protan", Some(&PROTAN)), ("deutan", Some(&DEUTAN)), ("tritan", Some(&TRITAN))]
        {
            for i in 0..5 {
                for j in 0..i {
                    let d = distance(seen(colors[i], m), seen(colors[j], m));
                    assert!(d > 12.0, "{name}: {} and {} are {d:.1} apart", PALETTE[i], PALETTE[j]);
                }
            }
        }
    }

    #[test]
    fn matplotlibs_tab10_fails_the_same_test() {
        // The old palette: its blue, orange, green and red collapse for protanopes, which is why
        // it was replaced; the test above would catch a return to it.
        let tab10 = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)];
        let worst = (0..5)
            .flat_map(|i| (0..i).map(move |j| (i, j)))
            .map(|(i, j)| distance(seen(tab10[i], Some(&DEUTAN)), seen(tab10[j], Some(&DEUTAN))))
            .fold(f64::INFINITY, f64::min);
        assert!(worst < 12.0, "tab10's closest pair for deutans is {worst:.1} apart");
    }

    #[test]
    fn runs_differ_in_colour_dash_and_marker() {
        let styles: Vec<RunStyle> = (0..5).map(|i| run_style(None, i)).collect();
        for i in 0..5 {
            for j in 0..i {
                assert_ne!(styles[i].color, styles[j].color);
                assert_ne!(styles[i].dash, styles[j].dash);
                assert_ne!(styles[i].marker, styles[j].marker);
            }
        }
        assert_eq!(run_style(Some("#123456"), 0).color, (0x12, 0x34, 0x56));
    }

    #[test]
    fn text_in_a_run_colour_reads_on_white_and_keeps_the_hue() {
        for hex in PALETTE {
            let color = super::super::parse_color(hex);
            let text = text_on_white(color);
            let contrast = 1.05 / (luminance(text) + 0.05);
            assert!(contrast >= TEXT_CONTRAST, "{hex}: {text:?} at {contrast:.2}:1");
            // Darkened as little as needed: one step lighter would not read.
            let lighter = |v: u8, t: u8| v == 0 || f64::from(t) / f64::from(v) > 0.2;
            assert!(
                lighter(color.0, text.0) && lighter(color.1, text.1) && lighter(color.2, text.2),
                "{hex} went black"
            );
            // Scaled toward black, so the hue (channel ratios) stays.
            let (r, g, b) = (f64::from(text.0), f64::from(text.1), f64::from(text.2));
            let (r0, g0, b0) = (f64::from(color.0), f64::from(color.1), f64::from(color.2));
            assert!((r * g0 - g * r0).abs() <= 255.0 && (g * b0 - b * g0).abs() <= 255.0, "{hex}: {text:?}");
        }
        // A dark colour is kept; white becomes a grey that reads.
        assert_eq!(text_on_white((0, 0, 0)), (0, 0, 0));
        assert_eq!(text_on_white((0, 114, 178)), (0, 114, 178));
        let grey = text_on_white((255, 255, 255));
        assert!(grey.0 < 120 && grey.0 > 100, "{grey:?}");
    }

    #[test]
    fn the_front_run_is_drawn_last() {
        assert_eq!(drawing_order(3, Some(0)), vec![1, 2, 0]);
        assert_eq!(drawing_order(3, None), vec![0, 1, 2]);
        assert_eq!(drawing_order(2, Some(5)), vec![0, 1]);
    }
}
