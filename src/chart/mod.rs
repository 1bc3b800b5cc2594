//! Charts drawn with plotters, generic over the drawing backend: the canvas in the browser
//! (plotters-canvas), SVG natively and for the page's exports (`svg.rs`). Curves are decimated to about one point per pixel column
//! (keeping each column's minimum and maximum) so that million-step runs stay cheap, and every
//! polyline is simplified to within half a pixel before it is rounded to plotters' whole pixels
//! (`pixel_polyline`), so that smooth stretches are long anti-aliased segments, not stair steps.

pub mod analysis_overlay;
pub mod curves;
pub mod figures;
pub mod heatmap;
pub mod legend;
pub mod measured;
pub mod model_view;
pub mod nesting;
pub mod network;
pub mod paths;
pub mod placement;
pub mod plane;
pub mod search;
pub mod series;
pub mod style;
pub mod svg;

pub use style::{run_color, PALETTE};

/// Parses `#rrggbb` (falls back to grey for anything else; configs are validated earlier).
pub fn parse_color(text: &str) -> (u8, u8, u8) {
    let hex = text.trim_start_matches('#');
    let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(128);
    if hex.len() == 6 {
        (channel(0), channel(2), channel(4))
    } else {
        (128, 128, 128)
    }
}

/// Keeps about two points per pixel column: each column's minimum and maximum, in x order,
/// and the curve's first and last points.
pub fn decimate(points: &[(f64, f64)], x_range: (f64, f64), columns: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * columns.max(1) {
        return points.to_vec();
    }
    let span = (x_range.1 - x_range.0).max(f64::MIN_POSITIVE);
    let mut out = Vec::with_capacity(2 * columns + 2);
    // The open column: its index, lowest point and highest point.
    type Column = (usize, (f64, f64), (f64, f64));
    let mut current: Option<Column> = None;
    let flush = |out: &mut Vec<(f64, f64)>, lo: (f64, f64), hi: (f64, f64)| {
        if lo.0 <= hi.0 {
            out.push(lo);
            if hi != lo {
                out.push(hi);
            }
        } else {
            out.push(hi);
            out.push(lo);
        }
    };
    for &p in points {
        let column = (((p.0 - x_range.0) / span) * columns as f64).floor().max(0.0) as usize;
        match current {
            Some((c, lo, hi)) if c == column => {
                let lo = if p.1 < lo.1 { p } else { lo };
                let hi = if p.1 > hi.1 { p } else { hi };
                current = Some((c, lo, hi));
            }
            _ => {
                if let Some((_, lo, hi)) = current {
                    flush(&mut out, lo, hi);
                }
                current = Some((column, p, p));
            }
        }
    }
    if let Some((_, lo, hi)) = current {
        flush(&mut out, lo, hi);
    }
    if let (Some(&first), Some(&kept)) = (points.first(), out.first()) {
        if first != kept {
            out.insert(0, first);
        }
    }
    if let (Some(&last), Some(&kept)) = (points.last(), out.last()) {
        if last != kept {
            out.push(last);
        }
    }
    out
}

/// How far, in pixels, a drawn polyline may stray from the points it simplifies.
pub const SIMPLIFY_PX: f64 = 0.5;
/// The most points simplified together (Ramer–Douglas–Peucker is quadratic at worst).
const SIMPLIFY_CHUNK: usize = 128;

/// A polyline in pixels, simplified (Ramer–Douglas–Peucker, distances to the segment so that a
/// reversal is kept) to within `SIMPLIFY_PX` and then rounded to whole pixels. A smooth curve
/// becomes a few long segments, which the canvas draws anti-aliased at the device's resolution,
/// instead of one whole-pixel step per column (stair steps on a 2x screen).
pub fn pixel_polyline(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    simplified(points).iter().map(|p| (p.0.round() as i32, p.1.round() as i32)).collect()
}

/// The points of `points` that Ramer–Douglas–Peucker keeps to within `SIMPLIFY_PX` (see
/// `pixel_polyline`), still in fractional pixels.
pub fn simplified(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut keep = vec![false; points.len()];
    if let Some(last) = points.len().checked_sub(1) {
        keep[0] = true;
        keep[last] = true;
        // Simplified in chunks of `SIMPLIFY_CHUNK` points (their ends kept), so that the cost
        // stays linear in the points however the splits fall.
        let mut stack: Vec<(usize, usize)> =
            (0..last).step_by(SIMPLIFY_CHUNK).map(|a| (a, (a + SIMPLIFY_CHUNK).min(last))).collect();
        for &(a, _) in &stack {
            keep[a] = true;
        }
        while let Some((a, b)) = stack.pop() {
            let (pa, pb) = (points[a], points[b]);
            let (dx, dy) = (pb.0 - pa.0, pb.1 - pa.1);
            let length = dx * dx + dy * dy;
            let mut worst = (0.0, a);
            for (k, p) in points.iter().enumerate().take(b).skip(a + 1) {
                let t =
                    if length > 0.0 { (((p.0 - pa.0) * dx + (p.1 - pa.1) * dy) / length).clamp(0.0, 1.0) } else { 0.0 };
                let d = ((pa.0 + t * dx - p.0).powi(2) + (pa.1 + t * dy - p.1).powi(2)).sqrt();
                if d > worst.0 {
                    worst = (d, k);
                }
            }
            if worst.0 > SIMPLIFY_PX {
                keep[worst.1] = true;
                stack.push((a, worst.1));
                stack.push((worst.1, b));
            }
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_extremes_and_bounds_size() {
        let points: Vec<(f64, f64)> =
            (0..100_000).map(|i| (i as f64, if i == 50_000 { 1e6 } else { (i % 7) as f64 })).collect();
        let kept = decimate(&points, (0.0, 100_000.0), 100);
        assert!(kept.len() <= 202, "kept {}", kept.len());
        assert!(kept.iter().any(|p| p.1 == 1e6));
        assert!(kept.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn a_smooth_curve_becomes_few_long_segments_and_a_reversal_stays() {
        let arc: Vec<(f64, f64)> = (0..=400).map(|i| (f64::from(i), 100.0 - 0.0005 * f64::from(i * i))).collect();
        let drawn = pixel_polyline(&arc);
        assert!(drawn.len() < 40, "{} vertices", drawn.len());
        assert_eq!(drawn.first(), Some(&(0, 100)));
        assert_eq!(drawn.last(), Some(&(400, 20)));
        // Out and back along one line: the far end is kept.
        let back = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (3.0, 0.0)];
        assert_eq!(pixel_polyline(&back), vec![(0, 0), (10, 0), (3, 0)]);
    }

    #[test]
    fn colors_parse() {
        assert_eq!(parse_color("#1f77b4"), (0x1f, 0x77, 0xb4));
        assert_eq!(parse_color("nope"), (128, 128, 128));
    }
}
