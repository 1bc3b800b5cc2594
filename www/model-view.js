// The model view of a problem trained on data: its card (title, the run picker, legend, hint)
// and what the selected run has learned (the decision boundary or the fitted curve, drawn by
// Rust at the device pixel ratio, canvas-size.js); for an MLP classifier also its network
// (units as heatmaps, weights as lines, src/chart/network.rs), redrawn with the view and
// counted in its drawing cost. While the timeline is scrubbed both show the weights recorded at
// the scrubbed step or the nearest before it (src/run/weights.rs), with a caption that says which. While the runs train it is redrawn every frame when that costs at most
// LIVE_MODEL_MS, else every few frames, so that it takes LIVE_MODEL_MS per frame on average;
// `overrun()` tells the frame loop how much less to step in a frame that redraws it.
//
// Host contract (the widget's ctx): pg(), config(), kind(), isModel(), selected(), full,
// select(i), colorOf(i), stepsTaken(), configVersion(), viewStep().

import { h, replace } from './dom.js';
import { DATASETS, MODELS } from './catalog.js';
import { LANDSCAPE_PX } from './landscape.js';
import { fitCanvas } from './canvas-size.js';

const LIVE_MODEL_MS = 4;

export class ModelView {
  #ctx;
  #canvas;
  #title;
  #sub;
  #runPick;
  #legend;
  #hint;
  #weightsNote;
  #network;
  #networkCanvas;
  #networkNote;
  #drawMs = null; // what the last drawing cost
  #drawnAt = 0;
  #drawnKey = null;
  #draws = 0;
  /** The card (a figure). */
  card;

