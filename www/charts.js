// The curve charts and their hover: one card per chart (loss, lr, gradient norm, step size, and
// for models training vs validation loss and accuracy) with its options (log y, log x, EMA
// smoothing, hide), where each card sits for the kind of problem (the stack beside the main view,
// the row below it, from which column-layout.js moves the cards that fit into the top row's
// shorter column), which charts are drawn when (every chart now, the stalest one per frame
// while animating, or one per frame after a burst of steps), the log-scale note, and the
// tooltip with every run's value at the step under the pointer. Rust draws the charts.
//
// Each canvas is sized at the device pixel ratio before it is drawn (canvas-size.js); the
// run hovered (in a list or on the picture) is drawn in front with the others dimmed. The hover asks
// Rust for the step under the pointer (Playground::chart_step_at), which knows the plot it drew.
//
// An author picks the charts and their order with the `charts` attribute (attributes.js), by the
// names of CHART_NAMES: the first two sit beside the main view, the rest in the row below (or
// under the shorter column of the top row, where they fill a blank); a chart that does not fit
// the kind of problem (accuracy on a landscape) is left out. A `locked` widget shows no chart
// options.
//
// Host contract (the widget's ctx): pg(), config(), kind(), isModel(), full, locked, noControls, chartList
// (chart kinds in order, or null), playing(), viewStep(), colorOf(i), snapshot(),
// hovered().

import { h, replace } from './dom.js';
import { num, exact } from './util.js';
import { cssPoint, drawGrowing } from './canvas-size.js';
import { ColumnLayout } from './column-layout.js';

export const CHART_W = 400;
export const CHART_H = 200;
const CHART_INTERVAL_MS = 40;

// modes: where a chart is shown ('landscape' problems, 'model' problems trained on data);
// classification: only for classification data.
const CHARTS = [
  { kind: 'train_val', title: 'Training vs validation loss', defaults: { log_y: true, log_x: false }, modes: ['model'], what: 'the data loss on each set, measured every eval_every epochs (x axis: epoch). Solid: training, dashed: validation; a circle marks the best validation loss, a second one the early stop' },
  { kind: 'accuracy', title: 'Accuracy', defaults: { log_y: false, log_x: false }, noLogY: true, modes: ['model'], classification: true, what: 'share of points on the right side of the decision boundary (x axis: epoch). Solid: training, dashed: validation' },
  { kind: 'loss', title: 'Loss', modelTitle: 'Training loss per step', defaults: { log_y: true, log_x: false, smoothing: 0 }, smoothing: true, modes: ['landscape', 'model'], hover: true, what: 'f(w) at each step', modelWhat: 'the training objective at each step (data loss + penalties), on that step’s minibatch' },
  { kind: 'lr', title: 'Learning rate', defaults: { log_y: false, log_x: false }, modes: ['landscape', 'model'], hover: true, what: 'the lr used by each step (after the schedule)' },
  { kind: 'grad_norm', title: 'Gradient norm', defaults: { log_y: true, log_x: false }, modes: ['landscape', 'model'], hover: true, what: '‖∇f(w)‖; the dashed line is the tolerance' },
  { kind: 'delta_norm', title: 'Step size', defaults: { log_y: true, log_x: false }, modes: ['landscape', 'model'], hover: true, what: '‖Δw‖ = distance moved by each step; dashed: tolerance' },
];
const MINIMAL_CHARTS = new Set(['loss', 'train_val', 'accuracy']);

/** The names of the charts in the `charts` attribute, and the chart each one is. */
export const CHART_NAMES = { loss: 'loss', lr: 'lr', grad: 'grad_norm', step: 'delta_norm', train_val: 'train_val', accuracy: 'accuracy' };
const CHART_BY_KIND = Object.fromEntries(CHARTS.map((c) => [c.kind, c]));

export class Charts {
  #ctx;
  #charts = {}; // kind -> {canvas, tip, guide, card, empty, logY, logX, smooth, body, titleEl, whatEl}
  #opts = {};
  #hidden = new Set();
  #drawnAt = {};
  #dirty = new Set();
  #pumpQueued = false;
  #offscreen = new Set();
  #heights = {}; // kind -> CSS height a chart's layout asked for (legend rows), this experiment
  #bottomCards = []; // the row below's cards in their order, for this kind of problem
  #columns = null; // ColumnLayout, once the top row's columns are given
  /** The container beside the main view. */
  stack;
  /** The row below the views (full mode only), or null. */
  bottom;

