// <convergence-playground>: the whole playground as one custom element.
//
//   <convergence-playground controls="full|minimal" config='{"problem": ...}'>
//
// JS API: el.ready (Promise), el.load(config) (Promise; rejects with every validation problem),
// el.play(), el.pause(), el.step(n) -> Promise of the snapshot (taken in slices, interruptible),
// el.reset(), el.snapshot(), el.report(),
// el.getConfig(), el.playing.
// Events (bubbling, composed): converged {label, step, criterion}, diverged {label, step,
// reason}, stopped {label, step, reason}, once per run when its state changes; sweepdone
// {results} when a complexity sweep has trained every value.
//
// Two kinds of problems: a 2-D loss landscape (the landscape with the paths of the runs), or a
// model trained on data (problem "model": the decision boundary or fitted curve of the selected
// run, training vs validation loss and accuracy per evaluation, and the complexity sweep).
// Whatever a step costs, a frame steps for at most MAX_FRAME_MS, so the page keeps its frame
// rate; the costly views (decision boundary, charts) are drawn within their own budgets.
//
// Rust (wasm) owns the numbers and draws every chart onto the canvases handed to it; this
// module owns the DOM, the controls, the URL and the animation loop.

import { loadEngine, engineGeneration, guard, call, onRenewal, renewal, isRenewing } from './wasm.js';
import { h, replace, select, selectValue } from './dom.js';
import { PROBLEMS, PALETTE, SPEEDS, fmt, DEFAULT_PRESET, DATASETS, MODELS, newModelProblem } from './catalog.js';
import { PRESETS, PRESET_GROUPS, presetById } from './presets.js';
import { toHash, fromHash } from './urlstate.js';
import { problemEditor, runEditor, stopEditor } from './controls.js';
import { SearchCard } from './search.js';

const LANDSCAPE_PX = 420;
const CHART_W = 400;
const CHART_H = 200;
// The plot area of a Rust curve chart (src/chart/curves.rs) spans x = 58 px (margin 6 + y labels
// 52) to width - 18 px (right margin 18).
const PLOT_LEFT = 58;
const PLOT_RIGHT_INSET = 18;
const MAX_FRAME_MS = 8;
// el.step(n) takes its steps in tasks of about this many milliseconds.
const DRAIN_SLICE_MS = 16;
const STATUS_INTERVAL_MS = 100;
const CHART_INTERVAL_MS = 40;
// The model view (decision boundary or fitted curve) is always drawn at full size. While the
// runs train it is redrawn every frame when that costs at most LIVE_MODEL_MS, else every few
// frames, so that it takes LIVE_MODEL_MS per frame on average; a frame that redraws a costly
// view steps for that much less, so that frames stay short.
const LIVE_MODEL_MS = 4;
const MIN_STEP_MS = 2;
const SWEEP_FRAME_MS = 8;
const SLIDE_REST_MS = 300;
const SWEEP_DEFAULTS = { degree: '1-15', hidden_units: '1, 2, 4, 8, 16, 32' };

// modes: where a chart is shown ('landscape' problems, 'model' problems trained on data);
// classification: only for classification data.
const CHARTS = [
  { kind: 'train_val', title: 'Training vs validation loss', defaults: { log_y: true, log_x: false }, modes: ['model'], what: 'the data loss on each set, measured every eval_every epochs (x axis: step). Solid: training, dashed: validation; a circle marks the best validation loss, a second one the early stop' },
  { kind: 'accuracy', title: 'Accuracy', defaults: { log_y: false, log_x: false }, noLogY: true, modes: ['model'], classification: true, what: 'share of points on the right side of the decision boundary (x axis: step). Solid: training, dashed: validation' },
  { kind: 'loss', title: 'Loss', modelTitle: 'Training loss per step', defaults: { log_y: true, log_x: false, smoothing: 0 }, smoothing: true, modes: ['landscape', 'model'], hover: true, what: 'f(w) at each step', modelWhat: 'the training objective at each step (data loss + penalties), on that step’s minibatch' },
  { kind: 'lr', title: 'Learning rate', defaults: { log_y: false, log_x: false }, modes: ['landscape', 'model'], hover: true, what: 'the lr used by each step (after the schedule)' },
  { kind: 'grad_norm', title: 'Gradient norm', defaults: { log_y: true, log_x: false }, modes: ['landscape', 'model'], hover: true, what: '‖∇f(w)‖; the dashed line is the tolerance' },
  { kind: 'delta_norm', title: 'Step size', defaults: { log_y: true, log_x: false }, modes: ['landscape', 'model'], hover: true, what: '‖Δw‖ = distance moved by each step; dashed: tolerance' },
];
const MINIMAL_CHARTS = new Set(['loss', 'train_val', 'accuracy']);
const CHART_BY_KIND = Object.fromEntries(CHARTS.map((c) => [c.kind, c]));

/** Checks a config (JSON text) in the engine: "" when valid, else every problem, one per line. */
function validateConfig(json) {
  return call((w) => w.validate_config(json));
}

const STATE_ICON = { running: '▸', converged: '✓', diverged: '✗', stopped: '!' };

function clone(x) {
  return JSON.parse(JSON.stringify(x));
}

/** JSON with sorted keys, to compare configs. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function num(x) {
  return typeof x === 'number' ? x : Number(x); // "inf"/"nan" strings -> NaN/Infinity
}

function exact(x) {
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(8)));
}

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

/**
 * A run's report for a model trained on data: the hint after "not converged" is about 2-D
 * landscapes (a run that stops at max_steps may well have learned what it could).
 */
function modelText(text) {
  return text.replace(/; not converged - try a larger learning rate, momentum, or more steps$/, '; no convergence test fired');
}

function pct(x) {
  const v = num(x);
  if (!Number.isFinite(v)) return '—';
  const p = v * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** Parses "1-15" or "1, 2, 4, 8" (ranges allowed) into integers; throws with a reason. */
function parseValues(text) {
  const out = [];
  for (const token of String(text).split(/[\s,;]+/).filter(Boolean)) {
    const m = /^(\d+)\s*(?:-|–|\.\.)\s*(\d+)$/.exec(token);
    if (m) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      if (b < a) throw new Error(`"${token}": a range must go up`);
      for (let v = a; v <= b && out.length <= 64; v += 1) out.push(v);
    } else if (/^\d+$/.test(token)) {
      out.push(Number(token));
    } else {
      throw new Error(`"${token}" is not a whole number or a range such as 1-15`);
    }
  }
  if (!out.length) throw new Error('give at least one value, e.g. 1-15 or 1, 2, 4, 8');
  return out;
}

function isTextTarget(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || target.isContentEditable) return true;
  if (tag === 'input') return true; // text, number, checkbox, color, range: keys belong to the field
  return false;
}

