// The hyperparameter search card: the search space editor, the method (Hyperband, successive
// halving, random search, population-based training) and its settings, the run with a progress
// bar and a Cancel button, the charts (every trial's objective at each rung; the best objective
// against the resource spent, for comparing methods given the same budget; PBT's learning rates),
// a table of the trials sortable by any column, and the best configuration one click away as a
// new run. Compared with random search on the same budget, both bests are named, and the lower
// one is what "Add the best" adds; PBT names the final population's best and, apart, the lowest
// objective any member reached on the way.
//
// Hyperband, successive halving and random search train their trials in Web Workers
// (search-worker.js), one per core: the Rust search on the page (Playground.search_jobs /
// report_search) says which trial to train to how many units and closes each stage when its
// outcomes are in, so the results are the same bits whatever the number of workers, and equal
// to `converge search` on the same config. PBT copies members into each other, so it trains on
// the page in slices of a few milliseconds per frame. The page's main thread never trains a
// trial of the other methods.
//
// The search section is part of the experiment (config.search), so the page's link and the
// CLI reproduce it. From the widget's ctx it uses pg(), config() and draft() (the section is
// recorded in both), writeHash(), addRun(run) and dispatch(type, detail) (`searchdone`
// {cancelled, results} on the element when a search ends).

import { h, replace } from './dom.js';
import { compiledModule } from './wasm.js';
import { SEARCH_DEFAULTS } from './catalog.js';
import { fitCanvas, drawGrowing } from './canvas-size.js';

const METHODS = [
  ['hyperband', 'Hyperband'],
  ['successive_halving', 'Successive halving'],
  ['random', 'Random search'],
  ['pbt', 'Population-based training'],
];
const METHOD_NAME = Object.fromEntries(METHODS);

/** A trial's configuration in words: "lr = 0.1, betas[0] = 0.9". */
function valuesOf(row) {
  return Object.entries(row.configuration).map(([k, v]) => `${k} = ${short(v)}`).join(', ');
}

/** The search's best in words. PBT judges its members at the last round, and a member may have
 * been lower earlier (a state the population did not keep): both are named. */
/**
 * What a trial trained, in words: its budget and, when they differ, the steps its run took (a run
 * may stop before its budget: converged, or diverged).
 */
function trainedWords(trial, unit) {
  if (unit === 'steps' && trial.steps === trial.units) return `${trial.units} steps`;
  return `a budget of ${trial.units} ${unit}, ${trial.steps} steps taken`;
}

function bestWords(results) {
  const best = results.best;
  const bracket = best.bracket === null || best.bracket === undefined ? '' : `, bracket s = ${best.bracket}`;
  if (!results.pbt) {
    return `Best objective ${short(best.objective)} with ${valuesOf(best)} (trial ${best.index}${bracket}, ${trainedWords(best, results.unit)}).`;
  }
  let text = `Best of the final population: objective ${short(best.objective)} with ${valuesOf(best)} (member ${best.index}, ${trainedWords(best, results.unit)}).`;
  const low = results.lowest;
  if (low && low.objective < best.objective) {
    text += ` Lowest objective seen while training: ${short(low.objective)} (member ${low.index}, round ${low.round}, ${trainedWords(low, results.unit)}); the population did not keep that state (training on raised its loss, or a better member was copied over it).`;
  }
  return text;
}
// Steps the page trains per slice of a PBT search, adapted so that a slice takes about SLICE_MS.
const SLICE_MS = 8;
const MAX_WORKERS = 8;
const MAX_TABLE_ROWS = 400;
const CHART_W = 400;
const CHART_H = 240;

/** Workers that train trials; resolves once every worker has built its trainer. */
class WorkerPool {
  #workers = [];

