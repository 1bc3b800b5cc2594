// The analyses' pictures: for the learning-rate sweep, the range test, the seed bands and the
// rate readout, the numbers of the report (the keys of `converge analyse`) become the JSON spec
// of Rust's generic series chart (src/chart/series.rs: series, bands, labelled vertical lines,
// a shaded range, log axes), which the page's wasm draws on a canvas (Playground
// draw_series_chart). Nothing here computes a result: it only picks which numbers go on which
// axis. Each figure keeps its chart sharp and sized to its column (canvas-size.js, a
// ResizeObserver) and carries a text alternative.
//
// figures(kind, report, { pg, runIndex(label), colorOf(i), rangeLabel, bandLabel }) -> [figure
// elements] (rangeLabel, bandLabel: the run a range test or seed bands were computed for); each
// figure draws itself once it is in the document. Chart keys (for pg.chart_layout(key)) are
// `analysis:<kind>:<name>`. Bounds and suggestions are dashed vertical lines named in the legend.

import { h } from './dom.js';
import { fitCanvas } from './canvas-size.js';
import { fmt } from './catalog.js';

/** Height over width of every analysis chart. */
const ASPECT = 0.62;
/** Opacity of the min-max band and of the mean ± standard deviation band. */
const RANGE_OPACITY = 0.14;
const SPREAD_OPACITY = 0.3;

/** The style (run index and colour) of the run labelled `label`. */
function runStyle(label, { runIndex, colorOf }) {
  const i = Math.max(0, runIndex(label));
  return { style: i, color: colorOf(i) };
}

/** The distinct run labels of the sweep's rows, in order. */
const labelsOf = (rows) => [...new Set(rows.map((r) => r.run))];

function sweepSpecs(s, host) {
  const vlines = s.theory
    ? [{ x: s.theory.gd_stable_below, label: `2/L = ${fmt(s.theory.gd_stable_below)}: GD stable below` },
      { x: s.theory.gd_optimal_lr, label: `2/(L+μ) = ${fmt(s.theory.gd_optimal_lr)}: GD fastest` }]
    : [];
  const kept = s.rows.filter((r) => r.outcome !== 'diverged' && Number.isFinite(r.final_loss));
  const finalSeries = labelsOf(s.rows).map((label) => {
    const rows = kept.filter((r) => r.run === label);
    return { label, ...runStyle(label, host), x: rows.map((r) => r.lr), y: rows.map((r) => r.final_loss), markers: true };
  });
  const stepSeries = labelsOf(s.rows).map((label) => {
    // Only runs that converged at a minimum (Rust's `reached`): a test that fired on a slope or
    // on a model that learned nothing is not a convergence to count.
    const rows = s.rows.filter((r) => r.run === label && r.reached && r.converged_at !== null);
    return { label, ...runStyle(label, host), x: rows.map((r) => r.lr), y: rows.map((r) => r.converged_at), markers: true };
  });
  const common = { log_x: true, x_from_one: true, x_label: 'learning rate', vlines };
  return [
    { name: 'final_loss', caption: 'Final loss against the learning rate (diverged runs left out)',
      spec: { ...common, log_y: 'auto', series: finalSeries } },
    { name: 'steps', caption: 'Step at which the run converged against the learning rate (runs that diverged, ran out of steps, stopped away from a minimum or learned nothing left out)',
      spec: { ...common, log_y: false, series: stepSeries } },
  ];
}

function rangeSpecs(r, host) {
  const lrs = r.points.map((p) => p[0]);
  const raw = r.points.map((p) => p[1]);
  const smooth = r.points.map((p) => p[2]);
  const own = runStyle(host.rangeLabel ?? '', host);
  const vlines = r.steepest ? [{ x: r.steepest, label: `steepest fall, lr ${fmt(r.steepest)}` }] : [];
  return [{ name: 'loss', caption: r.suggested ? 'Loss against the learning rate; the suggested range shaded' : 'Loss against the learning rate (no range suggested)',
    spec: { log_x: true, x_from_one: true, log_y: 'auto', x_label: 'learning rate', vlines, shade: r.suggested ?? undefined,
      series: [
        { label: 'loss', style: 5, color: '#9aa3ad', x: lrs, y: raw },
        { label: 'smoothed', style: 0, color: own.color, x: lrs, y: smooth },
      ] } }];
}

