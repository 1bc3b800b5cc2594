//! A chart legend drawn with the backend's own text measurement.
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

/// One legend row: a line sample and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: (u8, u8, u8),
    /// The sample is drawn dashed (validation curves).
    pub dashed: bool,
}

/// Font size of legend labels, in pixels.
const FONT_PX: u32 = 11;
/// Length of a line sample, in pixels.
const SAMPLE_PX: i32 = 16;
/// Padding inside the box and between a sample and its label, in pixels.
const PAD_PX: i32 = 4;

/// Draws `entries` in a box in the upper-right corner of `plot` (a pixel rectangle of `root`,
/// `((left, top), (right, bottom))`), one row each.
pub fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: ((i32, i32), (i32, i32)),
    entries: &[LegendEntry],
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing the legend failed: {e}");
    let font: TextStyle = ("sans-serif", FONT_PX).into_font().color(&BLACK);
    let mut text_width = 0;
    for entry in entries {
        let (w, _) = root.estimate_text_size(&entry.label, &font).map_err(err)?;
        text_width = text_width.max(w as i32);
    }
    let row = FONT_PX as i32 + PAD_PX;
    let width = PAD_PX + SAMPLE_PX + PAD_PX + text_width + PAD_PX;
    let height = PAD_PX + row * entries.len() as i32;
    let ((_, top), (right, _)) = plot;
    let (x0, y0) = (right - width - PAD_PX, top + PAD_PX);
    root.draw(&Rectangle::new([(x0, y0), (x0 + width, y0 + height)], WHITE.mix(0.85).filled())).map_err(err)?;
    root.draw(&Rectangle::new([(x0, y0), (x0 + width, y0 + height)], RGBColor(200, 200, 200))).map_err(err)?;
    let anchored = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, entry) in entries.iter().enumerate() {
        let y = y0 + PAD_PX + row * i as i32 + row / 2 - PAD_PX / 2;
        let sx = x0 + PAD_PX;
        let color = RGBColor(entry.color.0, entry.color.1, entry.color.2);
        if entry.dashed {
            root.draw(&PathElement::new(vec![(sx, y), (sx + 6, y)], color.stroke_width(2))).map_err(err)?;
            root.draw(&PathElement::new(vec![(sx + 10, y), (sx + SAMPLE_PX, y)], color.stroke_width(2)))
                .map_err(err)?;
        } else {
            root.draw(&PathElement::new(vec![(sx, y), (sx + SAMPLE_PX, y)], color.stroke_width(2))).map_err(err)?;
        }
        root.draw_text(&entry.label, &anchored, (sx + SAMPLE_PX + PAD_PX, y)).map_err(err)?;
    }
    Ok(())
}
