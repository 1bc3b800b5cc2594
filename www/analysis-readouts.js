// The analyses' results in words and tables, one function per analysis (keyed as in the
// `analysis` section), each returning DOM nodes built from the report of `converge analyse`
// (lab.js). They say what the numbers say and no more: a critical point is a minimum only when
// both Hessian eigenvalues are positive, a sweep's "converged" is the stopping criterion firing.
// The pictures drawn beside some of them (basin maps, sweep charts) live in their own modules.

import { h } from './dom.js';
import { fmt, OVERLAY_CODES } from './catalog.js';
import { lossPlane } from './loss-plane.js';
import { call } from './wasm.js';

// A no-break space keeps the % sign with its number when a narrow column wraps.
const pct = (share) => `${fmt(100 * share)}\u00a0%`;
const point = (x) => `(${x.map(fmt).join(', ')})`;

/** A table with a caption, a header row and one row per item. */
function table(caption, heads, rows) {
  return h('table', { class: 'analysis-table' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))));
}

const KIND_WORDS = { minimum: 'minimum', maximum: 'maximum', saddle: 'saddle', degenerate: 'degenerate point' };

function criticalPoints(points) {
  const count = (kind, one, many) => {
    const n = points.filter((p) => p.kind === kind).length;
    return `${n} ${n === 1 ? one : many}`;
  };
  const summary = `${points.length} critical point${points.length === 1 ? '' : 's'} in view: ${count('minimum', 'minimum', 'minima')}, ${count('saddle', 'saddle', 'saddles')}, ${count('maximum', 'maximum', 'maxima')}, ${count('degenerate', 'degenerate point', 'degenerate points')}.`;
  // The markers as Rust draws them (the catalogue's key to its drawing).
  const marks = OVERLAY_CODES.point_key.map(([kind, symbol, colour]) => `${symbol} a ${KIND_WORDS[kind] || kind} (${colour})`);
  const key = `On the landscape: ${marks.join(', ')}. Click any point of the landscape to classify it.`;
  return [h('p', null, summary), h('p', { class: 'note critical-key' }, key),
    table('Critical points, by the signs of the Hessian eigenvalues', ['kind', 'at', 'f', 'eigenvalues'],
      points.map((p) => [KIND_WORDS[p.kind] || p.kind, point(p.x), fmt(p.value), p.eigenvalues.map(fmt).join(', ')]))];
}

/** The words for one basin outcome. */
function outcomeWords(o) {
  if (o.kind === 'diverged') return 'diverged';
  if (o.kind === 'not_converged') return 'did not converge in the step limit';
  return `minimum at ${point(o.x)}, f = ${fmt(o.value)}`;
}

/**
 * The basins picture's legend: each outcome that some start reached, in its colour on the
 * landscape (Rust's, `basin_colors`), with its share of the starts run so far.
 */
function basinLegend(b) {
  const colors = call((w) => w.basin_colors(b.outcomes.length));
  const items = b.outcomes.map((o, i) => ({ o, color: colors[i] })).filter(({ o }) => o.count > 0);
  return h('ul', { class: 'basin-legend', 'aria-label': 'Basins: the colour of each outcome on the landscape and its share of the starts' },
    items.map(({ o, color }) => h('li', null,
      h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: color } }),
      h('span', { class: 'basin-words' }, outcomeWords(o)), ' ',
      h('strong', { class: 'basin-share' }, pct(o.share)))));
}

function basins(b) {
  const done = b.outcomes.reduce((n, o) => n + o.count, 0);
  const total = b.side * b.side;
  return [h('p', null, `${done} of ${total} starts (${b.side} × ${b.side}) run${done < total ? ' so far' : ''}; each start's cell on the landscape has the colour of where it ended (pale colours of their own, not the runs' colours). Click a cell to add a run from its start.`),
    basinLegend(b),
    table('Where the starts ended', ['outcome', 'starts', 'share'],
      b.outcomes.map((o) => [outcomeWords(o), String(o.count), pct(o.share)]))];
}

/** A clicked point in words: its kind from the Hessian, f, and the basin that holds it. */
function classify(reports) {
  return reports.map((r) => {
    const kind = KIND_WORDS[r.kind] || r.kind;
    const eig = `Hessian eigenvalues ${fmt(r.eigenvalues[0])} and ${fmt(r.eigenvalues[1])}`;
    const what = r.critical
      ? `${point(r.x)} is a critical point: a ${kind} (${eig}), f = ${fmt(r.value)}.`
      : `${point(r.x)} is not a critical point (|∇f| = ${fmt(r.gradient_norm)}, f = ${fmt(r.value)}); f curves like a ${kind} there (${eig}).`;
    let basin;
    if (r.basin !== null && r.basin !== undefined) basin = `Following the gradient downhill leads to the known minimum at ${point(r.flows_to)}: the point lies in its basin.`;
    else if (r.flows_to) basin = `Following the gradient downhill ends at ${point(r.flows_to)}, which is not a known minimum of this landscape.`;
    else basin = 'Following the gradient downhill leaves the finite values: f has no minimum that way.';
    return h('p', { class: 'classified' }, `${what} ${basin}`);
  });
}

