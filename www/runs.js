// The runs: the status list beside the picture, above the first charts (each run's mark, how it
// ended and where it is, in the core's words (src/run/report.rs), with one sentence of advice; for
// a model, its epoch, losses, generalization gap and accuracies; at the status rate while
// animating; while the timeline is scrubbed, each run as it stood at that step, from its
// recorded history, marked "at step s" and never as the live verdict: Playground::states_at), a
// polite live region that announces each run that converges, stops or diverges, and in full mode
// the sidebar's runs list (color, select, state updated in place) with its Add / Duplicate /
// Remove buttons.
//
// Host contract (the widget's ctx): pg(), config(), draft(), kind(), isModel(), selected(),
// setSelected(i), select(i), full, snapshot(), lastSnap(), apply(kind) -> bool, rerender(what),
// render(part), viewStep(), colorOf(i).

import { h, replace } from './dom.js';
import { PALETTE, LIMITS, STARTS, fmt } from './catalog.js';
import { colorOf } from './context.js';
import { STATUS_INTERVAL_MS } from './frame-loop.js';
import { clone, num } from './util.js';

// The report's mark (src/run/verdict.rs): only a criterion firing at a minimum gets the tick,
// an amber one at a local minimum that is not the global one (widget.css); a criterion firing
// anywhere else gets a warning sign (text presentation, not an emoji).
const MARK_ICON = { running: '▸', success: '✓', local_minimum: '✓', caution: '⚠\uFE0E', early_stopped: '↺', stopped: '!', diverged: '✗' };

