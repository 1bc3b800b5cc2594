// <convergence-playground>: the whole playground as one custom element.
//
//   <convergence-playground controls="minimal" preset="lr" charts="loss,lr" autoplay locked>
//
// Attributes (attributes.js has the table, the README too): the experiment from config, hash,
// src or preset (sources.js, in that order); controls (none | minimal | full | a list of
// panels), charts, autoplay, loop, speed, height, theme, locked, url (this widget reads and
// writes the page's hash; no-url is its deprecated opposite). A bad attribute is shown in the
// widget's own alert (role="alert", the attribute and its value) and takes its default.
//
// JS API: el.ready (Promise), el.load(config) (Promise; rejects with every validation problem),
// el.set(path, value) (Promise; one setting such as "runs[0].optimizer.lr", checked by Rust,
// then a restart; rejects naming the path), el.play(), el.pause(), el.step(n) -> Promise of the
// snapshot (taken in slices, interruptible), el.reset(), el.snapshot(), el.report(),
// el.getConfig(), el.playing.
// Events (bubbling, composed): converged {label, step, criterion, end}, early_stopped {label,
// step, criterion, end}, diverged {label, step,
// reason, end}, stopped {label, step, reason, end}, once per run when its state changes; step
// {step, runs: [{label, step, loss, status}]} at most every STEP_EVENT_MS (self-running.js, 250 ms)
// while runs advance, and once when the animation stops; sweepdone {results} when a complexity
// sweep has trained every value; analysisdone {kind, report} when an analysis has finished
// (analysis-card.js); searchdone {cancelled, results} when a hyperparameter search has ended
// (search.js).
//
// Several widgets on one page share the wasm module (wasm.js) and one animation loop
// (shared-loop.js); a widget out of view steps nothing until it is back (IntersectionObserver).
//
// Two kinds of problems: a 2-D loss landscape (the landscape with the paths of the runs), or a
// model trained on data (problem "model": the decision boundary or fitted curve of the selected
// run, training vs validation loss and accuracy per evaluation, and the complexity sweep).
//
// This module owns the element: its lifecycle (connection, disconnection, the `config`
// attribute changed: `config` here, the others through attribute-changes.js), the public API, the events (the runs' ending events through
// run-events.js; `step` and `sweepdone` through the hooks it gives) and the keyboard shortcuts.
// The rest is delegated to modules, each with a header saying what it owns, made and connected
// by wiring.js: parts.js builds the parts (skeleton.js, landscape.js, model-view.js, charts.js,
// timeline.js, sweep.js, search.js, runs.js, sidebar.js, preset-bar.js, exports.js, alerts.js);
// startup.js starts the widget; engine-link.js holds its Playground and recovers from the
// engine's traps; experiment.js holds the experiment and its changes (apply, load, presets, the
// selected run); playback.js Play, Step, Reset and the speed; views.js which views show and
// their redraw; frame-loop.js the animation (DOM-free); page-link.js the URL hash;
// self-running.js what the widget does by itself. The contract between the parts is one
// object, `ctx` (context.js). Rust (wasm) owns the numbers and draws every chart.

import { loadEngine, validateConfig } from './wasm.js';
import { OBSERVED } from './attributes.js';
import { attributeChanged } from './attribute-changes.js';
import { shortcuts } from './shortcuts.js';
import { RunEvents } from './run-events.js';
import { wire, setConfigPath } from './wiring.js';
import { applyTheme, stopTheme } from './theme.js';

const message = (e) => String(e && e.message ? e.message : e);

export class ConvergencePlayground extends HTMLElement {
  static get observedAttributes() {
    return OBSERVED;
  }

