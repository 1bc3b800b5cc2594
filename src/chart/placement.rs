//! Where a label goes beside its marker: candidate boxes in eight directions and at growing
//! distances, each scored by the length of drawn line it would cover (every segment clipped to
//! the box, Liang–Barsky), plus a little for its distance; a box that leaves the drawing,
//! overlaps a box already taken, is crossed by another label's leader line, or whose own leader
//! line would cross another label is refused. A label away from its marker gets a leader line,
//! from the marker's edge to the nearest point of the box. The landscape's distance labels
//! (`paths.rs`) and the charts' key moments (`curves.rs`) both keep their leaders off other
//! labels with `crosses`.

/// A box `[left, top, right, bottom]` in pixels.
pub type Rect = [i32; 4];

/// A leader line from a marker to its label, in pixels.
pub type Leader = ((i32, i32), (i32, i32));

/// Do two boxes overlap (share more than an edge)?
pub fn overlap(a: &Rect, b: &Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The part of the segment a-b inside `rect`, as the pair of its parameters, if any.
fn clipped(rect: &Rect, a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let view = crate::problem::ViewBox {
        x: [f64::from(rect[0]), f64::from(rect[2])],
        y: [f64::from(rect[1]), f64::from(rect[3])],
    };
    super::paths::clip_segment(&view, a, b)
}

/// Does the segment a-b pass through `rect`?
pub fn crosses(rect: &Rect, a: (f64, f64), b: (f64, f64)) -> bool {
    clipped(rect, a, b).is_some()
}

/// The length of the lines inside `rect`, in pixels.
pub fn covered(rect: &Rect, lines: &[Vec<(f64, f64)>]) -> f64 {
    let mut total = 0.0;
    for pair in lines.iter().flat_map(|line| line.windows(2)) {
        let (a, b) = (pair[0], pair[1]);
        if let Some((t0, t1)) = clipped(rect, a, b) {
            total += (t1 - t0) * ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        }
    }
    total
}

/// The point of `rect` nearest to `p`.
fn nearest(rect: &Rect, p: (i32, i32)) -> (i32, i32) {
    (p.0.clamp(rect[0], rect[2]), p.1.clamp(rect[1], rect[3]))
}

/// A leader's segment in floating-point pixels.
fn as_segment(leader: &Leader) -> ((f64, f64), (f64, f64)) {
    let ((ax, ay), (bx, by)) = *leader;
    ((f64::from(ax), f64::from(ay)), (f64::from(bx), f64::from(by)))
}

/// Does `leader` cross any of `rects` (or any of `leaders` cross `rect`)?
pub fn leader_clashes(rect: &Rect, leader: Option<&Leader>, rects: &[Rect], leaders: &[Leader]) -> bool {
    let own = leader.is_some_and(|l| {
        let (a, b) = as_segment(l);
        rects.iter().any(|r| crosses(r, a, b))
    });
    own || leaders.iter().any(|l| {
        let (a, b) = as_segment(l);
        crosses(rect, a, b)
    })
}

/// What the placement of one label has to keep clear of.
pub struct Surroundings<'a> {
    /// The drawing's box: a label stays whole inside it.
    pub bounds: Rect,
    /// Boxes a label must not overlap: other labels, markers, rings.
    pub taken: &'a [Rect],
    /// Boxes of other labels, which no leader line may cross.
    pub labels: &'a [Rect],
    /// Leader lines already drawn, which must not cross this label.
    pub leaders: &'a [Leader],
    /// The drawn lines, in pixels, whose covered length a label minimises.
    pub lines: &'a [Vec<(f64, f64)>],
}

/// Distances of the candidate rings beyond the marker's gap, in pixels.
const RINGS_PX: [i32; 6] = [0, 14, 30, 50, 76, 110];
/// Cost of one ring outwards, in pixels of covered line.
const RING_COST: f64 = 6.0;

