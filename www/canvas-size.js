// Sharp canvases: a canvas's backing store is sized to its CSS width times devicePixelRatio
// (and its CSS height, from the aspect ratio of its width and height attributes), so that a
// chart drawn by Rust is sharp on 2x screens. Rust lays the chart out in CSS pixels and scales
// the drawing by the ratio of the two widths (src/web.rs, canvas_scale), so nothing else here
// knows a chart's layout.

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

/** The CSS-pixel position of a pointer event over a canvas. */
export function cssPoint(canvas, e) {
  const rect = canvas.getBoundingClientRect();
  return { x: e.clientX - rect.left, y: e.clientY - rect.top, rect };
}
