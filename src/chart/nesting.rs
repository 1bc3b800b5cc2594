//! Coincident lines drawn as nested stripes. Two runs whose lines fall on the same pixels (two
//! optimizers that take the same path, two loss curves at the same value) would show as one,
//! the later hiding the earlier. Instead each line is 2 px wider for every later line it
//! shares a good part of its course with, so the later, narrower line runs inside the earlier,
//! wider one and both colours stay visible side by side. Used by the map's paths (`paths.rs`)
//! and by the charts' curves (`curves.rs`).
//!
//! Lines are compared on a grid of `CELL_PX` cells, one bit per run in each cell (so at most 8
//! runs; more runs are drawn plain): two lines coincide when the cells they share are at least
//! `SHARED` of the cells of the shorter one and at least `MIN_SHARED_CELLS` (two runs that only
//! start at one point, as every loss curve does, are not coincident). A line that runs inside a
//! wider one may be drawn over a pale casing 1 px wider on each side (the charts do), so that it
//! stands apart from the line around it even where both have one colour (a run's training and
//! validation loss).

/// Side of the cells in which lines are compared, in pixels.
const CELL_PX: f64 = 6.0;
/// Most stripes a line widens by (three coincident lines: 6, 4 and 2 px wide).
const MAX_NESTED: usize = 2;
/// Share of the shorter line's cells that two lines must have in common to count as coincident.
const SHARED: f64 = 0.25;
/// Fewest cells two lines must have in common to count as coincident.
const MIN_SHARED_CELLS: usize = 8;
/// The width of a line that coincides with no later line, in pixels.
pub const PLAIN_WIDTH: u32 = 2;

/// How each run's line is drawn where lines coincide.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nesting {
    /// Stroke width in pixels: `PLAIN_WIDTH`, plus 2 px for every run drawn after it (up to
    /// `MAX_NESTED`) whose line coincides with it.
    pub widths: Vec<u32>,
    /// The line runs inside a wider, earlier one (and may be drawn over a pale casing).
    pub inside: Vec<bool>,
}

impl Nesting {
    /// The width of a casing under run `i`'s line (0: none, it runs inside no other line).
    pub fn casing(&self, i: usize) -> u32 {
        if self.inside.get(i).copied().unwrap_or(false) {
            self.widths.get(i).copied().unwrap_or(PLAIN_WIDTH) + 2
        } else {
            0
        }
    }
}

/// The nesting of runs' lines. `pixels` holds each run's line as pieces of polylines in the
/// pixels of a `size` area; `order` is the drawing order (later runs on top).
pub fn nested_widths(size: (f64, f64), pixels: &[Vec<Vec<(f64, f64)>>], order: &[usize]) -> Nesting {
    let mut nesting = Nesting { widths: vec![PLAIN_WIDTH; pixels.len()], inside: vec![false; pixels.len()] };
    if pixels.len() < 2 || pixels.len() > 8 {
        return nesting;
    }
    let columns = (size.0 / CELL_PX).ceil() as usize + 1;
    let rows = (size.1 / CELL_PX).ceil() as usize + 1;
    let mut cells = vec![0u8; columns * rows];
    for (run, pieces) in pixels.iter().enumerate() {
        for pair in pieces.iter().flat_map(|piece| piece.windows(2)) {
            let (a, b) = (pair[0], pair[1]);
            let length = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let samples = (length / (CELL_PX / 2.0)).ceil().clamp(1.0, 1000.0) as usize;
            for k in 0..=samples {
                let t = k as f64 / samples as f64;
                let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                let (c, r) = ((x / CELL_PX).floor(), (y / CELL_PX).floor());
                if c >= 0.0 && r >= 0.0 && (c as usize) < columns && (r as usize) < rows {
                    cells[r as usize * columns + c as usize] |= 1 << run;
                }
            }
        }
    }
    let count = |mask: u8| cells.iter().filter(|&&c| c & mask == mask).count();
    let coincide = |i: usize, j: usize| {
        let shorter = count(1 << i).min(count(1 << j));
        let shared = count((1 << i) | (1 << j));
        shared >= MIN_SHARED_CELLS && shared as f64 >= SHARED * shorter as f64
    };
    for (k, &i) in order.iter().enumerate() {
        let over = order[k + 1..].iter().filter(|&&j| coincide(i, j)).count();
        nesting.widths[i] = PLAIN_WIDTH + 2 * over.min(MAX_NESTED) as u32;
        nesting.inside[i] = order[..k].iter().any(|&j| coincide(i, j));
    }
    nesting
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(y: f64) -> Vec<Vec<(f64, f64)>> {
        vec![vec![(10.0, y), (290.0, y)]]
    }

    #[test]
    fn coincident_lines_nest_in_drawing_order_and_others_stay_plain() {
        let lines = [line(100.0), line(101.0), line(200.0)];
        let nesting = nested_widths((300.0, 300.0), &lines, &[0, 1, 2]);
        assert_eq!(nesting.widths, vec![4, 2, 2]);
        assert_eq!(nesting.inside, vec![false, true, false]);
        assert_eq!((nesting.casing(0), nesting.casing(1), nesting.casing(2)), (0, 4, 0));
        // Drawn the other way round, the other line is the wide one underneath.
        let nesting = nested_widths((300.0, 300.0), &lines, &[1, 0, 2]);
        assert_eq!(nesting.widths, vec![2, 4, 2]);
        assert_eq!(nesting.inside, vec![true, false, false]);
    }

    #[test]
    fn lines_that_only_cross_are_not_nested() {
        let across = vec![vec![(150.0, 10.0), (150.0, 290.0)]];
        assert_eq!(nested_widths((300.0, 300.0), &[line(100.0), across], &[0, 1]).widths, vec![2, 2]);
    }

    #[test]
    fn lines_that_share_only_their_start_are_not_nested() {
        // Two curves from one starting point (as every loss curve starts), one short: they share
        // a few cells, all of the short one's first stretch, but that is not running together.
        let long = vec![vec![(0.0, 0.0), (290.0, 10.0)]];
        let short = vec![vec![(0.0, 0.0), (20.0, 150.0)]];
        assert_eq!(nested_widths((300.0, 300.0), &[long, short], &[0, 1]).widths, vec![2, 2]);
    }
}
