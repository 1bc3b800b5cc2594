// Sharp canvases: a canvas's backing store is sized to its CSS width times devicePixelRatio
// (and its CSS height, from the aspect ratio of its width and height attributes), so that a
// chart drawn by Rust is sharp on 2x screens. Rust lays the chart out in CSS pixels and scales
// the drawing by the ratio of the two widths (src/web.rs, canvas_scale), so nothing else here
// knows a chart's layout; where that layout needs more height than it was given (a legend band
// over a short plot), drawGrowing draws it once more, taller.

/**
 * Sizes `canvas` for its current CSS width with the height `aspect` times the width
 * (default: the ratio of its attributes); returns false when it is not laid out (hidden).
 */
export function fitCanvas(canvas, aspect = canvas.height / canvas.width) {
  const css = canvas.clientWidth;
  if (!css) return false;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(css * ratio);
  const height = Math.round(css * aspect * ratio);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return true;
}

/**
 * Draws a chart of Rust's layout on `canvas` (`cssWidth` CSS px wide) at `height` CSS px, and
 * once more at the height the layout then asks for (`neededHeight()`, e.g. a legend band that
 * would leave the plot too short) when that is taller. Returns the height drawn at.
 */
export function drawGrowing(canvas, cssWidth, height, draw, neededHeight) {
  let drawn = height;
  for (let pass = 0; pass < 2; pass++) {
    fitCanvas(canvas, drawn / cssWidth);
    draw();
    const needed = neededHeight();
    if (!(needed > drawn + 0.5)) break;
    drawn = needed;
  }
  return drawn;
}

/** The CSS-pixel position of a pointer event over a canvas. */
export function cssPoint(canvas, e) {
  const rect = canvas.getBoundingClientRect();
  return { x: e.clientX - rect.left, y: e.clientY - rect.top, rect };
}
