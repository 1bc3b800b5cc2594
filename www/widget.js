// <convergence-playground>: the whole playground as one custom element.
//
//   <convergence-playground controls="full|minimal" config='{"problem": ...}'>
//
// JS API: el.ready (Promise), el.load(config) (Promise; rejects with every validation problem),
// el.play(), el.pause(), el.step(n) -> snapshot, el.reset(), el.snapshot(), el.report(),
// el.getConfig(), el.playing.
// Events (bubbling, composed): converged {label, step, criterion}, diverged {label, step,
// reason}, stopped {label, step, reason}, once per run when its state changes.
//
// Rust (wasm) owns the numbers and draws every chart onto the canvases handed to it; this
// module owns the DOM, the controls, the URL and the animation loop.

import init, { Playground, validate_config, encode_hash } from './pkg/convergence.js';
import { h, replace, select, selectValue } from './dom.js';
import { PROBLEMS, PALETTE, SPEEDS, fmt, DEFAULT_PRESET } from './catalog.js';
import { PRESETS, presetById } from './presets.js';
import { toHash, fromHash } from './urlstate.js';
import { problemEditor, runEditor, stopEditor } from './controls.js';

const LANDSCAPE_PX = 420;
const CHART_W = 400;
const CHART_H = 200;
// The plot area of a Rust curve chart (src/chart/curves.rs) spans x = 58 px (margin 6 + y labels
// 52) to width - 18 px (right margin 18).
const PLOT_LEFT = 58;
const PLOT_RIGHT_INSET = 18;
const MAX_FRAME_MS = 8;
const STATUS_INTERVAL_MS = 100;
const CHART_INTERVAL_MS = 40;

const CHARTS = [
  { kind: 'loss', title: 'Loss', defaults: { log_y: true, log_x: false, smoothing: 0 }, smoothing: true, what: 'f(w) at each step' },
  { kind: 'lr', title: 'Learning rate', defaults: { log_y: false, log_x: false }, what: 'the lr used by each step (after the schedule)' },
  { kind: 'grad_norm', title: 'Gradient norm', defaults: { log_y: true, log_x: false }, what: '‖∇f(w)‖; the dashed line is the tolerance' },
  { kind: 'delta_norm', title: 'Step size', defaults: { log_y: true, log_x: false }, what: '‖Δw‖ = distance moved by each step; dashed: tolerance' },
];
const MINIMAL_CHARTS = new Set(['loss']);