  /** Starts `count` workers; when one cannot build its trainer, every worker stops and it rejects. */
  static async create(count, experiment) {
    const pool = new WorkerPool();
    const module = compiledModule();
    const started = Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./search-worker.js', import.meta.url), { type: 'module' });
      pool.#workers.push(worker);
      worker.addEventListener('message', (event) => {
        if (event.data.type === 'ready') resolve();
        else if (event.data.type === 'error') reject(new Error(event.data.message));
      }, { once: true });
      worker.addEventListener('error', (event) => reject(new Error(event.message || 'the search worker failed')), { once: true });
      worker.postMessage({ type: 'start', module, experiment });
    })));
    try {
      await started;
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  get size() {
    return this.#workers.length;
  }

  /** Trains every job ([index, units]); `onOutcome` gets each outcome as it arrives. */
  run(jobs, onOutcome) {
    return new Promise((resolve, reject) => {
      let next = 0;
      let running = 0;
      let failed = false;
      const feed = (worker) => {
        if (failed) return;
        if (next >= jobs.length) {
          if (running === 0) resolve();
          return;
        }
        const [index, units] = jobs[next];
        const job = next;
        next += 1;
        running += 1;
        const listen = (event) => {
          if (event.data.job !== job) return;
          worker.removeEventListener('message', listen);
          running -= 1;
          if (event.data.type === 'error') {
            failed = true;
            reject(new Error(event.data.message));
            return;
          }
          onOutcome(event.data.outcome);
          feed(worker);
        };
        worker.addEventListener('message', listen);
        worker.postMessage({ type: 'train', job, index, units });
      };
      if (jobs.length === 0) resolve();
      for (const worker of this.#workers) feed(worker);
    });
  }

  terminate() {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }
}

/** A number for a table cell or a sentence. */
function short(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (typeof value !== 'number') return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** The numeric hyperparameters of a config worth searching, as config paths. */
function numericPaths(config) {
  const out = [];
  const walk = (value, path) => {
    if (typeof value === 'number') out.push(path);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) if (key !== 'x0' && key !== 'view') walk(v, path ? `${path}.${key}` : key);
    }
  };
  (config.runs || []).forEach((run, i) => walk(run.optimizer, `runs[${i}].optimizer`));
  if (config.problem && config.problem.name === 'model') {
    walk(config.problem.regularization || {}, 'problem.regularization');
    out.push('problem.batch_size');
    if (config.problem.model && Array.isArray(config.problem.model.hidden)) {
      out.push('problem.model.width', 'problem.model.depth');
      config.problem.model.hidden.forEach((_, i) => out.push(`problem.model.hidden[${i}]`));
    }
  }
  return out;
}

export class SearchCard {
  #host;
  #$ = {};
  #space = [];
  #running = null; // {pool, cancelled, loop}
  #results = null;
  /** The other methods' results of a comparison ({method, results}), random search's today. */
  #compared = [];
  #sort = { key: 'objective', dir: 1 };
  #budget = 64;

  constructor(host) {
    this.#host = host;
    this.element = this.#build();
  }

  /** The experiment changed: a running search stops and the card starts from its section. */
  reset(config) {
    this.cancel(false);
    this.#results = null;
    this.#compared = [];
    const section = config && config.search;
    if (section) {
      this.#$.method.value = section.method;
      this.#space = (section.space || []).map((p) => ({ ...p }));
    } else {
      this.#space = [{ path: 'runs[0].optimizer.lr', low: 1e-4, high: 1, scale: 'log' }];
    }
    // What the section leaves out takes the core's defaults.
    const setting = (key) => String((section && section[key]) ?? SEARCH_DEFAULTS[key]);
    this.#$.resource.value = setting('max_resource');
    this.#$.eta.value = setting('eta');
    this.#$.seed.value = setting('seed');
    this.#$.population.value = setting('population');
    this.#$.compare.checked = false;
    this.#renderSpace();
    this.#methodChanged();
    this.#renderResults();
  }

  /** Whether Start also runs random search with the same budget (a preset may ask). */
  setCompare(on) {
    this.#$.compare.checked = on;
  }

  /** True while a search trains. */
  get running() {
    return this.#running !== null;
  }

