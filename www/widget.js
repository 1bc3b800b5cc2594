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
// Events (bubbling, composed): converged {label, step, criterion, end}, diverged {label, step,
// reason, end}, stopped {label, step, reason, end}, once per run when its state changes; step
// {step, runs: [{label, step, loss, status}]} at most every STEP_EVENT_MS (self-running.js, 250 ms)
// while runs advance, and once when the animation stops; sweepdone {results} when a complexity sweep has trained every value.
//
// Several widgets on one page share the wasm module (wasm.js) and one animation loop
// (shared-loop.js); a widget out of view steps nothing until it is back (IntersectionObserver).
//
// Two kinds of problems: a 2-D loss landscape (the landscape with the paths of the runs), or a
// model trained on data (problem "model": the decision boundary or fitted curve of the selected
// run, training vs validation loss and accuracy per evaluation, and the complexity sweep).
//
// This module owns the element: its lifecycle (start-up, the engine's traps and renewals),
// the public API and events, the experiment (running config, draft, selected run, kind of
// problem) and its changes, alerts and keyboard shortcuts; page-link.js the experiment it starts
// with and the URL hash. The rest is delegated,
// each module with a header saying what it owns: skeleton.js, frame-loop.js (DOM-free),
// charts.js, landscape.js, model-view.js, sweep.js, runs.js, sidebar.js, preset-bar.js,
// search.js, controls.js. Rust (wasm) owns the numbers and draws every chart.
//
// The contract between them is one object, `ctx` (#makeCtx): getters of the experiment (pg(),
// config(), draft(), kind(), isModel(), selected(), full, playing(), snapshot(), lastSnap(),
// stepsTaken(), configVersion(), viewStep() (the timeline's scrubbed step, null when live)) and requests: changed(kind) (controls.js: 'value',
// 'structure' or 'cosmetic'), apply(kind) (without re-rendering the controls), select(i),
// setSelected(i), render(part) ('run-editor', 'controls', 'runs-list', 'model-head'),
// rerender(what) after the event ('all', 'run', 'list'), writeHash(), addRun(run), colorOf(i),
// changeProblem(name), changeKind(kind), watch(fn), sliding(), fillAlert(...), dispatch(type,
// detail). Each module's header names the part it uses.

import { loadEngine, engineGeneration, guard, call, onRenewal, renewal, isRenewing, validateConfig } from './wasm.js';
import { readAttributes, OBSERVED } from './attributes.js';
import { SelfRunning } from './self-running.js';
import { chooseExperiment } from './sources.js';
import { applyTheme } from './theme.js';
import { EmbedDialog } from './embed-dialog.js';
import { toHash } from './urlstate.js';
import { shortcuts } from './shortcuts.js';
import { PROBLEMS, PALETTE, DEFAULT_PRESET, loadCatalog } from './catalog.js';
import { presetById } from './presets.js';
import { PageLink } from './page-link.js';
import { SearchCard } from './search.js';
import { FrameLoop } from './frame-loop.js';
import { buildSkeleton, fillAlert, markInvalid, showSpeed, showPanels } from './skeleton.js';
import { describeCanvases } from './canvas-text.js';
import { PresetBar } from './preset-bar.js';
import { Charts } from './charts.js';
import { LandscapeView } from './landscape.js';
import { ModelView } from './model-view.js';
import { SweepCard } from './sweep.js';
import { AnalysisCard } from './analysis-card.js';
import { RunsList } from './runs.js';
import { Timeline } from './timeline.js';
import { Sidebar } from './sidebar.js';
import { clone, canonical } from './util.js';
import { RunEvents } from './run-events.js';
import { wireRunHover } from './run-hover.js';
import { ExportMenu, fileSlug } from './exports.js';
import { presetIdOf } from './preset-bar.js';


const message = (e) => String(e && e.message ? e.message : e);

export class ConvergencePlayground extends HTMLElement {
  static get observedAttributes() {
    return OBSERVED;
  }