function lrSweep(s) {
  const grid = s.lrs.length > 0 ? `${s.lrs.length} learning rates on a log grid from ${fmt(s.lrs[0])} to ${fmt(s.lrs[s.lrs.length - 1])}.` : '';
  const bound = s.theory ? ` Gradient descent is stable below 2/L = ${fmt(s.theory.gd_stable_below)} and fastest at 2/(L + μ) = ${fmt(s.theory.gd_optimal_lr)}.` : '';
  return [h('p', null, grid + bound), h('details', { class: 'analysis-details' }, h('summary', null, `Every run of the sweep (${s.rows.length} ${s.rows.length === 1 ? 'row' : 'rows'})`),
    table('Final loss and steps against the learning rate', ['run', 'lr', 'outcome', 'steps', 'final loss'],
      s.rows.map((r) => [r.run, fmt(r.lr), r.outcome === 'converged' ? `criterion fired at ${r.converged_at} (${r.word})` : r.outcome.replace(/_/g, ' '), String(r.steps), fmt(r.final_loss)])))];
}

function lrRange(r) {
  const words = r.suggested
    ? `Suggested learning rates: ${fmt(r.suggested[0])} to ${fmt(r.suggested[1])}, from where the smoothed loss starts to fall to its lowest point before it turns ragged${r.steepest ? `; it falls fastest at ${fmt(r.steepest)}` : ''}.`
    : 'The smoothed loss never fell steadily over this range, so no range is suggested; try a lower start.';
  return [h('p', null, words), r.blew_up ? h('p', null, 'The loss blew up near the end of the range: the learning rates there are too large.') : null];
}

function seedBands(b) {
  const last = b.steps.length - 1;
  if (last < 0) return [h('p', null, 'No seed has finished yet.')];
  const gd = b.full_batch.length > last ? ` The same run in full batch (every step on the whole training set): ${fmt(b.full_batch[last])}.` : '';
  const same = b.no_spread;
  const only = !b.compared && !same
    ? h('p', null, 'This run is full batch already: its seeds differ in their initial weights (and dropout masks, where it has dropout), so the band shows how much those matter, not minibatch noise.')
    : null;
  return [h('p', null, `${b.seeds} seed${b.seeds === 1 ? '' : 's'}: at step ${b.steps[last]}, where the band ends (a seed whose run stopped earlier keeps its last loss), the loss is ${fmt(b.mean[last])} on average (standard deviation ${fmt(b.std[last])}, from ${fmt(b.min[last])} to ${fmt(b.max[last])}).${gd}`),
    only,
    same ? h('p', null, 'Every seed gave the same loss at every step: nothing random in this run depends on the seed, so the band has no width. A minibatch run shows the noise of stochastic training.') : null];
}

/** The runs' measured contraction per step beside the one theory predicts. */
function contractions(measured) {
  if (!measured || measured.length === 0) return null;
  return table('Measured contraction of ‖w − w*‖ per step, beside theory', ['run', 'measured', 'theory predicts'],
    measured.map((m) => [m.label, m.measured === null ? 'not a linear rate' : fmt(m.measured),
      m.predicted === null ? '— (only for SGD, with or without momentum, at a constant lr)' : fmt(m.predicted)]));
}

/** The buttons that try theory's optimal settings as a new run beside the selected one. */
function optimalButtons(t, useOptimal, selected) {
  if (!useOptimal) return null;
  const settings = [
    ['Try gradient descent’s optimal lr', { name: 'SGD', lr: t.gd_optimal_lr }],
    ['Try heavy ball’s optimal lr and momentum', { name: 'SGD', lr: t.heavy_ball_lr, momentum: t.heavy_ball_momentum }],
  ];
  return h('p', { class: 'analysis-buttons' }, settings.map(([words, optimizer], i) =>
    h('button', { type: 'button', class: `small analysis-optimal analysis-optimal-${i === 0 ? 'gd' : 'hb'}`, onclick: () => useOptimal(optimizer) }, `${words} beside run “${selected}”`)));
}