  #build() {
    const $ = this.#$;
    $.method = h('select', { class: 'search-method', 'aria-label': 'Search method', onchange: () => this.#methodChanged() },
      METHODS.map(([value, text]) => h('option', { value }, text)));
    // The values come from the experiment's section or the core's defaults (reset()).
    const number = (cls, label, min) => h('input', { type: 'number', class: cls, min, step: 1, 'aria-label': label });
    $.resource = number('search-resource', 'Most resource per configuration (R)', 1);
    $.eta = number('search-eta', 'Keep one in eta per round', 2);
    $.seed = number('search-seed', 'Search seed', 0);
    $.population = number('search-population', 'Population size', 2);
    $.etaLabel = h('label', null, 'η ', $.eta);
    $.populationLabel = h('label', null, 'population ', $.population);
    $.compare = h('input', { type: 'checkbox', class: 'search-compare' });
    $.compareLabel = h('label', { class: 'check' }, $.compare, ' compared with random search on the same budget (run first)');
    $.space = h('div', { class: 'search-space' });
    $.paths = h('datalist', { id: `search-paths-${Math.random().toString(36).slice(2)}` });
    $.start = h('button', { type: 'button', class: 'primary search-start', onclick: () => this.start() }, 'Start search');
    $.stop = h('button', { type: 'button', class: 'search-cancel', disabled: true, onclick: () => this.cancel(true) }, 'Cancel');
    $.bar = h('progress', { class: 'search-bar', max: 1, value: 0 });
    $.progress = h('span', { class: 'search-progress', role: 'status' });
    $.status = h('div', { class: 'search-status', hidden: true }, $.bar, $.progress);
    $.alert = h('div', { class: 'alert search-alert', role: 'alert', hidden: true });
    $.summary = h('p', { class: 'search-result', 'aria-live': 'polite' });
    $.best = h('button', { type: 'button', class: 'search-best', hidden: true, onclick: () => this.#addBest() }, 'Add the best as a run');
    const canvas = (cls, label) => h('canvas', { class: cls, width: CHART_W, height: CHART_H, role: 'img', 'aria-label': label });
    $.trials = canvas('search-trials', 'Every trial’s objective at each rung of the search');
    $.budgetChart = canvas('search-budget', 'Best objective found against the resource spent, per search');
    $.lr = canvas('search-lr', 'Each PBT member’s learning rate over the steps');
    $.populationCanvas = h('canvas', { class: 'search-population', width: 300, height: 300, role: 'img', 'aria-label': 'The PBT population’s paths over the landscape; dashed: a member copies another' });
    $.charts = h('div', { class: 'search-charts', hidden: true }, $.trials, $.budgetChart, $.lr, $.populationCanvas);
    $.table = h('table', { class: 'search-table' });
    $.tableWrap = h('div', { class: 'search-table-wrap', hidden: true }, $.table);
    return h('section', { class: 'card search-card', 'aria-label': 'Hyperparameter search' },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, 'Hyperparameter search')),
      h('p', { class: 'note' }, 'Trains many configurations of one run and keeps the best. Hyperband (Li et al. 2018) runs successive halving at several trade-offs between many configurations and much resource each; random search gives every configuration the whole resource R. The resource is steps on a landscape and epochs on a model; the objective is the final loss, or the validation loss on a model.'),
      $.alert,
      h('div', { class: 'search-settings' },
        h('label', null, 'method ', $.method),
        h('label', null, 'R ', $.resource),
        $.etaLabel,
        $.populationLabel,
        h('label', null, 'seed ', $.seed),
        $.compareLabel),
      $.space,
      $.paths,
      h('div', { class: 'search-buttons' }, $.start, $.stop),
      $.status,
      $.summary,
      $.best,
      $.charts,
      $.tableWrap);
  }

