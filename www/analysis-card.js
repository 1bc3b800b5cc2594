// The analysis card: the visitor picks one of the analyses that fit the problem (the catalogue's
// `analyses`, from Rust), runs it in a Web Worker (lab.js) with a progress bar and a Cancel
// button, and reads its result (analysis-readouts.js). Running an analysis names it in the
// experiment's `analysis` section, so "Copy link", an embed and `converge analyse` reproduce it;
// an experiment that arrives with the section has its first analysis run on load. A change to the
// experiment cancels the analysis in progress and clears a result that no longer matches.
// Fires `analysisdone` {kind, report} on the element.
//
// Critical points and basins are also drawn over the landscape, and a click there classifies a
// point or starts a run from a basins cell (analysis-overlays.js); the critical points follow
// the view when it is zoomed.
//
// Host contract (the widget's ctx): pg(), config(), draft(), kind(), selected(), addRun(run),
// writeHash(), setPath(path, value) (the element's set()), load(config), colorOf(i),
// dispatch(type, detail), landscapeCanvas(), redrawLandscape().

import { h, replace } from './dom.js';
import { ANALYSES } from './catalog.js';
import { analyse, applyRemedy } from './lab.js';
import { readout } from './analysis-readouts.js';
import { figures } from './analysis-charts.js';
import { AnalysisOverlays } from './analysis-overlays.js';

/** Partial results are drawn at most this often (each redraws a readout and maybe a picture). */
const PARTIAL_DRAW_MS = 250;

/** The `analysis` section's value that names `kind` with its defaults. */
const NAMED = { theory: true, doctor: true };

export class AnalysisCard {
  #ctx;
  #$ = {};
  #abort = null; // the AbortController of the analysis in progress
  #state = { kind: null, running: false, progress: 0, report: null, error: null, point: null };
  #version = 0; // counts experiment changes, so a late result of an old experiment is dropped
  #until = null; // where the doctor stopped each run (the runs were playing), or null: their end
  #overlays;
  #inputs = null; // what the result shown was computed from (#inputsOf), kept across unrelated changes
  #point = null; // the AbortController of a click's classification
  /** The card (a section). */
  element;