let wasmReady = null;
function loadWasm() {
  if (!wasmReady) wasmReady = init();
  return wasmReady;
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
    this.chunk = 64;
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
  }

  get mode() {
    return this.getAttribute('controls') === 'minimal' ? 'minimal' : 'full';
  }

  get urlSync() {
    return this.mode === 'full' && !this.hasAttribute('no-url');
  }

  connectedCallback() {
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
    this.playing = false;
  }

  attributeChangedCallback(name, oldValue, value) {
    if (name !== 'config' || !this.pg || oldValue === value || value === null) return;
    const msg = validate_config(value);
    if (msg) {
      this._showLoadAlert('The config attribute has problems; the experiment was not changed:', msg.split('\n'));
      return;
    }
    this._loadValid(value, null);
  }

  _listen(on) {
    const target = this.mode === 'full' ? document : this;
    const fn = on ? 'addEventListener' : 'removeEventListener';
    target[fn]('keydown', this._onKey);
    if (this.urlSync) window[fn]('hashchange', this._onHash);
  }

  /* ------------------------------------------------------------ start-up */

  async _start() {
    await loadWasm();
    let json = null;
    let view = null;
    if (this.urlSync && location.hash && location.hash !== '#') {
      try {
        const parsed = fromHash(location.hash);
        if (parsed) {
          const msg = validate_config(parsed.config);
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
    if (json === null && this.hasAttribute('config')) {
      const attr = this.getAttribute('config');
      const msg = validate_config(attr);
      if (msg) this._showLoadAlert('The config attribute has problems, so the default experiment is shown instead:', msg.split('\n'));
      else json = attr;
    }
    let preset = null;
    if (json === null) {
      preset = presetById(DEFAULT_PRESET);
      json = JSON.stringify(preset.config);
    }
    this.pg = new Playground(json);
    this.config = JSON.parse(json);
    this.draft = clone(this.config);
    this.problemKey = canonical(this.config.problem);
    this.defaultView = this._squareView(this.pg.view());
    this.view = view;
    this._applyView();
    this._detectPreset();
    if (preset) this._applyPresetExtras(preset);
    else this._problemChartDefaults();
    this._resetStates();
    this._renderControls();
    this._renderAll();
    this._writeHash();
    this._resolveReady();
  }

  /* ------------------------------------------------------------ public API */

  async load(config) {
    await this.ready;
    const json = typeof config === 'string' ? config : JSON.stringify(config);
    const msg = validate_config(json);
    if (msg) throw new Error(msg);
    this._loadValid(json, null);
  }

  play() {
    if (!this.pg) return;
    if (!this.pg.any_running()) this._resetRuns();
    if (this.playing) return;
    this.playing = true;
    this._updatePlayButton();
    const loop = ++this.loopId; // a pause and a play within one frame must not start two loops
    requestAnimationFrame(() => this._frame(loop));
  }

  pause() {
    const was = this.playing;
    this.playing = false;
    this._updatePlayButton();
    if (was && this.pg) this._renderAll(null, false, 'spread'); // charts skipped while animating
  }

  step(n = 1) {
    if (!this.pg) return null;
    const count = Math.max(1, Math.floor(Number(n) || 1));
    this.pg.step(Math.min(count, 0xffffffff));
    const snap = this.snapshot();
    this._afterSteps(snap, true);
    this._renderAll(snap);
    return snap;
  }

  /** The Step button and the S key: one step, charts redrawn over the next frames. */
  _userStep() {
    if (!this.pg) return;
    this.pause();
    this.pg.step(1);
    const snap = this.snapshot();
    this._afterSteps(snap, true);
    this._renderAll(snap, false, 'spread');
  }

  reset() {
    if (!this.pg) return;
    this.pause();
    this._resetRuns();
  }

  snapshot() {
    return this.pg ? JSON.parse(this.pg.snapshot_json()) : null;
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
      const body = h('div', { class: 'chart-body' }, h('div', { class: 'canvas-wrap' }, canvas, guide, tip, empty), h('p', { class: 'hint' }, c.what, '.'), h('p', { class: 'note logy-note', hidden: true }, 'A loss of 0 or below cannot be drawn on a log scale: untick “log y” to see it.'));
      hide.addEventListener('click', () => {
        const hidden = !this.hiddenCharts.has(c.kind);
        if (hidden) this.hiddenCharts.add(c.kind); else this.hiddenCharts.delete(c.kind);
        body.hidden = hidden;
        hide.textContent = hidden ? 'Show' : 'Hide';
        hide.setAttribute('aria-expanded', String(!hidden));
        if (!hidden) this._drawChart(c.kind);
      });
      const card = h('figure', { class: `card chart-card chart-${c.kind}`, dataset: { kind: c.kind } },
        h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, c.title),
          h('div', { class: 'chart-opts' }, logY.label, logX.label, smooth, hide)),
        body);
      $.charts[c.kind] = { canvas, tip, guide, card, empty, logY: logY.input, logX: logX.input, smooth: smoothInput, body };
      canvas.addEventListener('pointermove', (e) => this._chartHover(c.kind, e));
      canvas.addEventListener('pointerleave', () => { tip.hidden = true; guide.hidden = true; });
      return card;
    });

    const byKind = Object.fromEntries(CHARTS.map((c, i) => [c.kind, chartCards[i]]));
    const viz = h('div', { class: 'viz' },
      $.status,
      h('div', { class: 'viz-top' }, landCard, h('div', { class: 'chart-stack' }, byKind.loss, byKind.lr)),
      full ? h('div', { class: 'viz-bottom' }, byKind.grad_norm, byKind.delta_norm) : null);

    let sidebar = null;
    if (full) {
      $.problemPanel = h('div', { class: 'panel-body' });
      $.runsList = h('ul', { class: 'runs-list' });
      $.runActions = h('div', { class: 'run-actions' });
      $.runPanel = h('div', { class: 'panel-body' });
      $.runPanelTitle = h('h3', null, 'Selected run');
      $.stopPanel = h('div', { class: 'panel-body' });
      sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Experiment settings' },
        $.configAlert,
        h('section', { class: 'panel' }, h('h3', null, 'Problem'), $.problemPanel),
        h('section', { class: 'panel' }, h('h3', null, 'Runs'), h('p', { class: 'note' }, 'Each run is one optimizer started from one point. Select a run to edit it.'), $.runsList, $.runActions),
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
    for (const p of PRESETS) sel.appendChild(h('option', { value: p.id }, p.title));
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
    const prevMax = kind === 'cosmetic' && this.pg && this.pg.max_step() <= 200_000 ? this.pg.max_step() : 0;
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
      this.pg.step(prevMax >= (maxSteps || 10000) ? prevMax + 1 : prevMax);
      this.prevStates = this.snapshot().runs.map((r) => r.status.state);
    }
    if (this.presetId === null && this.editedFromPreset === null) this._detectPreset();
    else this._presetEdited();
    this._writeHash();
    this._renderAll();
    return true;
  }

  _afterConfig() {
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

  _loadValid(json, view, preset = null) {
    this.pause();
    this.pg.set_config(json);
    this.config = JSON.parse(json);
    this.draft = clone(this.config);
    this.selected = 0;
    this.problemKey = null;
    this._afterConfig();
    if (view) { this.view = view; this._applyView(); }
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
    this.play();
  }

  _applyPresetExtras(preset) {
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
      return encode_hash(JSON.stringify(config));
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
    replace(cap,
      this.editedFromPreset ? h('span', { class: 'edited' }, `Changed from “${preset.title}”. `) : null,
      preset.caption);
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

  _zoom(factor) {
    if (!this.pg) return;
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
    this._applyView();
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
    if (!this.urlSync || !this.config || this.dragging) return;
    const hash = toHash(this.config, this.view);
    this.lastHash = hash;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  _onHash() {
    if (!this.pg || location.hash === this.lastHash) return;
    try {
      const parsed = fromHash(location.hash);
      if (!parsed) return;
      const msg = validate_config(parsed.config);
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
    this.pg.reset();
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

  _frame(loop) {
    if (!this.playing || !this.pg || loop !== this.loopId) return;
    let taken = 0;
    if (this.speed === 'max') {
      const t0 = performance.now();
      while (performance.now() - t0 < MAX_FRAME_MS) {
        const c0 = performance.now();
        const got = this.pg.step(this.chunk);
        taken += got;
        if (got === 0) break;
        const dt = performance.now() - c0;
        if (dt < 1 && this.chunk < 1 << 20) this.chunk *= 2;
        else if (dt > 4 && this.chunk > 1) this.chunk = Math.max(1, this.chunk >> 1);
      }
    } else {
      taken = this.pg.step(Number(this.speed));
    }
    const snap = this.snapshot();
    const changed = this._afterSteps(snap, true);
    const done = !this.pg.any_running() || taken === 0;
    this._renderAll(snap, !changed && !done, done ? 'spread' : 'anim');
    if (done) {
      this.playing = false;
      this._updatePlayButton();
      return;
    }
    requestAnimationFrame(() => this._frame(loop));
  }

  _updatePlayButton() {
    const b = this.$.play;
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
    this._drawLandscape();
    if (mode === 'anim') {
      this._drawDueChart();
    } else if (mode === 'spread') {
      for (const c of CHARTS) this.dirtyCharts.add(c.kind);
      this._pumpCharts();
    } else {
      for (const c of CHARTS) this._drawChart(c.kind);
    }
    const s = snap || this.snapshot();
    const maxStep = s.runs.reduce((m, r) => Math.max(m, r.step), 0);
    const maxSteps = (this.config.stop && this.config.stop.max_steps) || 10000;
    this.$.counter.textContent = `step ${maxStep.toLocaleString('en-US')} of ${maxSteps.toLocaleString('en-US')}`;
    this._renderStatus(!throttleStatus);
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
    return this.$.charts[kind] && !this.hiddenCharts.has(kind) && !(animating && this.offscreen.has(kind));
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

  _renderStatus(force) {
    const now = performance.now();
    if (!force && now - this.lastStatusAt < STATUS_INTERVAL_MS) return;
    this.lastStatusAt = now;
    const reports = JSON.parse(this.pg.report_json());
    const items = reports.map((r, i) => h('li', { class: `state-${r.state} ${i === this.selected && this.mode === 'full' ? 'selected' : ''}` },
      h('span', { class: 'swatch', style: { background: r.color } }),
      h('span', { class: 'icon', 'aria-hidden': 'true' }, STATE_ICON[r.state] || ''),
      h('strong', { class: 'run-label' }, r.label),
      ': ',
      h('span', { class: 'text' }, r.text)));
    replace(this.$.status, items);
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
        if (kind === 'structure' || (ok && kind === 'cosmetic')) this._deferRender(kind === 'structure' ? 'run' : 'list');
      },
      changeProblem: (name) => this._changeProblem(name),
      colorOf: (i) => this._colorOf(i),
    };
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
      const probe = new Playground(JSON.stringify({ problem, runs: [{ label: 'probe', optimizer: { name: 'SGD' } }] }));
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
        onclick: () => { this.selected = i; this._renderRunEditor(); this._renderRunsList(); this._drawLandscape(); this._renderStatus(true); },
      }, h('span', { class: 'run-name' }, run.label), h('span', { class: `run-state state-${states[i] || 'running'}` }, states[i] || ''));
      return h('li', { class: i === this.selected ? 'selected' : '' }, color, pick);
    });
    this.$.runStates = [...items].map((li) => li.querySelector('.run-state'));
    replace(this.$.runsList, items);
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
