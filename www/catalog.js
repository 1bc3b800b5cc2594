// The vocabulary of the page: problems, datasets, models, optimizers and schedules with
// their titles, formulas, blurbs and fields (label, input type, torch's default, range, help),
// the stopping rules' defaults, the experiment's limits and the run palette. All of it comes from the Rust core
// (`catalog()`, src/config/catalog/), which takes every name and default from the config
// reader itself: the build writes it, with `converge catalog`, to pkg/catalog.json beside the
// wasm (the wasm does not carry the catalogue's code and words; the build fails if a config and
// its description disagree). This module only reshapes it for the controls and adds the page's
// own presentation (speeds, the sample CSV).
//
// A field descriptor: {key, label, type, default, initial, help, keep, options, min, max, step,
// format, dfltText, hide_if}.
//   type: 'number' | 'int' | 'bool' | 'select' | 'betas' | 'optint' | 'ints' | 'optnumber' | 'range'
//         | 'expression' (a typed function f(x, y), www/expression-field.js)
//   default: the core's value when the field is omitted (absent when the field is required).
//   keep: always written to the config even when equal to the default (lr, required fields).
//   initial: the value the page starts from when the core has no default.
//   hide_if: [key, value]: the field is hidden while that field has that value.

import { loadEngine, call } from './wasm.js';
import { speedLabel } from './pace.js';

const CATALOG_URL = new URL('./pkg/catalog.json', import.meta.url);

/** The catalogue the build wrote beside the wasm. */
async function fetchCatalog() {
  const response = await fetch(CATALOG_URL);
  if (!response.ok) throw new Error(`the catalogue (${CATALOG_URL.pathname}) did not load: HTTP ${response.status}`);
  return response.json();
}

/** Entries by name, in the core's order, with their fields as `params` for problems and data. */
function byName(entries, fieldsAs = 'fields') {
  return Object.fromEntries(entries.map((e) => [e.name, { ...e, [fieldsAs]: e.fields }]));
}

/** A field list by key. */
function byKey(fields) {
  return Object.fromEntries(fields.map((f) => [f.key, f]));
}

// Live bindings, filled by `loadCatalog()` (which every widget awaits before it builds its
// forms), so that the element is defined at once, before the engine has loaded.
export let PROBLEMS = {};
export let DATASETS = {};
export let DATASET_GROUPS = [];
export let MODELS = {};
export let MODEL_FIELDS = {};
export let MODEL_LIMITS = {};
/** The experiment's limits the controls keep to: {maxRuns, maxLabelChars, maxCsvBytes, maxSweepValues}. */
export let LIMITS = {};
export let TRAINING_FIELDS = {};
export let OPTIMIZERS = {};
export let LOOKAHEAD_FIELDS = [];
export let WEIGHT_DECAY_NOTES = {};
export let SCHEDULES = {};
export let STOP_DEFAULTS = {};
/** The search section's defaults: {max_resource, eta, seed, population}. */
export let SEARCH_DEFAULTS = {};
/** The analysis overlays' codes: {point_kinds (a kind's code is its index), pending_cell}. */
export let OVERLAY_CODES = { point_kinds: [], pending_cell: null };
export let PALETTE = [];
/** The page's starting choices (src/config/catalog/starts.rs): {run, landscape, dataset, model_for_task, layer_units}. */
export let STARTS = {};
/** The analyses of the analysis card, in order: {name, title, blurb, needs}. */
export let ANALYSES = [];

let loading = null;

/** Loads the engine and reads the catalogue from it, once; resolves when the exports are set. */
export function loadCatalog() {
  if (!loading) {
    loading = Promise.all([fetchCatalog(), loadEngine()]).then(([catalog]) => {
      PROBLEMS = byName(catalog.problems, 'params');
      DATASETS = byName(catalog.datasets, 'params');
      DATASET_GROUPS = catalog.dataset_groups;
      MODELS = byName(catalog.models);
      MODEL_FIELDS = Object.fromEntries(catalog.models.map((m) => [m.name, byKey(m.fields)]));
      MODEL_LIMITS = catalog.model_limits;
      LIMITS = catalog.limits;
      TRAINING_FIELDS = byKey(catalog.training_fields);
      OPTIMIZERS = byName(catalog.optimizers);
      LOOKAHEAD_FIELDS = catalog.lookahead_fields;
      WEIGHT_DECAY_NOTES = catalog.weight_decay_notes;
      SCHEDULES = byName(catalog.schedules);
      STOP_DEFAULTS = catalog.stop_defaults;
      SEARCH_DEFAULTS = catalog.search_defaults;
      OVERLAY_CODES = catalog.overlay_codes;
      PALETTE = catalog.palette;
      STARTS = catalog.starts;
      ANALYSES = catalog.analyses;
    });
  }
  return loading;
}