  constructor(ctx) {
    this.#ctx = ctx;
    const $ = this.#$;
    $.choice = h('select', { class: 'analysis-choice', 'aria-label': 'Analysis' });
    $.choice.addEventListener('change', () => this.#showBlurb());
    $.blurb = h('p', { class: 'note analysis-blurb' });
    $.run = h('button', { type: 'button', class: 'primary analysis-run', onclick: () => this.run($.choice.value) }, 'Run analysis');
    $.cancel = h('button', { type: 'button', class: 'analysis-cancel', disabled: true, onclick: () => this.cancel() }, 'Cancel');
    $.bar = h('progress', { class: 'analysis-bar', max: 1, value: 0 });
    $.progress = h('span', { class: 'analysis-progress', role: 'status' });
    $.status = h('div', { class: 'analysis-status', hidden: true }, $.bar, $.progress);
    $.alert = h('div', { class: 'alert analysis-alert', role: 'alert', hidden: true });
    $.body = h('div', { class: 'analysis-body', 'aria-live': 'polite' });
    $.point = h('div', { class: 'analysis-point', 'aria-live': 'polite' });
    // The landscape's clicks classify or add runs only while a view drawn over it is on.
    const shown = () => (this.#state.running || this.#state.report ? this.#state.kind : null);
    this.#overlays = new AnalysisOverlays(ctx, { shown, onClassify: (p) => this.classify(p) });
    this.element = h('section', { class: 'card analysis-card', 'aria-label': 'Analyses' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, 'Analyses: why a run converges where it does')),
      h('div', { class: 'analysis-controls' }, h('label', null, h('span', null, 'Analysis'), $.choice), $.run, $.cancel),
      $.blurb, $.status, $.alert, $.point, $.body);
  }

  /** The analysis shown or in progress (for tests): {kind, running, progress, report, error,
   * point (the last click's classification)}. */
  get state() {
    return { ...this.#state };
  }

  /** True while an analysis runs. */
  get running() {
    return this.#state.running;
  }

  /** The analyses that fit the current problem. */
  #offered() {
    const landscape = this.#ctx.kind() === 'landscape';
    return ANALYSES.filter((a) => a.needs === 'any' || (a.needs === 'landscape') === landscape);
  }

  /** Fills the menu with the analyses that fit the problem, keeping the choice when it fits. */
  render() {
    const $ = this.#$;
    const keep = $.choice.value;
    const offered = this.#offered();
    replace($.choice, offered.map((a) => h('option', { value: a.name }, a.title)));
    if (offered.some((a) => a.name === keep)) $.choice.value = keep;
    this.#showBlurb();
  }

  #showBlurb() {
    const entry = ANALYSES.find((a) => a.name === this.#$.choice.value);
    this.#$.blurb.textContent = entry ? entry.blurb : '';
  }

  /**
   * The experiment changed: the analysis in progress stops and the result goes. When the new
   * experiment names analyses in its `analysis` section, the first one the card offers runs.
   */
  invalidate() {
    if (this.#keepsResult()) {
      this.render();
      return;
    }
    this.#version += 1;
    this.cancel();
    this.#inputs = null;
    this.#overlays.clear();
    replace(this.#$.point);
    this.#state = { kind: null, running: false, progress: 0, report: null, error: null, point: null };
    replace(this.#$.body);
    this.#$.alert.hidden = true;
    this.#$.status.hidden = true;
    this.render();
    const section = this.#ctx.config() && this.#ctx.config().analysis;
    const named = section ? this.#offered().find((a) => section[a.name] !== undefined && section[a.name] !== false) : null;
    if (named) {
      this.#$.choice.value = named.name;
      this.#showBlurb();
      this.run(named.name);
    }
    if (section && Array.isArray(section.classify) && section.classify.length > 0 && this.#ctx.kind() === 'landscape') this.classify(section.classify[0]);
  }

  /**
   * What analysis `kind` of `config` depends on, as text (null for an analysis not drawn over
   * the landscape): a change elsewhere (another run added, a label) keeps its result.
   */
  #inputsOf(kind, config) {
    if (!config || !['critical_points', 'basins'].includes(kind)) return null;
    const section = (config.analysis && config.analysis[kind]) || {};
    const view = this.#ctx.pg() ? Array.from(this.#ctx.pg().view()) : null;
    const common = { problem: config.problem, seed: config.seed, view, section };
    if (kind === 'critical_points') return JSON.stringify(common);
    const run = config.runs[section.run ?? 0];
    return JSON.stringify({ ...common, stop: config.stop, optimizer: run && run.optimizer, schedule: run && run.schedule });
  }

  /** True when the finished result shown still matches the experiment. */
  #keepsResult() {
    const { kind, running, report } = this.#state;
    return !running && report !== null && this.#inputs !== null && this.#inputs === this.#inputsOf(kind, this.#ctx.config());
  }

  /** The view box changed: critical points shown are searched again in the new view. */
  viewChanged() {
    const { kind, running, report } = this.#state;
    if (kind === 'critical_points' && (running || report)) this.run(kind);
  }

  /**
   * Classifies the landscape point `p` ([x, y]) in a worker (the `classify` analysis) and says
   * what it is beside the analysis shown; the link names the point (`analysis.classify`).
   */
  async classify(p) {
    const ctx = this.#ctx;
    if (!ctx.pg()) return;
    if (this.#point) this.#point.abort();
    const abort = new AbortController();
    this.#point = abort;
    const x = [Number(p[0].toPrecision(6)), Number(p[1].toPrecision(6))];
    for (const section of this.#sections()) section.classify = [x];
    try {
      ctx.writeHash();
    } catch {
      // The link stays as it was.
    }
    const version = this.#version;
    replace(this.#$.point, h('p', { class: 'note' }, `Classifying (${x.join(', ')})…`));
    try {
      // The engine's experiment with the point to classify in its section.
      const config = JSON.parse(ctx.pg().config_json());
      config.analysis = { ...(config.analysis || {}), classify: [x] };
      const report = await analyse({ config: JSON.stringify(config), kind: 'classify', view: Array.from(ctx.pg().view()), signal: abort.signal });
      if (version !== this.#version || abort.signal.aborted) return;
      this.#state.point = report.classify && report.classify[0] ? report.classify[0] : null;
      replace(this.#$.point, ...readout('classify', report));
      ctx.dispatch('analysisdone', { kind: 'classify', report });
    } catch (error) {
      if (error.name !== 'AbortError' && version === this.#version) replace(this.#$.point, h('p', { class: 'alert' }, `The point could not be classified: ${error.message}`));
    } finally {
      if (this.#point === abort) this.#point = null;
    }
  }

  /** Stops the analysis in progress (its partial result stays, marked as cancelled). */
  cancel() {
    if (this.#abort) this.#abort.abort();
  }

  /** Runs analysis `kind` of the current experiment; resolves when it ends or is cancelled. */
  async run(kind) {
    const ctx = this.#ctx;
    const $ = this.#$;
    if (!ctx.pg() || !kind) return;
    this.cancel();
    this.#nameInSection(kind);
    this.#overlays.clear();
    const inputs = this.#inputsOf(kind, ctx.config());
    const version = this.#version;
    const abort = new AbortController();
    this.#abort = abort;
    this.#state = { kind, running: true, progress: 0, report: null, error: null, point: this.#state.point };
    $.alert.hidden = true;
    $.status.hidden = false;
    $.cancel.disabled = false;
    replace($.body);
    const show = (share) => {
      $.bar.value = share;
      $.progress.textContent = `${Math.round(100 * share)} %`;
      this.#state.progress = share;
    };
    show(0);
    const landscape = ctx.kind() === 'landscape';
    let pending = null;
    let timer = null;
    let lastDraw = 0;
    const flush = () => {
      timer = null;
      if (pending && version === this.#version && this.#abort === abort) this.#show(kind, pending);
      pending = null;
      lastDraw = performance.now();
    };
    // Once the runs have started and until they have all ended, the doctor diagnoses each from
    // its history so far, where it stands now; before they start, each run's whole history.
    const steps = kind === 'doctor' && ctx.pg().any_running() ? ctx.pg().snapshot().runs.map((r) => r.step) : [];
    const until = steps.some((step) => step > 0) ? steps : null;
    this.#until = until;
    try {
      const report = await analyse({
        config: this.#configFor(kind),
        kind,
        until,
        view: landscape ? Array.from(ctx.pg().view()) : null,
        signal: abort.signal,
        onProgress: show,
        onPartial: (partial) => {
          if (version !== this.#version) return;
          // The latest partial result is drawn at most every PARTIAL_DRAW_MS.
          pending = partial;
          if (!timer) timer = setTimeout(flush, Math.max(0, PARTIAL_DRAW_MS - (performance.now() - lastDraw)));
        },
      });
      clearTimeout(timer);
      if (version !== this.#version) return;
      this.#state.report = report;
      this.#inputs = inputs;
      this.#show(kind, report);
      $.progress.textContent = 'done';
      ctx.dispatch('analysisdone', { kind, report });
    } catch (error) {
      clearTimeout(timer);
      if (version !== this.#version) return;
      if (error.name === 'AbortError') {
        $.progress.textContent = 'cancelled';
      } else {
        this.#state.error = error.message;
        $.status.hidden = true;
        replace($.alert, h('strong', null, 'The analysis could not run: '), error.message);
        $.alert.hidden = false;
      }
    } finally {
      if (this.#abort === abort) {
        this.#abort = null;
        this.#state.running = false;
        $.cancel.disabled = true;
      }
    }
  }

  #show(kind, report) {
    this.#state.report = report;
    const ctx = this.#ctx;
    const config = ctx.config();
    const labelOf = (setting) => config?.runs[config.analysis?.[setting]?.run ?? 0]?.label;
    const selected = ctx.selected();
    const host = {
      pg: ctx.pg(),
      runIndex: (label) => (config ? config.runs.findIndex((r) => r.label === label) : -1),
      colorOf: (i) => ctx.colorOf(i),
      rangeLabel: labelOf('lr_range'),
      bandLabel: labelOf('seed_bands'),
    };
    replace(this.#$.body, ...readout(kind, report, {
      applyRemedy: (run, diagnosis) => this.#applyChanges(run, diagnosis.remedy),
      remedyWords: AnalysisCard.remedyWords,
      // The run selected when the readout is drawn: the one its buttons name; the optimal
      // settings become a new run beside it, labelled by Rust with what they set.
      useOptimal: (optimizer) => this.#applyChanges(selected, [{ path: `runs[${selected}].optimizer`, value: optimizer }]),
      selected: config?.runs[selected]?.label ?? '',
      pg: ctx.pg(),
      rerun: (settings) => this.#rerun(kind, settings),
      until: this.#until,
    }), ...figures(kind, report, host));
    this.#overlays.show(kind, report);
  }

  /** The running experiment as JSON, with analysis `kind`'s settings as the link names them. */
  #configFor(kind) {
    const config = JSON.parse(this.#ctx.pg().config_json());
    const named = this.#ctx.config() && this.#ctx.config().analysis && this.#ctx.config().analysis[kind];
    if (named && typeof named === 'object') config.analysis = { ...config.analysis, [kind]: named };
    return JSON.stringify(config);
  }

  /** Runs analysis `kind` again with `settings` merged into its section (and the link). */
  #rerun(kind, settings) {
    for (const section of this.#sections()) {
      section[kind] = { ...(typeof section[kind] === 'object' ? section[kind] : {}), ...settings };
    }
    this.run(kind);
  }

  /**
   * The `analysis` section (made when missing) of the running config and of the draft, which
   * the link and the next applied change are written from: an edit goes to both.
   */
  #sections() {
    return [this.#ctx.config(), this.#ctx.draft()].filter(Boolean).map((config) => {
      config.analysis = config.analysis || {};
      return config.analysis;
    });
  }

  /** Names `kind` in the experiment's `analysis` section (keeping its settings) for the link. */
  #nameInSection(kind) {
    const added = this.#sections().filter((section) => section[kind] === undefined || section[kind] === false);
    for (const section of added) section[kind] = NAMED[kind] ?? {};
    try {
      this.#ctx.writeHash();
    } catch {
      // Settings the analysis cannot do without are missing: the link stays as it was, and
      // the worker's message names the missing field.
      for (const section of added) delete section[kind];
    }
    for (const config of [this.#ctx.config(), this.#ctx.draft()]) {
      if (config && config.analysis && Object.keys(config.analysis).length === 0) delete config.analysis;
    }
  }

  /**
   * Applies config changes (the doctor's remedy, theory's optimal settings): Rust (the analysis
   * worker's `apply_remedy`) makes the new experiment, with the changes as a new run beside run
   * `run` when they change only that run, or applied to the experiment (a stopping rule or the
   * problem is shared by every run).
   */
  async #applyChanges(run, changes) {
    const ctx = this.#ctx;
    const before = ctx.config();
    try {
      const changed = JSON.parse(await applyRemedy({ config: ctx.pg().config_json(), run, remedy: changes }));
      if (ctx.config() !== before) return; // the experiment changed meanwhile
      if (changed.runs.length === before.runs.length + 1) ctx.addRun(changed.runs[changed.runs.length - 1]);
      else await ctx.load(changed);
    } catch (error) {
      replace(this.#$.alert, h('strong', null, 'The remedy could not be applied: '), error.message);
      this.#$.alert.hidden = false;
    }
  }

  /** The remedy button's words: a new run, or a change of the whole experiment. */
  static remedyWords(run, diagnosis) {
    return diagnosis.remedy.every((c) => c.path.startsWith(`runs[${run}].`)) ? 'Try the remedy as a new run' : 'Apply the remedy to the experiment';
  }
}