  constructor(ctx) {
    this.#ctx = ctx;
    for (const c of CHARTS) this.#opts[c.kind] = { ...c.defaults };
    const list = ctx.chartList;
    for (const c of CHARTS) {
      if (list ? !list.includes(c.kind) : !ctx.full && !MINIMAL_CHARTS.has(c.kind)) continue;
      this.#buildCard(c);
    }
    this.stack = h('div', { class: 'chart-stack' });
    this.bottom = ctx.full || (list && list.length > 2) ? h('div', { class: 'viz-bottom' }) : null;
  }

  #buildCard(c) {
    const canvas = h('canvas', { width: CHART_W, height: CHART_H, role: 'img', 'aria-label': `${c.title} vs step` });
    const titleEl = h('span', { class: 'card-title' }, c.title);
    const whatEl = h('span', null, c.what);
    const tip = h('div', { class: 'tooltip', hidden: true });
    const guide = h('div', { class: 'guide', hidden: true });
    const opts = this.#opts[c.kind];
    const toggle = (key, text) => {
      const input = h('input', { type: 'checkbox', checked: !!opts[key] });
      input.addEventListener('change', () => { opts[key] = input.checked; this.draw(c.kind); this.#noteLogY(c.kind); });
      return { input, label: h('label', { class: 'check small-check' }, input, ' ', text) };
    };
    const logY = toggle('log_y', 'log y');
    const logX = toggle('log_x', 'log x');
    if (c.noLogY) logY.label = null;
    let smooth = null;
    let smoothInput = null;
    if (c.smoothing) {
      smoothInput = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: opts.smoothing, 'aria-label': 'EMA smoothing' });
      const out = h('output', null, '0');
      smoothInput.addEventListener('input', () => {
        opts.smoothing = Number(smoothInput.value);
        out.textContent = opts.smoothing.toFixed(2);
        this.draw(c.kind);
      });
      smooth = h('label', { class: 'smooth', title: 'Exponential moving average of the loss: 0 = raw' }, 'smoothing ', smoothInput, ' ', out);
    }
    const hide = h('button', { type: 'button', class: 'small link', 'aria-expanded': 'true' }, 'Hide');
    // A widget without controls (controls="none") has no Play button to point to.
    const empty = h('div', { class: 'empty', hidden: true }, this.#emptyWords());
    const body = h('div', { class: 'chart-body' }, h('div', { class: 'canvas-wrap' }, canvas, guide, tip, empty), h('p', { class: 'hint' }, whatEl, '.'), h('p', { class: 'note logy-note', hidden: true }, 'A loss of 0 or below cannot be drawn on a log scale: untick “log y” to see it.'));
    hide.addEventListener('click', () => {
      const hidden = !this.#hidden.has(c.kind);
      if (hidden) this.#hidden.add(c.kind); else this.#hidden.delete(c.kind);
      body.hidden = hidden;
      hide.textContent = hidden ? 'Show' : 'Hide';
      hide.setAttribute('aria-expanded', String(!hidden));
      if (!hidden) this.draw(c.kind);
    });
    const card = h('figure', { class: `card chart-card chart-${c.kind}`, dataset: { kind: c.kind } },
      h('div', { class: 'card-head' }, titleEl,
        this.#ctx.locked ? null : h('div', { class: 'chart-opts' }, logY.label, logX.label, smooth, hide)),
      body);
    this.#charts[c.kind] = { canvas, tip, guide, card, empty, logY: logY.input, logX: logX.input, smooth: smoothInput, body, titleEl, whatEl };
    if (c.hover) {
      canvas.addEventListener('pointermove', (e) => this.#hover(c.kind, e));
      canvas.addEventListener('pointerleave', () => { tip.hidden = true; guide.hidden = true; });
    }
  }

  /**
   * The top row's columns (skeleton.js): main (the picture cards), under (the place under the
   * picture), side (the status list's and the stack's column), own (the side column's own
   * children). The cards of the row below that fill a blank under the shorter column move there
   * (column-layout.js); without a row below (minimal mode's two charts) there is nothing to move.
   */
  levelColumns({ main, under, side, own }) {
    if (!this.bottom) return;
    this.#columns = new ColumnLayout({ main, under, side, own, bottom: this.bottom, cards: () => this.#bottomCards });
  }

  /** The canvas of chart `kind`, or null. */
  canvasOf(kind) {
    return this.#charts[kind] ? this.#charts[kind].canvas : null;
  }

  /** The options chart `kind` is drawn with now ({log_x, log_y, smoothing}), or {}. */
  optionsOf(kind) {
    return this.#opts[kind] ? { ...this.#opts[kind] } : {};
  }

  /**
   * Starts watching which cards are on screen (a chart off screen is not animated), the canvases'
   * sizes, and the heights that decide which cards go up into the top row's columns.
   */
  observe() {
    if (this.#columns) this.#columns.observe();
    if (!('IntersectionObserver' in window)) return;
    const io = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const kind = entry.target.dataset.kind;
        if (entry.isIntersecting) {
          const wasOff = this.#offscreen.delete(kind);
          if (wasOff) this.draw(kind);
        } else {
          this.#offscreen.add(kind);
        }
      }
    });
    for (const kind of Object.keys(this.#charts)) io.observe(this.#charts[kind].card);
    // A canvas whose CSS size changed (a resized window, a card spanning the row) is drawn again
    // at its new size, so that it stays sharp.
    if (!('ResizeObserver' in window)) return;
    const ro = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const kind = entry.target.dataset.chart;
        if (kind && Math.round(entry.target.clientWidth * (window.devicePixelRatio || 1)) !== entry.target.width) this.#dirty.add(kind);
      }
      // One chart per frame (a layout change resizes them all at once: drawn together they
      // would make one long task).
      if (this.#dirty.size) this.#pump();
    });
    for (const kind of Object.keys(this.#charts)) {
      this.#charts[kind].canvas.dataset.chart = kind;
      ro.observe(this.#charts[kind].canvas);
    }
  }

  #mode() {
    return this.#ctx.isModel() ? 'model' : 'landscape';
  }

  /** Is this chart part of the current kind of problem? */
  #active(kind) {
    const c = CHART_BY_KIND[kind];
    if (!c || !this.#charts[kind]) return false;
    if (!c.modes.includes(this.#mode())) return false;
    return !c.classification || this.#ctx.kind() === 'classification';
  }

  /** Puts each chart card where it belongs for this kind of problem; hides the others. */
  layout() {
    const model = this.#ctx.isModel();
    const kind = this.#ctx.kind();
    let stack;
    let bottom;
    if (!model) {
      stack = ['loss', 'lr'];
      bottom = ['grad_norm', 'delta_norm'];
    } else if (kind === 'classification') {
      stack = ['train_val', 'accuracy'];
      bottom = ['loss', 'lr', 'grad_norm', 'delta_norm'];
    } else {
      stack = ['train_val', 'loss'];
      bottom = ['lr', 'grad_norm', 'delta_norm'];
    }
    const cards = (kinds) => kinds.filter((k) => this.#charts[k]).map((k) => this.#charts[k].card);
    const list = this.#ctx.chartList;
    if (list) {
      // The author's charts in the author's order: those that fit this problem, two beside the
      // main view and the rest below.
      const fit = list.filter((k) => this.#active(k));
      stack = fit.slice(0, 2);
      bottom = fit.slice(2);
    }
    if (this.bottom) {
      this.#bottomCards = cards(bottom);
      this.stack.replaceChildren(...cards(stack));
      this.bottom.replaceChildren(...this.#bottomCards);
    } else {
      // Minimal mode: the first two charts only.
      this.stack.replaceChildren(...cards(stack).slice(0, 2));
    }
    for (const k of Object.keys(this.#charts)) this.#charts[k].card.hidden = !this.#active(k);
    // The cards that fit go up beside the picture, and an odd card out in the two-column row
    // below spans the row (with a wider chart of the same height), so that the row has no empty
    // half; again whenever a height changes. At the next animation frame, with the layout the
    // frame does anyway: measured now, a new page's first layout would be forced in this task.
    if (this.#columns) this.#columns.schedule();
  }

  /**
   * The kind of problem is set (changed: it differs from the last one): lays the cards out
   * again and words titles and hints for it.
   */
  setKind(changed) {
    const ctx = this.#ctx;
    if (changed) {
      this.layout();
      for (const c of CHARTS) this.#dirty.add(c.kind);
    }
    this.#heights = {};
    const model = ctx.isModel();
    const problem = ctx.config().problem;
    const full = model && !(typeof problem.batch_size === 'number') && !(problem.regularization && problem.regularization.dropout > 0);
    for (const c of CHARTS) {
      const chart = this.#charts[c.kind];
      if (!chart) continue;
      chart.titleEl.textContent = model && c.modelTitle ? c.modelTitle : c.title;
      let what = model && c.modelWhat ? c.modelWhat : c.what;
      if (c.kind === 'loss' && full) what = 'the training objective at each step (data loss + penalties) on the whole training set (full batch)';
      chart.whatEl.textContent = what;
    }
  }

  /** The loss chart's log scale for this problem (off where the loss can be negative). */
  setLogLoss(logLoss) {
    this.setAxes('loss', { log_y: logLoss });
  }

  /**
   * Sets chart `kind`'s log scales (`{log_x, log_y}`, either may be missing), ticking its boxes
   * and redrawing it. An unknown kind is ignored.
   */
  setAxes(kind, axes) {
    const opts = this.#opts[kind];
    if (!opts) return;
    const c = this.#charts[kind];
    let changed = false;
    for (const key of ['log_x', 'log_y']) {
      if (typeof axes[key] !== 'boolean' || opts[key] === axes[key]) continue;
      opts[key] = axes[key];
      if (c) (key === 'log_x' ? c.logX : c.logY).checked = axes[key];
      changed = true;
    }
    if (c && changed) this.draw(kind);
  }

  /** Every chart's log scales back to their defaults (a preset starts from them). */
  resetAxes() {
    for (const c of CHARTS) this.setAxes(c.kind, { log_x: c.defaults.log_x, log_y: c.defaults.log_y });
  }

  /**
   * Redraws the charts: mode 'sync' draws every chart now (API calls, fresh experiments);
   * 'anim' (a frame of the animation) redraws only the stalest visible on-screen chart, each at
   * most every CHART_INTERVAL_MS; 'spread' marks every chart dirty and draws one per frame.
   * A curve chart costs from 2 to 25 ms to draw (plotters on a canvas).
   */
  render(mode) {
    if (mode === 'anim') {
      this.#drawDue();
    } else if (mode === 'spread') {
      for (const c of CHARTS) this.#dirty.add(c.kind);
      this.#pump();
    } else {
      for (const c of CHARTS) this.draw(c.kind);
    }
  }

  /** The log-scale notes and empty-chart notes for this snapshot. */
  renderNotes(snap, maxStep) {
    // Runs that all ended at step 0 (a start where f has no value) take no step when played.
    const ended = maxStep === 0 && snap && snap.runs.length > 0 && snap.runs.every((r) => r.status.state !== 'running');
    const words = ended ? 'No steps: every run ended at step 0 (its status says why).' : this.#emptyWords();
    for (const c of CHARTS) {
      this.#noteLogY(c.kind, snap);
      const chart = this.#charts[c.kind];
      if (!chart) continue;
      chart.empty.hidden = maxStep > 0;
      if (chart.empty.textContent !== words) chart.empty.textContent = words;
      if (!chart.empty.hidden) this.#placeEmpty(c.kind);
    }
  }

  /** What an empty chart says before the first step. */
  #emptyWords() {
    return this.#ctx.noControls ? 'No steps yet.' : 'No steps yet: press ▶ Play or Step.';
  }

  #pump() {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    requestAnimationFrame(() => {
      this.#pumpQueued = false;
      if (this.#ctx.playing() || !this.#ctx.pg()) return; // the animation draws the charts
      for (const c of CHARTS) {
        if (!this.#dirty.has(c.kind)) continue;
        if (!this.#visible(c.kind, false)) {
          this.#dirty.delete(c.kind); // a hidden chart is drawn when it is shown again
          continue;
        }
        this.draw(c.kind);
        break;
      }
      if (this.#dirty.size) this.#pump();
    });
  }

  #drawDue() {
    const now = performance.now();
    let due = null;
    for (const c of CHARTS) {
      if (!this.#visible(c.kind, true)) continue;
      const last = this.#drawnAt[c.kind] || 0;
      if (now - last < CHART_INTERVAL_MS) continue;
      if (due === null || last < (this.#drawnAt[due] || 0)) due = c.kind;
    }
    if (due) this.draw(due, true);
  }

  #visible(kind, animating) {
    return this.#active(kind) && !this.#hidden.has(kind) && !(animating && this.#offscreen.has(kind));
  }

  /** Draws one chart now (when it is visible). */
  draw(kind, animating = false) {
    const pg = this.#ctx.pg();
    if (!pg || !this.#visible(kind, animating)) return;
    const opts = this.#opts[kind];
    this.#drawnAt[kind] = performance.now();
    this.#dirty.delete(kind);
    const canvas = this.#charts[kind].canvas;
    // CHART_H tall, or half as tall as wide on a narrow screen; taller where Rust's layout asked
    // for more (a legend band that would leave the plot too short), until the next experiment.
    const cssWidth = canvas.clientWidth || CHART_W;
    const base = Math.min(CHART_H, cssWidth * (CHART_H / CHART_W));
    const hovered = this.#ctx.hovered();
    const options = JSON.stringify({ ...opts, front: hovered, dim_others: hovered !== null, view_step: this.#ctx.viewStep() });
    try {
      const height = Math.max(base, this.#heights[kind] || 0);
      const drawn = drawGrowing(canvas, cssWidth, height, () => pg.draw_chart(canvas, kind, options),
        () => JSON.parse(pg.chart_layout(kind)).height_needed);
      if (drawn > height) this.#heights[kind] = drawn;
      if (!this.#charts[kind].empty.hidden) this.#placeEmpty(kind);
    } catch (e) {
      console.warn(`chart ${kind}:`, e);
    }
  }

  /** Puts the empty-chart note over the plot as Rust last drew it (its `plot` rectangle, in the
   * canvas's CSS pixels), so that it covers no tick label whatever the y labels' width; before
   * the chart's first drawing it keeps the stylesheet's place. */
  #placeEmpty(kind) {
    const { canvas, empty } = this.#charts[kind];
    const pg = this.#ctx.pg();
    const layout = pg ? JSON.parse(pg.chart_layout(kind)) : null;
    if (!layout || !Array.isArray(layout.plot)) return;
    const wrapWidth = canvas.parentElement ? canvas.parentElement.clientWidth : canvas.clientWidth;
    empty.style.left = `${canvas.offsetLeft + layout.plot[0]}px`;
    empty.style.right = `${Math.max(0, wrapWidth - canvas.offsetLeft - layout.plot[2])}px`;
  }

  #noteLogY(kind, snap) {
    const c = this.#charts[kind];
    if (!c) return;
    const note = c.body.querySelector('.logy-note');
    let show = false;
    if (kind === 'loss' && this.#opts.loss.log_y) {
      const s = snap || this.#ctx.snapshot();
      show = s.runs.some((r) => num(r.loss) <= 0);
    }
    note.hidden = !show;
  }

  #hover(kind, e) {
    const ctx = this.#ctx;
    const pg = ctx.pg();
    // No Playground while the engine restarts after an internal error: no hover then.
    if (!pg) return;
    const c = this.#charts[kind];
    const { x: cssX, y: cssY, rect } = cssPoint(c.canvas, e);
    const step = pg.chart_step_at(kind, cssX);
    if (!Number.isFinite(step) || pg.max_step() <= 0) {
      c.tip.hidden = true;
      c.guide.hidden = true;
      return;
    }
    const rows = pg.hover(step);
    const names = { loss: 'loss', lr: 'lr', grad_norm: '‖∇f‖', delta_norm: '‖Δw‖' };
    const colorByLabel = new Map(ctx.config().runs.map((r, i) => [r.label, ctx.colorOf(i)]));
    replace(c.tip,
      h('div', { class: 'tip-head' }, `step ≈ ${Math.round(step).toLocaleString('en-US')}`),
      rows.map((r) => h('div', { class: 'tip-row' },
        h('span', { class: 'swatch', style: { background: colorByLabel.get(r.label) || '#888' } }),
        h('span', { class: 'tip-label' }, r.label),
        h('span', { class: 'tip-value' }, `${names[kind]} = ${exact(r[kind])}`),
        h('span', { class: 'tip-step' }, `step ${r.step}`))));
    c.tip.hidden = false;
    c.guide.hidden = false;
    c.guide.style.left = `${cssX}px`;
    const tipW = c.tip.offsetWidth;
    const x = cssX + 12 + tipW > rect.width ? cssX - 12 - tipW : cssX + 12;
    c.tip.style.left = `${Math.max(0, x)}px`;
    const tipH = c.tip.offsetHeight;
    c.tip.style.top = `${Math.max(0, Math.min(rect.height - tipH, cssY + 14))}px`;
  }
}