  #methodChanged() {
    const $ = this.#$;
    const method = $.method.value;
    $.etaLabel.hidden = method === 'pbt';
    $.populationLabel.hidden = method !== 'pbt';
    $.compareLabel.hidden = method === 'random' || method === 'pbt';
  }

  #renderSpace() {
    const $ = this.#$;
    const config = this.#host.config();
    replace($.paths, config ? numericPaths(config).map((p) => h('option', { value: p })) : []);
    const rows = this.#space.map((param, i) => {
      const set = (key, value) => { this.#space[i][key] = value; };
      const num = (key, label) => h('input', { type: 'text', inputmode: 'decimal', class: `search-${key}`, value: param[key] === undefined ? '' : String(param[key]), 'aria-label': label,
        oninput: (e) => set(key, e.target.value === '' ? undefined : Number(e.target.value)) });
      const choices = h('input', { type: 'text', class: 'search-choices', value: Array.isArray(param.choices) ? param.choices.join(', ') : '', placeholder: 'or choices: 0, 0.5, 0.9', 'aria-label': 'Choices (comma separated)',
        oninput: (e) => set('choices', e.target.value.trim() ? e.target.value.split(',').map((v) => Number(v.trim())) : undefined) });
      const scale = h('select', { class: 'search-scale', 'aria-label': 'Scale', onchange: (e) => set('scale', e.target.value) },
        h('option', { value: 'linear', selected: param.scale !== 'log' }, 'linear'),
        h('option', { value: 'log', selected: param.scale === 'log' }, 'log'));
      const integer = h('input', { type: 'checkbox', checked: !!param.integer, onchange: (e) => set('integer', e.target.checked || undefined) });
      return h('div', { class: 'search-param' },
        h('input', { type: 'text', class: 'search-path', value: param.path || '', list: $.paths.id, spellcheck: 'false', 'aria-label': 'Config path of the hyperparameter',
          oninput: (e) => set('path', e.target.value.trim()) }),
        num('low', 'Lowest value'), num('high', 'Highest value'), scale,
        h('label', { class: 'check' }, integer, ' whole'),
        choices,
        h('button', { type: 'button', class: 'small', 'aria-label': 'Remove this hyperparameter', onclick: () => { this.#space.splice(i, 1); this.#renderSpace(); } }, '×'));
    });
    replace($.space,
      h('div', { class: 'search-space-head' }, 'Search space (a config path, a range with its scale, or a list of choices)'),
      rows,
      h('button', { type: 'button', class: 'small search-add', onclick: () => { this.#space.push({ path: '', low: 0, high: 1, scale: 'linear' }); this.#renderSpace(); } }, '+ add a hyperparameter'));
  }

  /** The search section from the editor. */
  #section(method) {
    const $ = this.#$;
    // Settings the editor does not show (objective, run, trials, rounds, interval, fraction)
    // are kept from the experiment's own section; random search's trial count is left to its
    // fair default.
    const kept = { ...((this.#host.config() || {}).search || {}) };
    if (method === 'random' || kept.method !== method) {
      delete kept.trials;
      delete kept.rounds;
    }
    const section = { ...kept, method, max_resource: Number($.resource.value), seed: Number($.seed.value), space: [] };
    delete section.population;
    // eta also sets random search's fair budget (Hyperband's for the same R and eta).
    if (method !== 'pbt') section.eta = Number($.eta.value);
    else {
      delete section.eta;
      section.population = Number($.population.value);
    }
    for (const p of this.#space) {
      if (Array.isArray(p.choices)) section.space.push({ path: p.path, choices: p.choices });
      else {
        const param = { path: p.path, low: p.low, high: p.high };
        if (p.scale === 'log') param.scale = 'log';
        if (p.integer) param.integer = true;
        section.space.push(param);
      }
    }
    return section;
  }

  /** Starts the search of the editor's settings (and, if asked, random search after it). */
  async start() {
    if (this.#running) return;
    const $ = this.#$;
    $.alert.hidden = true;
    const method = $.method.value;
    // When compared, random search runs first, so that the chosen method's trials are the ones
    // the trials chart and the table show.
    const methods = $.compare.checked && !$.compareLabel.hidden ? ['random', method] : [method];
    const pg = this.#host.pg();
    pg.clear_kept_searches();
    this.#compared = [];
    this.#running = { pool: null, cancelled: false };
    this.#buttons();
    try {
      for (const [k, m] of methods.entries()) {
        const section = this.#section(m);
        const remote = m !== 'pbt' && typeof Worker === 'function';
        const chosen = m === method;
        pg.start_search(JSON.stringify(section), remote, chosen);
        if (chosen) this.#store(section);
        this.#progress(0, `${METHOD_NAME[m]}: starting…`);
        if (remote) await this.#trainElsewhere(pg);
        else await this.#trainHere(pg);
        if (this.#running.cancelled) break;
        if (methods.length > 1) {
          pg.keep_search(`${METHOD_NAME[m]}`);
          if (!chosen) this.#compared.push({ method: m, results: pg.search_results() });
        }
      }
    } catch (e) {
      const lines = String(e && e.message ? e.message : e).split('\n').filter(Boolean);
      replace($.alert, h('strong', null, 'The search cannot run:'), h('ul', null, lines.map((l) => h('li', null, l))));
      $.alert.hidden = false;
    }
    const cancelled = this.#running ? this.#running.cancelled : true;
    if (this.#running && this.#running.pool) this.#running.pool.terminate();
    this.#running = null;
    this.#buttons();
    this.#results = pg.search_results();
    this.#renderResults(cancelled);
    this.#host.dispatch('searchdone', { cancelled, results: this.#results });
  }

  /** Records the search section in the running experiment, its draft and the link. */
  #store(section) {
    this.#host.config().search = section;
    const draft = this.#host.draft();
    if (draft) draft.search = JSON.parse(JSON.stringify(section));
    this.#host.writeHash();
  }

  /** Stops the search; what was trained so far stays in the results. */
  cancel(render = true) {
    if (!this.#running) return;
    this.#running.cancelled = true;
    if (this.#running.pool) this.#running.pool.terminate();
    if (this.#running.wake) this.#running.wake();
    if (render) this.#progress(null, 'Cancelled.');
  }

  async #trainElsewhere(pg) {
    const run = this.#running;
    const count = Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 2));
    run.pool = await WorkerPool.create(count, pg.search_experiment_json());
    try {
      await this.#trainOn(pg, run);
    } finally {
      // Each method of a comparison has a pool of its own: this one's workers stop here.
      run.pool.terminate();
      run.pool = null;
    }
  }

  /** Trains the search's jobs on the workers of `run.pool` until none is left or it is cancelled. */
  async #trainOn(pg, run) {
    const planned = pg.search_results().budget.units || 1;
    const trained = new Map();
    let done = 0;
    let drawnAt = 0;
    while (!run.cancelled) {
      const jobs = pg.search_jobs();
      if (!jobs.length) break;
      await new Promise((resolve, reject) => {
        run.wake = resolve;
        run.pool.run(jobs, (outcome) => {
          if (run.cancelled) return;
          pg.report_search(outcome);
          done += outcome.units - (trained.get(outcome.index) || 0);
          trained.set(outcome.index, outcome.units);
          this.#progress(Math.min(1, done / planned), `${run.pool.size} workers: ${done} of ${planned} units trained`);
        }).then(resolve, (e) => (run.cancelled ? resolve() : reject(e)));
      });
      if (performance.now() - drawnAt > 250) {
        drawnAt = performance.now();
        this.#results = pg.search_results();
        this.#renderResults(false, true);
      }
    }
  }

  /** Trains on the page in slices of about SLICE_MS per frame (PBT, or no Worker support). */
  #trainHere(pg) {
    const run = this.#running;
    return new Promise((resolve) => {
      run.wake = resolve;
      let drawnAt = 0;
      const frame = () => {
        if (run.cancelled) { resolve(); return; }
        const t0 = performance.now();
        const done = pg.advance_search(this.#budget);
        const dt = performance.now() - t0;
        if (dt < SLICE_MS / 2 && this.#budget < 1 << 20) this.#budget *= 2;
        else if (dt > SLICE_MS && this.#budget > 1) this.#budget = Math.max(1, this.#budget >> 1);
        if (done || performance.now() - drawnAt > 250) {
          drawnAt = performance.now();
          this.#results = pg.search_results();
          const steps = this.#results.budget.steps;
          const rows = this.#results.trials.length;
          this.#progress(done ? 1 : null, `trained on this page: ${rows} trial results, ${steps} steps`);
          this.#renderResults(false, true);
        }
        if (done) resolve();
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  }

  #buttons() {
    const running = !!this.#running;
    this.#$.start.disabled = running;
    this.#$.stop.disabled = !running;
    this.#$.status.hidden = !running && !this.#results;
  }

  #progress(fraction, text) {
    const $ = this.#$;
    $.status.hidden = false;
    if (fraction === null) $.bar.removeAttribute('value');
    else $.bar.value = fraction;
    $.progress.textContent = text;
  }

  #renderResults(cancelled = false, partial = false) {
    const $ = this.#$;
    const results = this.#results;
    const has = !!(results && results.trials && results.trials.length);
    $.charts.hidden = !has;
    $.tableWrap.hidden = !has;
    $.best.hidden = !(results && results.best_experiment) || partial;
    if (!has) {
      $.summary.textContent = '';
      return;
    }
    const pg = this.#host.pg();
    const logY = results.trials.every((r) => r.objective === null || r.objective > 0);
    // Each canvas is sized at the device pixel ratio just before it is drawn (once shown).
    const sharp = (canvas) => { fitCanvas(canvas); return canvas; };
    // A curve chart is CHART_H / CHART_W as tall as wide, or taller where Rust's layout asks for
    // more: a legend band over the plot (six brackets) would leave the plot too short to read.
    const curves = (canvas, chart, log) => {
      const css = canvas.clientWidth || CHART_W;
      drawGrowing(canvas, css, (css * CHART_H) / CHART_W, () => pg.draw_search(canvas, chart, log), () => {
        const layout = JSON.parse(pg.chart_layout(`search:${chart}`));
        return layout ? layout.height_needed : 0;
      });
    };
    try {
      // What shows is decided before anything is measured: hiding a canvas reflows the grid of
      // charts, and a canvas sized before that would be stretched (blurred) after it.
      $.lr.hidden = !results.pbt;
      const landscape = !!(results.pbt && results.pbt.paths.some((p) => p.length > 0));
      $.populationCanvas.hidden = !landscape;
      curves($.trials, 'trials', logY);
      curves($.budgetChart, 'budget', logY);
      if (results.pbt) curves($.lr, 'pbt_lr', true);
      if (landscape) pg.draw_search_population(sharp($.populationCanvas));
    } catch (e) {
      $.summary.textContent = String(e && e.message ? e.message : e);
    }
    if (!partial) {
      const best = results.best;
      const state = cancelled ? 'Cancelled after' : 'Done:';
      $.summary.textContent = best
        ? `${state} ${results.trials.length} trial results, ${results.budget.steps} steps. ${bestWords(results)}${this.#comparedWords(results)}`
        : `${state} ${results.trials.length} trial results; no configuration trained without diverging.`;
      this.#progress(cancelled ? null : 1, cancelled ? 'Cancelled.' : `Done: ${results.budget.units} units planned, ${results.budget.steps} steps trained.`);
    }
    this.#renderTable();
  }

  #renderTable() {
    const results = this.#results;
    const paths = results.trials.length ? Object.keys(results.trials[0].configuration) : [];
    // What a reader compares first (the objective and the values tried) comes first, so that
    // a phone's narrow table shows it without scrolling sideways; the search's bookkeeping after.
    const columns = [
      ['index', 'trial'], ['objective', 'objective'], ...paths.map((p) => [p, p]),
      ['bracket', 'bracket'], ['round', 'round'], ['resource', 'resource'], ['steps', 'steps'],
    ];
    const value = (row, key) => (key in row ? row[key] : row.configuration[key]);
    const { key, dir } = this.#sort;
    const rank = (v) => (v === null || v === undefined || Number.isNaN(v) ? Infinity : v);
    const rows = [...results.trials].sort((a, b) => dir * (rank(value(a, key)) - rank(value(b, key))) || a.index - b.index);
    const head = h('tr', null, columns.map(([k, label]) => {
      const sorted = k === key;
      return h('th', { scope: 'col', 'aria-sort': sorted ? (dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'search-sort', dataset: { key: k }, onclick: () => {
          this.#sort = { key: k, dir: sorted ? -dir : 1 };
          this.#renderTable();
        } }, label, sorted ? (dir > 0 ? ' ▲' : ' ▼') : ''));
    }));
    const body = rows.slice(0, MAX_TABLE_ROWS).map((row) => h('tr', row.error ? { title: row.error } : null,
      columns.map(([k]) => h('td', null, short(value(row, k))))));
    replace(this.#$.table, h('thead', null, head), h('tbody', null, body));
  }

  /** The compared methods' bests in words, and which is lower (the one "Add the best" adds). */
  #comparedWords(results) {
    const words = this.#compared.filter((c) => c.results.best).map((c) => {
      const other = c.results.best;
      return ` ${METHOD_NAME[c.method]} with the same budget: best objective ${short(other.objective)} with ${valuesOf(other)} (trial ${other.index}, ${other.units} ${c.results.unit}).`;
    });
    if (!words.length) return '';
    const winner = this.#winner();
    return `${words.join('')} Lower: ${METHOD_NAME[winner.results.method] || winner.results.method}.`;
  }

  /** The results whose best objective is lowest: the chosen method's, or a compared one's. */
  #winner() {
    let winner = { results: this.#results };
    for (const c of this.#compared) {
      const mine = winner.results && winner.results.best ? winner.results.best.objective : Infinity;
      if (c.results.best && c.results.best_experiment && c.results.best.objective < mine) winner = c;
    }
    return winner;
  }

  #addBest() {
    const results = this.#winner().results;
    if (!results || !results.best_experiment) return;
    const config = this.#host.config();
    const index = (config.search && config.search.run) || 0;
    const run = results.best_experiment.runs[index];
    if (!run) return;
    this.#host.addRun({ ...run, label: `best of ${METHOD_NAME[results.method] || results.method}` });
  }
}