function theory(t, useOptimal, selected) {
  if (t.unavailable) return [h('p', null, `No theory here: ${t.unavailable}.`)];
  return [table('Theory on this quadratic', ['quantity', 'value'], [
    ['smallest and largest curvature μ, L', `${fmt(t.mu)}, ${fmt(t.L)}`],
    ['condition number κ = L / μ', fmt(t.kappa)],
    ['gradient descent is stable for lr <', fmt(t.gd_stable_below)],
    ['optimal lr 2 / (L + μ), its rate (κ − 1) / (κ + 1)', `${fmt(t.gd_optimal_lr)}, ${fmt(t.gd_optimal_rate)}`],
    ['heavy ball: optimal lr, momentum', `${fmt(t.heavy_ball_lr)}, ${fmt(t.heavy_ball_momentum)}`],
    ['heavy ball rate (√κ − 1) / (√κ + 1)', fmt(t.heavy_ball_rate)],
  ]), contractions(t.measured), optimalButtons(t, useOptimal, selected)];
}

/** One fitted rate in words. */
function fitWords(fit, what) {
  if (!fit) return `${what}: too few points to fit a rate.`;
  if (fit.model === 'not_converging') return `${what} does not fall over the fitted steps ${fit.fitted_steps[0]} to ${fit.fitted_steps[1]}.`;
  const law = fit.model === 'linear'
    ? `shrinks by a factor ${fmt(fit.rate)} per step (a linear rate)`
    : `decays like 1 / t^${fmt(fit.exponent)} (a power of 1/t fits these steps better than a linear rate)`;
  // The tolerance is the readout's yardstick (Rust's), not one of the run's stopping tests; a
  // step inside the fitted ones is read off the fit, one after them is a forecast.
  const at = fit.steps_to_tolerance;
  const left = at !== null && Number.isFinite(at)
    ? `; by the fit it ${at <= fit.fitted_steps[1] ? 'fell' : 'falls'} below ${fmt(fit.tolerance)} at about step ${Math.round(at)} (a yardstick, not a stopping test)` : '';
  return `${what} ${law}, fitted on steps ${fit.fitted_steps[0]} to ${fit.fitted_steps[1]}${left}.`;
}

function rate(perRun) {
  return perRun.map(({ label, result }) => h('p', null, h('strong', null, `${label}: `),
    result ? `${fitWords(result.value_fit, 'f − f*')} ${fitWords(result.distance_fit, 'The distance to the minimum')}` : 'no minimum is known to measure the rate against.'));
}

function doctor(perRun, applyRemedy, remedyWords, until) {
  const how = h('p', { class: 'note' }, until
    ? `The runs have not ended yet: each is diagnosed from its history so far (up to step ${until.join(', ')}, where it stands now), and a symptom seen so far may pass as it trains on. Run the doctor again when they have ended for their whole history.`
    : 'Each run is diagnosed from its whole history, run to its end in the analysis worker from the same experiment (the same numbers as the runs on the page). A change to the experiment diagnoses it again.');
  return [how, ...perRun.map(({ label, result }, run) => h('div', { class: 'doctor-run' },
    h('strong', null, label),
    result.length === 0
      ? h('p', null, until ? 'No symptom in its history so far.' : 'No symptom in its history.')
      : h('ul', null, result.map((d) => h('li', null, `Step ${d.step}: ${d.text}`,
        d.remedy.length && applyRemedy ? h('button', { type: 'button', class: 'small', onclick: () => applyRemedy(run, d) }, remedyWords(run, d)) : null)))))];
}

/**
 * The readout of `report` for analysis `kind` (DOM nodes); `applyRemedy(run, diagnosis)` applies
 * the doctor's remedy, and `remedyWords(run, diagnosis)` names its button; `useOptimal(optimizer)`
 * sets theory's optimal optimizer settings on the selected run, labelled `selected`; `pg` (the
 * page's Playground) draws the pictures that Rust draws, and `rerun(settings)` runs the analysis
 * again with other settings.
 */
export function readout(kind, report, { applyRemedy = null, remedyWords = () => 'Apply the remedy', useOptimal = null, selected = '', pg = null, rerun = null, until = null } = {}) {
  const value = report[kind];
  if (value === undefined || value === null) return [h('p', null, 'No result.')];
  switch (kind) {
    case 'critical_points': return criticalPoints(value);
    case 'basins': return basins(value);
    case 'classify': return value.length ? classify(value) : [h('p', null, 'Click a point of the landscape to classify it.')];
    case 'lr_sweep': return lrSweep(value);
    case 'lr_range': return lrRange(value);
    case 'seed_bands': return seedBands(value);
    case 'theory': return theory(value, useOptimal, selected);
    case 'rate': return rate(value);
    case 'doctor': return doctor(value, applyRemedy, remedyWords, until);
    case 'loss_plane': return lossPlane(value, pg, rerun);
    default: return [h('p', null, 'No readout for this analysis.')];
  }
}