/** The defaults of a model's fields, with its name: a fresh model config. */
function defaultModel(name) {
  const out = { name };
  for (const f of MODELS[name].fields) out[f.key] = structuredClone(f.default);
  return out;
}

/** A fresh model config that fits a task: the current one when it fits, else the task's starting model. */
export function modelForTask(model, task) {
  if (model && MODELS[model.name] && MODELS[model.name].tasks.includes(task)) return model;
  return defaultModel(STARTS.model_for_task[task] || STARTS.model_for_task.regression);
}

/** A fresh model config of the named kind, with the core's defaults. */
export function newModel(name) {
  return defaultModel(name);
}

// An example CSV offered when "Your data" is chosen: 24 noisy points of a parabola.
export const SAMPLE_CSV = `x,y
-1.00,1.07
-0.91,0.76
-0.83,0.72
-0.74,0.49
-0.65,0.47
-0.57,0.28
-0.48,0.30
-0.39,0.12
-0.30,0.14
-0.22,0.02
-0.13,0.05
-0.04,-0.03
0.04,0.04
0.13,-0.01
0.22,0.09
0.30,0.05
0.39,0.19
0.48,0.20
0.57,0.36
0.65,0.38
0.74,0.59
0.83,0.66
0.91,0.86
1.00,0.97
`;

/** Regression or classification, from the data config (CSV: from the first data line). */
export function dataTask(data) {
  if (!data) return null;
  const spec = DATASETS[data.name];
  if (spec && spec.task) return spec.task;
  if (data.name !== 'csv') return null;
  return csvShape(data.text || '').columns === 3 ? 'classification' : 'regression';
}

/** Column count (2, 3 or null) and number of data lines of a CSV text, as the core reads it. */
export function csvShape(text) {
  const [columns, rows] = call((w) => w.csv_shape(String(text)));
  return { columns: columns || null, rows };
}

/**
 * The number of points of a model problem and how many train and validate, as the core cuts
 * them: {points, train, validation}, all 0 while the problem is not valid.
 */
export function splitSizes(problem) {
  try {
    const [points = 0, train = 0, validation = 0] = call((w) => w.data_split(JSON.stringify(problem)));
    return { points, train, validation };
  } catch (e) {
    if (e && e.internal) throw e;
    return { points: 0, train: 0, validation: 0 };
  }
}

/** A fresh model problem config. */
export function newModelProblem(dataName = STARTS.dataset) {
  const task = DATASETS[dataName].task || 'regression';
  return { name: 'model', data: { name: dataName }, model: modelForTask(null, task) };
}

/** Does this optimizer (or Lookahead's inner one) have momentum or betas for cyclic schedules? */
export function hasMomentum(opt) {
  if (!opt) return false;
  if (opt.name === 'Lookahead') return hasMomentum(opt.inner);
  return Boolean(OPTIMIZERS[opt.name] && OPTIMIZERS[opt.name].hasMomentum);
}

/** A fresh optimizer config: the name and lr only (everything else takes torch's defaults). */
export function newOptimizer(name, lr) {
  const spec = OPTIMIZERS[name];
  const out = { name };
  for (const f of spec.fields) if (f.keep) out[f.key] = f.key === 'lr' && lr !== undefined ? lr : f.default;
  return out;
}

/** A fresh landscape config with the page's starting values for the fields it requires (`custom`'s f). */
export function newProblem(name) {
  const out = { name };
  for (const f of (PROBLEMS[name] ? PROBLEMS[name].params : [])) {
    if (f.default === undefined && f.initial !== undefined) out[f.key] = structuredClone(f.initial);
  }
  return out;
}

/** A fresh schedule config with the page's starting values for fields torch requires. */
export function newSchedule(name, optimizer) {
  const spec = SCHEDULES[name];
  const out = { name };
  for (const f of spec.fields) {
    if (f.initial !== undefined) out[f.key] = structuredClone(f.initial);
  }
  // A schedule of schedules starts with the core's list (a warm-up, then cosine annealing).
  if (spec.children) out.schedulers = structuredClone(spec.children);
  if ((name === 'OneCycleLR' || name === 'CyclicLR') && optimizer && !hasMomentum(optimizer)) out.cycle_momentum = false;
  return out;
}

/** The effective value of a field: the config's own value, else torch's default, else the page's starting value. */
export function fieldValue(obj, f) {
  if (obj && Object.prototype.hasOwnProperty.call(obj, f.key)) return obj[f.key];
  return f.default !== undefined ? f.default : f.initial;
}

/** Short human-readable number: 4 significant digits, exponent form for tiny/huge values. */
export function fmt(x) {
  if (typeof x === 'string') return x; // "inf", "nan"
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(3).replace(/\.?0+e/, 'e');
}

export const DEFAULT_PRESET = 'bowl';

export const SPEEDS = ['1', '10', '100', '1000', 'max'].map((speed) => [speed, speedLabel(speed)]);

