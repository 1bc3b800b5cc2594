//! The critical points of a landscape drawn over it, marked by kind (`analysis::critical`): a
//! minimum as a white downward triangle (the bottom of a bowl), a maximum as a black upward
//! triangle (a peak), a saddle as a yellow diamond, a degenerate point as a grey square, each
//! outlined in the opposite shade so that it shows on dark and bright parts of the heatmap. The
//! page's caption names the shapes; the picture carries no legend that could cover a point.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::paths::ViewMapping;
use super::style::{draw_marker, Marker};
use crate::analysis::critical::{CriticalPoint, PointKind};
use crate::problem::ViewBox;

/// A critical point's marker radius, in pixels.
const RADIUS: i32 = 5;

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

/// Draws every point of `points` that lies in `view` onto `root` (which is not cleared).
pub fn draw_critical_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    points: &[CriticalPoint],
) -> Result<(), String> {
    let (width, height) = root.dim_in_pixel();
    let map = ViewMapping { view, width: f64::from(width), height: f64::from(height) };
    let inside =
        |p: &CriticalPoint| p.x[0] >= view.x[0] && p.x[0] <= view.x[1] && p.x[1] >= view.y[0] && p.x[1] <= view.y[1];
    for p in points.iter().filter(|p| inside(p)) {
        let (marker, fill, outline) = look(p.kind);
        let centre = map.marker_pixel((p.x[0], p.x[1]), RADIUS + 1);
        draw_marker(root, marker, centre, RADIUS, Some(fill), (outline, 2))?;
    }
    Ok(())
}