/// The best place for a label of `size` beside a marker at `at` of `radius` pixels: its box
/// and its leader line (None when it sits right beside the marker), or None where every place
/// is refused.
pub fn place_label(
    at: (i32, i32),
    radius: i32,
    size: (i32, i32),
    around: &Surroundings,
) -> Option<(Rect, Option<Leader>)> {
    let (w, h) = size;
    let mut best: Option<(f64, Rect, Option<Leader>)> = None;
    for (ring, extra) in RINGS_PX.iter().enumerate() {
        let g = radius + 3 + extra;
        let d = g * 7 / 10;
        let (x, y) = at;
        // Right, left, above, below, the four diagonals, then beside the marker off its centre.
        let corners = [
            (x + g, y - h / 2),
            (x - g - w, y - h / 2),
            (x - w / 2, y - g - h),
            (x - w / 2, y + g),
            (x + d, y - d - h),
            (x - d - w, y - d - h),
            (x + d, y + d),
            (x - d - w, y + d),
            // Beside the marker, level with its top or its bottom.
            (x + g, y - h),
            (x + g, y),
            (x - g - w, y - h),
            (x - g - w, y),
        ];
        for (left, top) in corners {
            // Slid inside the drawing (a marker in a corner has its label beside it, inward).
            let b = &around.bounds;
            let left = left.clamp(b[0] + 1, (b[2] - 1 - w).max(b[0] + 1));
            let top = top.clamp(b[1] + 1, (b[3] - 1 - h).max(b[1] + 1));
            let rect = [left, top, left + w, top + h];
            if rect[2] > b[2] - 1 || rect[3] > b[3] - 1 {
                continue;
            }
            if around.taken.iter().any(|t| overlap(t, &rect)) {
                continue;
            }
            // A leader where the label is not right beside the marker.
            let to = nearest(&rect, at);
            let (dx, dy) = (f64::from(to.0 - x), f64::from(to.1 - y));
            let length = (dx * dx + dy * dy).sqrt().max(1.0);
            let leader = (length > f64::from(radius + 6)).then(|| {
                let from = (
                    x + (dx / length * f64::from(radius + 2)).round() as i32,
                    y + (dy / length * f64::from(radius + 2)).round() as i32,
                );
                (from, to)
            });
            if leader_clashes(&rect, leader.as_ref(), around.labels, around.leaders) {
                continue;
            }
            let cost = covered(&rect, around.lines) + RING_COST * ring as f64;
            if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                best = Some((cost, rect, leader));
            }
        }
    }
    best.map(|(_, rect, leader)| (rect, leader))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_covered_length_is_the_line_inside_the_box() {
        let lines = vec![vec![(0.0, 5.0), (100.0, 5.0)]];
        assert!((covered(&[10, 0, 30, 10], &lines) - 20.0).abs() < 1e-9);
        assert_eq!(covered(&[10, 20, 30, 30], &lines), 0.0);
    }

    #[test]
    fn a_label_goes_where_it_covers_no_line() {
        // A line along the marker's row: the label goes above or below it, not beside it.
        let lines = vec![vec![(0.0, 50.0), (200.0, 50.0)]];
        let around = Surroundings { bounds: [0, 0, 200, 100], taken: &[], labels: &[], leaders: &[], lines: &lines };
        let (rect, leader) = place_label((100, 50), 5, (40, 10), &around).expect("a place");
        assert_eq!(covered(&rect, &lines), 0.0, "{rect:?}");
        assert!(leader.is_none());
    }

    #[test]
    fn a_leader_never_crosses_another_label() {
        // Another label right above and below the marker, and lines on both sides: the label
        // goes farther off, and its leader keeps out of the other labels.
        let taken = [[90, 30, 140, 42], [90, 58, 140, 70]];
        let lines = vec![vec![(0.0, 50.0), (200.0, 50.0)]];
        let around =
            Surroundings { bounds: [0, 0, 200, 100], taken: &taken, labels: &taken, leaders: &[], lines: &lines };
        let (rect, leader) = place_label((100, 50), 5, (40, 10), &around).expect("a place");
        assert!(!taken.iter().any(|t| overlap(t, &rect)));
        if let Some(l) = leader {
            let (a, b) = as_segment(&l);
            assert!(!taken.iter().any(|t| crosses(t, a, b)), "{l:?} crosses a label");
        }
    }
}
