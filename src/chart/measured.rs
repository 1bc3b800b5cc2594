//! A plotters backend whose text is measured by the caller: `Measured<B, M>` forwards every
//! drawing call to the backend `B` and answers `estimate_text_size` (and the size the charts are
//! laid out in) with the measurer `M`.
//!
//! Why: the legends and titles are placed from the backend's text measurement (`legend.rs`,
//! `curves.rs`), and plotters' own measurement does not fit either target. Natively it uses its
//! naive font module, and in the browser DOM spans with `style` attributes (refused under a
//! strict CSP, and a panic in a document without a `<body>`). The SVG exports measure with a
//! fixed estimate, the same on both targets (`svg.rs`); the page's canvases with the canvas's
//! own `measureText` (`src/web.rs`).

use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};

/// A text measurement failure, as plotters reports a font's.
pub type MeasureError = Box<dyn std::error::Error + Send + Sync>;

/// How a `Measured` backend measures text, and the size its drawings are laid out in.
pub trait TextMeasure {
    /// The size of one line of `text` in `style`, in the pixels the charts are laid out in.
    fn text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), MeasureError>;

    /// The size the charts are laid out in, given the backend's own size (by default the same).
    fn layout_size(&self, backend_size: (u32, u32)) -> (u32, u32) {
        backend_size
    }
}

/// The backend `B` with text measured by `M`.
pub struct Measured<B, M> {
    inner: B,
    measure: M,
}

impl<B, M> Measured<B, M> {
    pub fn new(inner: B, measure: M) -> Self {
        Measured { inner, measure }
    }
}

type Drawn<B, T> = Result<T, DrawingErrorKind<<B as DrawingBackend>::ErrorType>>;

impl<B: DrawingBackend, M: TextMeasure> DrawingBackend for Measured<B, M> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.measure.layout_size(self.inner.get_size())
    }

    fn ensure_prepared(&mut self) -> Drawn<B, ()> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Drawn<B, ()> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn<B, ()> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Drawn<B, ()> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Drawn<B, ()> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Drawn<B, ()> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Drawn<B, ()> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Drawn<B, ()> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Drawn<B, ()> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Drawn<B, (u32, u32)> {
        self.measure.text_size(text, style).map_err(DrawingErrorKind::FontError)
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Drawn<B, ()> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;
    use plotters_svg::SVGBackend;

    /// Every character is `per_char` pixels wide; the layout is half the backend's size.
    struct Fixed {
        per_char: u32,
        fail: bool,
    }

    #[derive(Debug)]
    struct Refused;

    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("refused")
        }
    }

    impl std::error::Error for Refused {}

    impl TextMeasure for Fixed {
        fn text_size<S: BackendTextStyle>(&self, text: &str, _style: &S) -> Result<(u32, u32), MeasureError> {
            if self.fail {
                return Err(Box::new(Refused));
            }
            Ok((text.chars().count() as u32 * self.per_char, 7))
        }

        fn layout_size(&self, (w, h): (u32, u32)) -> (u32, u32) {
            (w / 2, h / 2)
        }
    }

    /// A measurer that keeps the backend's own size.
    struct Estimate;

    impl TextMeasure for Estimate {
        fn text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), MeasureError> {
            Ok((text.len() as u32 * 4, style.size() as u32))
        }
    }

    fn draw<DB: DrawingBackend>(backend: DB) {
        let root = backend.into_drawing_area();
        root.fill(&WHITE).unwrap();
        root.draw(&Rectangle::new([(3, 4), (30, 40)], RED.filled())).unwrap();
        root.draw(&PathElement::new(vec![(0, 0), (10, 20), (50, 5)], BLUE)).unwrap();
        root.draw(&Circle::new((20, 20), 5, GREEN.filled())).unwrap();
        root.draw(&Text::new("x ≤ 1", (5, 5), ("sans-serif", 12))).unwrap();
        root.present().unwrap();
    }

    #[test]
    fn drawing_is_forwarded_unchanged() {
        let (mut plain, mut wrapped) = (String::new(), String::new());
        draw(SVGBackend::with_string(&mut plain, (80, 60)));
        draw(Measured::new(SVGBackend::with_string(&mut wrapped, (80, 60)), Estimate));
        assert!(plain.contains("<circle") && plain.contains("x ≤ 1"));
        assert_eq!(plain, wrapped);
    }

    #[test]
    fn text_and_layout_sizes_come_from_the_measurer() {
        let mut out = String::new();
        let backend = Measured::new(SVGBackend::with_string(&mut out, (80, 60)), Fixed { per_char: 5, fail: false });
        let style = TextStyle::from(("sans-serif", 12).into_font());
        assert_eq!(backend.estimate_text_size("‖∇f‖", &style).unwrap(), (20, 7));
        assert_eq!(backend.get_size(), (40, 30));
    }

    #[test]
    fn a_failed_measurement_is_a_font_error() {
        let mut out = String::new();
        let backend = Measured::new(SVGBackend::with_string(&mut out, (80, 60)), Fixed { per_char: 5, fail: true });
        let style = TextStyle::from(("sans-serif", 12).into_font());
        match backend.estimate_text_size("loss", &style) {
            Err(DrawingErrorKind::FontError(e)) => assert_eq!(e.to_string(), "refused"),
            other => panic!("expected a font error, got {other:?}"),
        }
    }
}