function bandSpecs(b, host) {
  const own = runStyle(host.bandLabel ?? '', host);
  // Mean ± one standard deviation, within the seeds' min and max (a loss is never below its least).
  const low = b.mean.map((m, i) => Math.max(m - b.std[i], b.min[i]));
  const high = b.mean.map((m, i) => Math.min(m + b.std[i], b.max[i]));
  const series = [{ label: `mean of ${b.seeds} seed${b.seeds === 1 ? '' : 's'} (bands: min–max, ± std)`, style: 0, color: own.color, x: b.steps, y: b.mean }];
  if (b.full_batch.length > 0) series.push({ label: 'full batch, same optimizer', style: 1, color: '#0072b2', x: b.steps.slice(0, b.full_batch.length), y: b.full_batch });
  const caption = b.compared
    ? 'Training loss against the step: the seeds’ spread as bands, the same run in full batch as a line'
    : 'Training loss against the step: the seeds’ spread as bands';
  return [{ name: 'bands', caption,
    spec: { x_label: 'step', log_y: 'auto', series,
      bands: [
        { style: 0, color: own.color, x: b.steps, low: b.min, high: b.max, opacity: RANGE_OPACITY },
        { style: 0, color: own.color, x: b.steps, low, high, opacity: SPREAD_OPACITY },
      ] } }];
}

function rateSpecs(perRun, host, logLog) {
  const measured = perRun.filter((r) => r.result);
  const chart = (name, key, fitKey, what) => {
    const series = [];
    const fits = [];
    for (const { label, result } of measured) {
      const own = runStyle(label, host);
      const points = result[key].filter(([, e]) => e > 0);
      series.push({ label, ...own, x: points.map((p) => p[0]), y: points.map((p) => p[1]) });
      const fit = result[fitKey];
      if (fit && fit.model !== 'not_converging') {
        // Every fit looks the same (dark, long dashes); the legend names the first for all.
        fits.push({ label: fits.length === 0 ? 'fitted rate' : '', style: 3, color: '#333333', x: fit.curve.map((p) => p[0]), y: fit.curve.map((p) => p[1]) });
      }
    }
    series.push(...fits);
    return { name, caption: `${what} against the step${logLog ? ' (log-log)' : ''}, with the fitted rate`,
      spec: { log_x: logLog, log_y: true, x_label: 'step', series } };
  };
  return measured.length === 0 ? [] : [
    chart('value', 'value_gap', 'value_fit', 'f − f*'),
    chart('distance', 'distance', 'distance_fit', '‖w − w*‖'),
  ];
}

/** One figure: a caption and a canvas that Rust draws `spec` on, redrawn when it resizes. */
function figure(kind, { name, caption, spec }, pg) {
  const canvas = h('canvas', { class: 'analysis-canvas', width: 600, height: Math.round(600 * ASPECT), role: 'img', 'aria-label': caption });
  const problem = h('p', { class: 'note analysis-chart-error', hidden: true });
  const key = `analysis:${kind}:${name}`;
  const json = JSON.stringify(spec);
  const draw = () => {
    if (!canvas.isConnected || !fitCanvas(canvas, ASPECT)) return;
    try {
      pg.draw_series_chart(canvas, key, json);
      problem.hidden = true;
    } catch (error) {
      problem.textContent = `The chart could not be drawn: ${error.message}`;
      problem.hidden = false;
    }
  };
  if ('ResizeObserver' in window) {
    // A figure replaced by a newer partial result leaves the document (its size drops to 0,
    // which calls this once more): its observer lets go of it then.
    const observer = new ResizeObserver(() => (canvas.isConnected ? draw() : observer.disconnect()));
    observer.observe(canvas);
  }
  requestAnimationFrame(draw);
  return h('figure', { class: 'analysis-figure', dataset: { chart: key } },
    h('figcaption', null, caption), h('div', { class: 'canvas-wrap' }, canvas), problem);
}

/**
 * The figures of `report` for analysis `kind` (none for an analysis without a picture here);
 * `host` gives the Playground (`pg`), a run's index by label (`runIndex`) and its colour
 * (`colorOf`), and the labels of the range test's and the band's run.
 */
export function figures(kind, report, host) {
  const value = report[kind];
  if (!value || !host.pg) return [];
  let specs = [];
  if (kind === 'lr_sweep' && value.rows.length > 0) specs = sweepSpecs(value, host);
  else if (kind === 'lr_range' && value.points.length > 1) specs = rangeSpecs(value, host);
  else if (kind === 'seed_bands' && value.steps.length > 1) specs = bandSpecs(value, host);
  else if (kind === 'rate') {
    // The rate's charts have a log-log switch: the x axis in log10(step + 1).
    const box = h('div', { class: 'analysis-figures' });
    const toggle = h('input', { type: 'checkbox', class: 'analysis-loglog' });
    const fill = () => {
      box.replaceChildren(...rateSpecs(value, host, toggle.checked).map((s) => figure(kind, s, host.pg)));
    };
    toggle.addEventListener('change', fill);
    fill();
    if (box.childElementCount === 0) return [];
    return [h('label', { class: 'analysis-toggle' }, toggle, ' log-log (step on a log axis)'), box];
  }
  return specs.length === 0 ? [] : [h('div', { class: 'analysis-figures' }, specs.map((s) => figure(kind, s, host.pg)))];
}
