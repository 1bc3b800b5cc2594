//! Run paths over the landscape: the line each run drew through parameter space, its start
//! and end markers, and the known minima, in the pixels of the whole drawing area (so that they
//! line up with the heatmap underneath; `ViewMapping` is the one mapping between the view box
//! and those pixels, used by the page's pointer too).
//!
//! A path is cut where it leaves the view (Liang–Barsky clipping of each segment against the
//! view box); a diverged run is drawn until it first leaves the view, with its divergence mark
//! at the exit point, so that its growing zig-zags never paint a band over the other runs.
//! Each run has its own colour, dash pattern and marker shape (`style.rs`) over a pale halo
//! (every halo is drawn before every line); start and end markers that would hide under a
//! later run's grow into rings around it; the minima are
//! drawn last, as rings, so that they stay visible on top of end markers; markers at the edge
//! of the view are moved inward until they are whole.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{dimmed, draw_line, draw_marker, drawing_order, RunStyle, DASHES};
use crate::problem::{KnownMinimum, MinimumKind, ViewBox};

/// One run's path.
#[derive(Clone, Debug, PartialEq)]
pub struct PathSeries {
    pub style: RunStyle,
    /// Visited points, oldest first (decimated history).
    pub points: Vec<(f64, f64)>,
    /// Where the run stands now.
    pub current: (f64, f64),
    /// Where it started.
    pub start: (f64, f64),
    /// The run has ended (converged, diverged or stopped).
    pub finished: bool,
    /// The run diverged.
    pub diverged: bool,
}

/// A run drawn in front of the others; with `dim_others` the others fade (a hovered run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub run: usize,
    pub dim_others: bool,
}

/// The mapping between a view box and the pixels of a drawing area of `width` x `height`:
/// x grows to the right from the view's left edge, y upwards from its bottom edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewMapping {
    pub view: ViewBox,
    pub width: f64,
    pub height: f64,
}

impl ViewMapping {
    /// The pixel (fractional) of a point.
    pub fn to_pixel(&self, p: (f64, f64)) -> (f64, f64) {
        let v = &self.view;
        ((p.0 - v.x[0]) / (v.x[1] - v.x[0]) * self.width, (v.y[1] - p.1) / (v.y[1] - v.y[0]) * self.height)
    }

    /// The point under a pixel.
    pub fn to_params(&self, px: f64, py: f64) -> (f64, f64) {
        let v = &self.view;
        (v.x[0] + px / self.width * (v.x[1] - v.x[0]), v.y[1] - py / self.height * (v.y[1] - v.y[0]))
    }

    /// The whole pixel of a point, kept within a margin of the area so that pixel maths stays
    /// in range.
    fn pixel(&self, p: (f64, f64)) -> (i32, i32) {
        let (x, y) = self.to_pixel(p);
        let bound = |v: f64, size: f64| v.clamp(-size, 2.0 * size).round() as i32;
        (bound(x, self.width), bound(y, self.height))
    }

    /// The pixel of a marker of `radius` pixels at `p`, moved inward until the marker is whole.
    pub fn marker_pixel(&self, p: (f64, f64), radius: i32) -> (i32, i32) {
        let (x, y) = self.pixel(p);
        let inside = |v: i32, size: f64| {
            let hi = (size as i32 - radius - 2).max(radius + 1);
            v.clamp(radius + 1, hi)
        };
        (inside(x, self.width), inside(y, self.height))
    }
}

