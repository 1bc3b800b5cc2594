//! Run paths over the landscape: the line each run drew through parameter space, its start
//! and end markers, and the known minima, in the pixels of the whole drawing area (so that they
//! line up with the heatmap underneath; `ViewMapping` is the one mapping between the view box
//! and those pixels, used by the page's pointer too).
//!
//! A path is cut where it leaves the view (Liang–Barsky clipping of each segment against the
//! view box); a diverged run is drawn until it first leaves the view, with its divergence mark
//! at the exit point, so that its growing zig-zags never paint a band over the other runs.
//! Each run has its own colour, dash pattern and marker shape (`style.rs`) over a pale halo
//! (every halo is drawn before every line). Paths that coincide are nested (`nesting.rs`): a line is 2 px wider
//! for each later run whose path shares a quarter of its cells, so that coincident runs show as
//! stripes rather than one hiding the other. Zig-zags (a path that reverses at most of its
//! turns) are nested in 1 px steps, since wide crossing stripes merge into one band: they are
//! drawn thin, with their run's marker at their turning points. End markers that would stack fan out around their
//! stack into free space, each on a thin leader line from its true end; every end marker sits on
//! a white halo drawn after every line. A run that stopped away from every known minimum, or
//! fanned out over one, is labelled with its distance to the nearest minimum (an end 0.01 short
//! shows apart from one on the minimum), where the label covers the least of the paths
//! (`placement.rs`); start markers that would hide under a later run's grow into rings around
//! it. The minima are drawn last, as rings, so that they stay visible on top of
//! end markers; markers at the edge of the view are moved inward until they are whole.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::nesting::nested_widths;
use super::placement::{crosses, place_label, Leader, Surroundings};
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

/// Where a drawing of the paths put its parts, in the drawing area's pixels.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PathsLayout {
    /// Each run's stroke width (wider under later runs whose paths it shares).
    pub widths: Vec<u32>,
    /// Each run's true end pixel (where its path ends).
    pub ends: Vec<(i32, i32)>,
    /// Each run's end marker pixel: its true end, or fanned out beside a stack of ends.
    pub markers: Vec<(i32, i32)>,
    /// The distance labels (of fanned-out end markers and of runs that stopped away from every
    /// minimum): run, text and rectangle.
    pub labels: Vec<(usize, String, [i32; 4])>,
    /// The leader lines of distance labels placed away from their markers.
    pub leaders: Vec<Leader>,
    /// Each run's tip markers (the turning points of a zig-zag path; none for other paths).
    pub tips: Vec<Vec<(i32, i32)>>,
}

/// Draws every path, marker and minimum onto `root` (which is not cleared).
pub fn draw_paths<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    runs: &[PathSeries],
    minima: &[KnownMinimum],
    highlight: Option<Highlight>,
) -> Result<(), String> {
    draw_paths_layout(root, view, runs, minima, highlight).map(|_| ())
}

/// A finished run whose end lies farther than this share of the view's diagonal from every known
/// minimum is labelled with its distance, even where its marker sits inside a minimum's ring.
const AWAY_SHARE: f64 = 1e-4;
/// End markers closer than this, in pixels, count as stacked and are fanned out.
const STACKED_PX: i32 = 2 * END_RADIUS + 3;
/// How far a fanned-out end marker sits from the centre of its stack, in pixels.
const FAN_PX: f64 = 26.0;
/// Font size of a fanned-out marker's distance label, in pixels.
const LABEL_FONT: u32 = 10;

/// The stacks of end markers: groups (two or more runs, in drawing order) whose ends lie within
/// `STACKED_PX` of another end of the group.
fn stacks(ends: &[(i32, i32)], order: &[usize]) -> Vec<Vec<usize>> {
    let near = |a: (i32, i32), b: (i32, i32)| (a.0 - b.0).pow(2) + (a.1 - b.1).pow(2) < STACKED_PX * STACKED_PX;
    let mut group: Vec<usize> = (0..ends.len()).collect();
    for i in 0..ends.len() {
        for j in 0..i {
            if near(ends[i], ends[j]) {
                let (gi, gj) = (group[i], group[j]);
                group.iter_mut().filter(|g| **g == gi).for_each(|g| *g = gj);
            }
        }
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        match out.iter_mut().find(|s| group[s[0]] == group[i]) {
            Some(stack) => stack.push(i),
            None => out.push(vec![i]),
        }
    }
    out.retain(|s| s.len() > 1);
    out
}