export class ConvergencePlayground extends HTMLElement {
  static get observedAttributes() {
    return ['config'];
  }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    this.ready.catch(() => {}); // reported in the alert; an unobserved rejection is not an error
    this.pg = null;
    this.config = null; // the experiment running now (object)
    this.draft = null; // the controls' working copy (may be invalid)
    this.selected = 0;
    this.view = null; // user view box, null = default
    this.defaultView = null;
    this.playing = false;
    this.speed = '10';
    this.prevStates = [];
    this.chartOpts = {};
    for (const c of CHARTS) this.chartOpts[c.kind] = { ...c.defaults };
    this.hiddenCharts = new Set();
    this.chartDrawnAt = {};
    this.dirtyCharts = new Set();
    this.pumpQueued = false;
    this.offscreen = new Set();
    this.presetId = null;
    this.editedFromPreset = null;
    this.lastHash = null;
    this.lastStatusAt = 0;
    this.renderQueued = false;
    this.loopId = 0;
    this._onKey = this._onKey.bind(this);
    this._onHash = this._onHash.bind(this);
    this._started = false;
    this.dragging = false;
    this.kind = 'landscape'; // Playground.problem_kind(): landscape | classification | regression | model
    this.lastSnap = null;
    this.snapCost = 0;
    this.lastSnapAt = 0;
    this.stepCost = null; // ms per single step of every run together (measured while playing)
    this.modelDrawMs = null; // what the last drawing of the model view cost
    this.modelDrawnAt = 0;
    this.modelDrawnKey = null;
    this.watchers = [];
    this.savedProblems = {};
    this.sweep = null; // {param, values, run, label, loop, budget, running, shown, state}
    this.sweepLoop = 0;
    this.stepsTaken = 0; // grows with every step taken, to know when a view is stale
    this.configVersion = 0;
    this.drain = null; // {resolve, reject, dispatch}: queued steps being taken over several tasks
    this.pendingConfig = null; // a config given to load() before the element was connected
    this.pgGeneration = 0; // the engine instance this.pg lives in (see wasm.js)
    this.drawNext = false; // the last frame's steps overran: the next one only draws
    this.stopRenewal = null;
  }

  get isModel() {
    return this.kind === 'classification' || this.kind === 'regression';
  }

  get mode() {
    return this.getAttribute('controls') === 'minimal' ? 'minimal' : 'full';
  }

  get urlSync() {
    return this.mode === 'full' && !this.hasAttribute('no-url');
  }

  connectedCallback() {
    if (!this.stopRenewal) this.stopRenewal = onRenewal(() => this._onRenewal());
    if (this._started) {
      this._listen(true);
      return;
    }
    this._started = true;
    this._build();
    this._listen(true);
    this._start().catch((e) => {
      this._showLoadAlert('The playground could not start.', [String(e && e.message ? e.message : e)]);
      this._rejectReady(e);
    });
  }

  disconnectedCallback() {
    this._listen(false);
    if (this.stopRenewal) this.stopRenewal();
    this.stopRenewal = null;
    this._cancelDrain();
    this.playing = false;
    if (this.sweep) this.sweep.running = false;
  }

  attributeChangedCallback(name, oldValue, value) {
    if (name !== 'config' || !this.pg || oldValue === value || value === null) return;
    const msg = validateConfig(value);
    if (msg) {
      this._showLoadAlert('The config attribute has problems; the experiment was not changed:', msg.split('\n'));
      return;
    }
    try {
      this._loadValid(value, null);
    } catch (e) {
      this._showLoadAlert('The config attribute could not be applied; the experiment was not changed:', [String(e && e.message ? e.message : e)]);
    }
  }

  _listen(on) {
    const target = this.mode === 'full' ? document : this;
    const fn = on ? 'addEventListener' : 'removeEventListener';
    target[fn]('keydown', this._onKey);
    if (this.urlSync) window[fn]('hashchange', this._onHash);
  }

  /* ------------------------------------------------------------ start-up */

  async _start() {
    await loadEngine();
    let json = null;
    let view = null;
    if (this.urlSync && location.hash && location.hash !== '#') {
      try {
        const parsed = fromHash(location.hash);
        if (parsed) {
          const msg = validateConfig(parsed.config);
          if (msg) {
            this._showLoadAlert('The experiment in this link has problems, so the default experiment is shown instead:', msg.split('\n'));
          } else {
            json = parsed.config;
            view = parsed.view;
          }
        }
      } catch (e) {
        this._showLoadAlert('The experiment in this link could not be read, so the default experiment is shown instead:', [e.message]);
      }
    }
    if (json === null && this.pendingConfig !== null) json = this.pendingConfig;
    this.pendingConfig = null;
    if (json === null && this.hasAttribute('config')) {
      const attr = this.getAttribute('config');
      const msg = validateConfig(attr);
      if (msg) this._showLoadAlert('The config attribute has problems, so the default experiment is shown instead:', msg.split('\n'));
      else json = attr;
    }
    let preset = null;
    if (json === null) {
      preset = presetById(DEFAULT_PRESET);
      json = JSON.stringify(preset.config);
    }
    this.pg = this._newPlayground(json);
    this.config = JSON.parse(json);
    this.draft = clone(this.config);
    this.problemKey = canonical(this.config.problem);
    this.defaultView = this._squareView(this.pg.view());
    this.view = view;
    try {
      this._applyView();
    } catch (e) {
      if (e && e.internal) throw e;
      this._showLoadAlert('The view box in this link cannot be shown, so the default view is used:', [String(e && e.message ? e.message : e)]);
      this.view = null;
      this._applyView();
    }
    if (this.searchCard) this.searchCard.reset(this.config);
    this._setKind();
    this._detectPreset();
    if (preset) this._applyPresetExtras(preset);
    else this._problemChartDefaults();
    this._resetStates();
    this._renderControls();
    this._renderAll();
    this._writeHash();
    this._resolveReady();
  }

  /** A Playground in the engine in use, guarded against traps (see wasm.js). */
  _newPlayground(json) {
    const pg = call((w) => new w.Playground(json));
    this.pgGeneration = engineGeneration();
    return guard(pg, (error) => this._onTrap(error));
  }

  /** The engine trapped in one of this widget's calls: say so; the experiment restarts on a fresh one. */
  _onTrap(error) {
    if (this.pg && (isRenewing() || this.pgGeneration !== engineGeneration())) this._dropEngine(error);
    this.playing = false;
    this._updatePlayButton();
    this._showLoadAlert('Internal error: the computing engine failed. It was restarted with the last working experiment.', [error.message]);
    if (!this.pg) renewal().then(() => this._restoreAfterTrap());
  }

  /** The engine was renewed after a trap (here or in another widget): move to the fresh one. */
  _onRenewal() {
    if (!this.pg || this.pgGeneration === engineGeneration()) return;
    this._dropEngine(new Error('internal error: the computing engine was restarted'));
    this._showLoadAlert('The computing engine was restarted after an internal error on this page; this experiment started again.', []);
    this._restoreAfterTrap();
  }

  /** Forgets the Playground of a retired engine (a pending step(n) rejects with `error`). */
  _dropEngine(error) {
    this.playing = false;
    this.pg = null;
    const drain = this.drain;
    this.drain = null;
    if (drain) drain.reject(error);
  }

  /** Rebuilds the last working experiment on the engine in use. */
  _restoreAfterTrap() {
    if (this.pg || !this.config) return;
    try {
      this.pg = this._newPlayground(JSON.stringify(this.config));
      this.lastSnap = null;
      this._applyView();
      this._resetStates();
      this._updatePlayButton();
      this._renderAll();
    } catch (e) {
      this.pg = null;
      this._showLoadAlert('The playground could not restart after an internal error.', [String(e && e.message ? e.message : e)]);
    }
  }

  /* ------------------------------------------------------------ public API */

  /**
   * Replaces the experiment; rejects with every problem (one per line), keeping the current
   * one. Before the element is connected the config is kept and started on connection.
   */
  async load(config) {
    const json = typeof config === 'string' ? config : JSON.stringify(config);
    if (!this._started) {
      await loadEngine();
      const msg = validateConfig(json);
      if (msg) throw new Error(msg);
      this.pendingConfig = json;
      return;
    }
    await this.ready;
    const msg = validateConfig(json);
    if (msg) throw new Error(msg);
    this._loadValid(json, null);
  }

  play() {
    if (!this.pg) return;
    this._cancelDrain();
    if (!this.pg.any_running()) this._resetRuns();
    if (this.playing) return;
    this.playing = true;
    this._updatePlayButton();
    const loop = ++this.loopId; // a pause and a play within one frame must not start two loops
    requestAnimationFrame(() => this._frame(loop));
  }

  /** Stops the animation and any steps still queued by step(n). */
  pause() {
    const was = this.playing;
    this.playing = false;
    this._cancelDrain();
    this._updatePlayButton();
    if (was && this.pg) this._renderAll(null, false, 'spread'); // charts skipped while animating
  }

  /**
   * Takes n more steps of every run (fewer where a run stops) and resolves with the snapshot.
   * The steps are taken in slices of a few milliseconds, so the page stays responsive however
   * large n is; pause(), reset(), play() or load() interrupt them (the promise then resolves
   * with the snapshot where they stopped).
   */
  step(n = 1) {
    if (!this.pg) return Promise.resolve(null);
    this.pause();
    const count = Math.max(1, Math.floor(Number(n) || 1));
    this.pg.queue_steps(count);
    return this._drain(true);
  }

  /**
   * Takes the queued steps in slices of DRAIN_SLICE_MS, one task each, redrawing at the status
   * rate; resolves with the final snapshot. `dispatch` says whether state changes fire events
   * (a replay after a label change does not).
   */
  _drain(dispatch) {
    this._cancelDrain();
    return new Promise((resolve, reject) => {
      const drain = { resolve, reject, dispatch };
      this.drain = drain;
      const finish = (more) => {
        if (more) {
          setTimeout(slice, 0);
        } else {
          this.drain = null;
          resolve(this.lastSnap);
        }
      };
      const draw = (more) => {
        if (this.drain !== drain) return;
        try {
          const snap = this._snap();
          this._afterSteps(snap, dispatch);
          this._renderAll(snap, more, more ? 'anim' : 'spread');
        } catch (e) {
          this.drain = null;
          reject(e);
          return;
        }
        finish(more);
      };
      const slice = () => {
        if (this.drain !== drain) return; // cancelled, and resolved by _cancelDrain
        let more = false;
        let overran = false;
        try {
          const started = performance.now();
          const taken = this._work(DRAIN_SLICE_MS);
          more = this.pg.pending() && taken > 0;
          overran = performance.now() - started > 2 * DRAIN_SLICE_MS;
        } catch (e) {
          this.drain = null;
          reject(e);
          return;
        }
        if (more && performance.now() - this.lastSnapAt < STATUS_INTERVAL_MS) finish(more);
        else if (overran) setTimeout(() => draw(more), 0); // a costly step and a drawing: two tasks
        else draw(more);
      };
      slice();
    });
  }

  /** Drops the steps still queued; a pending step(n) resolves with the snapshot now. */
  _cancelDrain() {
    const drain = this.drain;
    if (!drain) return;
    this.drain = null;
    let snap = null;
    if (this.pg) {
      this.pg.cancel_steps();
      snap = this._snap();
      this._afterSteps(snap, drain.dispatch);
    }
    drain.resolve(snap);
  }

  /** Takes queued steps for at most `ms` milliseconds; returns the steps taken by all runs. */
  _work(ms) {
    const t0 = performance.now();
    const taken = this.pg.work(ms);
    const runs = this.config ? this.config.runs.length : 1;
    if (taken > 0) {
      // ms per single step of every run together, for estimates (replays).
      const per = ((performance.now() - t0) / taken) * runs;
      this.stepCost = this.stepCost === null ? per : 0.8 * this.stepCost + 0.2 * per;
    }
    this.stepsTaken += taken;
    return taken;
  }

  /** The Step button and the S key: one step, charts redrawn over the next frames. */
  _userStep() {
    if (!this.pg) return;
    this.pause();
    this.pg.queue_steps(1);
    this._drain(true).catch(() => {}); // a trap is reported in the alert
  }

  reset() {
    if (!this.pg) return;
    this.pause();
    this._resetRuns();
  }

  snapshot() {
    return this.pg ? this._snap() : null;
  }

  /** A fresh snapshot, remembered (with its cost) for the animation. */
  _snap() {
    const t0 = performance.now();
    const snap = JSON.parse(this.pg.snapshot_json());
    const now = performance.now();
    this.snapCost = now - t0;
    this.lastSnapAt = now;
    this.lastSnap = snap;
    return snap;
  }

  /** One report per run: {label, state, text, end_kind, hessian_eigenvalues, color, step}. */
  report() {
    return this.pg ? JSON.parse(this.pg.report_json()) : null;
  }

  /** The experiment running now, with every default filled in (as the Rust core sees it). */
  getConfig() {
    return this.pg ? JSON.parse(this.pg.config_json()) : null;
  }

  /* ------------------------------------------------------------ skeleton */

  _build() {
    const root = this.shadowRoot;
    const full = this.mode === 'full';
    root.append(h('link', { rel: 'stylesheet', href: new URL('./widget.css', import.meta.url).href }));

    this.$ = {};
    const $ = this.$;
    $.loadAlert = h('div', { class: 'alert', role: 'alert', hidden: true });
    $.configAlert = h('div', { class: 'alert config-alert', role: 'alert', hidden: true });

    $.play = h('button', { type: 'button', class: 'primary play', title: 'Play / pause (Space)', onclick: () => (this.playing ? this.pause() : this.play()) }, '▶ Play');
    $.stepBtn = h('button', { type: 'button', title: 'One step (S)', onclick: () => this._userStep() }, 'Step');
    $.resetBtn = h('button', { type: 'button', title: 'Back to the start (R)', onclick: () => this.reset() }, '↺ Reset');
    $.speed = select(SPEEDS, this.speed, { 'aria-label': 'Speed', title: 'Steps per animation frame' });
    $.speed.addEventListener('change', () => { this.speed = selectValue($.speed); });
    $.counter = h('span', { class: 'counter', 'aria-live': 'off' }, 'step 0');

    let presetBar = null;
    if (full) {
      $.preset = h('select', { 'aria-label': 'Preset experiments', class: 'preset-select' });
      $.preset.addEventListener('change', () => this._choosePreset($.preset.value));
      $.copy = h('button', { type: 'button', onclick: () => this._copyLink() }, 'Copy link');
      $.copyNote = h('span', { class: 'copy-note', role: 'status' });
      $.copyField = h('input', { type: 'text', class: 'copy-field', readonly: true, hidden: true, 'aria-label': 'Link to this experiment' });
      presetBar = h('div', { class: 'preset-bar' },
        h('label', { class: 'preset-label' }, h('span', null, 'Experiment'), $.preset),
        h('span', { class: 'spacer' }),
        $.copy, $.copyNote, $.copyField);
      $.caption = h('p', { class: 'caption', 'aria-live': 'polite' });
    }

    const playback = h('div', { class: 'playback', role: 'toolbar', 'aria-label': 'Playback' },
      $.play, $.stepBtn, $.resetBtn, h('label', { class: 'speed' }, h('span', null, 'Speed'), $.speed), $.counter);

    $.status = h('ul', { class: 'status', 'aria-label': 'Run status' });

    // Landscape
    $.landscape = h('canvas', { class: 'landscape', width: LANDSCAPE_PX, height: LANDSCAPE_PX, 'aria-label': 'Loss landscape with the optimizer paths', role: 'img' });
    $.landTip = h('div', { class: 'tooltip', hidden: true });
    $.xTicks = h('div', { class: 'ticks x-ticks', 'aria-hidden': 'true' });
    $.yTicks = h('div', { class: 'ticks y-ticks', 'aria-hidden': 'true' });
    $.landTitle = h('span', { class: 'card-title' });
    $.formula = h('span', { class: 'card-formula' });
    $.landHint = h('p', { class: 'hint' });
    const zoom = full ? h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' },
      h('button', { type: 'button', class: 'small', title: 'Zoom in', 'aria-label': 'Zoom in', onclick: () => this._zoom(1 / 1.5) }, '+'),
      h('button', { type: 'button', class: 'small', title: 'Zoom out', 'aria-label': 'Zoom out', onclick: () => this._zoom(1.5) }, '−'),
      h('button', { type: 'button', class: 'small', title: 'Reset the view', onclick: () => this._zoom(null) }, 'Reset view')) : null;
    const landCard = h('figure', { class: 'card landscape-card' },
      h('div', { class: 'card-head' }, h('div', { class: 'titles' }, $.landTitle, $.formula), zoom),
      h('div', { class: 'land-frame' }, $.yTicks, h('div', { class: 'canvas-wrap' }, $.landscape, $.landTip), $.xTicks),
      h('figcaption', null,
        h('span', { class: 'legend' },
          h('span', { class: 'sym start' }), ' start ',
          h('span', { class: 'sym now' }), ' current ',
          h('span', { class: 'sym global' }), ' global min ',
          h('span', { class: 'sym local' }), ' local min ',
          h('span', { class: 'sym cross' }, '✕'), ' diverged'),
        $.landHint));

    // Curve charts
    $.charts = {};
    const chartCards = CHARTS.map((c) => {
      if (!full && !MINIMAL_CHARTS.has(c.kind)) return null;
      const canvas = h('canvas', { width: CHART_W, height: CHART_H, role: 'img', 'aria-label': `${c.title} vs step` });
      const titleEl = h('span', { class: 'card-title' }, c.title);
      const whatEl = h('span', null, c.what);
      const tip = h('div', { class: 'tooltip', hidden: true });
      const guide = h('div', { class: 'guide', hidden: true });
      const opts = this.chartOpts[c.kind];
      const toggle = (key, text) => {
        const input = h('input', { type: 'checkbox', checked: !!opts[key] });
        input.addEventListener('change', () => { opts[key] = input.checked; this._drawChart(c.kind); this._noteLogY(c.kind); });
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
          this._drawChart(c.kind);
        });
        smooth = h('label', { class: 'smooth', title: 'Exponential moving average of the loss: 0 = raw' }, 'smoothing ', smoothInput, ' ', out);
      }
      const hide = h('button', { type: 'button', class: 'small link', 'aria-expanded': 'true' }, 'Hide');
      const empty = h('div', { class: 'empty', hidden: true }, 'No steps yet: press ▶ Play or Step.');
      const body = h('div', { class: 'chart-body' }, h('div', { class: 'canvas-wrap' }, canvas, guide, tip, empty), h('p', { class: 'hint' }, whatEl, '.'), h('p', { class: 'note logy-note', hidden: true }, 'A loss of 0 or below cannot be drawn on a log scale: untick “log y” to see it.'));
      hide.addEventListener('click', () => {
        const hidden = !this.hiddenCharts.has(c.kind);
        if (hidden) this.hiddenCharts.add(c.kind); else this.hiddenCharts.delete(c.kind);
        body.hidden = hidden;
        hide.textContent = hidden ? 'Show' : 'Hide';
        hide.setAttribute('aria-expanded', String(!hidden));
        if (!hidden) this._drawChart(c.kind);
      });
      const card = h('figure', { class: `card chart-card chart-${c.kind}`, dataset: { kind: c.kind } },
        h('div', { class: 'card-head' }, titleEl,
          h('div', { class: 'chart-opts' }, logY.label, logX.label, smooth, hide)),
        body);
      $.charts[c.kind] = { canvas, tip, guide, card, empty, logY: logY.input, logX: logX.input, smooth: smoothInput, body, titleEl, whatEl };
      if (c.hover) {
        canvas.addEventListener('pointermove', (e) => this._chartHover(c.kind, e));
        canvas.addEventListener('pointerleave', () => { tip.hidden = true; guide.hidden = true; });
      }
      return card;
    });

    // The model view: what the selected run has learned (models trained on data).
    $.modelCanvas = h('canvas', { class: 'model-view', width: LANDSCAPE_PX, height: LANDSCAPE_PX, role: 'img', 'aria-label': 'What the selected run has learned' });
    $.modelTitle = h('span', { class: 'card-title' });
    $.modelSub = h('span', { class: 'card-formula' });
    $.modelRunPick = full ? h('select', { class: 'model-run', 'aria-label': 'Run shown in the model view', dataset: { path: 'model.view.run' } }) : null;
    if ($.modelRunPick) {
      $.modelRunPick.addEventListener('change', () => this._selectRun(Number($.modelRunPick.value)));
    }
    $.modelLegend = h('span', { class: 'legend model-legend' });
    $.modelHint = h('p', { class: 'hint' });
    $.modelCard = h('figure', { class: 'card model-card', hidden: true },
      h('div', { class: 'card-head' }, h('div', { class: 'titles' }, $.modelTitle, $.modelSub),
        $.modelRunPick ? h('label', { class: 'model-run-label' }, 'run ', $.modelRunPick) : null),
      h('div', { class: 'model-frame' }, h('div', { class: 'canvas-wrap' }, $.modelCanvas)),
      h('figcaption', null, $.modelLegend, $.modelHint));

    $.landCard = landCard;
    $.stack = h('div', { class: 'chart-stack' });
    $.bottom = full ? h('div', { class: 'viz-bottom' }) : null;
    $.sweepCard = full ? this._buildSweepCard() : null;
    this.searchCard = full ? new SearchCard({
      pg: () => this.pg,
      config: () => this.config,
      storeSearch: (section) => {
        this.config.search = section;
        if (this.draft) this.draft.search = clone(section);
        this._writeHash();
      },
      addRun: (run) => {
        this.draft.runs.push({ ...clone(run), label: this._uniqueLabel(run.label), color: this._freeColor() });
        this.selected = this.draft.runs.length - 1;
        this._apply('structure');
        this._renderControls();
      },
    }) : null;
    const viz = h('div', { class: 'viz' },
      $.status,
      h('div', { class: 'viz-top' }, landCard, $.modelCard, $.stack),
      $.bottom,
      $.sweepCard,
      this.searchCard ? this.searchCard.element : null);
    this._layoutCharts();

    let sidebar = null;
    if (full) {
      $.problemPanel = h('div', { class: 'panel-body' });
      $.runsList = h('ul', { class: 'runs-list' });
      $.runActions = h('div', { class: 'run-actions' });
      $.runPanel = h('div', { class: 'panel-body' });
      $.runPanelTitle = h('h3', null, 'Selected run');
      $.stopPanel = h('div', { class: 'panel-body' });
      $.runsNote = h('p', { class: 'note' }, 'Each run is one optimizer started from one point. Select a run to edit it.');
      sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Experiment settings' },
        $.configAlert,
        h('section', { class: 'panel' }, h('h3', null, 'Problem'), $.problemPanel),
        h('section', { class: 'panel' }, h('h3', null, 'Runs'), $.runsNote, $.runsList, $.runActions),
        h('section', { class: 'panel run-panel' }, $.runPanelTitle, $.runPanel),
        h('section', { class: 'panel' }, h('h3', null, 'Stopping criteria'), h('p', { class: 'note' }, 'Checked criteria are watched for every run; a circle on the charts marks where one fired.'), $.stopPanel));
    }

    const shell = h('div', { class: `pg mode-${this.mode}` },
      $.loadAlert,
      presetBar,
      full ? $.caption : null,
      h('div', { class: 'topbar' }, playback, full ? h('p', { class: 'shortcuts' }, h('kbd', null, 'Space'), ' play/pause · ', h('kbd', null, 'S'), ' step · ', h('kbd', null, 'R'), ' reset') : null),
      h('div', { class: 'main' }, viz, sidebar));
    root.append(shell);

    if (full) this._fillPresets();
    this._wireLandscape();
    $.status.addEventListener('click', (e) => {
      const li = e.target.closest && e.target.closest('li[data-run]');
      if (li && this.mode === 'full' && this.isModel) this._selectRun(Number(li.dataset.run));
    });
    if ('IntersectionObserver' in window) {
      const io = new IntersectionObserver((entries) => {
        for (const entry of entries) {
          const kind = entry.target.dataset.kind;
          if (entry.isIntersecting) {
            const wasOff = this.offscreen.delete(kind);
            if (wasOff) this._drawChart(kind);
          } else {
            this.offscreen.add(kind);
          }
        }
      });
      for (const kind of Object.keys($.charts)) io.observe($.charts[kind].card);
    }
  }

  _fillPresets() {
    const sel = this.$.preset;
    sel.replaceChildren(h('option', { value: '' }, 'Custom experiment'));
    for (const [group, title] of PRESET_GROUPS) {
      const og = h('optgroup', { label: title });
      for (const p of PRESETS.filter((q) => (q.group || 'landscape') === group)) og.appendChild(h('option', { value: p.id }, p.title));
      sel.appendChild(og);
    }
  }

  /* ------------------------------------------------------------ problem kinds */

  /** Reads the kind of the problem from the core and shows the views that fit it. */
  _setKind() {
    const kind = this.pg.problem_kind();
    const changed = kind !== this.kind;
    this.kind = kind;
    this.modelDrawnKey = null;
    if (changed) {
      this._layoutCharts();
      for (const c of CHARTS) this.dirtyCharts.add(c.kind);
    }
    const model = this.isModel;
    this.$.landCard.hidden = model;
    this.$.modelCard.hidden = !model;
    const full = model && !(typeof this.config.problem.batch_size === 'number') && !(this.config.problem.regularization && this.config.problem.regularization.dropout > 0);
    for (const c of CHARTS) {
      const chart = this.$.charts[c.kind];
      if (!chart) continue;
      chart.titleEl.textContent = model && c.modelTitle ? c.modelTitle : c.title;
      let what = model && c.modelWhat ? c.modelWhat : c.what;
      if (c.kind === 'loss' && full) what = 'the training objective at each step (data loss + penalties) on the whole training set (full batch)';
      chart.whatEl.textContent = what;
    }
    if (this.$.runsNote) {
      this.$.runsNote.textContent = model
        ? 'Each run is one optimizer training the model from the same initial weights, on the same minibatches. Select a run to edit it and to see it in the model view.'
        : 'Each run is one optimizer started from one point. Select a run to edit it.';
    }
    this._renderModelHead();
    this._renderSweepCard();
  }

  _chartMode() {
    return this.isModel ? 'model' : 'landscape';
  }

  /** Is this chart part of the current kind of problem? */
  _chartActive(kind) {
    const c = CHART_BY_KIND[kind];
    if (!c || !this.$.charts[kind]) return false;
    if (!c.modes.includes(this._chartMode())) return false;
    return !c.classification || this.kind === 'classification';
  }

  /** Puts each chart card where it belongs for this kind of problem; hides the others. */
  _layoutCharts() {
    const $ = this.$;
    const model = this.isModel;
    let stack;
    let bottom;
    if (!model) {
      stack = ['loss', 'lr'];
      bottom = ['grad_norm', 'delta_norm'];
    } else if (this.kind === 'classification') {
      stack = ['train_val', 'accuracy'];
      bottom = ['loss', 'lr', 'grad_norm', 'delta_norm'];
    } else {
      stack = ['train_val', 'loss'];
      bottom = ['lr', 'grad_norm', 'delta_norm'];
    }
    const cards = (kinds) => kinds.filter((k) => $.charts[k]).map((k) => $.charts[k].card);
    if ($.bottom) {
      $.stack.replaceChildren(...cards(stack));
      $.bottom.replaceChildren(...cards(bottom));
    } else {
      // Minimal mode: the first two charts only.
      $.stack.replaceChildren(...cards(stack).slice(0, 2));
    }
    for (const kind of Object.keys($.charts)) $.charts[kind].card.hidden = !this._chartActive(kind);
  }

  _selectRun(i) {
    if (!this.config || !(i >= 0 && i < this.config.runs.length)) return;
    this.selected = i;
    this.modelDrawnKey = null;
    this._renderRunEditor();
    this._renderRunsList();
    this._renderModelHead();
    this._drawMain('sync');
    this._renderStatus(true);
    this._renderSweepCard();
  }

  /** Title, run picker and legend of the model view. */
  _renderModelHead() {
    const $ = this.$;
    if (!this.isModel || !this.config) return;
    const classification = this.kind === 'classification';
    const problem = this.config.problem;
    const data = DATASETS[problem.data && problem.data.name];
    const model = MODELS[problem.model && problem.model.name];
    $.modelTitle.textContent = classification ? 'Decision boundary' : 'Fitted curve';
    $.modelSub.textContent = `${model ? model.title : ''}${data ? ` on ${data.title.toLowerCase()}` : ''}`;
    if ($.modelRunPick) {
      replace($.modelRunPick, this.config.runs.map((r, i) => h('option', { value: String(i), selected: i === this.selected }, r.label)));
      $.modelRunPick.value = String(this.selected);
    }
    const item = (sym, text) => h('span', { class: 'legend-item' }, sym, ` ${text}`);
    if (classification) {
      replace($.modelLegend,
        item(h('span', { class: 'sym class0' }), 'class 0'),
        item(h('span', { class: 'sym class1' }), 'class 1'),
        item(h('span', { class: 'sym filled' }), 'training point'),
        item(h('span', { class: 'sym hollow' }), 'validation point'));
      $.modelHint.textContent = 'The background is the class the model predicts, paler where it is unsure (probability near 0.5); the dark line is the decision boundary.';
    } else {
      const synthetic = problem.data && problem.data.name !== 'csv';
      replace($.modelLegend,
        item(h('span', { class: 'sym filled gray' }), 'training point'),
        item(h('span', { class: 'sym hollow gray' }), 'validation point'),
        item(h('span', { class: 'sym line', style: { background: this._colorOf(this.selected) } }), 'the model'),
        synthetic ? item(h('span', { class: 'sym dashed' }), 'the true function') : null);
      $.modelHint.textContent = 'The curve is the selected run’s prediction for every x.';
    }
  }

  /** Draws the landscape or the model view. how: 'anim' (a frame), 'sync' (now, then sharp). */
  _drawMain(how = 'sync') {
    if (this.isModel) this._drawModelView(how === 'anim' ? 'live' : 'sync');
    else this._drawLandscape();
  }

  /** Will the animation redraw the model view in this frame? (see LIVE_MODEL_MS) */
  _modelDue() {
    if (!this.isModel || this.modelDrawMs === null) return this.isModel;
    const every = Math.ceil(this.modelDrawMs / LIVE_MODEL_MS);
    return performance.now() - this.modelDrawnAt >= (every - 1) * 16.7 - 4;
  }

  /** The model view of the selected run: 'live' (a frame of the animation, when due) or 'sync'. */
  _drawModelView(how) {
    if (!this.pg || !this.isModel) return;
    const canvas = this.$.modelCanvas;
    const run = Math.max(0, Math.min(this.selected, this.config.runs.length - 1));
    const key = `${run}|${this.stepsTaken}|${this.configVersion}`;
    if (how === 'live' && (key === this.modelDrawnKey || !this._modelDue())) return;
    if (canvas.width !== LANDSCAPE_PX) {
      canvas.width = LANDSCAPE_PX;
      canvas.height = LANDSCAPE_PX;
    }
    const t0 = performance.now();
    try {
      this.pg.draw_model(canvas, run);
    } catch (e) {
      console.warn('model view:', e);
    }
    const now = performance.now();
    const ms = now - t0;
    this.modelDrawMs = this.modelDrawMs === null ? ms : 0.5 * this.modelDrawMs + 0.5 * ms;
    this.modelDrawnAt = now;
    this.modelDrawnKey = key;
    this.modelDraws = (this.modelDraws || 0) + 1;
  }

  /** "Loss landscape" or "Model on data" chosen in the problem panel. */
  _changeKind(kind) {
    const draft = this.draft;
    const wasModel = draft.problem && draft.problem.name === 'model';
    this.savedProblems[wasModel ? 'model' : 'landscape'] = clone(draft.problem);
    if (kind === 'model') {
      draft.problem = this.savedProblems.model || newModelProblem('circle');
      for (const run of draft.runs) delete run.x0;
    } else {
      draft.problem = this.savedProblems.landscape || { name: 'quadratic' };
      if (draft.stop) delete draft.stop.early_stopping;
    }
    this._apply('structure');
    this._deferRender('all');
  }

  /* ------------------------------------------------------------ complexity sweep */

  _buildSweepCard() {
    const $ = this.$;
    $.sweepParam = h('span', { class: 'sweep-param' });
    $.sweepValues = h('input', { type: 'text', class: 'sweep-values', spellcheck: 'false', autocomplete: 'off', dataset: { path: 'sweep.values' }, 'aria-label': 'Values to try' });
    $.sweepStart = h('button', { type: 'button', class: 'primary sweep-start', onclick: () => this._startSweep() }, 'Start sweep');
    $.sweepStop = h('button', { type: 'button', class: 'sweep-stop', disabled: true, onclick: () => this._stopSweep() }, 'Stop');
    $.sweepLog = h('input', { type: 'checkbox', checked: true });
    $.sweepLog.addEventListener('change', () => this._drawSweep());
    $.sweepBar = h('progress', { class: 'sweep-bar', max: 1, value: 0 });
    $.sweepProgress = h('span', { class: 'sweep-progress', role: 'status' });
    $.sweepStatus = h('div', { class: 'sweep-status', hidden: true }, $.sweepBar, $.sweepProgress);
    $.sweepAlert = h('div', { class: 'alert sweep-alert', role: 'alert', hidden: true });
    $.sweepCanvas = h('canvas', { class: 'sweep-canvas', width: CHART_W, height: 240, role: 'img', 'aria-label': 'Final training and validation loss against model complexity' });
    $.sweepEmpty = h('div', { class: 'empty', hidden: true });
    $.sweepText = h('p', { class: 'sweep-result', 'aria-live': 'polite' });
    $.sweepWrap = h('div', { class: 'canvas-wrap sweep-wrap', hidden: true }, $.sweepCanvas, $.sweepEmpty);
    $.sweepIntro = h('p', { class: 'note' });
    return h('section', { class: 'card sweep-card', hidden: true, 'aria-label': 'Complexity sweep' },
      h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, 'Complexity sweep: under- and overfitting'),
        h('label', { class: 'check small-check chart-opts' }, $.sweepLog, ' log y')),
      $.sweepIntro,
      $.sweepAlert,
      h('div', { class: 'sweep-grid' },
        h('div', { class: 'sweep-controls' },
          h('label', { class: 'sweep-label' }, $.sweepParam, $.sweepValues),
          h('div', { class: 'sweep-buttons' }, $.sweepStart, $.sweepStop),
          $.sweepStatus,
          $.sweepText),
        $.sweepWrap));
  }

  /** The sweep's parameter for the current model, or null when the model has none. */
  _sweepParam() {
    const model = this.config && this.config.problem && this.config.problem.model;
    if (!this.isModel || !model) return null;
    if (model.name === 'polynomial') return 'degree';
    if (model.name === 'mlp') return 'hidden_units';
    return null;
  }

  _renderSweepCard() {
    const $ = this.$;
    if (!$.sweepCard || !this.config) return;
    const param = this._sweepParam();
    $.sweepCard.hidden = !param;
    if (!param) return;
    if ($.sweepValues.dataset.param !== param) {
      $.sweepValues.dataset.param = param;
      $.sweepValues.value = SWEEP_DEFAULTS[param];
    }
    const run = this.config.runs[this.selected];
    $.sweepParam.textContent = param === 'degree' ? 'Degrees' : 'Units per hidden layer';
    $.sweepIntro.textContent = `Trains the model once for each ${param === 'degree' ? 'polynomial degree' : 'number of units in every hidden layer'} with run “${run ? run.label : ''}”’s optimizer and stopping rule, each from its own initial weights, and plots the final training loss (solid) and validation loss (dashed). Too simple a model underfits (both high); too complex a model overfits (training low, validation high).`;
  }

  _sweepButtons() {
    const running = !!(this.sweep && this.sweep.running);
    this.$.sweepStart.disabled = running;
    this.$.sweepStop.disabled = !running;
    this.$.sweepValues.disabled = running;
  }

  _startSweep() {
    const $ = this.$;
    const param = this._sweepParam();
    if (!param || !this.pg) return;
    $.sweepAlert.hidden = true;
    let values;
    try {
      values = parseValues($.sweepValues.value);
      this.pg.start_sweep(param, new Float64Array(values), this.selected);
    } catch (e) {
      const lines = String(e && e.message ? e.message : e).split('\n').filter(Boolean);
      this._fillAlert($.sweepAlert, 'The sweep cannot start:', lines.map((l) => (l.startsWith('sweep') ? l : `sweep.values: ${l}`)), true);
      return;
    }
    const run = this.config.runs[this.selected];
    this.sweep = { param, values, label: run ? run.label : '', loop: ++this.sweepLoop, budget: 64, running: true, shown: -1, state: 'running', startedAt: performance.now() };
    $.sweepText.textContent = '';
    $.sweepEmpty.hidden = true;
    $.sweepWrap.hidden = false;
    $.sweepStatus.hidden = false;
    this._sweepButtons();
    this._sweepProgress([]);
    const loop = this.sweep.loop;
    requestAnimationFrame(() => this._sweepFrame(loop));
  }

  _stopSweep() {
    if (!this.sweep || !this.sweep.running) return;
    this.sweep.running = false;
    this.sweep.state = 'stopped';
    this._sweepButtons();
    const results = JSON.parse(this.pg.sweep_json());
    this._sweepProgress(results);
    this._drawSweep();
    this.$.sweepText.textContent = this._sweepSentence(results, false);
  }

  /** The experiment changed: the core dropped the sweep, so the card forgets it too. */
  _sweepInvalidated() {
    const $ = this.$;
    if (!$.sweepCard || !this.sweep) return;
    const had = this.sweep;
    had.running = false;
    this.sweep = null;
    this._sweepButtons();
    const ctx = $.sweepCanvas.getContext('2d');
    ctx.clearRect(0, 0, $.sweepCanvas.width, $.sweepCanvas.height);
    $.sweepBar.value = 0;
    $.sweepProgress.textContent = '';
    $.sweepStatus.hidden = true;
    $.sweepText.textContent = '';
    $.sweepEmpty.textContent = 'The experiment changed since the last sweep: press “Start sweep” to run it again.';
    $.sweepEmpty.hidden = false;
  }

  /** One frame of the sweep: trains for about SWEEP_FRAME_MS, then draws what is finished. */
  _sweepFrame(loop) {
    const sw = this.sweep;
    if (!sw || !sw.running || sw.loop !== loop || !this.pg) return;
    const target = this.playing ? SWEEP_FRAME_MS / 2 : SWEEP_FRAME_MS;
    const t0 = performance.now();
    let finished = false;
    for (;;) {
      const c0 = performance.now();
      finished = this.pg.advance_sweep(sw.budget);
      const dt = performance.now() - c0;
      if (dt < target / 4 && sw.budget < 1 << 22) sw.budget *= 2;
      else if (dt > target && sw.budget > 1) sw.budget = Math.max(1, Math.floor(sw.budget / 2));
      if (finished || performance.now() - t0 >= target * 0.75) break;
    }
    const results = JSON.parse(this.pg.sweep_json());
    if (results.length !== sw.shown) {
      sw.shown = results.length;
      this._drawSweep();
      this.$.sweepText.textContent = finished ? '' : this._sweepSentence(results, false);
    }
    this._sweepProgress(results);
    if (finished) {
      sw.running = false;
      sw.state = 'done';
      this._sweepButtons();
      this._drawSweep();
      this._sweepProgress(results);
      this.$.sweepText.textContent = this._sweepSentence(results, true);
      this.dispatchEvent(new CustomEvent('sweepdone', { bubbles: true, composed: true, detail: { results } }));
      return;
    }
    requestAnimationFrame(() => this._sweepFrame(loop));
  }

  _sweepProgress(results) {
    const sw = this.sweep;
    if (!sw) return;
    const total = sw.values.length;
    const steps = results.reduce((a, r) => a + r.steps, 0);
    this.$.sweepBar.max = total;
    this.$.sweepBar.value = results.length;
    const what = sw.state === 'done' ? 'Done' : sw.state === 'stopped' ? 'Stopped' : 'Training';
    this.$.sweepProgress.textContent = `${what}: ${results.length} of ${total} ${sw.param === 'degree' ? 'degrees' : 'sizes'} (${steps.toLocaleString('en-US')} steps)`;
  }

  _drawSweep() {
    if (!this.sweep || !this.pg) return;
    try {
      this.pg.draw_sweep(this.$.sweepCanvas, this.$.sweepLog.checked);
    } catch (e) {
      console.warn('sweep:', e);
    }
  }

  /** The sweep's result in one or two sentences. */
  _sweepSentence(results, complete) {
    const sw = this.sweep;
    if (!sw) return '';
    const name = (v) => (sw.param === 'degree' ? `degree ${v}` : `${v} unit${v === 1 ? '' : 's'} per layer`);
    const points = results.filter((r) => Number.isFinite(num(r.validation_loss)) && Number.isFinite(num(r.train_loss)));
    if (points.length < 2) return complete ? 'Too few values finished to compare.' : '';
    let best = points[0];
    for (const p of points) if (p.validation_loss < best.validation_loss) best = p;
    const first = points[0];
    const last = points[points.length - 1];
    const lead = complete ? '' : `So far (${points.length} of ${sw.values.length}): `;
    let text = `${lead}Validation loss is lowest at ${name(best.value)} (${fmt(best.validation_loss)}).`;
    if (best === last) {
      text += complete
        ? ` It is still falling at the largest value tried: no overfitting in this range — try larger ${sw.param === 'degree' ? 'degrees' : 'layers'}.`
        : '';
      return text;
    }
    if (best !== first && first.validation_loss > best.validation_loss) {
      text += ` Below it the model underfits (${name(first.value)}: training ${fmt(first.train_loss)}, validation ${fmt(first.validation_loss)}).`;
    } else if (best === first) {
      text += ' Even the simplest model tried generalizes best.';
    }
    if (last.validation_loss > best.validation_loss) {
      const trainFalls = last.train_loss <= best.train_loss;
      text += trainFalls
        ? ` Above it the model overfits: training loss keeps falling (${fmt(last.train_loss)} at ${name(last.value)}) while validation loss rises (${fmt(last.validation_loss)}).`
        : ` Above it validation loss rises again (${fmt(last.validation_loss)} at ${name(last.value)}).`;
    }
    return text;
  }

  /* ------------------------------------------------------------ alerts */

  _showLoadAlert(title, lines) {
    this._fillAlert(this.$.loadAlert, title, lines, true);
  }

  _fillAlert(el, title, lines, dismissible) {
    replace(el,
      h('strong', null, title),
      h('ul', null, lines.filter(Boolean).map((l) => h('li', null, l))),
      dismissible ? h('button', { type: 'button', class: 'small close', 'aria-label': 'Dismiss', onclick: () => { el.hidden = true; } }, '×') : null);
    el.hidden = false;
  }

  _showConfigErrors(message) {
    const lines = String(message).split('\n').filter(Boolean);
    const el = this.$.configAlert || this.$.loadAlert;
    this._fillAlert(el, 'Not applied — please fix:', lines, false);
    this._markInvalid(lines);
  }

  _clearConfigErrors() {
    if (this.$.configAlert) this.$.configAlert.hidden = true;
    this._markInvalid([]);
  }

  _markInvalid(lines) {
    const paths = lines.map((l) => {
      const i = l.indexOf(': ');
      return i > 0 ? l.slice(0, i) : '';
    }).filter(Boolean);
    for (const el of this.shadowRoot.querySelectorAll('[data-path]')) {
      const p = el.dataset.path;
      const bad = paths.some((q) => q === p || q.startsWith(`${p}[`) || q.startsWith(`${p}.`) || p.startsWith(`${q}[`));
      if (bad) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    }
  }

  /* ------------------------------------------------------------ experiment changes */

  /** Rebuilds the experiment from the draft. Returns true when applied. */
  _apply(kind = 'value') {
    const json = JSON.stringify(this.draft);
    // A label or color change replays the runs to where they were (if that is quick).
    const prevMax = kind === 'cosmetic' && this.pg && this._replayable() ? this.pg.max_step() : 0;
    try {
      this.pg.set_config(json);
    } catch (e) {
      this._showConfigErrors(e && e.message ? e.message : String(e));
      return false;
    }
    this._clearConfigErrors();
    this.config = clone(this.draft);
    this._afterConfig();
    if (prevMax > 0) {
      // Only labels or colors changed: replay to where the runs were (deterministic). A run
      // notices max_steps when it tries one more step, so ask for one more when that is safe.
      const maxSteps = this.config.stop && this.config.stop.max_steps;
      this.pg.queue_steps(prevMax >= (maxSteps || 10000) ? prevMax + 1 : prevMax);
      this._drain(false).catch(() => {}); // a trap is reported in the alert
    }
    for (const watch of this.watchers) watch();
    if (this.presetId === null && this.editedFromPreset === null) this._detectPreset();
    else this._presetEdited();
    this._writeHash();
    this._renderAll();
    return true;
  }

  /** Can the runs be replayed to where they are within about a third of a second? */
  _replayable() {
    const steps = this.pg.max_step();
    if (steps > 200_000) return false;
    if (!this.isModel) return true;
    return this.stepCost !== null && steps * this.stepCost < 300;
  }

  _afterConfig() {
    this.configVersion += 1;
    const modelKey = canonical(this.config.problem && this.config.problem.model);
    if (modelKey !== this.modelKey) {
      this.modelKey = modelKey;
      this.modelDrawMs = null; // another model: measure its drawing cost again
      this.stepCost = null;
    }
    this._sweepInvalidated();
    if (this.searchCard) this.searchCard.reset(this.config);
    this._setKind();
    const key = canonical(this.config.problem);
    if (key !== this.problemKey) {
      this.problemKey = key;
      this.defaultView = this._squareView(this.pg.view());
      this.view = null;
      this._problemChartDefaults();
    }
    this._applyView();
    this._resetStates();
    if (this.selected >= this.config.runs.length) this.selected = this.config.runs.length - 1;
  }

  /**
   * Loads a validated config (and a view box): either all of it applies or, if any part is
   * refused (the view box, say), the running experiment is left as it was and the error thrown.
   */
  _loadValid(json, view, preset = null) {
    this.pause();
    const before = { json: JSON.stringify(this.config), view: this.view, problemKey: this.problemKey, selected: this.selected };
    try {
      this.pg.set_config(json);
      this.config = JSON.parse(json);
      this.selected = 0;
      this.problemKey = null;
      this._afterConfig();
      if (view) { this.view = view; this._applyView(); }
    } catch (e) {
      if (e && e.internal) throw e;
      this.pg.set_config(before.json);
      this.config = JSON.parse(before.json);
      Object.assign(this, { view: before.view, problemKey: null, selected: before.selected });
      this._afterConfig();
      this.view = before.view;
      this._applyView();
      throw e;
    }
    this.draft = clone(this.config);
    this._clearConfigErrors();
    this.presetId = null;
    this.editedFromPreset = null;
    if (preset) this._setPreset(preset);
    else this._detectPreset();
    this._writeHash();
    this._renderControls();
    this._renderAll();
  }

  _choosePreset(id) {
    const preset = presetById(id);
    if (!preset) {
      this.presetId = null;
      this.editedFromPreset = null;
      this._renderCaption();
      return;
    }
    this._loadValid(JSON.stringify(preset.config), null, preset);
    this._applyPresetExtras(preset);
    this._drawChart('loss'); // its log scale may have changed
    if (preset.sweep && this.$.sweepValues) this.$.sweepValues.value = preset.sweep;
    this.play();
  }

  _applyPresetExtras(preset) {
    if (this.searchCard) this.searchCard.setCompare(!!preset.searchCompare);
    if (preset.speed) {
      this.speed = preset.speed;
      if (this.$.speed) this.$.speed.value = JSON.stringify(preset.speed);
    }
    this._problemChartDefaults();
  }

  _problemChartDefaults() {
    const spec = PROBLEMS[this.config.problem.name];
    const logLoss = !(spec && spec.negative);
    this.chartOpts.loss.log_y = logLoss;
    const c = this.$.charts && this.$.charts.loss;
    if (c) c.logY.checked = logLoss;
  }

  _setPreset(preset) {
    this.presetId = preset ? preset.id : null;
    this.editedFromPreset = null;
    this._renderCaption();
  }

  /** A canonical key of a config: the Rust hash, which leaves out every default. */
  _configKey(config) {
    try {
      return call((w) => w.encode_hash(JSON.stringify(config)));
    } catch {
      return canonical(config);
    }
  }

  _presetKey(preset) {
    if (!this._presetKeys) this._presetKeys = new Map();
    if (!this._presetKeys.has(preset.id)) this._presetKeys.set(preset.id, this._configKey(preset.config));
    return this._presetKeys.get(preset.id);
  }

  _detectPreset() {
    const key = this._configKey(this.config);
    const match = PRESETS.find((p) => this._presetKey(p) === key) || null;
    this._setPreset(match);
  }

  _presetEdited() {
    const key = this._configKey(this.config);
    const id = this.presetId || this.editedFromPreset;
    const preset = presetById(id);
    const isModel = (c) => !!(c && c.problem && c.problem.name === 'model');
    if (preset && isModel(preset.config) !== isModel(this.config)) {
      // Another kind of problem: the preset's story no longer applies.
      this.presetId = null;
      this.editedFromPreset = null;
      this._detectPreset();
      return;
    }
    if (preset && this._presetKey(preset) === key) {
      this.presetId = id;
      this.editedFromPreset = null;
    } else if (this.presetId) {
      this.editedFromPreset = this.presetId;
      this.presetId = null;
    }
    this._renderCaption();
  }

  _renderCaption() {
    if (!this.$.preset) return;
    this.$.preset.value = this.presetId || '';
    const preset = presetById(this.presetId || this.editedFromPreset);
    const cap = this.$.caption;
    if (!preset) {
      replace(cap, h('span', { class: 'muted' }, 'Pick an experiment above, or change anything in the panels: every change restarts the runs and is saved in the link.'));
      return;
    }
    const links = (preset.links || []).map(([id, text]) => h('button', {
      type: 'button', class: 'small link preset-link', dataset: { preset: id }, onclick: () => this._choosePreset(id),
    }, `→ ${text}`));
    replace(cap,
      this.editedFromPreset ? h('span', { class: 'edited' }, `Changed from “${preset.title}”. `) : null,
      preset.caption,
      links.length ? h('span', { class: 'preset-links' }, ' ', links) : null);
  }

  /* ------------------------------------------------------------ view box */

  _squareView(v) {
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

  _applyView() {
    const v = this.view || this.defaultView;
    if (v) this.pg.set_view(v[0], v[1], v[2], v[3]);
    this._renderTicks();
  }

  /** Zooms by `factor` about the centre (null: the default view); past the core's view-box
   * limits (see ViewBox::validate) the view stays as it is. */
  _zoom(factor) {
    if (!this.pg) return;
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
      this._applyView();
    } catch (e) {
      if (e && e.internal) throw e;
      this.view = previous;
      this._applyView();
      return;
    }
    this._writeHash();
    this._drawLandscape();
  }

  _renderTicks() {
    const v = this.pg && this.pg.view();
    if (!v || v.length !== 4) return;
    const [x0, x1, y0, y1] = v;
    const label = (value) => fmt(Number(value.toPrecision(6)));
    replace(this.$.xTicks, ticks(x0, x1).map((t) => h('span', { style: { left: `${((t - x0) / (x1 - x0)) * 100}%` } }, label(t))));
    replace(this.$.yTicks, ticks(y0, y1).map((t) => h('span', { style: { top: `${((y1 - t) / (y1 - y0)) * 100}%` } }, label(t))));
  }

  /* ------------------------------------------------------------ URL */

  _writeHash() {
    // While a start point is dragged the hash is written once, on release (browsers throttle
    // history updates that come at frame rate).
    if (!this.urlSync || !this.config || this.dragging || performance.now() < (this.slideUntil || 0)) return;
    const hash = toHash(this.config, this.view);
    this.lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  _onHash() {
    if (!this.pg || location.hash === this.lastHash) return;
    try {
      const parsed = fromHash(location.hash);
      if (!parsed) return;
      const msg = validateConfig(parsed.config);
      if (msg) {
        this._showLoadAlert('The experiment in this link has problems; the current one was kept:', msg.split('\n'));
        return;
      }
      this.$.loadAlert.hidden = true;
      this._loadValid(parsed.config, parsed.view);
    } catch (e) {
      this._showLoadAlert('The experiment in this link could not be read; the current one was kept:', [e.message]);
    }
  }

  async _copyLink() {
    this._writeHash();
    const url = location.href;
    const note = this.$.copyNote;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      this.$.copyField.hidden = true;
      note.textContent = 'Link copied.';
    } catch {
      const field = this.$.copyField;
      field.value = url;
      field.hidden = false;
      field.focus();
      field.select();
      note.textContent = 'Press Ctrl+C (⌘C) to copy:';
    }
    clearTimeout(this._copyTimer);
    this._copyTimer = setTimeout(() => { note.textContent = ''; }, 4000);
  }

  /* ------------------------------------------------------------ runs and states */

  _resetRuns() {
    this._cancelDrain();
    this.pg.reset();
    this.configVersion += 1;
    this._resetStates();
    this._renderAll();
  }

  _resetStates() {
    this.prevStates = this.pg ? JSON.parse(this.pg.snapshot_json()).runs.map((r) => r.status.state) : [];
    this.lastStatusAt = 0;
  }

  /** Dispatches converged / diverged / stopped for runs whose state changed. */
  _afterSteps(snap, dispatch) {
    let changed = false;
    snap.runs.forEach((run, i) => {
      const state = run.status.state;
      if (state === this.prevStates[i]) return;
      this.prevStates[i] = state;
      changed = true;
      if (!dispatch || state === 'running') return;
      const detail = state === 'converged'
        ? { label: run.label, step: run.status.at_step, criterion: run.status.criterion }
        : { label: run.label, step: run.status.at_step, reason: run.status.criterion };
      this.dispatchEvent(new CustomEvent(state, { bubbles: true, composed: true, detail }));
    });
    return changed;
  }

  /* ------------------------------------------------------------ animation */

  /**
   * Steps every run by up to `perRun` more steps (Infinity: until it stops) for at most `ms`
   * milliseconds; steps not taken in time are taken by the next frames. Returns the steps
   * taken by all runs together.
   */
  _stepFor(ms, perRun) {
    if (!this.pg.pending()) this.pg.queue_steps(perRun);
    return this._work(ms);
  }

  _frame(loop) {
    if (!this.playing || !this.pg || loop !== this.loopId) return;
    // A frame steps for at most MAX_FRAME_MS (half of it while a sweep trains too), so that
    // the page keeps 60 frames per second however costly a step is.
    let budget = this.sweep && this.sweep.running ? MAX_FRAME_MS / 2 : MAX_FRAME_MS;
    if (this.isModel && this.modelDrawMs !== null && this.modelDrawMs > LIVE_MODEL_MS && this._modelDue()) {
      budget = Math.max(MIN_STEP_MS, budget - (this.modelDrawMs - LIVE_MODEL_MS));
    }
    // One step of a large network can take tens of milliseconds by itself. When stepping overran
    // its budget, the frame draws nothing and the next frame draws without stepping, so that no
    // task adds a costly drawing to a costly step.
    if (this.drawNext) {
      this.drawNext = false;
      const snap = this._snap();
      const changed = this._afterSteps(snap, true);
      this._renderAll(snap, !changed, 'anim');
      requestAnimationFrame(() => this._frame(loop));
      return;
    }
    const perRun = this.speed === 'max' ? Infinity : Number(this.speed);
    const started = performance.now();
    const taken = this._stepFor(budget, perRun);
    const done = !this.pg.any_running() || taken === 0;
    if (!done && performance.now() - started > 2 * MAX_FRAME_MS) {
      this.drawNext = true;
      requestAnimationFrame(() => this._frame(loop));
      return;
    }
    // A snapshot carries every weight: for a big network it is taken at the status rate.
    const fresh = done || this.snapCost < 0.5 || performance.now() - this.lastSnapAt >= STATUS_INTERVAL_MS;
    const snap = fresh ? this._snap() : null;
    const changed = snap ? this._afterSteps(snap, true) : false;
    this._renderAll(snap || this.lastSnap, !changed && !done, done ? 'spread' : 'anim');
    if (done) {
      this.playing = false;
      this._updatePlayButton();
      return;
    }
    requestAnimationFrame(() => this._frame(loop));
  }

  _updatePlayButton() {
    const b = this.$ && this.$.play;
    if (!b) return;
    b.textContent = this.playing ? '❚❚ Pause' : '▶ Play';
    b.setAttribute('aria-pressed', String(this.playing));
  }

  _onKey(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.composedPath()[0];
    if (isTextTarget(target)) return;
    const key = e.key;
    if (key === ' ' || key === 'Spacebar') {
      e.preventDefault();
      if (this.playing) this.pause(); else this.play();
    } else if (key === 's' || key === 'S') {
      e.preventDefault();
      this._userStep();
    } else if (key === 'r' || key === 'R') {
      e.preventDefault();
      this.reset();
    }
  }

  /* ------------------------------------------------------------ drawing */

  /**
   * Redraws everything. A curve chart costs from 2 to 25 ms to draw (plotters on a canvas), so:
   * mode 'sync' draws every chart now (API calls, fresh experiments); 'anim' (a frame of the
   * animation) redraws only the stalest visible on-screen chart, each at most every
   * CHART_INTERVAL_MS; 'spread' marks every chart dirty and draws one per frame.
   */
  _renderAll(snap, throttleStatus = false, mode = 'sync') {
    if (!this.pg) return;
    const s = snap || this._snap();
    this._drawMain(mode === 'anim' ? 'anim' : 'sync');
    if (mode === 'anim') {
      this._drawDueChart();
    } else if (mode === 'spread') {
      for (const c of CHARTS) this.dirtyCharts.add(c.kind);
      this._pumpCharts();
    } else {
      for (const c of CHARTS) this._drawChart(c.kind);
    }
    const maxStep = s.runs.reduce((m, r) => Math.max(m, r.step), 0);
    const maxSteps = (this.config.stop && this.config.stop.max_steps) || 10000;
    let counter = `step ${maxStep.toLocaleString('en-US')} of ${maxSteps.toLocaleString('en-US')}`;
    if (this.isModel) {
      const epochs = s.runs.reduce((m, r) => Math.max(m, r.training ? r.training.epoch : 0), 0);
      counter += ` · epoch ${epochs.toLocaleString('en-US')}`;
    }
    this.$.counter.textContent = counter;
    this._renderStatus(!throttleStatus, s);
    this._updateRunStates(s);
    for (const c of CHARTS) {
      this._noteLogY(c.kind, s);
      const chart = this.$.charts[c.kind];
      if (chart) chart.empty.hidden = maxStep > 0;
    }
  }

  _drawLandscape() {
    try {
      this.pg.draw_landscape(this.$.landscape);
    } catch (e) {
      // A problem without a 2-D landscape: nothing to draw.
    }
    const spec = PROBLEMS[this.config.problem.name];
    this.$.landTitle.textContent = spec ? spec.title : this.config.problem.name;
    this.$.formula.textContent = spec ? spec.formula : '';
    if (this.mode === 'full') {
      const run = this.config.runs[this.selected];
      this.$.landHint.textContent = `Click or drag to move the start of “${run ? run.label : ''}”. Brighter is higher; lines are contours.`;
    } else {
      this.$.landHint.textContent = 'Brighter is higher; lines are contours.';
    }
  }

  _pumpCharts() {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    requestAnimationFrame(() => {
      this.pumpQueued = false;
      if (this.playing || !this.pg) return; // the animation draws the charts
      for (const c of CHARTS) {
        if (!this.dirtyCharts.has(c.kind)) continue;
        if (!this._chartVisible(c.kind, false)) {
          this.dirtyCharts.delete(c.kind); // a hidden chart is drawn when it is shown again
          continue;
        }
        this._drawChart(c.kind);
        break;
      }
      if (this.dirtyCharts.size) this._pumpCharts();
    });
  }

  _drawDueChart() {
    const now = performance.now();
    let due = null;
    for (const c of CHARTS) {
      if (!this._chartVisible(c.kind, true)) continue;
      const last = this.chartDrawnAt[c.kind] || 0;
      if (now - last < CHART_INTERVAL_MS) continue;
      if (due === null || last < (this.chartDrawnAt[due] || 0)) due = c.kind;
    }
    if (due) this._drawChart(due, true);
  }

  _chartVisible(kind, animating) {
    return this._chartActive(kind) && !this.hiddenCharts.has(kind) && !(animating && this.offscreen.has(kind));
  }

  _drawChart(kind, animating = false) {
    if (!this.pg || !this._chartVisible(kind, animating)) return;
    const opts = this.chartOpts[kind];
    this.chartDrawnAt[kind] = performance.now();
    this.dirtyCharts.delete(kind);
    try {
      this.pg.draw_chart(this.$.charts[kind].canvas, kind, JSON.stringify(opts));
    } catch (e) {
      console.warn(`chart ${kind}:`, e);
    }
  }

  _noteLogY(kind, snap) {
    const c = this.$.charts[kind];
    if (!c) return;
    const note = c.body.querySelector('.logy-note');
    let show = false;
    if (kind === 'loss' && this.chartOpts.loss.log_y) {
      const s = snap || this.snapshot();
      show = s.runs.some((r) => num(r.loss) <= 0);
    }
    note.hidden = !show;
  }

  _renderStatus(force, snap) {
    const now = performance.now();
    if (!force && now - this.lastStatusAt < STATUS_INTERVAL_MS) return;
    this.lastStatusAt = now;
    const reports = JSON.parse(this.pg.report_json());
    const s = this.isModel ? (snap || this.lastSnap || this._snap()) : null;
    const items = reports.map((r, i) => h('li', {
      class: `state-${r.state} ${i === this.selected && this.mode === 'full' ? 'selected' : ''}`,
      dataset: { run: String(i) },
      title: this.isModel && this.mode === 'full' ? 'Click to show this run in the model view' : null,
    },
    h('span', { class: 'swatch', style: { background: r.color } }),
    h('span', { class: 'icon', 'aria-hidden': 'true' }, STATE_ICON[r.state] || ''),
    h('strong', { class: 'run-label' }, r.label),
    ': ',
    h('span', { class: 'text' }, this.isModel ? modelText(r.text) : r.text),
    s && s.runs[i] ? this._trainingLine(s.runs[i]) : null));
    replace(this.$.status, items);
  }

  /** Epoch, both losses, the gap and (classification) both accuracies of a run. */
  _trainingLine(run) {
    const t = run.training;
    if (!t) return null;
    const gap = num(t.gap);
    const gapText = Number.isFinite(gap) ? `${gap >= 0 ? '+' : '−'}${fmt(Math.abs(gap))}` : '—';
    const parts = [
      h('span', { class: 'fact' }, 'epoch ', h('b', null, Number(t.epoch).toLocaleString('en-US'))),
      h('span', { class: 'fact' }, 'loss: training ', h('b', null, fmt(num(t.train_loss))), ', validation ', h('b', null, fmt(num(t.validation_loss)))),
      h('span', { class: `fact gap ${gap > 0 ? 'pos' : ''}`, title: 'generalization gap: validation loss minus training loss' }, 'gap ', h('b', null, gapText)),
    ];
    if (this.kind === 'classification') {
      parts.push(h('span', { class: 'fact' }, 'accuracy: training ', h('b', null, pct(t.train_accuracy)), ', validation ', h('b', null, pct(t.validation_accuracy))));
    }
    const es = this.config.stop && this.config.stop.early_stopping;
    if (run.status.criterion === 'early_stopping' && run.status.state === 'converged' && es && es.restore_best !== false && t.best_step !== null && t.best_step !== undefined) {
      parts.push(h('span', { class: 'fact restored' }, `weights restored to step ${t.best_step} (validation ${fmt(num(t.best_validation_loss))})`));
    }
    return h('span', { class: 'train-line' }, parts);
  }

  /* ------------------------------------------------------------ hover */

  _chartHover(kind, e) {
    const c = this.$.charts[kind];
    const rect = c.canvas.getBoundingClientRect();
    const scale = c.canvas.width / rect.width;
    const px = (e.clientX - rect.left) * scale;
    const left = PLOT_LEFT;
    const right = c.canvas.width - PLOT_RIGHT_INSET;
    const maxStep = this.pg.max_step();
    if (px < left || px > right || maxStep <= 0) {
      c.tip.hidden = true;
      c.guide.hidden = true;
      return;
    }
    const frac = (px - left) / (right - left);
    const step = this.chartOpts[kind].log_x ? 10 ** (frac * Math.log10(maxStep + 1)) - 1 : frac * maxStep;
    const rows = JSON.parse(this.pg.hover_json(step));
    const names = { loss: 'loss', lr: 'lr', grad_norm: '‖∇f‖', delta_norm: '‖Δw‖' };
    const colorByLabel = new Map(this.config.runs.map((r, i) => [r.label, this._colorOf(i)]));
    replace(c.tip,
      h('div', { class: 'tip-head' }, `step ≈ ${Math.round(step).toLocaleString('en-US')}`),
      rows.map((r) => h('div', { class: 'tip-row' },
        h('span', { class: 'swatch', style: { background: colorByLabel.get(r.label) || '#888' } }),
        h('span', { class: 'tip-label' }, r.label),
        h('span', { class: 'tip-value' }, `${names[kind]} = ${exact(r[kind])}`),
        h('span', { class: 'tip-step' }, `step ${r.step}`))));
    c.tip.hidden = false;
    c.guide.hidden = false;
    const cssX = px / scale;
    c.guide.style.left = `${cssX}px`;
    const tipW = c.tip.offsetWidth;
    const x = cssX + 12 + tipW > rect.width ? cssX - 12 - tipW : cssX + 12;
    c.tip.style.left = `${Math.max(0, x)}px`;
    const cssY = e.clientY - rect.top;
    const tipH = c.tip.offsetHeight;
    c.tip.style.top = `${Math.max(0, Math.min(rect.height - tipH, cssY + 14))}px`;
  }

  _wireLandscape() {
    const canvas = this.$.landscape;
    const tip = this.$.landTip;
    const toParams = (e) => {
      const rect = canvas.getBoundingClientRect();
      const px = ((e.clientX - rect.left) / rect.width) * canvas.width;
      const py = ((e.clientY - rect.top) / rect.height) * canvas.height;
      const p = this.pg.canvas_to_params(canvas.width, canvas.height, px, py);
      return { p: p.length === 2 ? [p[0], p[1]] : null, rect, cssX: e.clientX - rect.left, cssY: e.clientY - rect.top };
    };
    const showTip = (e) => {
      if (!this.pg) return;
      const { p, rect, cssX, cssY } = toParams(e);
      if (!p) { tip.hidden = true; return; }
      const f = this.pg.loss_at(p);
      replace(tip, h('div', null, `x = ${fmt(p[0])}, y = ${fmt(p[1])}`), h('div', null, `f(x, y) = ${exact(f)}`));
      tip.hidden = false;
      const w = tip.offsetWidth;
      const hgt = tip.offsetHeight;
      tip.style.left = `${cssX + 14 + w > rect.width ? cssX - 14 - w : cssX + 14}px`;
      tip.style.top = `${cssY + 14 + hgt > rect.height ? cssY - 14 - hgt : cssY + 14}px`;
    };
    let pending = null;
    const moveStart = (e) => {
      if (this.mode !== 'full' || !this.pg) return;
      const { p } = toParams(e);
      if (!p) return;
      const v = this.pg.view();
      const res = Math.max(v[1] - v[0], v[3] - v[2]) / 1000;
      const digits = Math.max(0, -Math.floor(Math.log10(res)));
      const run = this.draft.runs[this.selected];
      if (!run) return;
      run.x0 = p.map((x) => Number(x.toFixed(Math.min(digits, 12))));
      if (pending) return;
      pending = requestAnimationFrame(() => {
        pending = null;
        if (this._apply('value')) this._renderRunEditor();
      });
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (this.mode !== 'full' || e.button !== 0) return;
      this.dragging = true;
      canvas.setPointerCapture(e.pointerId);
      moveStart(e);
    });
    canvas.addEventListener('pointermove', (e) => {
      showTip(e);
      if (this.dragging) moveStart(e);
    });
    const end = (e) => {
      if (!this.dragging) return;
      this.dragging = false;
      if (pending) {
        cancelAnimationFrame(pending);
        pending = null;
        if (this._apply('value')) this._renderRunEditor();
      }
      this._writeHash();
      if (canvas.hasPointerCapture && canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', () => { if (!this.dragging) tip.hidden = true; });
  }

  /* ------------------------------------------------------------ controls */

  _ctx() {
    return {
      changed: (kind) => {
        const ok = this._apply(kind);
        if (kind === 'structure') this._deferRender(this.isModel || (this.draft.problem && this.draft.problem.name === 'model') ? 'all' : 'run');
        else if (ok && kind === 'cosmetic') this._deferRender('list');
        return ok;
      },
      changeProblem: (name) => this._changeProblem(name),
      changeKind: (kind) => this._changeKind(kind),
      colorOf: (i) => this._colorOf(i),
      watch: (fn) => this.watchers.push(fn),
      sliding: () => this._sliding(),
    };
  }

  /**
   * A slider is being dragged: the experiment follows every frame, but the address is written
   * once the slider rests (browsers throttle history updates that come at frame rate).
   */
  _sliding() {
    this.slideUntil = performance.now() + SLIDE_REST_MS;
    clearTimeout(this.slideTimer);
    this.slideTimer = setTimeout(() => { this.slideUntil = 0; this._writeHash(); }, SLIDE_REST_MS + 10);
  }

  _colorOf(i) {
    const run = this.config && this.config.runs[i];
    return (run && run.color) || PALETTE[i % PALETTE.length];
  }

  /** Re-renders after the current event (so focus has settled), restoring focus by data-path. */
  _deferRender(what) {
    requestAnimationFrame(() => {
      const active = this.shadowRoot.activeElement;
      const path = active && active.dataset ? active.dataset.path : null;
      if (what === 'all') this._renderControls();
      else if (what === 'run') { this._renderRunEditor(); this._renderStopEditor(); this._renderRunsList(); }
      else this._renderRunsList();
      if (path) {
        const again = this.shadowRoot.querySelector(`[data-path="${CSS.escape(path)}"]`);
        if (again && again !== active) again.focus();
      }
    });
  }

  _changeProblem(name) {
    const oldView = this.pg.view();
    const problem = { name };
    // Map each start point to the same relative place in the new problem's view box.
    let newView = null;
    try {
      const probe = call((w) => new w.Playground(JSON.stringify({ problem, runs: [{ label: 'probe', optimizer: { name: 'SGD' } }] })));
      newView = this._squareView(probe.view());
      probe.free();
    } catch { /* keep the starts */ }
    this.draft.problem = problem;
    if (newView && oldView.length === 4) {
      for (const run of this.draft.runs) {
        if (!Array.isArray(run.x0)) continue;
        const rx = (run.x0[0] - oldView[0]) / (oldView[1] - oldView[0]);
        const ry = (run.x0[1] - oldView[2]) / (oldView[3] - oldView[2]);
        const clampUnit = (t) => Math.min(0.97, Math.max(0.03, t));
        const x = newView[0] + clampUnit(rx) * (newView[1] - newView[0]);
        const y = newView[2] + clampUnit(ry) * (newView[3] - newView[2]);
        run.x0 = [Number(x.toPrecision(4)), Number(y.toPrecision(4))];
      }
    }
    this._apply('structure');
    this._deferRender('all');
  }

  _renderControls() {
    if (this.mode !== 'full' || !this.$.problemPanel) return;
    this.watchers = [];
    replace(this.$.problemPanel, problemEditor(this.draft, this._ctx()));
    this._renderRunsList();
    this._renderRunEditor();
    this._renderStopEditor();
  }

  _renderStopEditor() {
    if (!this.$.stopPanel) return;
    replace(this.$.stopPanel, stopEditor(this.draft, this._ctx()));
  }

  _renderRunEditor() {
    if (!this.$.runPanel) return;
    const run = this.draft.runs[this.selected];
    replace(this.$.runPanelTitle, 'Run ', h('span', { class: 'swatch', style: { background: this._draftColor(this.selected) } }), h('span', { class: 'run-title' }, run ? run.label : ''));
    replace(this.$.runPanel, run ? runEditor(this.draft, this.selected, this._ctx()) : null);
  }

  _draftColor(i) {
    const run = this.draft.runs[i];
    return (run && run.color) || PALETTE[i % PALETTE.length];
  }

  _renderRunsList(snap) {
    if (!this.$.runsList) return;
    const s = snap || this.snapshot();
    const states = s ? s.runs.map((r) => r.status.state) : [];
    const runs = this.draft.runs;
    const items = runs.map((run, i) => {
      const color = h('input', { type: 'color', value: this._draftColor(i), 'aria-label': `Color of ${run.label}`, dataset: { path: `runs[${i}].color.list` } });
      color.addEventListener('change', () => { run.color = color.value; if (this._apply('cosmetic')) this._deferRender('run'); });
      const pick = h('button', {
        type: 'button', class: 'run-pick', 'aria-pressed': String(i === this.selected), dataset: { path: `runs[${i}].select` },
        onclick: () => this._selectRun(i),
      }, h('span', { class: 'run-name' }, run.label), h('span', { class: `run-state state-${states[i] || 'running'}` }, states[i] || ''));
      return h('li', { class: i === this.selected ? 'selected' : '' }, color, pick);
    });
    this.$.runStates = [...items].map((li) => li.querySelector('.run-state'));
    replace(this.$.runsList, items);
    this._renderModelHead();
    const full = runs.length >= 16;
    replace(this.$.runActions,
      h('button', { type: 'button', disabled: full, onclick: () => this._addRun(false), dataset: { path: 'runs.add' } }, '+ Add run'),
      h('button', { type: 'button', disabled: full, onclick: () => this._addRun(true), dataset: { path: 'runs.duplicate' } }, 'Duplicate'),
      h('button', { type: 'button', disabled: runs.length <= 1, onclick: () => this._removeRun(), dataset: { path: 'runs.remove' } }, 'Remove'));
  }

  /** Updates the state shown in the runs list in place (the list itself is not rebuilt). */
  _updateRunStates(snap) {
    const spans = this.$.runStates;
    if (!spans) return;
    snap.runs.forEach((r, i) => {
      const span = spans[i];
      if (!span || span.textContent === r.status.state) return;
      span.textContent = r.status.state;
      span.className = `run-state state-${r.status.state}`;
    });
  }

  _uniqueLabel(base) {
    const labels = new Set(this.draft.runs.map((r) => r.label));
    if (!labels.has(base)) return base;
    for (let i = 2; ; i += 1) if (!labels.has(`${base} ${i}`)) return `${base} ${i}`;
  }

  _freeColor() {
    const used = new Set(this.draft.runs.map((r, i) => (r.color || PALETTE[i % PALETTE.length]).toLowerCase()));
    return PALETTE.find((c) => !used.has(c)) || PALETTE[this.draft.runs.length % PALETTE.length];
  }

  _addRun(duplicate) {
    const current = this.draft.runs[this.selected];
    let run;
    if (duplicate && current) {
      run = clone(current);
      run.label = this._uniqueLabel(`${current.label} copy`.slice(0, 58));
    } else {
      run = { label: this._uniqueLabel('run'), optimizer: { name: 'SGD', lr: 0.01 }, schedule: { name: 'constant' } };
      if (current && Array.isArray(current.x0)) run.x0 = [...current.x0];
    }
    run.color = this._freeColor();
    this.draft.runs.push(run);
    this.selected = this.draft.runs.length - 1;
    this._apply('structure');
    this._renderControls();
  }

  _removeRun() {
    if (this.draft.runs.length <= 1) return;
    this.draft.runs.splice(this.selected, 1);
    this.selected = Math.max(0, this.selected - 1);
    this._apply('structure');
    this._renderControls();
  }
}

if (!customElements.get('convergence-playground')) {
  customElements.define('convergence-playground', ConvergencePlayground);
}
