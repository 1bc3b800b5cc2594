// The runs: the status list above the views (each run's state, report in words and, for a
// model, its epoch, losses, generalization gap and accuracies; at the status rate while
// animating), and in full mode the sidebar's runs list (color, select, state updated in place)
// with its Add / Duplicate / Remove buttons.
//
// Host contract (the widget's ctx): pg(), config(), draft(), kind(), isModel(), selected(),
// setSelected(i), select(i), full, snapshot(), lastSnap(), apply(kind) -> bool, rerender(what),
// render(part).

import { h, replace } from './dom.js';
import { PALETTE, fmt } from './catalog.js';
import { draftColor } from './sidebar.js';
import { STATUS_INTERVAL_MS } from './frame-loop.js';
import { clone, num } from './util.js';

const STATE_ICON = { running: '▸', converged: '✓', diverged: '✗', stopped: '!' };
const MAX_RUNS = 16;

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

export class RunsList {
  #ctx;
  #status; // ul.status
  #list; // ul.runs-list (full mode)
  #actions;
  #stateSpans = null;
  #lastStatusAt = 0;

  /** `els`: the skeleton's status, runsList and runActions. */
  constructor(ctx, els) {
    this.#ctx = ctx;
    this.#status = els.status;
    this.#list = els.runsList || null;
    this.#actions = els.runActions || null;
    this.#status.addEventListener('click', (e) => {
      const li = e.target.closest && e.target.closest('li[data-run]');
      if (li && ctx.full && ctx.isModel()) ctx.select(Number(li.dataset.run));
    });
  }

  /** The status list is drawn in full at the next render. */
  resetStatusClock() {
    this.#lastStatusAt = 0;
  }

  /** The status list; unless `force`, at most every STATUS_INTERVAL_MS. */
  renderStatus(force, snap) {
    const ctx = this.#ctx;
    const now = performance.now();
    if (!force && now - this.#lastStatusAt < STATUS_INTERVAL_MS) return;
    this.#lastStatusAt = now;
    const reports = JSON.parse(ctx.pg().report_json());
    const model = ctx.isModel();
    const selected = ctx.selected();
    const s = model ? (snap || ctx.lastSnap() || ctx.snapshot()) : null;
    const items = reports.map((r, i) => h('li', {
      class: `state-${r.state} ${i === selected && ctx.full ? 'selected' : ''}`,
      dataset: { run: String(i) },
      title: model && ctx.full ? 'Click to show this run in the model view' : null,
    },
    h('span', { class: 'swatch', style: { background: r.color } }),
    h('span', { class: 'icon', 'aria-hidden': 'true' }, STATE_ICON[r.state] || ''),
    h('strong', { class: 'run-label' }, r.label),
    ': ',
    h('span', { class: 'text' }, model ? modelText(r.text) : r.text),
    s && s.runs[i] ? this.#trainingLine(s.runs[i]) : null));
    replace(this.#status, items);
  }

  /** Epoch, both losses, the gap and (classification) both accuracies of a run. */
  #trainingLine(run) {
    const t = run.training;
    if (!t) return null;
    const gap = num(t.gap);
    const gapText = Number.isFinite(gap) ? `${gap >= 0 ? '+' : '−'}${fmt(Math.abs(gap))}` : '—';
    const parts = [
      h('span', { class: 'fact' }, 'epoch ', h('b', null, Number(t.epoch).toLocaleString('en-US'))),
      h('span', { class: 'fact' }, 'loss: training ', h('b', null, fmt(num(t.train_loss))), ', validation ', h('b', null, fmt(num(t.validation_loss)))),
      h('span', { class: `fact gap ${gap > 0 ? 'pos' : ''}`, title: 'generalization gap: validation loss minus training loss' }, 'gap ', h('b', null, gapText)),
    ];
    if (this.#ctx.kind() === 'classification') {
      parts.push(h('span', { class: 'fact' }, 'accuracy: training ', h('b', null, pct(t.train_accuracy)), ', validation ', h('b', null, pct(t.validation_accuracy))));
    }
    const config = this.#ctx.config();
    const es = config.stop && config.stop.early_stopping;
    if (run.status.criterion === 'early_stopping' && run.status.state === 'converged' && es && es.restore_best !== false && t.best_step !== null && t.best_step !== undefined) {
      parts.push(h('span', { class: 'fact restored' }, `weights restored to step ${t.best_step} (validation ${fmt(num(t.best_validation_loss))})`));
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
      const color = h('input', { type: 'color', value: draftColor(ctx.draft(), i), 'aria-label': `Color of ${run.label}`, dataset: { path: `runs[${i}].color.list` } });
      color.addEventListener('change', () => { run.color = color.value; if (ctx.apply('cosmetic')) ctx.rerender('run'); });
      const pick = h('button', {
        type: 'button', class: 'run-pick', 'aria-pressed': String(i === selected), dataset: { path: `runs[${i}].select` },
        onclick: () => ctx.select(i),
      }, h('span', { class: 'run-name' }, run.label), h('span', { class: `run-state state-${states[i] || 'running'}` }, states[i] || ''));
      return h('li', { class: i === selected ? 'selected' : '' }, color, pick);
    });
    this.#stateSpans = [...items].map((li) => li.querySelector('.run-state'));
    replace(this.#list, items);
    ctx.render('model-head');
    const full = runs.length >= MAX_RUNS;
    replace(this.#actions,
      h('button', { type: 'button', disabled: full, onclick: () => this.#addRun(false), dataset: { path: 'runs.add' } }, '+ Add run'),
      h('button', { type: 'button', disabled: full, onclick: () => this.#addRun(true), dataset: { path: 'runs.duplicate' } }, 'Duplicate'),
      h('button', { type: 'button', disabled: runs.length <= 1, onclick: () => this.#removeRun(), dataset: { path: 'runs.remove' } }, 'Remove'));
  }

  /** Updates the state shown in the runs list in place (the list itself is not rebuilt). */
  updateStates(snap) {
    const spans = this.#stateSpans;
    if (!spans) return;
    snap.runs.forEach((r, i) => {
      const span = spans[i];
      if (!span || span.textContent === r.status.state) return;
      span.textContent = r.status.state;
      span.className = `run-state state-${r.status.state}`;
    });
  }

  #uniqueLabel(base) {
    const labels = new Set(this.#ctx.draft().runs.map((r) => r.label));
    if (!labels.has(base)) return base;
    for (let i = 2; ; i += 1) if (!labels.has(`${base} ${i}`)) return `${base} ${i}`;
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
      run.label = this.#uniqueLabel(`${current.label} copy`.slice(0, 58));
    } else {
      run = { label: this.#uniqueLabel('run'), optimizer: { name: 'SGD', lr: 0.01 }, schedule: { name: 'constant' } };
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