  #resolveReady;
  #rejectReady;
  #pg = null;
  #config = null; // the experiment running now (object)
  #draft = null; // the controls' working copy (may be invalid)
  #selected = 0;
  #hovered = null; // the run under the pointer (list or picture), drawn in front of the dimmed others
  #speed = '10';
  #runEvents = new RunEvents();
  #link = new PageLink({
    enabled: () => this.#urlSync,
    validate: (json) => validateConfig(json),
    alert: (title, lines) => this.#showLoadAlert(title, lines),
    hideAlert: () => { this.#$.loadAlert.hidden = true; },
    config: () => this.#config,
    view: () => this.#landscape.view,
    holding: () => this.#landscape.dragging || this.#sidebar.sliding,
    running: () => !!this.#pg,
    load: (json, view) => this.#loadValid(json, view),
  });
  #started = false;
  #kind = 'landscape'; // Playground.problem_kind(): landscape | classification | regression | model
  #configVersion = 0;
  #pendingConfig = null; // a config given to load() before the element was connected
  #pgGeneration = 0; // the engine instance #pg lives in (see wasm.js)
  #stopRenewal = null;
  #problemKey = null;
  #modelKey = undefined;
  #$ = null; // the skeleton's elements
  #ctx;
  #loop;
  #charts = null;
  #landscape = null;
  #modelView = null;
  #sweepCard = null;
  #analysisCard = null;
  #searchCard = null;
  #runs = null;
  #presetBar = null;
  #sidebar = null;
  #timeline = null;
  #exports = null;
  #attrs = null; // readAttributes(this), read once on connection
  #embedDialog = null;
  #self = new SelfRunning({
    element: this,
    get loop() { return this.element.hasAttribute('loop'); },
    canReplay: () => this.isConnected && !this.playing && !!this.#pg && !this.#pg.any_running() && this.#timeline.viewStep === null,
    play: () => this.play(),
    lastSnap: () => this.#loop.lastSnap,
  });

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {}); // reported in the alert; an unobserved rejection is not an error
    this.#ctx = this.#makeCtx();
    this.#loop = new FrameLoop({
      pg: () => this.#pg,
      runs: () => (this.#config ? this.#config.runs.length : 1),
      speed: () => this.#speed,
      sweepRunning: () => !!(this.#sweepCard && this.#sweepCard.running),
      viewOverrun: () => this.#modelView.overrun(),
      stepped: (snap, dispatch) => {
        if (dispatch) this.#self.stepEvent(false, snap);
        return this.#runEvents.update(snap, dispatch, this);
      },
      render: (snap, throttleStatus, mode) => this.#renderAll(snap, throttleStatus, mode),
      stopped: () => {
        this.#updatePlayButton();
        this.#self.stopped();
      },
      offscreen: () => this.#self.offscreen,
    });
  }

  /** Is the animation running? */
  get playing() {
    return this.#loop.playing;
  }

  /** The engine's Playground of this widget, or null (for tests and debugging). */
  get pg() {
    return this.#pg;
  }

  /** How many times the model view was drawn (for tests). */
  get modelDraws() {
    return this.#modelView ? this.#modelView.draws : 0;
  }

  /** The analysis shown or in progress, or null (for tests): see AnalysisCard.state. */
  get analysis() {
    return this.#analysisCard ? this.#analysisCard.state : null;
  }

  /** The complexity sweep in progress or last run, or null (for tests). */
  get sweep() {
    return this.#sweepCard ? this.#sweepCard.state : null;
  }

  get #isModel() {
    return this.#kind === 'classification' || this.#kind === 'regression';
  }

  /** The attributes (read once, on connection: readAttributes). */
  get #a() {
    if (!this.#attrs) this.#attrs = readAttributes(this);
    return this.#attrs;
  }

  /** The widget built: 'full', 'minimal' or 'none'; a locked widget is never 'full'. */
  get #mode() {
    const { mode, locked } = this.#a;
    return locked && mode === 'full' ? 'minimal' : mode;
  }

  get #urlSync() {
    return this.#a.url;
  }

  connectedCallback() {
    if (!this.#stopRenewal) this.#stopRenewal = onRenewal(() => this.#onRenewal());
    if (this.#started) {
      this.#listen(true);
      return;
    }
    this.#started = true;
    this.#build();
    this.#listen(true);
    this.#self.watch(true);
    this.#start().catch((e) => {
      this.#showLoadAlert('The playground could not start.', [message(e)]);
      this.#rejectReady(e);
    });
  }

  disconnectedCallback() {
    this.#listen(false);
    this.#self.watch(false);
    if (this.#stopRenewal) this.#stopRenewal();
    this.#stopRenewal = null;
    this.#loop.cancelDrain();
    this.#loop.stop();
    if (this.#sweepCard) this.#sweepCard.halt();
  }

  attributeChangedCallback(name, oldValue, value) {
    if (name !== 'config' || !this.#pg || oldValue === value || value === null) return;
    const msg = validateConfig(value);
    if (msg) {
      this.#showLoadAlert('The config attribute has problems; the experiment was not changed:', msg.split('\n'));
      return;
    }
    try {
      this.#loadValid(value, null);
    } catch (e) {
      this.#showLoadAlert('The config attribute could not be applied; the experiment was not changed:', [message(e)]);
    }
  }

  #listen(on) {
    // The page's own widget (with `url`) answers the keys anywhere on the page; an embed only
    // when the focus is inside it, so that no widget plays another's experiment.
    const target = this.#urlSync ? document : this;
    const fn = on ? 'addEventListener' : 'removeEventListener';
    target[fn]('keydown', this.#onKey);
    if (this.#urlSync) window[fn]('hashchange', this.#link.onHashChange);
  }

  /* ------------------------------------------------------------ the contract */

  #makeCtx() {
    const self = this;
    return {
      pg: () => this.#pg,
      config: () => this.#config,
      draft: () => this.#draft,
      kind: () => this.#kind,
      isModel: () => this.#isModel,
      selected: () => this.#selected,
      hovered: () => this.#hovered,
      viewStep: () => (this.#timeline ? this.#timeline.viewStep : null),
      hoverRun: (i) => this.#hoverRun(i),
      get full() { return self.#mode === 'full'; },
      get locked() { return self.#a.locked; },
      get noControls() { return self.#mode === 'none'; },
      get chartList() { return self.#a.charts; },
      playing: () => this.#loop.playing,
      snapshot: () => this.snapshot(),
      lastSnap: () => this.#loop.lastSnap,
      stepsTaken: () => this.#loop.stepsTaken,
      configVersion: () => this.#configVersion,
      changed: (kind) => {
        const ok = this.#apply(kind);
        if (kind === 'structure') this.#sidebar.defer(this.#isModel || (this.#draft.problem && this.#draft.problem.name === 'model') ? 'all' : 'run');
        else if (ok && kind === 'cosmetic') this.#sidebar.defer('list');
        return ok;
      },
      apply: (kind) => this.#apply(kind),
      select: (i) => this.#selectRun(i),
      setSelected: (i) => { this.#selected = i; },
      render: (part) => {
        if (part === 'run-editor') this.#sidebar.renderRun();
        else if (part === 'controls') this.#sidebar.render();
        else if (part === 'runs-list') this.#runs.renderList();
        else if (part === 'model-head') this.#modelView.renderHead();
      },
      rerender: (what) => this.#sidebar.defer(what),
      writeHash: () => this.#link.write(),
      addRun: (run) => this.#runs.add(run),
      landscapeCanvas: () => this.#landscape.canvas,
      redrawLandscape: () => { if (this.#pg && this.#kind === 'landscape') this.#landscape.draw(); },
      viewChanged: () => this.#analysisCard?.viewChanged(),
      setPath: (path, value) => this.set(path, value).catch((e) => this.#showConfigErrors(message(e))),
      colorOf: (i) => this.#colorOf(i),
      changeProblem: (name) => this.#sidebar.changeProblem(name),
      changeKind: (kind) => this.#sidebar.changeKind(kind),
      watch: (fn) => this.#sidebar.watch(fn),
      sliding: () => this.#sidebar.slide(),
      fillAlert,
      dispatch: (type, detail) => this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail })),
    };
  }

  /* ------------------------------------------------------------ skeleton */

  #build() {
    const ctx = this.#ctx;
    const full = ctx.full;
    this.#landscape = new LandscapeView(ctx);
    this.#modelView = new ModelView(ctx);
    this.#charts = new Charts(ctx);
    // Scrubbing looks back at what was recorded: the animation pauses so that the picture holds still.
    this.#timeline = new Timeline(ctx, () => {
      if (this.playing) this.pause();
      this.#renderAll(null, false, 'scrub');
    });
    this.#sweepCard = full ? new SweepCard(ctx) : null;
    this.#analysisCard = full ? new AnalysisCard(ctx) : null;
    this.#searchCard = full ? new SearchCard(this.#ctx) : null;
    // A locked widget has no exports (attributes are read once, on connection).
    this.#exports = this.hasAttribute('locked') ? null : new ExportMenu(ctx, {
      locked: () => this.hasAttribute('locked'),
      canvasOf: (name) => {
        if (name === 'landscape') return this.#landscape.canvas;
        if (name === 'model') return this.#modelView.canvas;
        return this.#charts.canvasOf(name);
      },
      chartOptions: (name) => this.#charts.optionsOf(name),
      baseName: () => {
        const config = this.#config;
        const preset = config ? presetIdOf(config) : null;
        return fileSlug(preset || (config ? config.problem.name : 'experiment'));
      },
    });
    const attrs = this.#a;
    if (attrs.speed) this.#speed = attrs.speed;
    this.#$ = buildSkeleton(this.shadowRoot, {
      full,
      mode: this.#mode,
      speed: this.#speed,
      locked: attrs.locked,
      parts: {
        landCard: this.#landscape.card,
        modelCard: this.#modelView.card,
        stack: this.#charts.stack,
        bottom: this.#charts.bottom,
        sweepCard: this.#sweepCard ? this.#sweepCard.element : null,
        analysisCard: this.#analysisCard ? this.#analysisCard.element : null,
        searchCard: this.#searchCard ? this.#searchCard.element : null,
        exportMenu: this.#exports ? this.#exports.element : null,
      },
      actions: {
        playPause: () => (this.playing ? this.pause() : this.play()),
        step: () => this.#userStep(),
        reset: () => this.reset(),
        speed: (value) => { this.#speed = value; },
        preset: (id) => this.#choosePreset(id),
        copyLink: () => this.#presetBar.copyLink(),
        embed: () => this.#openEmbed(),
      },
    });
    if (attrs.panels) {
      showPanels(this.#$, attrs.panels);
      if (!attrs.panels.has('timeline')) this.#timeline.element.hidden = true;
    }
    if (this.#mode === 'none') this.#timeline.element.hidden = true;
    if (attrs.height) this.style.setProperty('--picture-size', `${attrs.height}px`);
    applyTheme(this.#$.shell, attrs.theme);
    if (full && !attrs.locked) this.#embedDialog = new EmbedDialog(this.#$.shell);
    if (attrs.problems.length) this.#showAttributeProblems(attrs.problems);
    this.#charts.layout();
    this.#presetBar = new PresetBar({ choose: (id) => this.#choosePreset(id), writeHash: () => this.#link.write() }, this.#$);
    this.#runs = new RunsList(ctx, this.#$);
    this.#sidebar = new Sidebar(ctx, this.#$, this.shadowRoot, (draft, problem) => this.#landscape.remapStarts(draft, problem));
    this.#landscape.wire();
    this.#landscape.wireDrawing();
    this.#charts.observe();
    wireRunHover(this.shadowRoot, (i) => this.#hoverRun(i));
  }

  /** Run `i` (or none: null) is under the pointer: the drawings bring it to the front. */
  #hoverRun(i) {
    const next = this.#config && Number.isInteger(i) && i >= 0 && i < this.#config.runs.length ? i : null;
    if (next === this.#hovered) return;
    this.#hovered = next;
    if (!this.#pg) return;
    this.#drawMain('sync');
    this.#charts.render('spread');
  }

  /* ------------------------------------------------------------ start-up and the engine */

  async #start() {
    await loadCatalog();
    const { json, view, preset, problems } = await chooseExperiment({
      linked: this.#link.fromPage(),
      pending: this.#pendingConfig,
      sources: this.#a.sources,
      fallback: presetById(DEFAULT_PRESET),
    });
    this.#pendingConfig = null;
    if (problems.length) this.#showAttributeProblems(problems);
    this.#pg = this.#newPlayground(json);
    this.#config = JSON.parse(json);
    this.#draft = clone(this.#config);
    this.#problemKey = canonical(this.#config.problem);
    this.#landscape.resetDefault();
    this.#landscape.view = view;
    try {
      this.#landscape.apply();
    } catch (e) {
      if (e && e.internal) throw e;
      this.#showLoadAlert('The view box in this link cannot be shown, so the default view is used:', [message(e)]);
      this.#landscape.view = null;
      this.#landscape.apply();
    }
    if (this.#searchCard) this.#searchCard.reset(this.#config);
    this.#setKind();
    this.#presetBar.detect(this.#config);
    // The author's `speed` holds for the experiment the widget starts with.
    if (preset) this.#applyPresetExtras(preset, !this.#a.speed);
    else this.#problemChartDefaults();
    this.#resetStates();
    this.#sidebar.render();
    this.#renderAll();
    this.#link.write();
    this.#resolveReady();
    // Autoplay, unless the reader asked for reduced motion (Play starts it then).
    if (this.#a.autoplay && !window.matchMedia('(prefers-reduced-motion: reduce)').matches) this.play();
  }

  /** A Playground in the engine in use, guarded against traps (see wasm.js). */
  #newPlayground(json) {
    const pg = call((w) => new w.Playground(json));
    this.#pgGeneration = engineGeneration();
    return guard(pg, (error) => this.#onTrap(error));
  }

  /** The engine trapped in one of this widget's calls: say so; the experiment restarts on a fresh one. */
  #onTrap(error) {
    if (this.#pg && (isRenewing() || this.#pgGeneration !== engineGeneration())) this.#dropEngine(error);
    this.#loop.stop();
    this.#updatePlayButton();
    this.#showLoadAlert('Internal error: the computing engine failed. It was restarted with the last working experiment.', [error.message]);
    if (!this.#pg) renewal().then(() => this.#restoreAfterTrap());
  }

  /** The engine was renewed after a trap (here or in another widget): move to the fresh one. */
  #onRenewal() {
    if (!this.#pg || this.#pgGeneration === engineGeneration()) return;
    this.#dropEngine(new Error('internal error: the computing engine was restarted'));
    this.#showLoadAlert('The computing engine was restarted after an internal error on this page; this experiment started again.', []);
    this.#restoreAfterTrap();
  }

  /** Forgets the Playground of a retired engine (a pending step(n) rejects with `error`). */
  #dropEngine(error) {
    this.#pg = null;
    this.#loop.drop(error);
  }

  /** Rebuilds the last working experiment on the engine in use. */
  #restoreAfterTrap() {
    if (this.#pg || !this.#config) return;
    try {
      this.#pg = this.#newPlayground(JSON.stringify(this.#config));
      this.#loop.lastSnap = null;
      this.#landscape.apply();
      this.#resetStates();
      this.#updatePlayButton();
      this.#renderAll();
    } catch (e) {
      this.#pg = null;
      this.#showLoadAlert('The playground could not restart after an internal error.', [message(e)]);
    }
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
      this.#pendingConfig = json;
      return;
    }
    await this.ready;
    const msg = validateConfig(json);
    if (msg) throw new Error(msg);
    this.#loadValid(json, null);
  }

  /**
   * Changes one setting, e.g. set("runs[0].optimizer.lr", 0.2): Rust writes the value at the
   * path and checks the whole experiment (rejecting with every problem, each naming its path,
   * and keeping the current experiment); then the runs restart from their start.
   */
  async set(path, value) {
    await this.ready;
    const json = call((w) => w.set_config_path(JSON.stringify(this.#config), String(path), JSON.stringify(value === undefined ? null : value)));
    this.#loadValid(json, null);
  }

  play() {
    if (!this.#pg) return;
    this.#timeline.live();
    this.#loop.cancelDrain();
    if (!this.#pg.any_running()) this.#resetRuns();
    if (!this.#loop.start()) return;
    this.#updatePlayButton();
  }

  /** Stops the animation and any steps still queued by step(n). */
  pause() {
    const was = this.#loop.stop();
    this.#loop.cancelDrain();
    this.#updatePlayButton();
    if (was && this.#pg) this.#renderAll(null, false, 'spread'); // charts skipped while animating
  }

  /**
   * Takes n more steps of every run (fewer where a run stops) and resolves with the snapshot.
   * The steps are taken in slices of a few milliseconds, so the page stays responsive however
   * large n is; pause(), reset(), play() or load() interrupt them (the promise then resolves
   * with the snapshot where they stopped).
   */
  step(n = 1) {
    if (!this.#pg) return Promise.resolve(null);
    this.pause();
    this.#timeline.live();
    const count = Math.max(1, Math.floor(Number(n) || 1));
    this.#pg.queue_steps(count);
    return this.#loop.drain(true);
  }

  /** The Step button and the S key: one step, charts redrawn over the next frames. */
  #userStep() {
    if (!this.#pg) return;
    this.pause();
    this.#timeline.live();
    this.#pg.queue_steps(1);
    this.#loop.drain(true).catch(() => {}); // a trap is reported in the alert
  }

  reset() {
    if (!this.#pg) return;
    this.pause();
    this.#resetRuns();
  }

  snapshot() {
    return this.#pg ? this.#loop.snap() : null;
  }

  /** One report per run: {label, state, mark, text, ended, place, advice, end, hessian_eigenvalues, color, step}. */
  report() {
    return this.#pg ? this.#pg.report() : null;
  }

  /** The experiment running now, with every default filled in (as the Rust core sees it). */
  getConfig() {
    return this.#pg ? JSON.parse(this.#pg.config_json()) : null;
  }

  /* ------------------------------------------------------------ runs, states, events */

  #resetRuns() {
    this.#timeline.live();
    this.#loop.cancelDrain();
    this.#pg.reset();
    this.#configVersion += 1;
    this.#resetStates();
    this.#renderAll();
  }

  #resetStates() {
    this.#runEvents.reset(this.#pg ? this.#pg.snapshot() : null);
    this.#runs.resetStatusClock();
  }

  #updatePlayButton() {
    const b = this.#$ && this.#$.play;
    if (!b) return;
    // Once every run has stopped, Play restarts them: it says so.
    const over = !this.playing && this.#pg && !this.#pg.any_running();
    const text = this.playing ? '❚❚ Pause' : over ? '↻ Replay' : '▶ Play';
    if (b.textContent !== text) b.textContent = text;
    b.setAttribute('aria-pressed', String(this.playing));
  }

  #onKey = shortcuts({
    toggle: () => (this.playing ? this.pause() : this.play()),
    step: () => this.#userStep(),
    reset: () => this.reset(),
  });

  /* ------------------------------------------------------------ drawing */

  /**
   * Redraws everything: the main view, the charts (see Charts.render for the modes 'sync',
   * 'anim' and 'spread'), the step counter, the status and the runs' states.
   */
  #renderAll(snap, throttleStatus = false, mode = 'sync') {
    if (!this.#pg) return;
    const s = snap || this.#loop.snap();
    this.#drawMain(mode === 'anim' ? 'anim' : 'sync');
    this.#charts.render(mode === 'scrub' ? 'sync' : mode);
    const maxStep = s.runs.reduce((m, r) => Math.max(m, r.step), 0);
    this.#timeline.update(maxStep, mode === 'anim');
    const maxSteps = (this.#config.stop && this.#config.stop.max_steps) || 10000;
    const viewStep = this.#timeline.viewStep;
    let counter = viewStep === null
      ? `step ${maxStep.toLocaleString('en-US')} of ${maxSteps.toLocaleString('en-US')}`
      : `viewing step ${viewStep.toLocaleString('en-US')} of ${maxStep.toLocaleString('en-US')}`;
    // The epoch is the live one: while scrubbing it would describe another step.
    if (this.#isModel && viewStep === null) {
      const epochs = s.runs.reduce((m, r) => Math.max(m, r.training ? r.training.epoch : 0), 0);
      counter += ` · epoch ${epochs.toLocaleString('en-US')}`;
    }
    this.#$.counter.textContent = counter;
    this.#runs.renderStatus(!throttleStatus, s);
    this.#runs.updateStates(s);
    this.#charts.renderNotes(s, maxStep);
    this.#updatePlayButton();
    describeCanvases(this.shadowRoot, {
      snap: s, config: this.#config, kind: this.#kind, selected: this.#selected, view: this.#pg.view(),
      titleOf: (name) => (PROBLEMS[name] ? PROBLEMS[name].title : name), now: performance.now(), force: mode !== 'anim',
    });
  }

  /** Draws the landscape or the model view. how: 'anim' (a frame), 'sync' (now, then sharp). */
  #drawMain(how = 'sync') {
    if (this.#isModel) this.#modelView.draw(how === 'anim' ? 'live' : 'sync');
    else this.#landscape.draw();
  }

  /* ------------------------------------------------------------ problem kinds */

  /** Reads the kind of the problem from the core and shows the views that fit it. */
  #setKind() {
    const kind = this.#pg.problem_kind();
    const changed = kind !== this.#kind;
    this.#kind = kind;
    this.#modelView.stale();
    this.#charts.setKind(changed);
    const model = this.#isModel;
    this.#landscape.card.hidden = model;
    this.#modelView.card.hidden = !model;
    (model ? this.#modelView.card : this.#landscape.card).appendChild(this.#timeline.element);
    if (this.#$.runsNote) {
      this.#$.runsNote.textContent = model
        ? 'Each run is one optimizer training the model from the same initial weights, on the same minibatches. Select a run to edit it and to see it in the model view.'
        : 'Each run is one optimizer started from one point. Select a run to edit it.';
    }
    this.#modelView.renderHead();
    if (this.#sweepCard) this.#sweepCard.render();
    if (this.#exports) this.#exports.refresh();
  }

  #selectRun(i) {
    if (!this.#config || !(i >= 0 && i < this.#config.runs.length)) return;
    this.#selected = i;
    this.#modelView.stale();
    this.#sidebar.renderRun();
    this.#runs.renderList();
    this.#modelView.renderHead();
    this.#drawMain('sync');
    this.#runs.renderStatus(true);
    if (this.#sweepCard) this.#sweepCard.render();
  }

  /* ------------------------------------------------------------ alerts */

  /** Problems with the element's attributes: each names the attribute and its value. */
  #showAttributeProblems(lines) {
    const el = this.#$.attrAlert;
    const shown = el.hidden ? [] : [...el.querySelectorAll('li')].map((li) => li.textContent);
    fillAlert(el, 'Some attributes of this widget have problems; it uses its defaults for them:', [...shown, ...lines], true);
  }

  #showLoadAlert(title, lines) {
    fillAlert(this.#$.loadAlert, title, lines, true);
  }

  #showConfigErrors(text) {
    const lines = String(text).split('\n').filter(Boolean);
    const el = this.#$.configAlert || this.#$.loadAlert;
    fillAlert(el, 'Not applied — please fix:', lines, false);
    markInvalid(this.shadowRoot, lines);
  }

  #clearConfigErrors() {
    if (this.#$.configAlert) this.#$.configAlert.hidden = true;
    markInvalid(this.shadowRoot, []);
  }

  /* ------------------------------------------------------------ experiment changes */

  /** Rebuilds the experiment from the draft. Returns true when applied. */
  #apply(kind = 'value') {
    const json = JSON.stringify(this.#draft);
    // A label or color change replays the runs to where they were (if that is quick).
    const prevMax = kind === 'cosmetic' && this.#pg && this.#replayable() ? this.#pg.max_step() : 0;
    try {
      this.#pg.set_config(json);
    } catch (e) {
      this.#showConfigErrors(e && e.message ? e.message : String(e));
      return false;
    }
    this.#clearConfigErrors();
    this.#config = clone(this.#draft);
    this.#afterConfig();
    if (prevMax > 0) {
      // Only labels or colors changed: replay to where the runs were (deterministic). A run
      // notices max_steps when it tries one more step, so ask for one more when that is safe.
      const maxSteps = this.#config.stop && this.#config.stop.max_steps;
      this.#pg.queue_steps(prevMax >= (maxSteps || 10000) ? prevMax + 1 : prevMax);
      this.#loop.drain(false).catch(() => {}); // a trap is reported in the alert
    }
    this.#sidebar.notify();
    this.#presetBar.edited(this.#config);
    this.#link.write();
    this.#renderAll();
    return true;
  }

  /** Can the runs be replayed to where they are within about a third of a second? */
  #replayable() {
    const steps = this.#pg.max_step();
    if (steps > 200_000) return false;
    if (!this.#isModel) return true;
    const cost = this.#loop.stepCost;
    return cost !== null && steps * cost < 300;
  }

  #afterConfig() {
    this.#timeline.live();
    this.#configVersion += 1;
    const modelKey = canonical(this.#config.problem && this.#config.problem.model);
    if (modelKey !== this.#modelKey) {
      this.#modelKey = modelKey;
      this.#modelView.forgetCost(); // another model: measure its drawing cost again
      this.#loop.forgetStepCost();
    }
    if (this.#sweepCard) this.#sweepCard.invalidate();
    if (this.#searchCard) this.#searchCard.reset(this.#config);
    this.#setKind();
    // After #setKind: the card offers the analyses that fit the new problem.
    if (this.#analysisCard) this.#analysisCard.invalidate();
    const key = canonical(this.#config.problem);
    if (key !== this.#problemKey) {
      this.#problemKey = key;
      this.#landscape.resetDefault();
      this.#landscape.view = null;
      this.#problemChartDefaults();
    }
    this.#landscape.apply();
    this.#resetStates();
    if (this.#selected >= this.#config.runs.length) this.#selected = this.#config.runs.length - 1;
  }

  /**
   * Loads a validated config (and a view box): either all of it applies or, if any part is
   * refused (the view box, say), the running experiment is left as it was and the error thrown.
   */
  #loadValid(json, view, preset = null) {
    this.pause();
    const before = { json: JSON.stringify(this.#config), view: this.#landscape.view, selected: this.#selected };
    try {
      this.#pg.set_config(json);
      this.#config = JSON.parse(json);
      this.#selected = 0;
      this.#problemKey = null;
      this.#afterConfig();
      if (view) { this.#landscape.view = view; this.#landscape.apply(); }
    } catch (e) {
      if (e && e.internal) throw e;
      this.#pg.set_config(before.json);
      this.#config = JSON.parse(before.json);
      this.#landscape.view = before.view;
      this.#problemKey = null;
      this.#selected = before.selected;
      this.#afterConfig();
      this.#landscape.view = before.view;
      this.#landscape.apply();
      throw e;
    }
    this.#draft = clone(this.#config);
    this.#clearConfigErrors();
    this.#presetBar.loaded(this.#config, preset);
    this.#link.write();
    this.#sidebar.render();
    this.#renderAll();
  }

  /* ------------------------------------------------------------ presets */

  #choosePreset(id) {
    const preset = presetById(id);
    if (!preset) {
      this.#presetBar.set(null);
      return;
    }
    this.#loadValid(JSON.stringify(preset.config), null, preset);
    this.#applyPresetExtras(preset);
    this.#charts.draw('loss'); // its log scale may have changed
    if (preset.sweep && this.#sweepCard) this.#sweepCard.setValues(preset.sweep);
    // A reader who asked for reduced motion starts the animation with Play.
    if (!window.matchMedia('(prefers-reduced-motion: reduce)').matches) this.play();
  }

  /** A preset's extras: its search comparison, its speed (unless withSpeed is false), log scales. */
  #applyPresetExtras(preset, withSpeed = true) {
    if (this.#searchCard) this.#searchCard.setCompare(!!preset.searchCompare);
    // The author's `speed` holds for the experiment the widget starts with.
    if (preset.speed && withSpeed) {
      this.#speed = preset.speed;
      if (this.#$.speed) showSpeed(this.#$.speed, preset.speed);
    }
    this.#problemChartDefaults();
  }

  #problemChartDefaults() {
    const spec = PROBLEMS[this.#config.problem.name];
    this.#charts.setLogLoss(!(spec && spec.negative));
  }

  /** The Embed dialog with the snippets of the running experiment and its view box. */
  #openEmbed() {
    if (!this.#embedDialog || !this.#config) return;
    this.#embedDialog.open(toHash(this.#config, this.#landscape.view).slice(1));
  }

  #colorOf(i) {
    const run = this.#config && this.#config.runs[i];
    return (run && run.color) || PALETTE[i % PALETTE.length];
  }
}

if (!customElements.get('convergence-playground')) {
  customElements.define('convergence-playground', ConvergencePlayground);
}