function pct(x) {
  const v = num(x);
  if (!Number.isFinite(v)) return '—';
  const p = v * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

export class RunsList {
  #ctx;
  #status; // ul.status
  #list; // ul.runs-list (full mode)
  #actions;
  #stateSpans = null;
  #lastStatusAt = 0;
  #live; // the polite live region
  #announced = []; // each run's state when last announced (or seen running)
  #lastReports = null;

  /** `els`: the skeleton's status, runsList and runActions. */
  constructor(ctx, els) {
    this.#ctx = ctx;
    this.#status = els.status;
    this.#list = els.runsList || null;
    this.#actions = els.runActions || null;
    this.#live = h('p', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.#status.after(this.#live);
    this.#status.addEventListener('click', (e) => {
      const li = e.target.closest && e.target.closest('li[data-run]');
      if (li && ctx.full && ctx.isModel()) ctx.select(Number(li.dataset.run));
    });
  }

  /** The status list is drawn in full at the next render; the runs start over (not announced). */
  resetStatusClock() {
    this.#lastStatusAt = 0;
    this.#announced = [];
    this.#live.textContent = '';
  }

  /** The status list; unless `force`, at most every STATUS_INTERVAL_MS. */
  renderStatus(force, snap) {
    const ctx = this.#ctx;
    const now = performance.now();
    if (!force && now - this.#lastStatusAt < STATUS_INTERVAL_MS) return;
    this.#lastStatusAt = now;
    const viewStep = ctx.viewStep();
    if (viewStep !== null) {
      this.#renderAtStep(viewStep);
      return;
    }
    const reports = ctx.pg().report();
    this.#lastReports = reports;
    const model = ctx.isModel();
    const selected = ctx.selected();
    const s = model ? (snap || ctx.lastSnap() || ctx.snapshot()) : null;
    const items = reports.map((r, i) => h('li', {
      class: `state-${r.state} mark-${r.mark} ${i === selected && ctx.full ? 'selected' : ''}`,
      dataset: { run: String(i), mark: r.mark, end: r.end },
      title: model && ctx.full ? 'Click to show this run in the model view' : null,
    },
    h('span', { class: 'swatch', style: { background: r.color } }),
    h('span', { class: 'icon', 'aria-hidden': 'true' }, MARK_ICON[r.mark] || ''),
    h('strong', { class: 'run-label' }, r.label),
    ': ',
    // A model's place is its losses, which the training line below gives in full.
    h('span', { class: 'text' }, model || !r.place ? r.ended : `${r.ended}, ${r.place}`),
    r.advice ? h('span', { class: 'advice' }, r.advice) : null,
    s && s.runs[i] ? this.#trainingLine(s.runs[i]) : null));
    replace(this.#status, items);
    this.#announce(reports);
    this.#markStates(reports);
  }

  /**
   * The status list at the timeline's step: each run's step, loss and (models) losses and
   * accuracies there, in the core's words, with no verdict mark or advice.
   */
  #renderAtStep(step) {
    const ctx = this.#ctx;
    const states = ctx.pg().states_at(step);
    const runs = ctx.config().runs;
    const selected = ctx.selected();
    const reports = this.#lastReports;
    const items = states.map((st, i) => h('li', {
      class: `at-step ${i === selected && ctx.full ? 'selected' : ''}`,
      dataset: { run: String(i), atStep: String(step) },
    },
    h('span', { class: 'swatch', style: { background: reports && reports[i] ? reports[i].color : ctx.colorOf(i) } }),
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '▹'),
    h('strong', { class: 'run-label' }, runs[i] ? runs[i].label : ''),
    ': ',
    h('span', { class: 'text' }, st)));
    replace(this.#status, items);
  }

  /** Announces, politely, every run that has ended since the last announcement. */
  #announce(reports) {
    const news = [];
    reports.forEach((r, i) => {
      const before = this.#announced[i] || 'running';
      this.#announced[i] = r.state;
      if (r.state !== before && r.state !== 'running') news.push(`${r.label}: ${r.place ? `${r.ended}, ${r.place}` : r.ended}.`);
    });
    if (news.length) this.#live.textContent = news.join(' ');
  }

  /** The sidebar's state words from the reports' marks. */
  #markStates(reports) {
    const spans = this.#stateSpans;
    if (!spans) return;
    reports.forEach((r, i) => {
      const span = spans[i];
      if (!span) return;
      const word = r.word; // the mark in words, from Rust's report
      if (span.textContent !== word) span.textContent = word;
      span.dataset.state = r.state;
      span.className = `run-state state-${r.state} mark-${r.mark}`;
    });
  }

  /** Epoch, both losses, the gap and (classification) both accuracies of a run. */
  #trainingLine(run) {
    const t = run.training;
    if (!t) return null;
    const epoch = h('span', { class: 'fact' }, 'epoch ', h('b', null, Number(t.epoch).toLocaleString('en-US')));
    if (t.evaluated_at === null || t.evaluated_at === undefined) {
      // Nothing measured yet: Rust's NaN placeholders are not losses.
      const why = t.evaluates ? 'not evaluated yet: the first evaluation comes with the first step' : 'no evaluations (eval_every is 0)';
      return h('span', { class: 'train-line' }, [epoch, h('span', { class: 'fact' }, why)]);
    }
    const gap = num(t.gap);
    const gapText = Number.isFinite(gap) ? `${gap >= 0 ? '+' : '−'}${fmt(Math.abs(gap))}` : '—';
    const parts = [
      epoch,
      h('span', { class: 'fact' }, 'loss: training ', h('b', null, fmt(num(t.train_loss))), ', validation ', h('b', null, fmt(num(t.validation_loss)))),
      h('span', { class: `fact gap ${gap > 0 ? 'pos' : ''}`, title: 'generalization gap: validation loss minus training loss' }, 'gap ', h('b', null, gapText)),
    ];
    if (this.#ctx.kind() === 'classification') {
      parts.push(h('span', { class: 'fact' }, 'accuracy: training ', h('b', null, pct(t.train_accuracy)), ', validation ', h('b', null, pct(t.validation_accuracy))));
    }
    return h('span', { class: 'train-line' }, parts);
  }

  /** The sidebar's list of runs and its buttons (then the model view's head). */
  renderList(snap) {
    if (!this.#list) return;
    const ctx = this.#ctx;
    const s = snap || ctx.snapshot();
    const states = s ? s.runs.map((r) => r.status.state) : [];
    const runs = ctx.draft().runs;
    const selected = ctx.selected();
    const items = runs.map((run, i) => {
      const color = h('input', { type: 'color', value: colorOf(ctx.draft(), i), 'aria-label': `Color of ${run.label}`, dataset: { path: `runs[${i}].color.list` } });
      color.addEventListener('change', () => { run.color = color.value; if (ctx.apply('cosmetic')) ctx.rerender('run'); });
      const pick = h('button', {
        type: 'button', class: 'run-pick', 'aria-pressed': String(i === selected), dataset: { path: `runs[${i}].select` },
        onclick: () => ctx.select(i),
      }, h('span', { class: 'run-name' }, run.label), h('span', { class: `run-state state-${states[i] || 'running'}` }, states[i] || ''));
      return h('li', { class: i === selected ? 'selected' : '' }, color, pick);
    });
    this.#stateSpans = [...items].map((li) => li.querySelector('.run-state'));
    replace(this.#list, items);
    if (this.#lastReports && this.#lastReports.length === runs.length) this.#markStates(this.#lastReports);
    ctx.render('model-head');
    const full = runs.length >= LIMITS.maxRuns;
    replace(this.#actions,
      h('button', { type: 'button', disabled: full, onclick: () => this.#addRun(false), dataset: { path: 'runs.add' } }, '+ Add run'),
      h('button', { type: 'button', disabled: full, onclick: () => this.#addRun(true), dataset: { path: 'runs.duplicate' } }, 'Duplicate'),
      h('button', { type: 'button', disabled: runs.length <= 1, onclick: () => this.#removeRun(), dataset: { path: 'runs.remove' } }, 'Remove'));
  }

  /**
   * Catches a run whose state changed since the status list was drawn: the list, the sidebar's
   * state words and the live region are brought up to date at once, not at the status rate.
   */
  updateStates(snap) {
    if (this.#ctx.viewStep() !== null) return;
    const reports = this.#lastReports;
    if (!reports || reports.length !== snap.runs.length) return;
    if (snap.runs.some((r, i) => r.status.state !== reports[i].state)) this.renderStatus(true, snap);
  }

  /** `text`, or `text 2`, `text 3`...: a label no run has, cut to the core's length limit. */
  #uniqueLabel(text) {
    const cut = (s, n) => [...s].slice(0, n).join('');
    const max = LIMITS.maxLabelChars;
    const labels = new Set(this.#ctx.draft().runs.map((r) => r.label));
    const base = cut(text, max);
    if (!labels.has(base)) return base;
    for (let i = 2; ; i += 1) {
      const suffix = ` ${i}`;
      const label = `${cut(text, max - suffix.length)}${suffix}`;
      if (!labels.has(label)) return label;
    }
  }

  #freeColor() {
    const runs = this.#ctx.draft().runs;
    const used = new Set(runs.map((r, i) => (r.color || PALETTE[i % PALETTE.length]).toLowerCase()));
    return PALETTE.find((c) => !used.has(c)) || PALETTE[runs.length % PALETTE.length];
  }

  /** Adds a run to the experiment (the search card's best configuration), selected. */
  add(run) {
    const draft = this.#ctx.draft();
    draft.runs.push({ ...clone(run), label: this.#uniqueLabel(run.label), color: this.#freeColor() });
    this.#appended();
  }

  #appended() {
    const ctx = this.#ctx;
    ctx.setSelected(ctx.draft().runs.length - 1);
    ctx.apply('structure');
    ctx.render('controls');
  }

  #addRun(duplicate) {
    const draft = this.#ctx.draft();
    const current = draft.runs[this.#ctx.selected()];
    let run;
    if (duplicate && current) {
      run = clone(current);
      run.label = this.#uniqueLabel(`${current.label} copy`);
    } else {
      run = clone(STARTS.run);
      run.label = this.#uniqueLabel(run.label);
      if (current && Array.isArray(current.x0)) run.x0 = [...current.x0];
    }
    run.color = this.#freeColor();
    draft.runs.push(run);
    this.#appended();
  }

  #removeRun() {
    const ctx = this.#ctx;
    const draft = ctx.draft();
    if (draft.runs.length <= 1) return;
    draft.runs.splice(ctx.selected(), 1);
    ctx.setSelected(Math.max(0, ctx.selected() - 1));
    ctx.apply('structure');
    ctx.render('controls');
  }
}
