//! The analyses drawn over the landscape (issue #12), from the numbers the analysis worker
//! computed (`analysis::basins`, `analysis::critical`): the page's wasm only draws them.
//!
//! - Basins of attraction: each start's cell of the grid over its view box is tinted, over the
//!   heatmap and under the paths, with its outcome's colour (`basin_color`): the known minima
//!   and any other point reached in `BASIN_PALETTE`, Paul Tol's "light" qualitative scheme
//!   (colour-blind safe, made for filled areas; P. Tol, "Colour schemes", SRON technical note
//!   SRON/EPS/TN/09-002, 2021), pale beside the runs' saturated Okabe–Ito colours
//!   (`style::PALETTE`), so that a basin is not read as a run's and a path stays visible over
//!   any basin; the first four basins (Himmelblau's) take the four colours furthest apart;
//!   diverged in a dark grey and not converged in a light grey, both apart from every colour. The tint lets `BASIN_ALPHA` of the outcome's
//!   colour over the heatmap, so that the contours still show faintly; a dark line separates
//!   cells of different outcomes, so that basins are told apart by their borders too, without
//!   colour; a cell no worker has reached yet (`PENDING`) is left as it is.
//! - Critical points: a minimum as a white downward triangle (the bottom of a bowl), a maximum
//!   as a black upward triangle (a peak), a saddle as a yellow diamond, a degenerate point as a
//!   grey square, each outlined in the opposite shade so that it shows on dark and bright parts
//!   of the heatmap. The page's caption names the shapes; the picture carries no legend that
//!   could cover a point.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::paths::ViewMapping;
use super::style::{draw_marker, Marker};
use crate::analysis::critical::PointKind;
use crate::problem::ViewBox;

/// A cell of a partial basins grid that no worker has reached yet.
pub const PENDING: u16 = u16::MAX;
/// The share of an outcome's colour over the heatmap.
pub const BASIN_ALPHA: f64 = 0.85;
/// The basins' colours in the order they take them (Tol's "light" scheme: light blue, orange,
/// mint, pink, light yellow, pear, light cyan, olive), the four furthest apart first.
const BASIN_PALETTE: [(u8, u8, u8); 8] = [
    (0x77, 0xaa, 0xdd),
    (0xee, 0x88, 0x66),
    (0x44, 0xbb, 0x99),
    (0xff, 0xaa, 0xbb),
    (0xee, 0xdd, 0x88),
    (0xbb, 0xcc, 0x33),
    (0x99, 0xdd, 0xff),
    (0xaa, 0xaa, 0x00),
];
/// The line between cells of different outcomes.
const BORDER_COLOR: (u8, u8, u8) = (25, 25, 25);
/// The colour of starts that diverged (a dark grey).
pub const DIVERGED_COLOR: (u8, u8, u8) = (51, 51, 51);
/// The colour of starts that did not converge within the step limit (a light grey).
pub const NOT_CONVERGED_COLOR: (u8, u8, u8) = (190, 190, 190);
/// A critical point's marker radius, in CSS pixels.
const RADIUS: i32 = 6;

/// The colour of basin outcome `index` (0 diverged, 1 not converged, then the points reached).
pub fn basin_color(index: usize) -> (u8, u8, u8) {
    match index {
        0 => DIVERGED_COLOR,
        1 => NOT_CONVERGED_COLOR,
        i => BASIN_PALETTE[(i - 2) % BASIN_PALETTE.len()],
    }
}

/// A basins grid to draw: `side` x `side` cells over `view`, row-major from the top row, each
/// an outcome index (or `PENDING`).
#[derive(Clone, Debug, PartialEq)]
pub struct BasinPicture {
    pub side: usize,
    pub view: ViewBox,
    pub grid: Vec<u16>,
}

