//! Charts drawn with plotters, generic over the drawing backend: the canvas in the browser
//! (plotters-canvas), SVG natively and for the page's exports (`svg.rs`). Curves are decimated to about one point per pixel column
//! (keeping each column's minimum and maximum) so that million-step runs stay cheap.

pub mod analysis_overlay;
pub mod curves;
pub mod figures;
pub mod heatmap;
pub mod legend;
pub mod measured;
pub mod model_view;
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
    fn colors_parse() {
        assert_eq!(parse_color("#1f77b4"), (0x1f, 0x77, 0xb4));
        assert_eq!(parse_color("nope"), (128, 128, 128));
    }
}
