// The landscape view of a 2-D problem: its card (canvas, axis ticks, title and formula, legend,
// zoom buttons), the view box (the user's, or the problem's default made square) and its zoom
// within the core's limits, the tooltip with f(x, y) under the pointer, dragging the selected
// run's start point (a mouse anywhere; a finger only from the start marker or after a long press
// of LONG_PRESS_MS, so that a swipe over the picture scrolls the page), and mapping start points
// into a new problem's view box. Rust draws it, at the device pixel ratio (canvas-size.js); a run
// under the pointer (Playground::run_at) or hovered in a list is brought to the front with the
// others dimmed.
//
// Host contract (the widget's ctx): pg(), config(), draft(), selected(), hovered(), viewStep(),
// hoverRun(i), full, apply(kind) -> bool, render(part), writeHash(), viewChanged() (the view box
// moved: the analysis card's overlays follow).

import { h, replace } from './dom.js';
import { call } from './wasm.js';
import { PROBLEMS, fmt } from './catalog.js';
import { exact } from './util.js';
import { fitCanvas } from './canvas-size.js';

// How near (CSS pixels) the pointer must come to a run's path to hover it.
const HOVER_REACH_PX = 6;

export const LANDSCAPE_PX = 420;
// A finger held this long without moving more than TOUCH_SLOP_PX picks up the start point.
const LONG_PRESS_MS = 500;
const TOUCH_SLOP_PX = 10;
// A finger within this many CSS pixels of the start marker picks it up at once.
const MARKER_REACH_PX = 24;

/** Nice tick values in [lo, hi]. */
function ticks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 * span ? 0 : v);
  return out;
}

/** A view box [x0, x1, y0, y1] made square about its centre. */
function squareView(v) {
  if (!v || v.length !== 4) return null;
  const [x0, x1, y0, y1] = v;
  const w = x1 - x0;
  const hgt = y1 - y0;
  if (Math.abs(w - hgt) < 1e-12 * Math.max(w, hgt)) return v;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const s = Math.max(w, hgt) / 2;
  return [cx - s, cx + s, cy - s, cy + s];
}

export class LandscapeView {
  #ctx;
  #canvas;
  #tip;
  #xTicks;
  #yTicks;
  #title;
  #formula;
  #hint;
  /** The legend's key for grey (where f has no value), shown only when the map has some. */
  #undefinedKey;
  #dragging = false;
  /** The user's view box, or null for the default one. */
  view = null;
  /** The problem's own view box, made square. */
  defaultView = null;
  /** The card (a figure). */
  card;