/// Tints the RGBA image `rgba` (`width` x `height` pixels showing `view`) with the basins of
/// `picture`, each pixel by the cell its centre lies in. It runs once per partial result over
/// every device pixel of the landscape, so it works row by row: each pixel row's outcomes are
/// looked up once, and compared with the row above for the borders.
pub fn tint_basins(rgba: &mut [u8], width: usize, height: usize, view: ViewBox, picture: &BasinPicture) {
    let side = picture.side;
    if side == 0 || width == 0 || height == 0 {
        return;
    }
    let b = picture.view;
    let cell_of = |t: f64| {
        let k = (t * side as f64).floor();
        (k >= 0.0 && k < side as f64).then_some(k as usize)
    };
    // The column of the grid under each pixel column.
    let columns: Vec<Option<usize>> = (0..width)
        .map(|px| {
            let x = view.x[0] + (px as f64 + 0.5) / width as f64 * (view.x[1] - view.x[0]);
            cell_of((x - b.x[0]) / (b.x[1] - b.x[0]))
        })
        .collect();
    // Each outcome's colour weighted by BASIN_ALPHA, in 1/256ths.
    let alpha = (BASIN_ALPHA * 256.0).round() as u32;
    let tints: Vec<[u32; 3]> = (0..256)
        .map(|i| {
            let (r, g, bl) = basin_color(i);
            [u32::from(r) * alpha, u32::from(g) * alpha, u32::from(bl) * alpha]
        })
        .collect();
    let keep = 256 - alpha;
    let mut above: Vec<u16> = vec![PENDING; width];
    let mut here: Vec<u16> = vec![PENDING; width];
    for (py, line) in rgba.chunks_exact_mut(4 * width).take(height).enumerate() {
        let y = view.y[1] - (py as f64 + 0.5) / height as f64 * (view.y[1] - view.y[0]);
        let row = cell_of((b.y[1] - y) / (b.y[1] - b.y[0]));
        for (px, column) in columns.iter().enumerate() {
            here[px] = match (row, column) {
                (Some(row), Some(column)) => picture.grid.get(row * side + column).copied().unwrap_or(PENDING),
                _ => PENDING,
            };
        }
        for (px, pixel) in line.chunks_exact_mut(4).enumerate() {
            let index = here[px];
            if index == PENDING {
                continue;
            }
            // A border where the pixel to the left or above lies in a cell of another outcome
            // (a cell not reached yet draws none).
            let left = if px > 0 { here[px - 1] } else { PENDING };
            let up = if py > 0 { above[px] } else { PENDING };
            if (left != PENDING && left != index) || (up != PENDING && up != index) {
                (pixel[0], pixel[1], pixel[2]) = BORDER_COLOR;
                continue;
            }
            let tint = tints.get(usize::from(index)).copied().unwrap_or_else(|| {
                let (r, g, bl) = basin_color(usize::from(index));
                [u32::from(r) * alpha, u32::from(g) * alpha, u32::from(bl) * alpha]
            });
            for c in 0..3 {
                pixel[c] = ((u32::from(pixel[c]) * keep + tint[c]) >> 8) as u8;
            }
        }
        std::mem::swap(&mut above, &mut here);
    }
}

/// The marker of a kind of point: shape, fill and outline.
fn look(kind: PointKind) -> (Marker, (u8, u8, u8), (u8, u8, u8)) {
    const BLACK: (u8, u8, u8) = (20, 20, 20);
    const WHITE: (u8, u8, u8) = (255, 255, 255);
    match kind {
        PointKind::Minimum => (Marker::TriangleDown, WHITE, BLACK),
        PointKind::Maximum => (Marker::TriangleUp, BLACK, WHITE),
        PointKind::Saddle => (Marker::Diamond, (240, 228, 66), BLACK),
        PointKind::Degenerate => (Marker::Square, (150, 150, 150), BLACK),
    }
}

/// The page's key to `look`, in words: each kind with its marker's symbol and fill colour
/// (the catalogue gives it to the page; a test checks it against `look`).
pub const POINT_KEY: [(PointKind, &str, &str); 4] = [
    (PointKind::Minimum, "▽", "white"),
    (PointKind::Maximum, "▲", "black"),
    (PointKind::Saddle, "◆", "yellow"),
    (PointKind::Degenerate, "■", "grey"),
];

/// The critical points' kinds by their code in the page's overlay (the index; the page reads
/// this list from the catalogue).
pub const POINT_KIND_CODES: [PointKind; 4] =
    [PointKind::Minimum, PointKind::Maximum, PointKind::Saddle, PointKind::Degenerate];

/// The kind of a critical point from its code in the page's overlay (`POINT_KIND_CODES`;
/// any other code is degenerate).
pub fn kind_of_code(code: f64) -> PointKind {
    POINT_KIND_CODES.get(code as u8 as usize).copied().unwrap_or(PointKind::Degenerate)
}

/// Draws every point of `points` (position and kind) that lies in `view` onto `root` (which
/// is not cleared).
pub fn draw_critical_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    points: &[([f64; 2], PointKind)],
) -> Result<(), String> {
    let (width, height) = root.dim_in_pixel();
    let map = ViewMapping { view, width: f64::from(width), height: f64::from(height) };
    let inside = |x: &[f64; 2]| x[0] >= view.x[0] && x[0] <= view.x[1] && x[1] >= view.y[0] && x[1] <= view.y[1];
    for (x, kind) in points.iter().filter(|(x, _)| inside(x)) {
        let (marker, fill, outline) = look(*kind);
        let centre = map.marker_pixel((x[0], x[1]), RADIUS + 1);
        draw_marker(root, marker, centre, RADIUS, Some(fill), (outline, 2))?;
    }
    Ok(())
}

