// Text alternatives of the canvases: each canvas's aria-label says what it shows now, for readers
// who cannot see the picture. The landscape names the problem, the view box and where each run
// is (point, loss, state); the model view names the selected run and its losses; each chart
// names its quantity and each run's latest value. Labels are rewritten at most every
// LABEL_INTERVAL_MS while the animation runs (and always when it stops), so that screen readers
// are not flooded; an aria-label is not announced when it changes, only when it is read.
//
// While the timeline is scrubbed the labels describe the scrubbed step instead: each run as it
// stood there, in the core's words (`states`, from Playground::states_at), and where the charts'
// cursor is; never the live numbers, which the picture no longer shows.
//
// describeCanvases(root, { snap, config, titleOf(name), kind, selected, view, undefinedF (the
//   landscape has points without a value of f, painted grey), viewStep, states, now, force })

import { fmt } from './catalog.js';

const LABEL_INTERVAL_MS = 500;

// The snapshot field each chart's latest value comes from, by the chart's first label.
const VALUE_OF = {
  'Loss vs step': (run) => run.loss,
  'Learning rate vs step': (run) => run.lr,
  'Gradient norm vs step': (run) => run.grad_norm,
};

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? fmt(Number(v.toPrecision(4))) : String(v));

function runWords(run) {
  const state = run.status && run.status.state ? run.status.state : 'running';
  const at = run.status && run.status.at_step != null && state !== 'running' ? ` at step ${run.status.at_step}` : '';
  return `${run.label}: ${state.replace(/_/g, ' ')}${at}`;
}

function landscapeLabel(snap, config, titleOf, view, undefinedF) {
  const title = titleOf(config.problem.name);
  const box = view && view.length === 4
    ? ` Shown: x from ${num(view[0])} to ${num(view[1])}, y from ${num(view[2])} to ${num(view[3])}.`
    : '';
  const runs = snap.runs.map((r) => {
    const p = Array.isArray(r.params) && r.params.length === 2 ? ` at (${num(r.params[0])}, ${num(r.params[1])})` : '';
    return `${runWords(r)}, step ${r.step}${p}, loss ${num(r.loss)}`;
  });
  const grey = undefinedF ? ' (grey where f has no value)' : '';
  return `Loss landscape of ${title}, brighter is higher${grey}, with each run’s path.${box} ${runs.join('; ')}.`;
}

function modelLabel(snap, selected, kind) {
  const run = snap.runs[selected] || snap.runs[0];
  if (!run) return 'What the selected run has learned.';
  const what = kind === 'classification' ? 'Decision boundary' : 'Fitted curve';
  const t = run.training || {};
  const facts = [`step ${run.step}`, `training loss ${num(run.loss)}`];
  if (typeof t.validation_loss === 'number') facts.push(`validation loss ${num(t.validation_loss)}`);
  if (typeof t.train_accuracy === 'number') facts.push(`training accuracy ${Math.round(t.train_accuracy * 100)} %`);
  return `${what} of ${run.label} over the data: ${facts.join(', ')}; ${runWords(run)}.`;
}

function chartLabel(base, snap) {
  const value = VALUE_OF[base];
  const maxStep = snap.runs.reduce((m, r) => Math.max(m, r.step), 0);
  const runs = snap.runs.map((r) => (value ? `${r.label} ${num(value(r))}` : runWords(r)));
  return `${base}, steps 0 to ${maxStep}. ${value ? 'Latest: ' : ''}${runs.join('; ')}.`;
}

// When each widget's labels were last written (one throttle per shadow root).
const lastAt = new WeakMap();

/** The labels at a scrubbed step: what the picture and the charts show there. */
function scrubbedLabel(canvas, base, { config, titleOf, kind, selected, view, viewStep, states, snap }) {
  const runs = config.runs.map((r, i) => `${r.label}: ${states[i] ?? ''}`);
  const maxStep = snap.runs.reduce((m, r) => Math.max(m, r.step), 0);
  if (canvas.classList.contains('landscape')) {
    const box = view && view.length === 4
      ? ` Shown: x from ${num(view[0])} to ${num(view[1])}, y from ${num(view[2])} to ${num(view[3])}.`
      : '';
    return `Loss landscape of ${titleOf(config.problem.name)} at step ${viewStep} of the timeline, with each run’s path up to there.${box} ${runs.join('; ')}.`;
  }
  if (canvas.classList.contains('model-view')) {
    const what = kind === 'classification' ? 'Decision boundary' : 'Fitted curve';
    const i = states[selected] !== undefined ? selected : 0;
    return `${what} of ${config.runs[i] ? config.runs[i].label : 'the selected run'} at step ${viewStep} of the timeline: ${states[i] ?? ''}.`;
  }
  if (base.endsWith(' vs step')) return `${base}, steps 0 to ${maxStep}, the timeline’s cursor at step ${viewStep}. ${runs.join('; ')}.`;
  return null;
}

/** Rewrites the aria-label of every canvas under `root` from the snapshot (or, while the
 * timeline is scrubbed, from the runs' states at its step). */
export function describeCanvases(root, { snap, config, titleOf, kind, selected, view, undefinedF = false, viewStep = null, states = null, now, force }) {
  if (!snap || !config) return;
  if (!force && now - (lastAt.get(root) ?? -Infinity) < LABEL_INTERVAL_MS) return;
  lastAt.set(root, now);
  for (const canvas of root.querySelectorAll('canvas')) {
    if (!canvas.dataset.baseLabel) canvas.dataset.baseLabel = canvas.getAttribute('aria-label') || '';
    const base = canvas.dataset.baseLabel;
    let label = null;
    if (viewStep !== null && states) {
      label = scrubbedLabel(canvas, base, { config, titleOf, kind, selected, view, viewStep, states, snap });
    } else if (canvas.classList.contains('landscape')) label = landscapeLabel(snap, config, titleOf, view, undefinedF);
    else if (canvas.classList.contains('model-view')) label = modelLabel(snap, selected, kind);
    else if (base.endsWith(' vs step')) label = chartLabel(base, snap);
    if (label !== null && canvas.getAttribute('aria-label') !== label) canvas.setAttribute('aria-label', label);
  }
}