/// The part `[t0, t1]` of the segment `a + t (b - a)`, t in [0, 1], inside `view`
/// (Liang–Barsky), or None if it misses the view.
pub fn clip_segment(view: &ViewBox, a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [(-dx, a.0 - view.x[0]), (dx, view.x[1] - a.0), (-dy, a.1 - view.y[0]), (dy, view.y[1] - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

/// A path cut to the view: the visible pieces in order, and where the path first left the
/// view (None if it never did).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ClippedPath {
    pub pieces: Vec<Vec<(f64, f64)>>,
    pub first_exit: Option<(f64, f64)>,
}

/// Cuts `points` to `view`. A non-finite point ends the path (it left every view).
pub fn clip_to_view(view: &ViewBox, points: &[(f64, f64)]) -> ClippedPath {
    let mut out = ClippedPath::default();
    let mut piece: Vec<(f64, f64)> = Vec::new();
    let inside = |p: (f64, f64)| view.x[0] <= p.0 && p.0 <= view.x[1] && view.y[0] <= p.1 && p.1 <= view.y[1];
    // The ends themselves at t = 0 and 1 (a + 1 (b - a) may differ from b in the last bit).
    let lerp = |a: (f64, f64), b: (f64, f64), t: f64| match t {
        0.0 => a,
        1.0 => b,
        _ => (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)),
    };
    if let Some(&first) = points.first() {
        if inside(first) {
            piece.push(first);
        }
    }
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if !(b.0.is_finite() && b.1.is_finite()) {
            if inside(a) && out.first_exit.is_none() {
                out.first_exit = Some(a);
            }
            break;
        }
        let Some((t0, t1)) = clip_segment(view, a, b) else { continue };
        let (enter, leave) = (lerp(a, b, t0), lerp(a, b, t1));
        if piece.last() != Some(&enter) {
            if piece.len() > 1 {
                out.pieces.push(std::mem::take(&mut piece));
            }
            piece.clear();
            piece.push(enter);
        }
        piece.push(leave);
        if t1 < 1.0 {
            out.first_exit.get_or_insert(leave);
            out.pieces.push(std::mem::take(&mut piece));
        }
    }
    if piece.len() > 1 {
        out.pieces.push(piece);
    }
    out
}

/// Radius of an end marker, in pixels.
const END_RADIUS: i32 = 5;
/// Radius of a start marker, in pixels.
const START_RADIUS: i32 = 4;
/// Most rings a marker grows by for the markers drawn over it (many runs from one start would
/// otherwise grow a target of rings).
const MAX_RINGS: usize = 3;
/// Radius of a minimum's ring, in pixels (grown around end markers under it).
const MINIMUM_RADIUS: i32 = 8;

/// A run's visible line pieces and the point of its end marker.
type Shown = (Vec<Vec<(f64, f64)>>, (f64, f64));

/// What a run's drawing shows: its visible line pieces and where its end marker goes (the exit
/// point for a diverged run that left the view).
fn visible(view: &ViewBox, run: &PathSeries) -> Shown {
    let clipped = clip_to_view(view, &run.points);
    if run.diverged {
        let first = clipped.pieces.into_iter().next().unwrap_or_default();
        let end = clipped.first_exit.or_else(|| first.last().copied()).unwrap_or(run.start);
        (vec![first], end)
    } else {
        (clipped.pieces, run.current)
    }
}

/// The run whose visible path (or end marker) passes nearest to pixel `at`, within `reach`
/// pixels, for hovering a run on the picture.
pub fn near_run(map: &ViewMapping, runs: &[PathSeries], at: (f64, f64), reach: f64) -> Option<usize> {
    let distance = |a: (f64, f64), b: (f64, f64)| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = dx * dx + dy * dy;
        let t = if length > 0.0 { (((at.0 - a.0) * dx + (at.1 - a.1) * dy) / length).clamp(0.0, 1.0) } else { 0.0 };
        ((a.0 + t * dx - at.0).powi(2) + (a.1 + t * dy - at.1).powi(2)).sqrt()
    };
    let mut best: Option<(usize, f64)> = None;
    for (i, run) in runs.iter().enumerate() {
        let (pieces, end) = visible(&map.view, run);
        let end = map.to_pixel(end);
        let mut d = distance(end, end);
        for piece in &pieces {
            let pixels: Vec<(f64, f64)> = piece.iter().map(|p| map.to_pixel(*p)).collect();
            for pair in pixels.windows(2) {
                d = d.min(distance(pair[0], pair[1]));
            }
        }
        if d <= reach && best.is_none_or(|(_, b)| d <= b) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}

