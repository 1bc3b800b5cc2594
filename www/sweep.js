// The complexity sweep card (models trained on data): the values to try (polynomial degrees or
// units per hidden layer), Start and Stop, the sweep trained by the core in frames of about
// SWEEP_FRAME_MS (half of it while the runs play) with an adaptive budget, its progress, the
// U-curve of final training and validation loss (drawn by Rust) and the result in words; a
// change to the experiment clears it. Fires `sweepdone` {results} on the element when complete.
//
// Host contract (the widget's ctx): pg(), config(), isModel(), selected(), playing(),
// fillAlert(el, title, lines, dismissible), dispatch(type, detail).

import { h } from './dom.js';
import { fmt, LIMITS } from './catalog.js';
import { num } from './util.js';
import { CHART_W } from './charts.js';
import { fitCanvas } from './canvas-size.js';

const SWEEP_FRAME_MS = 8;
const SWEEP_DEFAULTS = { degree: '1-15', hidden_units: '1, 2, 4, 8, 16, 32' };

/** Parses "1-15" or "1, 2, 4, 8" (ranges allowed) into integers; throws with a reason. */
function parseValues(text) {
  const out = [];
  for (const token of String(text).split(/[\s,;]+/).filter(Boolean)) {
    const m = /^(\d+)\s*(?:-|–|\.\.)\s*(\d+)$/.exec(token);
    if (m) {
      const a = Number(m[1]);
      const b = Number(m[2]);
      if (b < a) throw new Error(`"${token}": a range must go up`);
      if (b - a + 1 > LIMITS.maxSweepValues) throw new Error(`"${token}" has ${b - a + 1} values: give at most ${LIMITS.maxSweepValues}`);
      for (let v = a; v <= b; v += 1) out.push(v);
    } else if (/^\d+$/.test(token)) {
      out.push(Number(token));
    } else {
      throw new Error(`"${token}" is not a whole number or a range such as 1-15`);
    }
  }
  if (!out.length) throw new Error('give at least one value, e.g. 1-15 or 1, 2, 4, 8');
  return out;
}

export class SweepCard {
  #ctx;
  #$ = {};
  #sweep = null; // {param, values, label, loop, budget, running, shown, state, startedAt}
  #loop = 0;
  /** The card (a section). */
  element;

