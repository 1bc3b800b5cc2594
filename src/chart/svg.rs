//! The SVG backend of the exported figures, the same natively (`converge plot`, `converge run
//! --svg`) and in the browser (the page's SVG export): plotters' own `SVGBackend`, with text
//! measured by a fixed estimate instead of a font.
//!
//! Why a fixed estimate: the legend and the chart title are placed from the backend's text
//! measurement (`legend.rs`, `curves.rs`). Natively plotters measures with its naive font
//! module (bytes times a factor) and in the browser with DOM spans (refused under a strict CSP),
//! so the same chart would be laid out differently on the two targets. Here a line of text is
//! `TEXT_WIDTH_EM` of its font size per character wide and one font size high on both, so an
//! SVG drawn by the CLI and by the page for the same config and step are the same text.

use super::measured::{MeasureError, Measured, TextMeasure};
use plotters::prelude::*;
use plotters_backend::BackendTextStyle;
use plotters_svg::SVGBackend;

/// The width of one character in ems: about the mean advance of a sans-serif font's lower-case
/// letters and digits (Helvetica's is 0.55, DejaVu Sans's 0.6).
pub const TEXT_WIDTH_EM: f64 = 0.6;

/// The size of a curve chart drawn by the CLI, in pixels: the page's chart proportions, wider.
pub const CHART_SIZE: (u32, u32) = (640, 300);

/// The side of the square landscape or model view drawn by the CLI, in pixels.
pub const VIEW_SIZE: u32 = 480;

/// Cells per side of the raster part of a view (the landscape's heatmap, a classifier's
/// boundary), written as one rectangle per cell: fine enough to read, small enough for a file.
pub const RASTER_CELLS: usize = 80;

/// Text measured by `TEXT_WIDTH_EM` (see the header): the same on every target.
pub struct FixedTextWidth;

impl TextMeasure for FixedTextWidth {
    fn text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), MeasureError> {
        Ok(text_size(text, style.size()))
    }
}

/// plotters' SVG backend writing into a string, with text measured by `TEXT_WIDTH_EM`.
pub type TextSvg<'a> = Measured<SVGBackend<'a>, FixedTextWidth>;

/// A backend that writes an SVG of `size` pixels into `out` when it is presented or dropped.
pub fn text_svg(out: &mut String, size: (u32, u32)) -> TextSvg<'_> {
    Measured::new(SVGBackend::with_string(out, size), FixedTextWidth)
}

/// The finished SVG with round line joins (`stroke-linejoin` on the root, inherited by every
/// line): SVG's default mitre joins draw a path's wide halo as spikes past its sharp turns, as
/// the page's canvas would without its own round joins (`src/web.rs`).
pub fn with_round_joins(mut svg: String) -> String {
    if let Some(end) = svg.starts_with("<svg").then(|| svg.find('>')).flatten() {
        svg.insert_str(end, " stroke-linejoin=\"round\"");
    }
    svg
}

/// The estimated size of a line of text in pixels: `TEXT_WIDTH_EM` of the font size per
/// character wide, the font size high.
pub fn text_size(text: &str, font_px: f64) -> (u32, u32) {
    let size = if font_px.is_finite() { font_px.max(0.0) } else { 0.0 };
    let width = (text.chars().count() as f64 * TEXT_WIDTH_EM * size).ceil();
    (width as u32, size.ceil() as u32)
}

/// Draws an RGBA image of `cells` x `cells` pixels over the whole area, one filled rectangle
/// per pixel (plotters' SVG backend embeds bitmaps only with its `image` feature, a PNG encoder
/// the wasm has no room for).
pub fn draw_raster<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    rgba: &[u8],
    cells: usize,
) -> Result<(), String> {
    let (width, height) = root.dim_in_pixel();
    let (cell_w, cell_h) = (f64::from(width) / cells as f64, f64::from(height) / cells as f64);
    for (i, pixel) in rgba.chunks_exact(4).enumerate().take(cells * cells) {
        let (row, col) = (i / cells, i % cells);
        let x0 = (col as f64 * cell_w).floor() as i32;
        let y0 = (row as f64 * cell_h).floor() as i32;
        let x1 = ((col + 1) as f64 * cell_w).ceil() as i32;
        let y1 = ((row + 1) as f64 * cell_h).ceil() as i32;
        let color = RGBColor(pixel[0], pixel[1], pixel[2]);
        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled())).map_err(|e| format!("drawing failed: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_svgs_have_round_joins_on_their_root() {
        let mut text = String::new();
        {
            let root = text_svg(&mut text, (40, 30)).into_drawing_area();
            let style = RED.stroke_width(6);
            root.draw(&PathElement::new(vec![(2, 2), (38, 15), (2, 28)], style)).expect("drawn");
        }
        let round = with_round_joins(text);
        assert!(round.starts_with("<svg width=\"40\" height=\"30\""), "{round}");
        let root_tag = &round[..round.find('>').expect("a root tag")];
        assert!(root_tag.ends_with(" stroke-linejoin=\"round\""), "{root_tag}");
        assert_eq!(round.matches("stroke-linejoin").count(), 1);
        // Not an SVG: left as it is.
        assert_eq!(with_round_joins("plain".into()), "plain");
    }

    #[test]
    fn text_is_measured_per_character_not_per_byte() {
        assert_eq!(text_size("loss", 10.0), (24, 10));
        assert_eq!(text_size("‖∇f‖", 10.0), (24, 10));
        assert_eq!(text_size("", 11.0), (0, 11));
        assert_eq!(text_size("x", f64::NAN), (0, 0));
    }
}