/// Where the members of a stack go: on a circle of `FAN_PX` about the stack's centre (then of
/// 1.75 `FAN_PX`, where the first has too few places inside the view), each at least
/// `STACKED_PX` from the others, in the directions inside the view that cross the fewest path
/// segments, the diagonals first.
fn fan_out(map: &ViewMapping, centre: (f64, f64), members: usize, lines: &[Vec<(f64, f64)>]) -> Vec<(i32, i32)> {
    const D: f64 = std::f64::consts::FRAC_1_SQRT_2;
    const DIRECTIONS: [(f64, f64); 8] =
        [(-D, -D), (D, -D), (D, D), (-D, D), (0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)];
    let r = f64::from(END_RADIUS + 2);
    let mut scored: Vec<(usize, (i32, i32))> = [1.0, 1.75]
        .iter()
        .enumerate()
        .flat_map(|(ring, scale)| DIRECTIONS.iter().map(move |d| (ring, (FAN_PX * scale * d.0, FAN_PX * scale * d.1))))
        .map(|(ring, d)| {
            let at = (centre.0 + d.0, centre.1 + d.1);
            let whole = at.0 - r >= 0.0 && at.1 - r >= 0.0 && at.0 + r <= map.width && at.1 + r <= map.height;
            let rect = [(at.0 - r) as i32, (at.1 - r) as i32, (at.0 + r) as i32, (at.1 + r) as i32];
            let crossed = lines.iter().flat_map(|l| l.windows(2)).filter(|s| crosses(&rect, s[0], s[1])).count();
            let pixel = map.marker_pixel(map.to_params(at.0, at.1), END_RADIUS);
            (crossed.min(9_999) + 10_000 * ring + if whole { 0 } else { 100_000 }, pixel)
        })
        .collect();
    // The best place left, again and again (the first among equals: the diagonals first).
    let mut chosen: Vec<(i32, i32)> = Vec::with_capacity(members);
    while chosen.len() < members {
        let apart = |at: &(i32, i32)| {
            chosen.iter().all(|c| (c.0 - at.0).pow(2) + (c.1 - at.1).pow(2) >= STACKED_PX * STACKED_PX)
        };
        let best = scored.iter().filter(|(_, at)| apart(at)).min_by_key(|(score, _)| *score);
        // More members than places (over 16 runs in one stack): the rest share the first place.
        let Some(&(_, at)) = best.or(scored.first()) else { break };
        chosen.push(at);
        scored.retain(|(_, other)| *other != at);
    }
    chosen
}

/// Segments shorter than this, in pixels, are merged into the next before turns are counted.
const TURN_MIN_PX: f64 = 2.0;
/// The fewest reversals that make a path a zig-zag.
const ZIGZAG_TURNS: usize = 6;
/// Radius of a zig-zag's tip marker, in pixels.
const TIP_RADIUS: i32 = 3;
/// Side of the cells of which each holds at most one tip marker of a run, in pixels.
const TIP_CELL_PX: f64 = 10.0;

