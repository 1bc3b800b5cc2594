// The real model's loss plane (the `loss_plane` analysis, src/analysis/plane/): its readout in
// words and its picture. Rust computes the plane in the analysis worker and draws it on the
// page (Playground::draw_loss_plane: the losses as a heatmap, log colour and contours, with the
// training path projected onto the plane); this module lays out the canvas with its axes
// alpha (d1) and beta (d2) and says in the caption which directions span the plane and how much
// of the path they hold. The canvas is drawn once it is laid out, and again when its width
// changes (a ResizeObserver), at the device pixel ratio. A button runs the plane again with the
// other directions.

import { h } from './dom.js';
import { fmt } from './catalog.js';
import { fitCanvas } from './canvas-size.js';

const pct = (share) => `${fmt(100 * share)} %`;

/** The caption's words for the directions. */
function directionWords(p) {
  if (p.directions === 'pca') {
    const [a, b] = p.explained || [0, 0];
    return `d1 and d2 are the top two principal directions of the recorded weights (they explain ${pct(a)} and ${pct(b)} of the path's displacement from w).`;
  }
  return `d1 and d2 are random directions, each filter scaled to the norm of the same filter of w (filter normalisation, Li et al. 2018); the plane holds ${pct(p.captured)} of the path's displacement, so the path seen here is a shadow of the real one.`;
}

/** The canvas with its axes, drawn by `pg` once laid out. */
function picture(p, pg) {
  const canvas = h('canvas', { class: 'plane-canvas', width: 400, height: 400, role: 'img',
    'aria-label': `Training loss of ${p.label} on a plane through its weights at step ${p.step}, with its path projected onto it` });
  const draw = () => {
    if (!fitCanvas(canvas, 1)) return;
    const values = Float64Array.from(p.values, (v) => (v === null ? NaN : v));
    pg.draw_loss_plane(canvas, p.side, values, p.span, Float64Array.from(p.path.flat()), p.run);
  };
  let width = 0;
  new ResizeObserver(() => {
    if (canvas.clientWidth === width) return;
    width = canvas.clientWidth;
    draw();
  }).observe(canvas);
  const span = fmt(p.span);
  return h('figure', { class: 'plane-figure' },
    h('div', { class: 'plane-chart' },
      h('div', { class: 'plane-y-axis', 'aria-hidden': 'true' }, h('span', null, span), h('span', null, 'β (d2)'), h('span', null, `−${span}`)),
      canvas,
      h('div', { class: 'plane-x-axis', 'aria-hidden': 'true' }, h('span', null, `−${span}`), h('span', null, 'α (d1)'), h('span', null, span))),
    h('figcaption', { class: 'note plane-caption' },
      `The full-batch training loss L(w + α d1 + β d2) of “${p.label}” around its weights w at step ${p.step} (the centre). ${directionWords(p)} Darker is lower (log scale); lines are contours. The path starts at the hollow marker and ends at w, the filled one.`));
}

/** A button that shows the plane with the other directions (through `rerun(settings)`). */
function otherDirections(p, rerun) {
  const pca = p.directions !== 'pca';
  return h('p', null, h('button', { type: 'button', class: 'small plane-directions', onclick: () => rerun({ directions: pca ? 'pca' : 'random' }) },
    pca ? 'Use the principal directions of the path' : 'Use random directions'));
}

/** The readout of a loss plane (final or partial); `pg` draws the picture, `rerun` runs it again. */
export function lossPlane(p, pg, rerun = null) {
  const total = p.side * p.side;
  if (p.step === null) return [h('p', null, `Training “${p.label}” to record its path…`)];
  if (p.values.length < total) return [h('p', null, `Trained to step ${p.step}; ${p.values.length} of ${total} points of the plane computed so far.`)];
  const centre = p.values[(total - 1) / 2];
  const [a, b, lowest] = p.lowest || [0, 0, centre];
  const words = centre === null ? 'The loss at w is not a finite number.' : lowest < centre
    ? `The loss at w is ${fmt(centre)}; the lowest point of the plane, ${fmt(lowest)}, is at α = ${fmt(a)}, β = ${fmt(b)}: along these two directions w is not the bottom.`
    : `The loss at w is ${fmt(centre)}, the lowest point of the plane.`;
  return [h('p', null, words), p.note ? h('p', { class: 'note' }, p.note) : null, pg ? picture(p, pg) : null, rerun ? otherDirections(p, rerun) : null];
}
