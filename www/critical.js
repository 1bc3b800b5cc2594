// The critical-points view under the landscape (issue #12): "Inspect points" makes a click on
// the picture (or the x, y fields and Classify, from the keyboard) classify that point from its
// Hessian (Rust: analysis::critical::classify_point) and name the known minimum whose basin holds
// it; "Show every critical point" has Rust find them all in the view (Newton's method from a grid
// of seeds, run between frames by analysis-runner.js) and draw them over the landscape, marked by
// kind. Both are the experiment's `analysis` section (`classify`, `critical_points`), so the link
// reopens them.
//
// Host contract (the widget's ctx): pg(), config(), draft(), writeHash(); plus the landscape view
// (its canvas and draw()).

import { h } from './dom.js';
import { fmt } from './catalog.js';
import { AnalysisRunner } from './analysis-runner.js';

/** How each kind of point is marked on the picture (src/chart/critical.rs) and named. */
const KINDS = {
  minimum: { symbol: '▼', one: 'minimum', many: 'minima' },
  saddle: { symbol: '◆', one: 'saddle point', many: 'saddle points' },
  maximum: { symbol: '▲', one: 'maximum', many: 'maxima' },
  degenerate: { symbol: '■', one: 'degenerate point', many: 'degenerate points' },
};

const point = (x) => `(${fmt(x[0])}, ${fmt(x[1])})`;

/** A classified point in words. */
export function describePoint(r) {
  const kind = KINDS[r.kind] || KINDS.degenerate;
  const eig = `Hessian eigenvalues ${fmt(r.eigenvalues[0])} and ${fmt(r.eigenvalues[1])}`;
  const what = r.critical
    ? `${point(r.x)} is a ${kind.one} (gradient zero; ${eig}), f = ${fmt(r.value)}.`
    : `${point(r.x)} is not a critical point (|∇f| = ${fmt(r.gradient_norm)}, f = ${fmt(r.value)}); f curves like a ${kind.one} there (${eig}).`;
  let basin;
  if (r.basin !== null && r.basin !== undefined) basin = `Following the gradient downhill leads to the known minimum at ${point(r.flows_to)}: the point lies in its basin.`;
  else if (r.flows_to) basin = `Following the gradient downhill ends at ${point(r.flows_to)}, which is not a known minimum of this landscape.`;
  else basin = 'Following the gradient downhill leaves the finite values: f has no minimum that way.';
  return `${what} ${basin}`;
}

export class CriticalPanel {
  #ctx;
  #landscape;
  #runner = new AnalysisRunner();
  #$ = {};
  #inspecting = false;
  /** The panel, placed under the landscape. */
  element;