  constructor(ctx) {
    this.#ctx = ctx;
    const $ = this.#$;
    $.param = h('span', { class: 'sweep-param' });
    $.values = h('input', { type: 'text', class: 'sweep-values', spellcheck: 'false', autocomplete: 'off', dataset: { path: 'sweep.values' }, 'aria-label': 'Values to try' });
    $.start = h('button', { type: 'button', class: 'primary sweep-start', onclick: () => this.#start() }, 'Start sweep');
    $.stop = h('button', { type: 'button', class: 'sweep-stop', disabled: true, onclick: () => this.#stop() }, 'Stop');
    $.log = h('input', { type: 'checkbox', checked: true });
    $.log.addEventListener('change', () => this.#draw());
    $.bar = h('progress', { class: 'sweep-bar', max: 1, value: 0 });
    $.progress = h('span', { class: 'sweep-progress', role: 'status' });
    $.status = h('div', { class: 'sweep-status', hidden: true }, $.bar, $.progress);
    $.alert = h('div', { class: 'alert sweep-alert', role: 'alert', hidden: true });
    $.canvas = h('canvas', { class: 'sweep-canvas', width: CHART_W, height: 240, role: 'img', 'aria-label': 'Final training and validation loss against model complexity' });
    $.empty = h('div', { class: 'empty', hidden: true });
    $.text = h('p', { class: 'sweep-result', 'aria-live': 'polite' });
    $.wrap = h('div', { class: 'canvas-wrap sweep-wrap', hidden: true }, $.canvas, $.empty);
    $.intro = h('p', { class: 'note' });
    this.element = h('section', { class: 'card sweep-card', hidden: true, 'aria-label': 'Complexity sweep' },
      h('div', { class: 'card-head' }, h('span', { class: 'card-title' }, 'Complexity sweep: under- and overfitting'),
        h('label', { class: 'check small-check chart-opts' }, $.log, ' log y')),
      $.intro,
      $.alert,
      h('div', { class: 'sweep-grid' },
        h('div', { class: 'sweep-controls' },
          h('label', { class: 'sweep-label' }, $.param, $.values),
          h('div', { class: 'sweep-buttons' }, $.start, $.stop),
          $.status,
          $.text),
        $.wrap));
  }

  /** The sweep in progress or last run, or null (tests read `running`). */
  get state() {
    return this.#sweep;
  }

  /** Does a sweep train now? */
  get running() {
    return !!(this.#sweep && this.#sweep.running);
  }

  /** Sets the values to try (a preset's). */
  setValues(text) {
    this.#$.values.value = text;
  }

  /** Stops training (the element left the page): as Stop does, so that Start works on return. */
  halt() {
    this.#stop();
  }

  /** The sweep's parameter for the current model, or null when the model has none. */
  #param() {
    const config = this.#ctx.config();
    const model = config && config.problem && config.problem.model;
    if (!this.#ctx.isModel() || !model) return null;
    if (model.name === 'polynomial') return 'degree';
    if (model.name === 'mlp') return 'hidden_units';
    return null;
  }

  render() {
    const $ = this.#$;
    const config = this.#ctx.config();
    if (!config) return;
    const param = this.#param();
    this.element.hidden = !param;
    if (!param) return;
    if ($.values.dataset.param !== param) {
      $.values.dataset.param = param;
      $.values.value = SWEEP_DEFAULTS[param];
    }
    const run = config.runs[this.#ctx.selected()];
    $.param.textContent = param === 'degree' ? 'Degrees' : 'Units per hidden layer';
    $.intro.textContent = `Trains the model once for each ${param === 'degree' ? 'polynomial degree' : 'number of units in every hidden layer'} with run “${run ? run.label : ''}”’s optimizer and stopping rule, each from its own initial weights, and plots the final training loss (solid) and validation loss (dashed). Too simple a model underfits (both high); too complex a model overfits (training low, validation high).`;
  }

  #buttons() {
    const running = this.running;
    this.#$.start.disabled = running;
    this.#$.stop.disabled = !running;
    this.#$.values.disabled = running;
  }

  #start() {
    const $ = this.#$;
    const ctx = this.#ctx;
    const pg = ctx.pg();
    const param = this.#param();
    if (!param || !pg) return;
    $.alert.hidden = true;
    let values;
    try {
      values = parseValues($.values.value);
      pg.start_sweep(param, new Float64Array(values), ctx.selected());
    } catch (e) {
      const lines = String(e && e.message ? e.message : e).split('\n').filter(Boolean);
      ctx.fillAlert($.alert, 'The sweep cannot start:', lines.map((l) => (l.startsWith('sweep') ? l : `sweep.values: ${l}`)), true);
      return;
    }
    const run = ctx.config().runs[ctx.selected()];
    this.#sweep = { param, values, label: run ? run.label : '', loop: ++this.#loop, budget: 64, running: true, shown: -1, state: 'running', startedAt: performance.now() };
    $.text.textContent = '';
    $.empty.hidden = true;
    $.wrap.hidden = false;
    $.status.hidden = false;
    this.#buttons();
    this.#progress([]);
    const loop = this.#sweep.loop;
    requestAnimationFrame(() => this.#frame(loop));
  }

  #stop() {
    if (!this.#sweep || !this.#sweep.running) return;
    this.#sweep.running = false;
    this.#sweep.state = 'stopped';
    this.#buttons();
    const pg = this.#ctx.pg();
    if (!pg) return;
    const results = pg.sweep();
    this.#progress(results);
    this.#draw();
    this.#$.text.textContent = this.#sentence(results, false);
  }

  /** The experiment changed: the core dropped the sweep, so the card forgets it too. */
  invalidate() {
    const $ = this.#$;
    if (!this.#sweep) return;
    const had = this.#sweep;
    had.running = false;
    this.#sweep = null;
    this.#buttons();
    const c2d = $.canvas.getContext('2d');
    c2d.clearRect(0, 0, $.canvas.width, $.canvas.height);
    $.bar.value = 0;
    $.progress.textContent = '';
    $.status.hidden = true;
    $.text.textContent = '';
    $.empty.textContent = 'The experiment changed since the last sweep: press “Start sweep” to run it again.';
    $.empty.hidden = false;
  }

  /** One frame of the sweep: trains for about SWEEP_FRAME_MS, then draws what is finished. */
  #frame(loop) {
    const sw = this.#sweep;
    const pg = this.#ctx.pg();
    if (!sw || !sw.running || sw.loop !== loop || !pg) return;
    const target = this.#ctx.playing() ? SWEEP_FRAME_MS / 2 : SWEEP_FRAME_MS;
    const t0 = performance.now();
    let finished = false;
    for (;;) {
      const c0 = performance.now();
      finished = pg.advance_sweep(sw.budget);
      const dt = performance.now() - c0;
      if (dt < target / 4 && sw.budget < 1 << 22) sw.budget *= 2;
      else if (dt > target && sw.budget > 1) sw.budget = Math.max(1, Math.floor(sw.budget / 2));
      if (finished || performance.now() - t0 >= target * 0.75) break;
    }
    const results = pg.sweep();
    if (results.length !== sw.shown) {
      sw.shown = results.length;
      this.#draw();
      this.#$.text.textContent = finished ? '' : this.#sentence(results, false);
    }
    this.#progress(results);
    if (finished) {
      sw.running = false;
      sw.state = 'done';
      this.#buttons();
      this.#draw();
      this.#progress(results);
      this.#$.text.textContent = this.#sentence(results, true);
      this.#ctx.dispatch('sweepdone', { results });
      return;
    }
    requestAnimationFrame(() => this.#frame(loop));
  }

  #progress(results) {
    const sw = this.#sweep;
    if (!sw) return;
    const total = sw.values.length;
    const steps = results.reduce((a, r) => a + r.steps, 0);
    this.#$.bar.max = total;
    this.#$.bar.value = results.length;
    const what = sw.state === 'done' ? 'Done' : sw.state === 'stopped' ? 'Stopped' : 'Training';
    this.#$.progress.textContent = `${what}: ${results.length} of ${total} ${sw.param === 'degree' ? 'degrees' : 'sizes'} (${steps.toLocaleString('en-US')} steps)`;
  }

  #draw() {
    const pg = this.#ctx.pg();
    if (!this.#sweep || !pg) return;
    try {
      fitCanvas(this.#$.canvas);
      pg.draw_sweep(this.#$.canvas, this.#$.log.checked);
    } catch (e) {
      console.warn('sweep:', e);
    }
  }

  /** The sweep's result in one or two sentences. */
  #sentence(results, complete) {
    const sw = this.#sweep;
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
      // With a penalty or early stopping, the regularization may be what keeps the largest
      // model from overfitting: say so rather than only suggesting larger models.
      const problem = this.#ctx.config().problem || {};
      const reg = problem.regularization || {};
      const regularized = num(reg.l2) > 0 || num(reg.l1) > 0 || num(reg.dropout) > 0;
      const larger = sw.param === 'degree' ? 'larger degrees' : 'more units per layer';
      // Rust's `overfits`: the status lines' rule of a validation loss far above the training loss.
      const overfit = points.filter((p) => p.overfits);
      if (!complete) return text;
      if (overfit.length > 0) {
        const values = overfit.map((p) => p.value);
        const list = values.length === 1 ? `${values[0]}` : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
        const which = sw.param === 'degree'
          ? `the model${values.length === 1 ? '' : 's'} of degree ${list} overfit${values.length === 1 ? 's' : ''}`
          : `the model${values.length === 1 ? '' : 's'} with ${list} unit${list === '1' ? '' : 's'} per layer overfit${values.length === 1 ? 's' : ''}`;
        text += ` It is still falling at the largest value tried, yet ${which}: training loss ${fmt(last.train_loss)} against validation ${fmt(last.validation_loss)} at ${name(last.value)}. ${larger[0].toUpperCase()}${larger.slice(1)} may lower the validation loss a little more; L2 or early stopping would narrow the gap.`;
      } else {
        text += regularized
          ? ' It is still falling at the largest value tried: with this run’s regularization no model in this range overfits (set the penalty to 0 to see the difference).'
          : ` It is still falling at the largest value tried: no overfitting in this range — try ${larger}.`;
      }
      return text;
    }
    if (best !== first && first.validation_loss > best.validation_loss) {
      text += ` Below it the model underfits (${name(first.value)}: training ${fmt(first.train_loss)}, validation ${fmt(first.validation_loss)}).`;
    } else if (best === first) {
      text += ' The simplest model tried generalizes best.';
    }
    if (last.validation_loss > best.validation_loss) {
      const trainFalls = last.train_loss <= best.train_loss;
      text += trainFalls
        ? ` Above it the model overfits: training loss keeps falling (${fmt(last.train_loss)} at ${name(last.value)}) while validation loss rises (${fmt(last.validation_loss)}).`
        : ` Above it validation loss rises again (${fmt(last.validation_loss)} at ${name(last.value)}).`;
    }
    if (best.overfits) {
      text += ` Even the best of them overfits (training ${fmt(best.train_loss)}, validation ${fmt(best.validation_loss)}): L2 or early stopping would narrow the gap.`;
    }
    return text;
  }
}