  constructor(ctx) {
    this.#ctx = ctx;
    this.#canvas = h('canvas', { class: 'landscape', width: LANDSCAPE_PX, height: LANDSCAPE_PX, 'aria-label': 'Loss landscape with the optimizer paths', role: 'img' });
    this.#tip = h('div', { class: 'tooltip', hidden: true });
    this.#xTicks = h('div', { class: 'ticks x-ticks', 'aria-hidden': 'true' });
    this.#yTicks = h('div', { class: 'ticks y-ticks', 'aria-hidden': 'true' });
    this.#title = h('span', { class: 'card-title' });
    this.#formula = h('span', { class: 'card-formula' });
    this.#hint = h('p', { class: 'hint' });
    this.#undefinedKey = h('span', { class: 'legend-item', hidden: true }, h('span', { class: 'sym swatch' }), ' no value of f');
    const zoom = ctx.full ? h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' },
      h('button', { type: 'button', class: 'small', title: 'Zoom in', 'aria-label': 'Zoom in', onclick: () => this.zoom(1 / 1.5) }, '+'),
      h('button', { type: 'button', class: 'small', title: 'Zoom out', 'aria-label': 'Zoom out', onclick: () => this.zoom(1.5) }, '−'),
      h('button', { type: 'button', class: 'small', title: 'Reset the view', onclick: () => this.zoom(null) }, 'Reset view')) : null;
    this.card = h('figure', { class: 'card landscape-card' },
      h('div', { class: 'card-head' }, h('div', { class: 'titles' }, this.#title, this.#formula), zoom),
      h('div', { class: 'land-frame' }, this.#yTicks, h('div', { class: 'canvas-wrap' }, this.#canvas, this.#tip), this.#xTicks),
      h('figcaption', null,
        // Each symbol stays on one line with its words when the legend wraps on a phone.
        h('span', { class: 'legend' },
          h('span', { class: 'legend-item' }, h('span', { class: 'sym start' }), ' start'), ' ',
          h('span', { class: 'legend-item' }, h('span', { class: 'sym now' }), ' current'), ' ',
          h('span', { class: 'legend-item' }, h('span', { class: 'sym global' }), ' global min'), ' ',
          h('span', { class: 'legend-item' }, h('span', { class: 'sym local' }), ' local min'), ' ',
          h('span', { class: 'legend-item' }, h('span', { class: 'sym cross' }, '✕'), ' diverged'), ' ',
          this.#undefinedKey),
        this.#hint));
  }

  /** The landscape's canvas. */
  get canvas() {
    return this.#canvas;
  }

  /** Is a start point being dragged? (the link is written on release) */
  get dragging() {
    return this.#dragging;
  }

  /** The problem changed: its default view box is read from the core. */
  resetDefault() {
    this.defaultView = squareView(this.#ctx.pg().view());
  }

  /** Hands the view box to the core (which may refuse it: it throws) and redraws the ticks. */
  apply() {
    const v = this.view || this.defaultView;
    if (v) this.#ctx.pg().set_view(v[0], v[1], v[2], v[3]);
    this.#renderTicks();
  }

  /** Zooms by `factor` about the centre (null: the default view); past the core's view-box
   * limits (see ViewBox::validate) the view stays as it is. */
  zoom(factor) {
    if (!this.#ctx.pg()) return;
    const previous = this.view;
    if (factor === null) {
      this.view = null;
    } else {
      const [x0, x1, y0, y1] = this.view || this.defaultView;
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      const hw = ((x1 - x0) / 2) * factor;
      const hh = ((y1 - y0) / 2) * factor;
      this.view = [cx - hw, cx + hw, cy - hh, cy + hh].map((v) => Number(v.toPrecision(6)));
    }
    try {
      this.apply();
    } catch (e) {
      if (e && e.internal) throw e;
      this.view = previous;
      this.apply();
      return;
    }
    this.#ctx.writeHash();
    this.draw();
    this.#ctx.viewChanged?.();
  }

  #renderTicks() {
    const pg = this.#ctx.pg();
    const v = pg && pg.view();
    if (!v || v.length !== 4) return;
    const [x0, x1, y0, y1] = v;
    const label = (value) => fmt(Number(value.toPrecision(6)));
    const xs = ticks(x0, x1);
    // Two labels at the bottom-left corner crowd each other: the y axis leaves its tick at the
    // bottom edge to the x axis's tick at the left edge.
    const atCorner = xs.length > 0 && Math.abs(xs[0] - x0) <= 1e-9 * (x1 - x0);
    const ys = ticks(y0, y1).filter((t) => !atCorner || Math.abs(t - y0) > 1e-9 * (y1 - y0));
    replace(this.#xTicks, xs.map((t) => h('span', { style: { left: `${((t - x0) / (x1 - x0)) * 100}%` } }, label(t))));
    replace(this.#yTicks, ys.map((t) => h('span', { style: { top: `${((y1 - t) / (y1 - y0)) * 100}%` } }, label(t))));
  }

  /** Shows the grey key (in Rust's grey, `undefined_color`) when the map has points without f. */
  #showUndefinedKey(show) {
    const swatch = this.#undefinedKey.firstChild;
    if (show && !swatch.style.background) swatch.style.background = call((w) => w.undefined_color());
    this.#undefinedKey.hidden = !show;
  }

  draw() {
    const ctx = this.#ctx;
    const config = ctx.config();
    fitCanvas(this.#canvas, 1);
    const hovered = ctx.hovered();
    try {
      ctx.pg().draw_landscape(this.#canvas, hovered, hovered !== null, ctx.viewStep());
      this.#showUndefinedKey(ctx.pg().landscape_has_undefined());
    } catch (e) {
      // A problem without a 2-D landscape: nothing to draw.
    }
    const spec = PROBLEMS[config.problem.name];
    this.#title.textContent = spec ? spec.title : config.problem.name;
    const formula = spec ? spec.formula : '';
    if (this.#formula.dataset.text !== formula) {
      this.#formula.dataset.text = formula;
      replace(this.#formula, formulaPieces(formula).map((piece, i) => {
        // A piece moves to the next line whole; only one wider than the card wraps inside.
        const span = h('span', null, piece);
        span.style.display = 'inline-block';
        return i ? [' ', span] : span;
      }));
    }
    if (ctx.full) {
      const run = config.runs[ctx.selected()];
      const touch = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
      const how = touch ? 'Press its start circle, or hold a finger still, then drag to move the start of' : 'Click or drag to move the start of';
      this.#hint.textContent = `${how} “${run ? run.label : ''}”. Brighter is higher; lines are contours.`;
    } else {
      this.#hint.textContent = 'Brighter is higher; lines are contours.';
    }
  }

  /**
   * Another landscape chosen in the draft: each run's start point moves to the same relative
   * place in the new problem's view box.
   */
  remapStarts(draft, problem) {
    const oldView = this.#ctx.pg().view();
    let newView = null;
    try {
      const probe = call((w) => new w.Playground(JSON.stringify({ problem, runs: [{ label: 'probe', optimizer: { name: 'SGD' } }] })));
      newView = squareView(probe.view());
      probe.free();
    } catch { /* keep the starts */ }
    draft.problem = problem;
    if (newView && oldView.length === 4) {
      for (const run of draft.runs) {
        if (!Array.isArray(run.x0)) continue;
        const rx = (run.x0[0] - oldView[0]) / (oldView[1] - oldView[0]);
        const ry = (run.x0[1] - oldView[2]) / (oldView[3] - oldView[2]);
        const clampUnit = (t) => Math.min(0.97, Math.max(0.03, t));
        const x = newView[0] + clampUnit(rx) * (newView[1] - newView[0]);
        const y = newView[2] + clampUnit(ry) * (newView[3] - newView[2]);
        run.x0 = [Number(x.toPrecision(4)), Number(y.toPrecision(4))];
      }
    }
  }

  /**
   * A run under the pointer (Rust's hit test, Playground::run_at) is hovered: the drawings bring
   * it to the front and dim the others. A new CSS size (a resized window) redraws the canvas at
   * the device pixel ratio.
   */
  wireDrawing() {
    const ctx = this.#ctx;
    const canvas = this.#canvas;
    canvas.addEventListener('pointermove', (e) => {
      if (!ctx.pg() || this.#dragging) return;
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const px = (e.clientX - rect.left) * scale;
      const py = (e.clientY - rect.top) * scale;
      const i = ctx.pg().run_at(canvas.width, canvas.height, px, py, HOVER_REACH_PX * scale);
      ctx.hoverRun(i >= 0 ? i : null);
    });
    canvas.addEventListener('pointerleave', () => { if (!this.#dragging) ctx.hoverRun(null); });
    if ('ResizeObserver' in window) {
      new ResizeObserver(() => {
        if (ctx.pg() && !this.card.hidden && Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)) !== canvas.width) this.draw();
      }).observe(canvas);
    }
  }

  /** The tooltip and, in full mode, dragging the selected run's start point. */
  wire() {
    const ctx = this.#ctx;
    const canvas = this.#canvas;
    const tip = this.#tip;
    const toParams = (e) => {
      const rect = canvas.getBoundingClientRect();
      const px = ((e.clientX - rect.left) / rect.width) * canvas.width;
      const py = ((e.clientY - rect.top) / rect.height) * canvas.height;
      const p = ctx.pg().canvas_to_params(canvas.width, canvas.height, px, py);
      return { p: p.length === 2 ? [p[0], p[1]] : null, rect, cssX: e.clientX - rect.left, cssY: e.clientY - rect.top };
    };
    const showTip = (e) => {
      if (!ctx.pg()) return;
      const { p, rect, cssX, cssY } = toParams(e);
      if (!p) { tip.hidden = true; return; }
      const f = ctx.pg().loss_at(p);
      replace(tip, h('div', null, `x = ${fmt(p[0])}, y = ${fmt(p[1])}`), h('div', null, `f(x, y) = ${exact(f)}`));
      tip.hidden = false;
      const w = tip.offsetWidth;
      const hgt = tip.offsetHeight;
      tip.style.left = `${cssX + 14 + w > rect.width ? cssX - 14 - w : cssX + 14}px`;
      tip.style.top = `${cssY + 14 + hgt > rect.height ? cssY - 14 - hgt : cssY + 14}px`;
    };
    let pending = null;
    const applyStart = () => {
      if (ctx.apply('value')) ctx.render('run-editor');
    };
    const moveStart = (e) => {
      if (!ctx.full || !ctx.pg()) return;
      const { p } = toParams(e);
      if (!p) return;
      const v = ctx.pg().view();
      const res = Math.max(v[1] - v[0], v[3] - v[2]) / 1000;
      const digits = Math.max(0, -Math.floor(Math.log10(res)));
      const run = ctx.draft().runs[ctx.selected()];
      if (!run) return;
      run.x0 = p.map((x) => Number(x.toFixed(Math.min(digits, 12))));
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = null;
        applyStart();
      });
    };
    const beginDrag = (e) => {
      this.#dragging = true;
      canvas.setPointerCapture(e.pointerId);
      moveStart(e);
    };
    // Is a finger's press on the selected run's start marker?
    const onStartMarker = (e) => {
      const run = ctx.draft().runs[ctx.selected()];
      const { p } = toParams(e);
      if (!run || !Array.isArray(run.x0) || !p) return false;
      const reach = toParams({ clientX: e.clientX + MARKER_REACH_PX, clientY: e.clientY }).p;
      if (!reach) return false;
      const tolerance = Math.abs(reach[0] - p[0]);
      return Math.hypot(run.x0[0] - p[0], run.x0[1] - p[1]) <= tolerance;
    };
    let press = null; // a finger waiting for its long press: {id, x, y, timer}
    const cancelPress = () => {
      if (press) clearTimeout(press.timer);
      press = null;
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (!ctx.full || e.button !== 0 || !ctx.pg()) return;
      if (e.pointerType !== 'touch' || onStartMarker(e)) {
        beginDrag(e);
        return;
      }
      // A finger elsewhere: the page scrolls, unless it stays still for a long press.
      cancelPress();
      const at = { clientX: e.clientX, clientY: e.clientY, pointerId: e.pointerId };
      press = { id: e.pointerId, x: e.clientX, y: e.clientY, timer: setTimeout(() => { press = null; beginDrag(at); }, LONG_PRESS_MS) };
    });
    // While a finger drags the start, the page must not scroll under it.
    canvas.addEventListener('touchmove', (e) => { if (this.#dragging) e.preventDefault(); }, { passive: false });
    canvas.addEventListener('pointermove', (e) => {
      if (press && press.id === e.pointerId && Math.hypot(e.clientX - press.x, e.clientY - press.y) > TOUCH_SLOP_PX) cancelPress();
      if (e.pointerType !== 'touch' || this.#dragging) showTip(e);
      if (this.#dragging) moveStart(e);
    });
    const end = (e) => {
      if (press && press.id === e.pointerId) cancelPress();
      if (!this.#dragging) return;
      this.#dragging = false;
      if (pending) {
        cancelAnimationFrame(pending);
        pending = null;
        applyStart();
      }
      ctx.writeHash();
      if (canvas.hasPointerCapture && canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', () => { if (!this.#dragging) tip.hidden = true; });
  }
}

/**
 * A formula cut where a narrow card may break its line: after each ' = ', ' + ', ' − ' and ' · '
 * outside brackets, so that no term is split ("b (y − x²)²" stays whole).
 */
function formulaPieces(text) {
  const pieces = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && '=+−·'.includes(c) && text[i - 1] === ' ' && text[i + 1] === ' ') {
      pieces.push(text.slice(start, i + 1));
      start = i + 2;
    }
  }
  pieces.push(text.slice(start));
  return pieces.filter((p) => p !== '');
}