  #resolveReady;
  #rejectReady;
  #started = false;
  #ready = false; // el.ready has resolved
  #runEvents = new RunEvents();
  // The modules of this widget, each with its host contract (wiring.js).
  #w = wire(this, {
    stepped: (snap, dispatch) => this.#runEvents.update(snap, dispatch, this),
    restarted: (snap) => this.#runEvents.reset(snap),
    dispatch: (type, detail) => this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail })),
    ready: () => {
      this.#ready = true;
      this.#resolveReady();
    },
  });
  #onKey = shortcuts({
    toggle: () => this.#w.playback.toggle(),
    step: () => this.#w.playback.userStep(),
    reset: () => this.#w.playback.reset(),
  });

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {}); // reported in the alert; an unobserved rejection is not an error
  }

  /** Is the animation running? */
  get playing() {
    return this.#w.loop.playing;
  }

  /** The engine's Playground of this widget, or null (for tests and debugging). */
  get pg() {
    return this.#w.engine.pg;
  }

  /** How many times the model view was drawn (for tests). */
  get modelDraws() {
    return this.#w.parts.modelView ? this.#w.parts.modelView.draws : 0;
  }

  /** The analysis shown or in progress, or null (for tests): see AnalysisCard.state. */
  get analysis() {
    return this.#w.parts.analysisCard ? this.#w.parts.analysisCard.state : null;
  }

  /** The complexity sweep in progress or last run, or null (for tests). */
  get sweep() {
    return this.#w.parts.sweepCard ? this.#w.parts.sweepCard.state : null;
  }

  /* ------------------------------------------------------------ lifecycle */

  connectedCallback() {
    this.#w.engine.watch(true);
    if (this.#started) {
      this.#listen(true);
      applyTheme(this.#w.parts.$.shell, this.#w.attrs.theme);
      return;
    }
    this.#started = true;
    this.#w.build();
    this.#listen(true);
    this.#w.self.watch(true);
    this.#w.start().catch((e) => {
      this.#w.parts.alerts.load('The playground could not start.', [message(e)]);
      this.#rejectReady(e);
    });
  }

  disconnectedCallback() {
    this.#listen(false);
    stopTheme(this.#w.parts.$.shell);
    this.#w.self.watch(false);
    this.#w.engine.watch(false);
    this.#w.loop.cancelDrain();
    this.#w.loop.stop();
    if (this.#w.parts.sweepCard) this.#w.parts.sweepCard.halt();
    if (this.#w.parts.analysisCard) this.#w.parts.analysisCard.cancel();
  }

  attributeChangedCallback(name, oldValue, value) {
    if (oldValue === value) return;
    if (!this.pg) {
      // Start-up read the attributes before this change, so it is applied once the widget is
      // ready. After start-up a widget lacks a Playground only while the engine restarts after
      // an internal error; a change then is dropped.
      if (this.#started && !this.#ready) this.ready.then(() => this.attributeChangedCallback(name, oldValue, value), () => {});
      return;
    }
    if (name !== 'config') {
      attributeChanged(this.#attributeHost, this, name, value).catch((e) => this.#w.parts.alerts.load('The attribute could not be applied:', [message(e)]));
      return;
    }
    if (value === null) return;
    const msg = validateConfig(value);
    if (msg) {
      this.#w.parts.alerts.load('The config attribute has problems; the experiment was not changed:', msg.split('\n'));
      return;
    }
    try {
      this.#w.experiment.load(value, null).catch(() => {}); // a trap while drawing is reported by wasm.js
    } catch (e) {
      this.#w.parts.alerts.load('The config attribute could not be applied; the experiment was not changed:', [message(e)]);
    }
  }

  // What attribute-changes.js needs (wiring.js); its listeners follow the `url` attribute.
  #attributeHost = this.#w.attributeHost((fn) => {
    this.#listen(false);
    fn();
    this.#listen(true);
  });

  #listen(on) {
    // The page's own widget (with `url`) answers the keys anywhere on the page; an embed only
    // when the focus is inside it, so that no widget plays another's experiment.
    const url = this.#w.attrs.url;
    const target = url ? document : this;
    const fn = on ? 'addEventListener' : 'removeEventListener';
    target[fn]('keydown', this.#onKey);
    if (url) window[fn]('hashchange', this.#w.link.onHashChange);
  }

  /* ------------------------------------------------------------ public API */

  /**
   * Replaces the experiment; rejects with every problem (one per line), keeping the current
   * one. Before the element is connected the config is kept and started on connection.
   */
  async load(config) {
    const json = typeof config === 'string' ? config : JSON.stringify(config);
    if (!this.#started) {
      await loadEngine();
      const msg = validateConfig(json);
      if (msg) throw new Error(msg);
      this.#w.pending = json;
      return;
    }
    await this.ready;
    const msg = validateConfig(json);
    if (msg) throw new Error(msg);
    await this.#w.experiment.load(json, null);
  }

  /**
   * Changes one setting, e.g. set("runs[0].optimizer.lr", 0.2): Rust writes the value at the
   * path and checks the whole experiment (rejecting with every problem, each naming its path,
   * and keeping the current experiment); then the runs restart from their start.
   */
  async set(path, value) {
    await this.ready;
    const config = JSON.stringify(this.#w.experiment.config);
    const json = setConfigPath(config, String(path), JSON.stringify(value === undefined ? null : value));
    await this.#w.experiment.load(json, null);
  }

  play() {
    this.#w.playback.play();
  }

  /** Stops the animation and any steps still queued by step(n). */
  pause() {
    this.#w.playback.pause();
  }

  /**
   * Takes n more steps of every run (fewer where a run stops) and resolves with the snapshot.
   * The steps are taken in slices of a few milliseconds, so the page stays responsive however
   * large n is; pause(), reset(), play() or load() interrupt them (the promise then resolves
   * with the snapshot where they stopped).
   */
  step(n = 1) {
    return this.#w.playback.step(n);
  }

  reset() {
    this.#w.playback.reset();
  }

  snapshot() {
    return this.pg ? this.#w.loop.snap() : null;
  }

  /** One report per run: {label, state, mark, word, text, ended, place, advice, end, hessian_eigenvalues, color, step}. */
  report() {
    return this.pg ? this.pg.report() : null;
  }

  /**
   * The experiment running now, with every default filled in (as the Rust core writes it), and
   * the analysis or search the visitor ran since, as the link has them.
   */
  getConfig() {
    const json = this.#w.experiment.fullJson(setConfigPath);
    return json ? JSON.parse(json) : null;
  }
}

if (!customElements.get('convergence-playground')) {
  customElements.define('convergence-playground', ConvergencePlayground);
}