/// What the page draws over its landscape: a basins picture and critical points, set from the
/// analysis worker's results; the tinted image is kept until the landscape or the basins change.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    basins: Option<BasinPicture>,
    critical: Vec<([f64; 2], PointKind)>,
    /// The landscape image's key and the tinted image.
    tinted: Option<(String, Vec<u8>)>,
}

impl Overlay {
    /// Shows `picture` (None: no basins).
    pub fn set_basins(&mut self, picture: Option<BasinPicture>) {
        self.basins = picture;
        self.tinted = None;
    }

    /// Shows `points` (empty: none).
    pub fn set_critical(&mut self, points: Vec<([f64; 2], PointKind)>) {
        self.critical = points;
    }

    /// The critical points shown.
    pub fn critical(&self) -> &[([f64; 2], PointKind)] {
        &self.critical
    }

    /// The landscape image `base` (`width` x `height`, showing `view`, identified by `key`)
    /// with the basins tinted over it, or `base` itself when no basins are shown.
    pub fn image<'a>(&'a mut self, key: &str, base: &'a [u8], width: usize, height: usize, view: ViewBox) -> &'a [u8] {
        let Some(picture) = &self.basins else { return base };
        if self.tinted.as_ref().is_none_or(|(k, _)| k != key) {
            let mut rgba = base.to_vec();
            tint_basins(&mut rgba, width, height, view, picture);
            self.tinted = Some((key.to_string(), rgba));
        }
        self.tinted.as_ref().map_or(base, |(_, rgba)| rgba.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_point_key_names_the_markers_drawn() {
        let kinds: Vec<PointKind> = POINT_KEY.iter().map(|k| k.0).collect();
        assert_eq!(kinds, POINT_KIND_CODES.to_vec(), "every kind, once");
        for (kind, symbol, colour) in POINT_KEY {
            let (marker, (r, g, b), _) = look(kind);
            let drawn = match marker {
                Marker::TriangleDown => "▽",
                Marker::TriangleUp => "▲",
                Marker::Diamond => "◆",
                Marker::Square => "■",
                Marker::Circle => "●",
            };
            assert_eq!(symbol, drawn, "{kind:?}");
            let (high, low) = (r.max(g).max(b), r.min(g).min(b));
            let named = match (high, high - low) {
                (_, spread) if spread > 100 && b < r && b < g => "yellow",
                (h, _) if h > 230 => "white",
                (h, _) if h < 60 => "black",
                _ => "grey",
            };
            assert_eq!(colour, named, "{kind:?}: fill {:?}", (r, g, b));
        }
    }

    #[test]
    fn each_cell_takes_its_outcome_a_border_where_outcomes_meet_and_pending_cells_stay() {
        // A 2 x 2 grid over the image's own view, 4 x 4 white pixels: each cell is 2 x 2 pixels.
        let view = ViewBox { x: [0.0, 2.0], y: [0.0, 2.0] };
        let picture = BasinPicture { side: 2, view, grid: vec![2, 3, PENDING, 0] };
        let mut rgba = vec![255u8; 4 * 16];
        tint_basins(&mut rgba, 4, 4, view, &picture);
        let pixel = |x: usize, y: usize| (rgba[4 * (4 * y + x)], rgba[4 * (4 * y + x) + 1], rgba[4 * (4 * y + x) + 2]);
        let tint = |c: (u8, u8, u8)| {
            let a = (BASIN_ALPHA * 256.0).round() as u32;
            let blend = |o: u8| ((255 * (256 - a) + u32::from(o) * a) >> 8) as u8;
            (blend(c.0), blend(c.1), blend(c.2))
        };
        assert_eq!(basin_color(2), (0x77, 0xaa, 0xdd), "the first point reached is light blue");
        assert_eq!(basin_color(5), (0xff, 0xaa, 0xbb), "the fourth is pink");
        // No basin takes a run's colour.
        let runs: Vec<(u8, u8, u8)> =
            crate::chart::style::PALETTE.iter().map(|c| crate::chart::parse_color(c)).collect();
        assert!((0..12).all(|i| !runs.contains(&basin_color(i))));
        assert_eq!(pixel(0, 0), tint(basin_color(2)));
        assert_eq!(pixel(1, 1), tint(basin_color(2)));
        assert_eq!(pixel(2, 0), BORDER_COLOR, "left of it is another outcome");
        assert_eq!(pixel(3, 1), tint(basin_color(3)));
        assert_eq!(pixel(3, 2), BORDER_COLOR, "above it is another outcome");
        assert_eq!(pixel(3, 3), tint(DIVERGED_COLOR));
        assert_eq!(pixel(2, 3), tint(DIVERGED_COLOR), "a pending neighbour draws no border");
        assert_eq!((pixel(0, 2), pixel(1, 3)), ((255, 255, 255), (255, 255, 255)), "pending cells stay as they were");
    }
}