/// The turning points of a zig-zag path: the vertices where it reverses (the angle between
/// consecutive segments over 90°), if there are at least `ZIGZAG_TURNS` and they are at least
/// half of its turns; None for any other path.
fn zigzag_tips(pieces: &[Vec<(f64, f64)>]) -> Option<Vec<(f64, f64)>> {
    let (mut turns, mut tips) = (0usize, Vec::new());
    for piece in pieces {
        let Some(&first) = piece.first() else { continue };
        let (mut last, mut direction): ((f64, f64), Option<(f64, f64)>) = (first, None);
        for &p in &piece[1..] {
            if length(last, p) < TURN_MIN_PX {
                continue;
            }
            let d = (p.0 - last.0, p.1 - last.1);
            if let Some(q) = direction {
                turns += 1;
                if q.0 * d.0 + q.1 * d.1 < 0.0 {
                    tips.push(last);
                }
            }
            direction = Some(d);
            last = p;
        }
    }
    (tips.len() >= ZIGZAG_TURNS && 2 * tips.len() >= turns).then_some(tips)
}

/// The tips to mark, in whole pixels: the first in each `TIP_CELL_PX` cell of the picture of
/// `size`, so that the markers of a long zig-zag near its end do not pile up.
fn spaced(tips: &[(f64, f64)], size: (f64, f64)) -> Vec<(i32, i32)> {
    let columns = (size.0 / TIP_CELL_PX).ceil() as usize + 1;
    let rows = (size.1 / TIP_CELL_PX).ceil() as usize + 1;
    let mut used = vec![false; columns * rows];
    let mut kept = Vec::new();
    for &(x, y) in tips {
        if !(0.0..=size.0).contains(&x) || !(0.0..=size.1).contains(&y) {
            continue;
        }
        let cell = (y / TIP_CELL_PX) as usize * columns + (x / TIP_CELL_PX) as usize;
        if let Some(slot) = used.get_mut(cell).filter(|u| !**u) {
            *slot = true;
            kept.push((x.round() as i32, y.round() as i32));
        }
    }
    kept
}

/// The distance between two points.
fn length(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).sqrt()
}

