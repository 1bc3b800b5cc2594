//! A chart legend drawn with the backend's own text measurement, as a box (one row per entry,
//! placed by `curves.rs` in a corner of the plot that covers no data) or as a band above the
//! plot (entries side by side, wrapped), where no corner is free.
//!
//! plotters' series labels measure their text through `FontDesc::box_size`, which in the
//! browser writes `style` attributes on DOM spans (a strict CSP refuses them) and panics when
//! the document has no `<body>`. This legend asks the drawing backend instead
//! (`DrawingArea::estimate_text_size`), which the canvas backend of `src/web.rs` answers with
//! the canvas's own `measureText` and the SVG backend with its font metrics, so drawing a
//! chart never touches the DOM.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{draw_line, draw_marker, Marker};

/// One legend entry: a line sample (with the run's dash and marker) and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: (u8, u8, u8),
    /// The sample's dash pattern (None: solid).
    pub dash: Option<(u32, u32)>,
    /// The marker drawn on the sample, if the series has one.
    pub marker: Option<Marker>,
}

/// Font size of legend labels, in pixels.
pub const FONT_PX: u32 = 11;
/// Length of a line sample, in pixels.
const SAMPLE_PX: i32 = 20;
/// Padding inside the box and between a sample and its label, in pixels.
const PAD_PX: i32 = 4;
/// Height of one row, in pixels.
const ROW_PX: i32 = FONT_PX as i32 + PAD_PX;

/// A measured legend: the width of each entry (sample and label).
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    pub entries: Vec<LegendEntry>,
    widths: Vec<i32>,
}

impl Legend {
    /// Measures `entries` with the backend's text metrics. A label too wide for a legend
    /// `max_width` pixels wide (a long run label on a phone) is cut at a character boundary
    /// and ends with "…", so that no entry runs off the chart.
    pub fn measure<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        entries: Vec<LegendEntry>,
        max_width: i32,
    ) -> Result<Legend, String> {
        let font: TextStyle = (crate::chart::style::FONT, FONT_PX).into_font().color(&BLACK);
        let text_width = |text: &str| -> Result<i32, String> {
            let (w, _) =
                root.estimate_text_size(text, &font).map_err(|e| format!("measuring the legend failed: {e}"))?;
            Ok(w as i32)
        };
        // The room for a label: the box's padding on both sides, the sample and its gap.
        let room = max_width - 3 * PAD_PX - SAMPLE_PX;
        let mut entries = entries;
        let mut widths = Vec::with_capacity(entries.len());
        for entry in &mut entries {
            let mut w = text_width(&entry.label)?;
            if w > room {
                let (label, cut) = shortened(&entry.label, room, &text_width)?;
                entry.label = label;
                w = cut;
            }
            widths.push(SAMPLE_PX + PAD_PX + w);
        }
        Ok(Legend { entries, widths })
    }

    /// The size of the box form: one row per entry.
    pub fn box_size(&self) -> (i32, i32) {
        let widest = self.widths.iter().copied().max().unwrap_or(0);
        (2 * PAD_PX + widest, PAD_PX + ROW_PX * self.entries.len() as i32)
    }

    /// Where each entry goes in the band form within `max_width`, relative to the band's
    /// top-left corner, and the band's height.
    fn flow(&self, max_width: i32) -> (Vec<(i32, i32)>, i32) {
        let (mut x, mut y) = (PAD_PX, PAD_PX);
        let mut at = Vec::with_capacity(self.widths.len());
        for &w in &self.widths {
            if x > PAD_PX && x + w > max_width - PAD_PX {
                x = PAD_PX;
                y += ROW_PX;
            }
            at.push((x, y));
            x += w + 3 * PAD_PX;
        }
        (at, if self.entries.is_empty() { 0 } else { y + ROW_PX })
    }

    /// The height of the band form within `max_width`.
    pub fn band_height(&self, max_width: i32) -> i32 {
        self.flow(max_width).1
    }

    /// Draws the box form with its top-left corner at `origin`.
    pub fn draw_box<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        origin: (i32, i32),
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing the legend failed: {e}");
        let (w, h) = self.box_size();
        let (x0, y0) = origin;
        root.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], WHITE.mix(0.9).filled())).map_err(err)?;
        root.draw(&Rectangle::new([(x0, y0), (x0 + w, y0 + h)], RGBColor(200, 200, 200))).map_err(err)?;
        for (i, entry) in self.entries.iter().enumerate() {
            draw_entry(root, (x0 + PAD_PX, y0 + PAD_PX + ROW_PX * i as i32), entry)?;
        }
        Ok(())
    }

    /// Draws the band form at `origin`, within `max_width`.
    pub fn draw_band<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        origin: (i32, i32),
        max_width: i32,
    ) -> Result<(), String> {
        let (at, _) = self.flow(max_width);
        for (entry, (dx, dy)) in self.entries.iter().zip(at) {
            draw_entry(root, (origin.0 + dx, origin.1 + dy), entry)?;
        }
        Ok(())
    }
}

/// The longest start of `label` that, followed by "…", is at most `room` pixels wide (by
/// bisection on the number of characters), and its width; just "…" when nothing fits.
fn shortened(
    label: &str,
    room: i32,
    text_width: &dyn Fn(&str) -> Result<i32, String>,
) -> Result<(String, i32), String> {
    let chars: Vec<char> = label.chars().collect();
    let with_ellipsis = |n: usize| -> String {
        let mut text: String = chars[..n].iter().collect();
        text.truncate(text.trim_end().len());
        text.push('…');
        text
    };
    let (mut fits, mut too_long) = (0, chars.len());
    while too_long - fits > 1 {
        let mid = (fits + too_long) / 2;
        if text_width(&with_ellipsis(mid))? <= room {
            fits = mid;
        } else {
            too_long = mid;
        }
    }
    let text = with_ellipsis(fits);
    let width = text_width(&text)?;
    Ok((text, width))
}

/// Draws one entry with its row's top-left corner at `at`.
fn draw_entry<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    entry: &LegendEntry,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing the legend failed: {e}");
    let (sx, top) = at;
    let y = top + ROW_PX / 2 - PAD_PX / 2;
    let color = RGBColor(entry.color.0, entry.color.1, entry.color.2);
    draw_line(
        root,
        &[(sx, y), (sx + SAMPLE_PX, y)],
        entry.dash.map(|(on, off)| (on.min(6), off.min(3))),
        color.stroke_width(2),
    )?;
    if let Some(marker) = entry.marker {
        draw_marker(root, marker, (sx + SAMPLE_PX / 2, y), 3, Some(entry.color), (entry.color, 1))?;
    }
    let font: TextStyle = (crate::chart::style::FONT, FONT_PX).into_font().color(&BLACK);
    let anchored = font.pos(Pos::new(HPos::Left, VPos::Center));
    root.draw_text(&entry.label, &anchored, (sx + SAMPLE_PX + PAD_PX, y)).map_err(err)
}