  constructor(ctx) {
    this.#ctx = ctx;
    this.#canvas = h('canvas', { class: 'model-view', width: LANDSCAPE_PX, height: LANDSCAPE_PX, role: 'img', 'aria-label': 'What the selected run has learned' });
    // Every drawing writes whole images, and a regression plot reads its pixels back once to
    // rasterize its points into them (src/web.rs): a canvas kept in memory does both cheaply.
    this.#canvas.getContext('2d', { willReadFrequently: true });
    this.#title = h('span', { class: 'card-title' });
    this.#sub = h('span', { class: 'card-formula' });
    this.#runPick = ctx.full ? h('select', { class: 'model-run', 'aria-label': 'Run shown in the model view', dataset: { path: 'model.view.run' } }) : null;
    if (this.#runPick) {
      this.#runPick.addEventListener('change', () => ctx.select(Number(this.#runPick.value)));
    }
    this.#legend = h('span', { class: 'legend model-legend' });
    this.#hint = h('p', { class: 'hint' });
    this.#weightsNote = h('p', { class: 'hint weights-note', hidden: true });
    this.#networkCanvas = h('canvas', { class: 'network-view', width: 420, height: 200, role: 'img', 'aria-label': 'The network of the selected run' });
    this.#networkNote = h('p', { class: 'hint' });
    this.#network = h('div', { class: 'network-card', hidden: true },
      h('span', { class: 'section-title' }, 'Network'),
      h('div', { class: 'canvas-wrap' }, this.#networkCanvas),
      h('p', { class: 'hint' }, 'Columns: the inputs x1 (top) and x2, the hidden layers, the output. Each unit shows its output over the input box (orange positive, blue negative); a line’s width is the size of its weight, its colour the sign.'),
      this.#networkNote);
    this.card = h('figure', { class: 'card model-card', hidden: true },
      h('div', { class: 'card-head' }, h('div', { class: 'titles' }, this.#title, this.#sub),
        this.#runPick ? h('label', { class: 'model-run-label' }, 'run ', this.#runPick) : null),
      h('div', { class: 'model-frame' }, h('div', { class: 'canvas-wrap' }, this.#canvas)),
      h('figcaption', null, this.#weightsNote, this.#legend, this.#hint),
      this.#network);
  }

  /** The canvas of the view. */
  get canvas() {
    return this.#canvas;
  }

  /** How many times the view was drawn (tests check the live redraw rate). */
  get draws() {
    return this.#draws;
  }

  /** The view must be drawn again (another run, another problem). */
  stale() {
    this.#drawnKey = null;
  }

  /** Another model: its drawing cost is measured again. */
  forgetCost() {
    this.#drawMs = null;
  }

  /** Will the animation redraw the view in this frame? */
  #due() {
    if (!this.#ctx.isModel() || this.#drawMs === null) return this.#ctx.isModel();
    const every = Math.ceil(this.#drawMs / LIVE_MODEL_MS);
    return performance.now() - this.#drawnAt >= (every - 1) * 16.7 - 4;
  }

  /** The ms by which a redraw due in this frame exceeds LIVE_MODEL_MS (0: none due, or cheap). */
  overrun() {
    if (this.#ctx.isModel() && this.#drawMs !== null && this.#drawMs > LIVE_MODEL_MS && this.#due()) {
      return this.#drawMs - LIVE_MODEL_MS;
    }
    return 0;
  }

  /** Title, run picker and legend. */
  renderHead() {
    const ctx = this.#ctx;
    const config = ctx.config();
    if (!ctx.isModel() || !config) return;
    const classification = ctx.kind() === 'classification';
    const selected = ctx.selected();
    const problem = config.problem;
    const data = DATASETS[problem.data && problem.data.name];
    const model = MODELS[problem.model && problem.model.name];
    this.#title.textContent = classification ? 'Decision boundary' : 'Fitted curve';
    this.#sub.textContent = `${model ? model.title : ''}${data ? ` on ${data.title.toLowerCase()}` : ''}`;
    if (this.#runPick) {
      replace(this.#runPick, config.runs.map((r, i) => h('option', { value: String(i), selected: i === selected }, r.label)));
      this.#runPick.value = String(selected);
    }
    this.#network.hidden = !(classification && problem.model && problem.model.name === 'mlp');
    const item = (sym, text) => h('span', { class: 'legend-item' }, sym, ` ${text}`);
    if (classification) {
      replace(this.#legend,
        item(h('span', { class: 'sym class0' }), 'class 0'),
        item(h('span', { class: 'sym class1' }), 'class 1'),
        item(h('span', { class: 'sym filled' }), 'training point'),
        item(h('span', { class: 'sym hollow' }), 'validation point'));
      this.#hint.textContent = 'The background is the class the model predicts, paler where it is unsure (probability near 0.5); the dark line is the decision boundary.';
    } else {
      const synthetic = problem.data && problem.data.name !== 'csv';
      replace(this.#legend,
        item(h('span', { class: 'sym filled gray' }), 'training point'),
        item(h('span', { class: 'sym hollow gray' }), 'validation point'),
        item(h('span', { class: 'sym line', style: { background: ctx.colorOf(selected) } }), 'the model'),
        synthetic ? item(h('span', { class: 'sym dashed' }), 'the true function') : null);
      this.#hint.textContent = 'The curve is the selected run’s prediction for every x.';
    }
  }

  /** The view of the selected run: 'live' (a frame of the animation, when due) or 'sync'. */
  draw(how) {
    const ctx = this.#ctx;
    const pg = ctx.pg();
    if (!pg || !ctx.isModel()) return;
    const canvas = this.#canvas;
    const config = ctx.config();
    const run = Math.max(0, Math.min(ctx.selected(), config.runs.length - 1));
    const viewStep = ctx.viewStep();
    const key = `${run}|${ctx.stepsTaken()}|${ctx.configVersion()}|${viewStep}`;
    if (how === 'live' && (key === this.#drawnKey || !this.#due())) return;
    // Sharp at the device pixel ratio; a hidden canvas keeps its size.
    fitCanvas(canvas, 1);
    const t0 = performance.now();
    try {
      const caption = pg.draw_model(canvas, run, viewStep === null ? undefined : viewStep);
      this.#weightsNote.textContent = caption;
      this.#weightsNote.hidden = caption === '';
    } catch (e) {
      console.warn('model view:', e);
    }
    if (!this.#network.hidden && fitCanvas(this.#networkCanvas, 200 / 420)) {
      try {
        this.#networkNote.textContent = pg.draw_network(this.#networkCanvas, run, viewStep === null ? undefined : viewStep);
      } catch (e) {
        // Not drawable as a network (e.g. data that are not 2-D): no card rather than a stale one.
        this.#network.hidden = true;
      }
    }
    const now = performance.now();
    const ms = now - t0;
    this.#drawMs = this.#drawMs === null ? ms : 0.5 * this.#drawMs + 0.5 * ms;
    this.#drawnAt = now;
    this.#drawnKey = key;
    this.#draws += 1;
  }
}