/// Draws every path, marker and minimum onto `root` (which is not cleared) and returns where
/// they went.
///
/// Coincident paths are nested (`nesting.rs`). End markers that would stack (within
/// `STACKED_PX` of each other) fan out around their stack to free space, each joined to its
/// true end by a thin leader line; where a known minimum lies under the stack, each fanned-out
/// marker of a run that did not diverge is labelled with its run's distance to the nearest
/// minimum, so that an end just short of the minimum shows apart from one on it.
pub fn draw_paths_layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    runs: &[PathSeries],
    minima: &[KnownMinimum],
    highlight: Option<Highlight>,
) -> Result<PathsLayout, String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let (width, height) = root.dim_in_pixel();
    let map = ViewMapping { view, width: f64::from(width), height: f64::from(height) };
    let order = drawing_order(runs.len(), highlight.map(|h| h.run));
    let shown: Vec<Shown> = runs.iter().map(|r| visible(&view, r)).collect();
    // Every piece of every path in pixels, simplified once to within `SIMPLIFY_PX` (a path of
    // 20,000 steps becomes a few hundred points): what is drawn, and what the widths, zig-zags,
    // fanned-out markers and labels are measured against. The pieces are already clipped to the
    // view (`visible`); any point still far outside is pulled in to a view's size beyond its edge,
    // so that no whole-pixel coordinate can overflow.
    let pixels: Vec<Vec<Vec<(f64, f64)>>> = shown
        .iter()
        .map(|(pieces, _)| {
            pieces
                .iter()
                .map(|p| {
                    let inside: Vec<(f64, f64)> = p
                        .iter()
                        .map(|q| map.to_pixel(*q))
                        .map(|(x, y)| (x.clamp(-map.width, 2.0 * map.width), y.clamp(-map.height, 2.0 * map.height)))
                        .collect();
                    super::simplified(&inside)
                })
                .collect()
        })
        .collect();
    let color_of = |i: usize| {
        let c = runs[i].style.color;
        match highlight {
            Some(h) if h.dim_others && h.run != i => dimmed(c),
            _ => c,
        }
    };
    // Whole pixels for drawing: the simplified pieces are long anti-aliased segments rather than
    // whole-pixel steps.
    let rounded = |piece: &Vec<(f64, f64)>| -> Vec<(i32, i32)> {
        piece.iter().map(|p| (p.0.round() as i32, p.1.round() as i32)).collect()
    };
    // Zig-zag paths (a learning rate near the stability limit) are drawn thin, nested in 1 px
    // steps instead of 2 (wide stripes of crossing zig-zags merge into one band), and carry their
    // run's marker at their turning points, so that zig-zags over one another can be told apart
    // by shape and colour (a hovered one comes to the front with the others dimmed).
    // (Not in a crowded picture, with more runs than dash patterns: its lines are solid and
    // plain, as cheap as possible to draw every frame.)
    let zigzags: Vec<Option<Vec<(f64, f64)>>> =
        pixels.iter().map(|pieces| zigzag_tips(pieces).filter(|_| runs.len() <= DASHES.len())).collect();
    let mut widths = nested_widths((map.width, map.height), &pixels, &order).widths;
    for (w, z) in widths.iter_mut().zip(&zigzags) {
        if z.is_some() {
            *w = 1 + (*w - 2) / 2;
        }
    }

    let tips: Vec<Vec<(i32, i32)>> =
        zigzags.iter().map(|z| z.as_deref().map_or_else(Vec::new, |t| spaced(t, (map.width, map.height)))).collect();
    // Every halo first, then every line, so that no run's halo washes out another's line. With
    // more runs than dash patterns (drawn solid, see figures::styles) the halos are left out too:
    // they would double the cost of a crowded picture, drawn every frame.
    let halos = runs.len() <= DASHES.len();
    for &i in order.iter().filter(|&&i| halos && highlight.is_none_or(|h| !h.dim_others || h.run == i)) {
        for piece in &pixels[i] {
            root.draw(&PathElement::new(rounded(piece), WHITE.mix(0.55).stroke_width(widths[i] + 2))).map_err(err)?;
        }
    }
    for &i in &order {
        let color = color_of(i);
        for piece in &pixels[i] {
            draw_line(
                root,
                &rounded(piece),
                runs[i].style.dash,
                RGBColor(color.0, color.1, color.2).stroke_width(widths[i]),
            )?;
        }
    }
    for &i in &order {
        let color = color_of(i);
        for at in &tips[i] {
            draw_marker(root, runs[i].style.marker, *at, TIP_RADIUS, Some(color), ((255, 255, 255), 1))?;
        }
    }
    // Markers after every line.
    let ends: Vec<(i32, i32)> = shown.iter().map(|(_, end)| map.marker_pixel(*end, END_RADIUS)).collect();
    let mut markers = ends.clone();
    let lines: Vec<Vec<(f64, f64)>> = pixels.iter().flatten().cloned().collect();
    let font: TextStyle = (super::style::FONT, LABEL_FONT).into_font().color(&RGBColor(20, 20, 20));
    let mut leaders: Vec<(usize, (i32, i32))> = Vec::new();
    // Runs in a stack with a known minimum under it: each is labelled with its distance.
    let mut fanned_over_minimum = vec![false; runs.len()];
    for stack in stacks(&ends, &order) {
        let n = stack.len() as f64;
        let centre =
            stack.iter().fold((0.0, 0.0), |c, &i| (c.0 + f64::from(ends[i].0) / n, c.1 + f64::from(ends[i].1) / n));
        let minimum_under = minima.iter().any(|m| {
            let p = map.to_pixel((m.x[0], m.x[1]));
            length(p, centre) < FAN_PX
        });
        let spots = fan_out(&map, centre, stack.len(), &lines);
        for (&i, &at) in stack.iter().zip(&spots) {
            markers[i] = at;
            leaders.push((i, ends[i]));
            fanned_over_minimum[i] = minimum_under;
        }
    }
    // The distance labels: every run that did not diverge and either fanned out over a minimum
    // or stopped away from every known minimum (out of steps, or a criterion fired on a slope)
    // is labelled with its distance to the nearest minimum, placed where it covers the least
    // of the paths, inside the view and clear of every marker, ring and other label.
    let minimum_pixels: Vec<(f64, f64)> = minima.iter().map(|m| map.to_pixel((m.x[0], m.x[1]))).collect();
    // (Not in a crowded picture, with more runs than dash patterns: labels for every run would
    // cover it, and placing them would cost too much to draw every frame.)
    // Away means visibly off every minimum's ring, or inside a ring but farther from its
    // minimum than `AWAY_SHARE` of the view's diagonal (a run stopped just short, whose marker
    // sits in the ring as if it had arrived).
    let diagonal = (view.x[1] - view.x[0]).hypot(view.y[1] - view.y[0]);
    let away = |i: usize| {
        let (end, at) = (map.to_pixel(shown[i].1), shown[i].1);
        let off_ring = minimum_pixels.iter().all(|m| length(*m, end) > f64::from(MINIMUM_RADIUS + END_RADIUS));
        let short = minima.iter().all(|m| length((m.x[0], m.x[1]), at) > AWAY_SHARE * diagonal);
        runs.len() <= DASHES.len() && runs[i].finished && (off_ring || short)
    };
    let mut taken: Vec<[i32; 4]> = markers
        .iter()
        .copied()
        .chain(runs.iter().map(|r| map.marker_pixel(r.start, START_RADIUS)))
        .map(|m| [m.0 - END_RADIUS - 2, m.1 - END_RADIUS - 2, m.0 + END_RADIUS + 2, m.1 + END_RADIUS + 2])
        .collect();
    for m in minima {
        let c = map.marker_pixel((m.x[0], m.x[1]), MINIMUM_RADIUS + 4);
        let r = MINIMUM_RADIUS + 5;
        taken.push([c.0 - r, c.1 - r, c.0 + r, c.1 + r]);
    }
    // The labels keep off the paths and the fanned-out markers' leader lines.
    let mut covered_lines = lines;
    covered_lines.extend(leaders.iter().map(|(i, end)| {
        vec![(f64::from(end.0), f64::from(end.1)), (f64::from(markers[*i].0), f64::from(markers[*i].1))]
    }));
    let mut wanted: Vec<(usize, String, (i32, i32))> = Vec::new();
    for i in 0..runs.len() {
        if minima.is_empty() || runs[i].diverged || !(fanned_over_minimum[i] || away(i)) {
            continue;
        }
        let end = shown[i].1;
        let distance = minima.iter().map(|m| length((m.x[0], m.x[1]), end)).fold(f64::INFINITY, f64::min);
        let text = format!("{} from min", crate::run::report::short(distance));
        let (tw, th) = root.estimate_text_size(&text, &font).map_err(err)?;
        wanted.push((i, text, (tw as i32 + 4, th as i32 + 2)));
    }
    // Placed one after another, in run order; where that leaves a label out (a label placed
    // first can take the only place left for another), in other orders, keeping the one that
    // places the most.
    let place_all = |order: &mut dyn Iterator<Item = &(usize, String, (i32, i32))>| {
        let mut taken = taken.clone();
        let mut placed: Vec<(usize, String, [i32; 4])> = Vec::new();
        let mut label_leaders: Vec<Leader> = Vec::new();
        for (i, text, size) in order {
            let label_boxes: Vec<[i32; 4]> = placed.iter().map(|(_, _, r)| *r).collect();
            let around = Surroundings {
                bounds: [0, 0, width as i32, height as i32],
                taken: &taken,
                labels: &label_boxes,
                leaders: &label_leaders,
                lines: &covered_lines,
            };
            if let Some((rect, leader)) = place_label(markers[*i], END_RADIUS, *size, &around) {
                taken.push(rect);
                placed.push((*i, text.clone(), rect));
                label_leaders.extend(leader);
            }
        }
        (placed, label_leaders)
    };
    let mut best = place_all(&mut wanted.iter());
    // Where a label is missing: in reverse, then starting from each run in turn.
    for start in 1..=wanted.len() {
        if best.0.len() == wanted.len() || wanted.len() > DASHES.len() {
            break;
        }
        let other = if start == wanted.len() {
            place_all(&mut wanted.iter().rev())
        } else {
            place_all(&mut wanted[start..].iter().chain(&wanted[..start]))
        };
        if other.0.len() > best.0.len() {
            best = other;
        }
    }
    let (placed, label_leaders) = best;
    let labels = placed;
    for (i, end) in &leaders {
        let (a, b) = (*end, markers[*i]);
        root.draw(&PathElement::new(vec![a, b], WHITE.mix(0.8).stroke_width(3))).map_err(err)?;
        root.draw(&PathElement::new(vec![a, b], RGBColor(30, 30, 30).stroke_width(1))).map_err(err)?;
    }
    for (i, end) in &leaders {
        let c = color_of(*i);
        root.draw(&Circle::new(*end, 2, RGBColor(c.0, c.1, c.2).filled())).map_err(err)?;
    }
    // A white halo under every end marker, after every line, so that an end on another run's
    // path (Newton's at the saddle, on gradient descent's line) stays visible.
    for (i, at) in markers.iter().enumerate().filter(|(i, _)| !runs[*i].diverged) {
        draw_marker(root, runs[i].style.marker, *at, END_RADIUS + 2, Some((255, 255, 255)), ((255, 255, 255), 2))?;
    }
    let starts: Vec<(i32, i32)> = runs.iter().map(|r| map.marker_pixel(r.start, START_RADIUS)).collect();
    let near = |a: (i32, i32), b: (i32, i32), reach: i32| (a.0 - b.0).pow(2) + (a.1 - b.1).pow(2) <= reach * reach;
    for (k, &i) in order.iter().enumerate() {
        let run = &runs[i];
        let color = color_of(i);
        // A start marker grows by 2 px for each later run starting within reach, so that it stays
        // visible as a ring around them.
        let later_starts = order[k + 1..].iter().filter(|&&j| near(starts[i], starts[j], 2 * START_RADIUS)).count();
        let start_radius = START_RADIUS + 2 * later_starts.min(MAX_RINGS) as i32;
        draw_marker(root, run.style.marker, starts[i], start_radius, Some((255, 255, 255)), (color, 2))?;
        if run.diverged {
            let (x, y) = markers[i];
            let arm = 6;
            for style in [WHITE.stroke_width(6), RGBColor(color.0, color.1, color.2).stroke_width(3)] {
                root.draw(&PathElement::new(vec![(x - arm, y - arm), (x + arm, y + arm)], style)).map_err(err)?;
                root.draw(&PathElement::new(vec![(x - arm, y + arm), (x + arm, y - arm)], style)).map_err(err)?;
            }
        } else {
            let outline = if run.finished { (20, 20, 20) } else { (255, 255, 255) };
            draw_marker(root, run.style.marker, markers[i], END_RADIUS, Some(color), (outline, 1))?;
        }
    }
    for m in minima {
        let at = (m.x[0], m.x[1]);
        let centre = map.marker_pixel(at, MINIMUM_RADIUS + 4);
        // A ring grows around the end markers still under it (a fanned-out stack has left it).
        let under = markers.iter().filter(|e| near(**e, centre, MINIMUM_RADIUS)).count();
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
    // The distance labels last, on a pale ground, so that no ring or path runs through them;
    // a label away from its marker hangs on a thin leader line.
    for (a, b) in &label_leaders {
        root.draw(&PathElement::new(vec![*a, *b], WHITE.mix(0.8).stroke_width(3))).map_err(err)?;
        root.draw(&PathElement::new(vec![*a, *b], RGBColor(30, 30, 30).stroke_width(1))).map_err(err)?;
    }
    for (_, text, rect) in &labels {
        root.draw(&Rectangle::new([(rect[0], rect[1]), (rect[2], rect[3])], WHITE.mix(0.85).filled())).map_err(err)?;
        root.draw_text(text, &font.pos(Pos::new(HPos::Left, VPos::Top)), (rect[0] + 2, rect[1] + 1)).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(PathsLayout { widths, ends, markers, labels, leaders: label_leaders, tips })
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