  constructor(ctx, landscape) {
    this.#ctx = ctx;
    this.#landscape = landscape;
    const $ = this.#$;
    $.show = h('input', { type: 'checkbox', id: 'critical-show', dataset: { path: 'analysis.critical_points' } });
    $.show.addEventListener('change', () => this.#update());
    $.found = h('p', { class: 'note critical-found', role: 'status' });
    $.inspect = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', dataset: { path: 'analysis.inspect' }, onclick: () => this.#toggleInspect() }, 'Inspect points');
    $.x = h('input', { type: 'text', inputmode: 'decimal', 'aria-label': 'x of the point to classify', dataset: { path: 'analysis.classify[0][0]' }, spellcheck: 'false', autocomplete: 'off' });
    $.y = h('input', { type: 'text', inputmode: 'decimal', 'aria-label': 'y of the point to classify', dataset: { path: 'analysis.classify[0][1]' }, spellcheck: 'false', autocomplete: 'off' });
    const classify = h('button', { type: 'button', class: 'small', dataset: { path: 'analysis.classify' } }, 'Classify');
    const form = h('form', { class: 'classify-form' }, 'x ', $.x, ' y ', $.y, ' ', classify);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.#classify([Number($.x.value), Number($.y.value)]); });
    classify.addEventListener('click', (e) => { e.preventDefault(); this.#classify([Number($.x.value), Number($.y.value)]); });
    $.report = h('p', { class: 'critical-report', 'aria-live': 'polite' });
    this.element = h('div', { class: 'critical-panel' },
      h('div', { class: 'critical-row' },
        h('label', { class: 'check', for: 'critical-show' }, $.show, ' Show every critical point'),
        $.inspect, form),
      $.found, $.report);
    // A click while inspecting classifies the point instead of moving a start (this listener
    // runs before the landscape's own, at the canvas, in the capture phase).
    landscape.canvas.addEventListener('pointerdown', (e) => {
      if (!this.#inspecting || e.button !== 0) return;
      e.stopImmediatePropagation();
      const rect = landscape.canvas.getBoundingClientRect();
      const p = this.#ctx.pg().canvas_to_params(rect.width, rect.height, e.clientX - rect.left, e.clientY - rect.top);
      if (p.length === 2) this.#classify([Number(p[0].toPrecision(6)), Number(p[1].toPrecision(6))]);
    }, { capture: true });
  }

  /** A new experiment: the panel shows what its analysis section names (or nothing). */
  reset(config) {
    this.#runner.cancel();
    const section = (config && config.analysis) || {};
    this.#$.show.checked = !!section.critical_points;
    const first = Array.isArray(section.classify) ? section.classify[0] : null;
    this.#$.report.textContent = '';
    this.#$.found.textContent = '';
    if (first) { this.#$.x.value = String(first[0]); this.#$.y.value = String(first[1]); }
    if (section.critical_points || first) this.#update(first);
  }

  #toggleInspect() {
    this.#inspecting = !this.#inspecting;
    this.#$.inspect.setAttribute('aria-pressed', String(this.#inspecting));
    this.#landscape.canvas.classList.toggle('inspecting', this.#inspecting);
  }

  #classify(p) {
    if (!p.every(Number.isFinite)) {
      this.#$.report.textContent = 'Type two numbers, x and y.';
      return;
    }
    this.#$.x.value = String(p[0]);
    this.#$.y.value = String(p[1]);
    this.#update(p);
  }

  /** Writes the section (classify: `p`, if any; critical points if shown) and runs it. */
  async #update(p = null) {
    const ctx = this.#ctx;
    const pg = ctx.pg();
    const section = { ...((ctx.config() && ctx.config().analysis) || {}) };
    delete section.critical_points;
    delete section.classify;
    if (this.#$.show.checked) section.critical_points = {};
    if (p) section.classify = [p];
    let quick;
    try {
      quick = pg.analyse(JSON.stringify(section));
    } catch (e) {
      if (e && e.internal) throw e;
      this.#$.report.textContent = String(e && e.message ? e.message : e);
      return;
    }
    const config = ctx.config();
    const draft = ctx.draft();
    for (const target of [config, draft]) {
      if (!target) continue;
      if (Object.keys(section).length) target.analysis = structuredClone(section);
      else delete target.analysis;
    }
    ctx.writeHash();
    if (p) this.#$.report.textContent = quick.classify && quick.classify[0] ? describePoint(quick.classify[0]) : 'This problem has no 2-D landscape to classify points on.';
    if (!this.#$.show.checked) {
      this.#runner.cancel();
      this.#$.found.textContent = '';
      this.#landscape.draw();
      return;
    }
    this.#$.found.textContent = 'Searching the view for critical points…';
    const done = await this.#runner.run(pg, () => this.#landscape.draw());
    if (!done) return;
    const report = pg.analysis_report();
    this.#$.found.textContent = foundText(report && report.critical_points ? report.critical_points : []);
    this.#landscape.draw();
  }
}

/** "Found 9 critical points in view: ▼ 4 minima, ◆ 4 saddle points, ▲ 1 maximum." */
function foundText(points) {
  if (!points.length) return 'No critical point in view.';
  const parts = Object.entries(KINDS).map(([kind, k]) => {
    const n = points.filter((p) => p.kind === kind).length;
    return n ? `${k.symbol} ${n} ${n === 1 ? k.one : k.many}` : null;
  }).filter(Boolean);
  return `Found ${points.length} critical point${points.length === 1 ? '' : 's'} in view: ${parts.join(', ')}.`;
}