/// Draws every path, marker and minimum onto `root` (which is not cleared).
pub fn draw_paths<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    runs: &[PathSeries],
    minima: &[KnownMinimum],
    highlight: Option<Highlight>,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let (width, height) = root.dim_in_pixel();
    let map = ViewMapping { view, width: f64::from(width), height: f64::from(height) };
    let order = drawing_order(runs.len(), highlight.map(|h| h.run));
    let shown: Vec<Shown> = runs.iter().map(|r| visible(&view, r)).collect();
    let color_of = |i: usize| {
        let c = runs[i].style.color;
        match highlight {
            Some(h) if h.dim_others && h.run != i => dimmed(c),
            _ => c,
        }
    };
    // Every halo first, then every line, so that no run's halo washes out another's line. With
    // more runs than dash patterns (drawn solid, see figures::styles) the halos are left out too:
    // they would double the cost of a crowded picture, drawn every frame.
    let halo = WHITE.mix(0.55).stroke_width(4);
    let halos = runs.len() <= DASHES.len();
    for &i in order.iter().filter(|&&i| halos && highlight.is_none_or(|h| !h.dim_others || h.run == i)) {
        for piece in &shown[i].0 {
            let pixels: Vec<(i32, i32)> = piece.iter().map(|p| map.pixel(*p)).collect();
            root.draw(&PathElement::new(pixels, halo)).map_err(err)?;
        }
    }
    for &i in &order {
        let color = color_of(i);
        for piece in &shown[i].0 {
            let pixels: Vec<(i32, i32)> = piece.iter().map(|p| map.pixel(*p)).collect();
            draw_line(root, &pixels, runs[i].style.dash, RGBColor(color.0, color.1, color.2).stroke_width(2))?;
        }
    }
    // Markers after every line; an end marker grows by 2 px for each later run ending within
    // reach, so that it stays visible as a ring around them.
    let ends: Vec<(i32, i32)> = shown.iter().map(|(_, end)| map.marker_pixel(*end, END_RADIUS)).collect();
    let starts: Vec<(i32, i32)> = runs.iter().map(|r| map.marker_pixel(r.start, START_RADIUS)).collect();
    let near = |a: (i32, i32), b: (i32, i32), reach: i32| (a.0 - b.0).pow(2) + (a.1 - b.1).pow(2) <= reach * reach;
    for (k, &i) in order.iter().enumerate() {
        let run = &runs[i];
        let color = color_of(i);
        let later_starts = order[k + 1..].iter().filter(|&&j| near(starts[i], starts[j], 2 * START_RADIUS)).count();
        let start_radius = START_RADIUS + 2 * later_starts.min(MAX_RINGS) as i32;
        draw_marker(root, run.style.marker, starts[i], start_radius, Some((255, 255, 255)), (color, 2))?;
        let later = order[k + 1..].iter().filter(|&&j| near(ends[i], ends[j], 2 * END_RADIUS)).count();
        let radius = END_RADIUS + 2 * later.min(MAX_RINGS) as i32;
        if run.diverged {
            let (x, y) = ends[i];
            let arm = 6;
            for style in [WHITE.stroke_width(6), RGBColor(color.0, color.1, color.2).stroke_width(3)] {
                root.draw(&PathElement::new(vec![(x - arm, y - arm), (x + arm, y + arm)], style)).map_err(err)?;
                root.draw(&PathElement::new(vec![(x - arm, y + arm), (x + arm, y - arm)], style)).map_err(err)?;
            }
        } else {
            let outline = if run.finished { (20, 20, 20) } else { (255, 255, 255) };
            draw_marker(root, run.style.marker, ends[i], radius, Some(color), (outline, 1))?;
        }
    }
    for m in minima {
        let at = (m.x[0], m.x[1]);
        let centre = map.marker_pixel(at, MINIMUM_RADIUS + 4);
        let under = ends.iter().filter(|e| near(**e, centre, MINIMUM_RADIUS)).count();
        let r = MINIMUM_RADIUS + 2 * under.min(MAX_RINGS + 1) as i32;
        root.draw(&Circle::new(centre, r, BLACK.mix(0.45).stroke_width(4))).map_err(err)?;
        root.draw(&Circle::new(centre, r, WHITE.stroke_width(2))).map_err(err)?;
        if m.kind == MinimumKind::Global {
            // A cross-hair outside the ring, so that nothing inside it is covered.
            let (x, y) = centre;
            let (a, b) = (r + 1, r + 5);
            for tick in
                [[(x - b, y), (x - a, y)], [(x + a, y), (x + b, y)], [(x, y - b), (x, y - a)], [(x, y + a), (x, y + b)]]
            {
                root.draw(&PathElement::new(tick.to_vec(), WHITE.stroke_width(2))).map_err(err)?;
            }
        }
    }
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: ViewBox = ViewBox { x: [-1.0, 1.0], y: [-1.0, 1.0] };

    #[test]
    fn a_path_inside_the_view_is_kept_whole() {
        let points = vec![(-0.5, -0.5), (0.0, 0.2), (0.5, 0.5)];
        let clipped = clip_to_view(&VIEW, &points);
        assert_eq!(clipped.pieces, vec![points]);
        assert_eq!(clipped.first_exit, None);
    }

    #[test]
    fn a_zig_zag_that_grows_out_of_the_view_stops_at_the_exit_point() {
        // Growing oscillation along y, as SGD with too large a learning rate.
        let points: Vec<(f64, f64)> =
            (0..40).map(|k| (0.0, 0.5 * (-1.3f64).powi(k))).chain(std::iter::once((0.0, f64::INFINITY))).collect();
        let clipped = clip_to_view(&VIEW, &points);
        let exit = clipped.first_exit.expect("it leaves the view");
        assert!((exit.1.abs() - 1.0).abs() < 1e-12, "exit on the frame, got {exit:?}");
        let first = &clipped.pieces[0];
        assert_eq!(first.last(), Some(&exit));
        assert!(first.iter().all(|p| p.1.abs() <= 1.0 + 1e-12));
        // A diverged run shows only that first piece, its end marker at the exit.
        let run = PathSeries {
            style: super::super::style::run_style(None, 0),
            points,
            current: (0.0, f64::INFINITY),
            start: (0.0, 0.5),
            finished: true,
            diverged: true,
        };
        let (pieces, end) = visible(&VIEW, &run);
        assert_eq!(pieces.len(), 1);
        assert_eq!(end, exit);
        assert!(pieces[0].len() <= 4, "only the swings before the exit: {:?}", pieces[0]);
    }

    #[test]
    fn a_path_that_leaves_and_returns_is_cut_into_pieces() {
        let points = vec![(0.0, 0.0), (2.0, 0.0), (0.0, 0.5)];
        let clipped = clip_to_view(&VIEW, &points);
        assert_eq!(clipped.pieces.len(), 2);
        assert_eq!(clipped.first_exit, Some((1.0, 0.0)));
        assert_eq!(clipped.pieces[1][0], (1.0, 0.25));
    }

    #[test]
    fn the_run_under_the_pointer_is_the_nearest_path() {
        let map = ViewMapping { view: VIEW, width: 200.0, height: 200.0 };
        let run = |points: Vec<(f64, f64)>| PathSeries {
            style: super::super::style::run_style(None, 0),
            current: points[points.len() - 1],
            start: points[0],
            points,
            finished: false,
            diverged: false,
        };
        let runs = [run(vec![(-1.0, 0.0), (1.0, 0.0)]), run(vec![(-1.0, 0.1), (1.0, 0.1)])];
        // y = 0 is pixel row 100, y = 0.1 row 90.
        assert_eq!(near_run(&map, &runs, (50.0, 99.0), 6.0), Some(0));
        assert_eq!(near_run(&map, &runs, (50.0, 91.0), 6.0), Some(1));
        assert_eq!(near_run(&map, &runs, (50.0, 150.0), 6.0), None);
    }

    #[test]
    fn the_mapping_goes_both_ways_and_markers_stay_whole() {
        let map = ViewMapping { view: VIEW, width: 200.0, height: 100.0 };
        let (px, py) = map.to_pixel((0.5, -0.5));
        assert_eq!((px, py), (150.0, 75.0));
        assert_eq!(map.to_params(px, py), (0.5, -0.5));
        let corner = map.marker_pixel((1.0, 1.0), 5);
        assert!(corner.0 + 5 < 200 && corner.1 - 5 > 0, "{corner:?}");
        assert_eq!(map.marker_pixel((0.0, 0.0), 5), (100, 50));
    }
}
