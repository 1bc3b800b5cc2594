// Form builders for the experiment config. Each builder renders controls for one part of the
// draft config object and edits that object in place; ctx.changed(kind) then asks the widget to
// rebuild the experiment. kind: 'value' (no re-render needed), 'structure' (re-render the
// controls: the set of fields changed) or 'cosmetic' (label/color: the runs can be replayed).
// Every interactive element carries data-path (the config path, as in validation messages) so
// that errors can be pointed at and focus restored after a re-render.
//
// Host contract (the widget's ctx): changed(kind); changeKind(kind) and changeProblem(name) (the
// sidebar keeps each kind's last problem); colorOf(i); sliding() (a slider is being dragged: the
// link is written once it rests); watch(fn) (fn runs after every applied change).

import { h, select, selectValue } from './dom.js';
import {
  PROBLEMS, OPTIMIZERS, SCHEDULES, LOOKAHEAD_FIELDS, WEIGHT_DECAY_NOTES, STOP_DEFAULTS,
  DATASETS, DATASET_GROUPS, MODELS, MODEL_FIELDS, TRAINING_FIELDS, MODEL_LIMITS, LIMITS, SAMPLE_CSV, STARTS,
  fieldValue, fmt, newOptimizer, newSchedule, newModel, hasMomentum, dataTask, modelForTask, csvShape, splitSizes,
} from './catalog.js';
import { expressionField } from './expression-field.js';

let uid = 0;
const nextId = () => `f${++uid}`;

function numberText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(Number(v.toPrecision(12)));
  return String(v);
}

function parseNumberText(text) {
  const t = text.trim();
  if (t === '') return { empty: true };
  const v = Number(t);
  // A non-number is passed on as text: the Rust validation names the field and the problem.
  return Number.isFinite(v) ? { value: v } : { value: t };
}

function defaultText(spec) {
  if (spec.dfltText !== undefined) return spec.dfltText;
  const d = spec.default;
  if (d === undefined) return spec.initial !== undefined ? 'required (torch has no default)' : '';
  if (d === null) return 'default: none';
  if (typeof d === 'boolean') return `default ${d ? 'on' : 'off'}`;
  if (Array.isArray(d)) return `default (${d.map(fmt).join(', ')})`;
  if (typeof d === 'number') return `default ${spec.format === 'percent' ? rangeText(spec, d) : fmt(d)}`;
  return `default ${d}`;
}

function rangeText(spec, v) {
  if (spec.format === 'percent') return `${Math.round(v * 100)} %`;
  return String(Number(Number(v).toPrecision(6)));
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Writes a field: omitted when equal to torch's default (unless it is always kept). */
function store(obj, spec, value) {
  if (!spec.keep && spec.default !== undefined && sameValue(value, spec.default)) delete obj[spec.key];
  else obj[spec.key] = value;
}

function labelContent(spec) {
  const label = spec.label || spec.key;
  if (label.startsWith(spec.key)) {
    return [h('code', null, spec.key), label.slice(spec.key.length)];
  }
  return [label];
}

/**
 * One hyperparameter control. obj is the config object holding spec.key; path its config path.
 * kind: what a change means for ctx.changed ('value' unless the field changes the form).
 */
export function field(spec, obj, path, ctx, kind = 'value') {
  const id = nextId();
  const value = fieldValue(obj, spec);
  const fpath = path ? `${path}.${spec.key}` : spec.key;
  const dflt = h('span', { class: 'dflt' }, defaultText(spec));
  const wrap = h('div', { class: `field field-${spec.type}`, title: spec.help || null });
  const done = () => ctx.changed(kind);

  if (spec.type === 'bool') {
    const input = h('input', { type: 'checkbox', id, checked: !!value, dataset: { path: fpath } });
    input.addEventListener('change', () => { store(obj, spec, input.checked); done(); });
    wrap.append(h('label', { class: 'check', for: id }, input, ' ', ...labelContent(spec)), dflt);
    return wrap;
  }
  if (spec.type === 'expression') return expressionField(spec, obj, path, id, done);
  const label = h('label', { for: id }, ...labelContent(spec));
  if (spec.type === 'range') {
    // A slider: the experiment follows while it is dragged (at most once per frame).
    const start = typeof value === 'number' ? value : spec.default;
    const input = h('input', { type: 'range', id, min: spec.min, max: spec.max, step: spec.step, value: start, dataset: { path: fpath } });
    const out = h('output', { for: id }, rangeText(spec, start));
    let pending = 0;
    input.addEventListener('input', () => {
      const v = Number(input.value);
      out.textContent = rangeText(spec, v);
      store(obj, spec, v);
      if (ctx.sliding) ctx.sliding();
      if (!pending) pending = requestAnimationFrame(() => { pending = 0; done(); });
    });
    wrap.append(label, h('span', { class: 'range' }, input, out), dflt);
    return wrap;
  }
  if (spec.type === 'select') {
    const input = select(spec.options, value, { id, dataset: { path: fpath } });
    input.addEventListener('change', () => { store(obj, spec, selectValue(input)); done(); });
    wrap.append(label, input, dflt);
    return wrap;
  }
  if (spec.type === 'betas') {
    const pair = Array.isArray(value) ? value : spec.default;
    const inputs = [0, 1].map((i) => h('input', {
      type: 'text', inputmode: 'decimal', id: i === 0 ? id : null, value: numberText(pair[i]),
      'aria-label': `${spec.key}[${i}]`, dataset: { path: `${fpath}[${i}]` }, spellcheck: 'false', autocomplete: 'off',
    }));
    const onChange = () => {
      const parts = inputs.map((input, i) => {
        const p = parseNumberText(input.value);
        return p.empty ? spec.default[i] : p.value;
      });
      inputs.forEach((input, i) => { input.value = numberText(parts[i]); });
      store(obj, spec, parts);
      done();
    };
    inputs.forEach((input) => input.addEventListener('change', onChange));
    wrap.append(label, h('span', { class: 'pair' }, inputs[0], inputs[1]), dflt);
    return wrap;
  }
  if (spec.type === 'ints') {
    const input = h('input', {
      type: 'text', id, value: Array.isArray(value) ? value.join(', ') : numberText(value),
      dataset: { path: fpath }, spellcheck: 'false', autocomplete: 'off',
    });
    input.addEventListener('change', () => {
      const text = input.value.trim();
      const items = text === '' ? [] : text.split(/[\s,;]+/).filter(Boolean);
      const numbers = items.map((t) => (Number.isFinite(Number(t)) ? Number(t) : t));
      store(obj, spec, numbers);
      done();
    });
    wrap.append(label, input, dflt);
    return wrap;
  }
  // number, int, optint, optnumber
  const input = h('input', {
    type: 'text', inputmode: spec.type === 'int' || spec.type === 'optint' ? 'numeric' : 'decimal', id,
    value: numberText(value), dataset: { path: fpath }, spellcheck: 'false', autocomplete: 'off',
    placeholder: spec.default === null ? 'none' : null,
  });
  input.addEventListener('change', () => {
    const p = parseNumberText(input.value);
    if (p.empty) {
      if (spec.default === null) { store(obj, spec, null); }
      else if (spec.default !== undefined) { delete obj[spec.key]; input.value = numberText(spec.default); }
      else { delete obj[spec.key]; }
    } else {
      store(obj, spec, p.value);
    }
    done();
  });
  wrap.append(label, input, dflt);
  return wrap;
}

/* ---------------------------------------------------------------- problem */

export function problemEditor(draft, ctx) {
  const isModel = draft.problem && draft.problem.name === 'model';
  const kindButton = (kind, text, on) => h('button', {
    type: 'button', role: 'radio', 'aria-checked': String(on), class: on ? 'on' : '', dataset: { path: `problem.kind.${kind}` },
    onclick: () => { if (!on) ctx.changeKind(kind); },
  }, text);
  const kinds = h('div', { class: 'kind-switch', role: 'radiogroup', 'aria-label': 'What is minimised' },
    kindButton('landscape', 'Loss landscape', !isModel),
    kindButton('model', 'Model on data', isModel));
  return h('div', { class: 'problem-editor' }, kinds, isModel ? modelEditor(draft, ctx) : landscapeEditor(draft, ctx));
}

function landscapeEditor(draft, ctx) {
  const problem = draft.problem;
  const spec = PROBLEMS[problem.name];
  const options = Object.entries(PROBLEMS).map(([name, p]) => [name, p.title]);
  const sel = select(options, problem.name, { id: 'problem-select', dataset: { path: 'problem.name' } });
  sel.addEventListener('change', () => ctx.changeProblem(selectValue(sel)));
  return h('div', { class: 'landscape-editor' },
    h('div', { class: 'field field-select wide' }, h('label', { for: 'problem-select' }, 'Landscape'), sel),
    spec ? h('p', { class: 'formula' }, spec.formula) : null,
    spec ? h('p', { class: 'blurb' }, spec.blurb) : null,
    spec && spec.params.length ? h('div', { class: 'fields' }, spec.params.map((p) => field(p, problem, 'problem', ctx))) : null,
  );
}

/* ---------------------------------------------------------------- model on data */

/** A training setting's field (or the seed's), from the core's catalogue. */
const training = (key) => (key === 'seed' ? { ...TRAINING_FIELDS.seed, dfltText: '' } : TRAINING_FIELDS[key]);

/** Makes the model and loss fit the data's task after a data change; true when they changed. */
function fitModelToData(problem) {
  const task = dataTask(problem.data);
  if (!task) return false;
  let changed = false;
  const model = modelForTask(problem.model, task);
  if (model !== problem.model) { problem.model = model; changed = true; }
  if (task === 'regression' && problem.loss === 'cross_entropy') { delete problem.loss; changed = true; }
  return changed;
}

let lastCsvText = null;

function modelEditor(draft, ctx) {
  const problem = draft.problem;
  if (!problem.data) problem.data = { name: STARTS.dataset };
  if (!problem.model) problem.model = modelForTask(null, dataTask(problem.data) || 'classification');
  const data = problem.data;
  const dataSpec = DATASETS[data.name];
  const task = dataTask(data);

  // Data set
  const dataId = nextId();
  const dataSel = select(DATASET_GROUPS.map(([group, names]) => ({ group, options: names.map((n) => [n, DATASETS[n].title]) })), data.name, { id: dataId, dataset: { path: 'problem.data.name' } });
  dataSel.addEventListener('change', () => {
    const name = selectValue(dataSel);
    if (data.name === 'csv') lastCsvText = data.text;
    problem.data = name === 'csv' ? { name, text: lastCsvText || SAMPLE_CSV } : { name };
    fitModelToData(problem);
    ctx.changed('structure');
  });

  const splitNote = h('p', { class: 'note split-note' });
  const refreshSplit = ({ points, train, validation }) => {
    const counted = (n, what) => `${n} ${what} ${n === 1 ? 'point' : 'points'}`;
    splitNote.textContent = points >= 2 ? `${counted(train, 'training')} (filled), ${counted(validation, 'validation')} (hollow).` : '';
  };

  const seedRow = h('div', { class: 'seed-row' },
    field(training('seed'), draft, '', ctx),
    h('button', {
      type: 'button', class: 'small', dataset: { path: 'seed.regenerate' }, title: 'Draw new data (and a new split, initial weights and minibatch order) with the next seed',
      onclick: () => { draft.seed = (Number.isFinite(Number(draft.seed)) ? Number(draft.seed) : 0) + 1; ctx.changed('structure'); },
    }, '↻ Regenerate data'));

  const dataBox = h('div', { class: 'data-editor' },
    h('div', { class: 'field field-select wide' }, h('label', { for: dataId }, 'Data'), dataSel),
    dataSpec ? h('p', { class: 'formula' }, dataSpec.formula) : null,
    data.name === 'csv' ? csvEditor(problem, ctx) : null,
    dataSpec && dataSpec.params.length ? h('div', { class: 'fields' }, dataSpec.params.map((p) => field(p, data, 'problem.data', ctx))) : null,
    h('div', { class: 'fields' }, field(training('validation_share'), problem, 'problem', ctx)),
    splitNote,
    seedRow);

  // Model
  const model = problem.model;
  const modelId = nextId();
  const modelOptions = Object.entries(MODELS).filter(([, m]) => !task || m.tasks.includes(task)).map(([name, m]) => [name, m.title]);
  const modelSel = select(modelOptions, model.name, { id: modelId, dataset: { path: 'problem.model.name' } });
  modelSel.addEventListener('change', () => { problem.model = newModel(selectValue(modelSel)); ctx.changed('structure'); });
  const modelSpec = MODELS[model.name];
  let modelFields = null;
  if (model.name === 'polynomial') modelFields = h('div', { class: 'fields' }, field(MODEL_FIELDS.polynomial.degree, model, 'problem.model', ctx));
  if (model.name === 'mlp') modelFields = mlpEditor(model, ctx);

  const lossOptions = [[null, `auto: ${task === 'classification' ? 'cross-entropy' : 'MSE'}`], ['mse', 'mean squared error (MSE)']];
  if (task !== 'regression') lossOptions.push(['cross_entropy', 'cross-entropy']);
  const lossField = field({ key: 'loss', label: 'loss', type: 'select', default: null, dfltText: 'default auto', options: lossOptions }, problem, 'problem', ctx);

  const batchNote = h('p', { class: 'note batch-note' });
  const refreshBatch = ({ train }) => {
    const b = problem.batch_size;
    if (!train) {
      // The data settings are not valid yet (their alert names the field): nothing to count.
      batchNote.textContent = '';
    } else if (typeof b === 'number' && b >= 1 && b < train) {
      const steps = Math.ceil(train / b);
      batchNote.textContent = `Minibatches of ${b}: one epoch (a pass over the ${train} training points) is ${steps} steps, each on different points, so the loss per step is noisy.`;
    } else {
      batchNote.textContent = `Full batch: every step uses all ${train} training points, so one step is one epoch.`;
    }
  };
  // The core builds the data once per change for both notes.
  const refreshCounts = () => {
    const split = splitSizes(problem);
    refreshSplit(split);
    refreshBatch(split);
  };
  ctx.watch(refreshCounts);
  refreshCounts();

  const reg = problem.regularization || (problem.regularization = {});
  const regBox = h('fieldset', { class: 'regularization' },
    h('legend', null, 'Regularization ', h('span', { class: 'badge' }, 'in the loss')),
    h('div', { class: 'fields' },
      field(training('l1'), reg, 'problem.regularization', ctx),
      field(training('l2'), reg, 'problem.regularization', ctx),
      field(training('dropout'), reg, 'problem.regularization', ctx)),
    h('p', { class: 'note' }, 'Training minimises loss + λ₁·Σ|w| + λ₂·Σw², summed over the weights only (never the biases). Being part of the loss, the penalty is seen by every optimizer alike (coupled). It is not the optimizer’s weight_decay in the run panel, which acts on every parameter, biases included.'),
    h('p', { class: 'note' }, 'Dropout switches off each hidden unit with this probability in every training step (MLP only); evaluations use the whole network.'));

  const modelBox = h('div', { class: 'model-editor' },
    h('div', { class: 'field field-select wide' }, h('label', { for: modelId }, 'Model'), modelSel),
    modelSpec ? h('p', { class: 'formula' }, modelSpec.formula) : null,
    modelFields,
    h('div', { class: 'fields' },
      lossField,
      field(training('batch_size'), problem, 'problem', ctx),
      field(training('eval_every'), problem, 'problem', ctx)),
    batchNote,
    regBox);

  return h('div', { class: 'model-problem' },
    h('h3', { class: 'first' }, 'Data'), dataBox,
    h('h3', null, 'Model'), modelBox);
}

function mlpEditor(model, ctx) {
  const hidden = Array.isArray(model.hidden) ? model.hidden : (model.hidden = structuredClone(MODEL_FIELDS.mlp.hidden.default));
  const count = hidden.length;
  const layers = h('div', { class: 'layers' },
    h('span', { class: 'layers-label' }, 'Hidden layers'),
    h('button', {
      type: 'button', class: 'small', 'aria-label': 'Remove a hidden layer', dataset: { path: 'problem.model.hidden.remove' }, disabled: count === 0,
      onclick: () => { hidden.pop(); ctx.changed('structure'); },
    }, '−'),
    h('span', { class: 'layer-count', 'aria-live': 'polite' }, String(count)),
    h('button', {
      type: 'button', class: 'small', 'aria-label': 'Add a hidden layer', dataset: { path: 'problem.model.hidden.add' }, disabled: count >= MODEL_LIMITS.maxLayers,
      onclick: () => { hidden.push(count ? hidden[count - 1] : STARTS.layer_units); ctx.changed('structure'); },
    }, '+'));
  const units = h('div', { class: 'units' }, hidden.map((u, i) => {
    const input = h('input', {
      type: 'number', min: 1, max: MODEL_LIMITS.maxUnits, step: 1, value: u, 'aria-label': `units in hidden layer ${i + 1}`,
      dataset: { path: `problem.model.hidden[${i}]` }, title: `layer ${i + 1}: 1 to ${MODEL_LIMITS.maxUnits} units`,
    });
    input.addEventListener('change', () => {
      const v = Number(input.value);
      hidden[i] = Number.isFinite(v) && input.value.trim() !== '' ? v : input.value;
      ctx.changed('value');
    });
    return h('label', { class: 'unit' }, h('span', null, `L${i + 1}`), input);
  }));
  const activation = field(MODEL_FIELDS.mlp.activation, model, 'problem.model', ctx);
  return h('div', { class: 'mlp-editor' },
    layers,
    count ? units : h('p', { class: 'note' }, 'No hidden layer: the network is a linear model of the inputs.'),
    h('p', { class: 'note' }, `Units per hidden layer (1 to ${MODEL_LIMITS.maxUnits}).`),
    h('div', { class: 'fields' }, activation));
}

/** "1 row", "2 rows". */
function rowCount(n) {
  return `${n} ${n === 1 ? 'row' : 'rows'}`;
}

function csvEditor(problem, ctx) {
  const data = problem.data;
  const id = nextId();
  const area = h('textarea', {
    id, rows: 8, spellcheck: 'false', autocomplete: 'off', wrap: 'off', value: data.text || '',
    dataset: { path: 'problem.data.text' }, 'aria-label': 'Your data as CSV text',
  });
  const shape = h('p', { class: 'note csv-shape', 'aria-live': 'polite' });
  const fileNote = h('p', { class: 'note csv-file', role: 'status' });
  const describe = () => {
    const { columns, rows } = csvShape(area.value);
    if (columns === 3) shape.textContent = `${rowCount(rows)} of x1, x2, label: classification (labels 0/1 or −1/1).`;
    else if (columns === 2) shape.textContent = `${rowCount(rows)} of x, y: regression.`;
    else shape.textContent = 'Write one point per line: x,y (regression) or x1,x2,label (classification).';
  };
  describe();
  const apply = () => {
    data.text = area.value;
    lastCsvText = area.value;
    const structural = fitModelToData(problem);
    ctx.changed(structural ? 'structure' : 'value');
  };
  area.addEventListener('input', describe);
  area.addEventListener('change', apply);
  const file = h('input', { type: 'file', id: nextId(), accept: '.csv,.txt,text/csv,text/plain', class: 'file-input', dataset: { path: 'problem.data.file' } });
  file.addEventListener('change', () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > LIMITS.maxCsvBytes) {
      const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
      // The same rule the core states for a CSV with too many rows: refused, not cut.
      fileNote.textContent = `“${f.name}” is ${mb(f.size)} MB, too large: a CSV may have at most ${mb(LIMITS.maxCsvBytes)} MB and ${MODEL_LIMITS.maxPoints} data rows. Nothing was changed.`;
      file.value = '';
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      area.value = String(reader.result);
      fileNote.textContent = `Read “${f.name}”.`;
      describe();
      apply();
      file.value = '';
    };
    reader.onerror = () => { fileNote.textContent = `“${f.name}” could not be read.`; file.value = ''; };
    reader.readAsText(f);
  });
  return h('div', { class: 'csv-editor' },
    h('label', { for: id, class: 'csv-label' }, 'Your data (CSV)'),
    area,
    shape,
    h('div', { class: 'csv-actions' },
      h('button', { type: 'button', class: 'small', dataset: { path: 'problem.data.apply' }, onclick: apply }, 'Use this data'),
      file, h('label', { class: 'file-button', for: file.id }, 'Upload a CSV file…')),
    fileNote,
    h('p', { class: 'note' }, `An optional header line; then one point per line, x,y or x1,x2,label; ${MODEL_LIMITS.minPoints} to ${MODEL_LIMITS.maxPoints} rows. A problem is reported with its line number and the running experiment is kept.`));
}

/* ---------------------------------------------------------------- runs */

export function runEditor(draft, index, ctx) {
  const run = draft.runs[index];
  const path = `runs[${index}]`;
  const labelId = nextId();
  const colorId = nextId();
  const label = h('input', { type: 'text', id: labelId, value: run.label, maxlength: LIMITS.maxLabelChars, dataset: { path: `${path}.label` }, spellcheck: 'false', autocomplete: 'off' });
  label.addEventListener('change', () => { run.label = label.value; ctx.changed('cosmetic'); });
  const color = h('input', { type: 'color', id: colorId, value: run.color || ctx.colorOf(index), dataset: { path: `${path}.color` } });
  color.addEventListener('change', () => { run.color = color.value; ctx.changed('cosmetic'); });

  const x0 = Array.isArray(run.x0) ? run.x0 : null;
  const startInputs = [0, 1].map((i) => h('input', {
    type: 'text', inputmode: 'decimal', value: x0 ? numberText(x0[i]) : '', placeholder: 'default',
    'aria-label': i === 0 ? 'start x' : 'start y', dataset: { path: `${path}.x0[${i}]` }, spellcheck: 'false', autocomplete: 'off',
  }));
  const onStart = () => {
    const parts = startInputs.map((input) => parseNumberText(input.value));
    if (parts.every((p) => p.empty)) delete run.x0;
    else run.x0 = parts.map((p) => (p.empty ? 0 : p.value));
    ctx.changed('value');
  };
  startInputs.forEach((input) => input.addEventListener('change', onStart));

  const isModel = draft.problem && draft.problem.name === 'model';
  return h('div', { class: 'run-editor' },
    h('div', { class: 'fields' },
      h('div', { class: 'field field-text' }, h('label', { for: labelId }, 'Label'), label),
      h('div', { class: 'field field-color' }, h('label', { for: colorId }, 'Color'), color),
      isModel ? null : h('div', { class: 'field field-betas', title: 'Click or drag on the landscape to move it' },
        h('label', null, 'Start (x, y)'), h('span', { class: 'pair' }, startInputs[0], startInputs[1]),
        h('span', { class: 'dflt' }, 'or click / drag on the landscape')),
    ),
    isModel ? h('p', { class: 'note' }, 'Every run starts from the same seeded initial weights (Glorot or He for networks, zeros for linear models) and sees the same minibatches, so runs differ only by their optimizer and schedule.') : null,
    h('h3', null, 'Optimizer'),
    optimizerEditor(run, path, ctx, isModel),
    h('h3', null, 'Learning-rate schedule'),
    scheduleEditor(run, 'schedule', `${path}.schedule`, ctx, run.optimizer, false),
  );
}

function optimizerEditor(run, path, ctx, isModel) {
  const outer = run.optimizer;
  const lookahead = outer.name === 'Lookahead';
  const inner = lookahead ? outer.inner : outer;
  const innerPath = lookahead ? `${path}.optimizer.inner` : `${path}.optimizer`;
  const spec = OPTIMIZERS[inner.name];
  const selId = nextId();
  const sel = select(Object.entries(OPTIMIZERS).map(([name, o]) => [name, o.title]), inner.name, { id: selId, dataset: { path: `${innerPath}.name` } });
  sel.addEventListener('change', () => {
    const lr = typeof inner.lr === 'number' ? inner.lr : undefined;
    const next = newOptimizer(selectValue(sel), lr);
    if (lookahead) outer.inner = next; else run.optimizer = next;
    if (run.schedule && !hasMomentum(run.optimizer)) dropCycleMomentum(run.schedule);
    ctx.changed('structure');
  });
  const laId = nextId();
  const la = h('input', { type: 'checkbox', id: laId, checked: lookahead, dataset: { path: `${path}.optimizer.lookahead` } });
  la.addEventListener('change', () => {
    // Lookahead's own settings start at the core's defaults (the form shows them).
    run.optimizer = la.checked ? { name: 'Lookahead', inner: outer } : outer.inner;
    ctx.changed('structure');
  });

  if (!spec) {
    return h('div', { class: 'optimizer' }, h('p', { class: 'blurb' }, `Unknown optimizer "${inner.name}".`));
  }
  const plain = spec.fields.filter((f) => f.key !== 'weight_decay' && f.key !== 'decoupled_weight_decay');
  const wdField = spec.fields.find((f) => f.key === 'weight_decay');
  const switchField = spec.fields.find((f) => f.key === 'decoupled_weight_decay');
  let wdKind = spec.weightDecay;
  if (wdKind === 'switch') wdKind = fieldValue(inner, switchField) ? 'decoupled' : 'coupled';

  const wdBox = wdField
    ? h('fieldset', { class: `weight-decay wd-${wdKind}` },
      h('legend', null, 'Weight decay ', h('span', { class: 'badge' }, wdKind === 'decoupled' ? 'decoupled' : 'coupled L2')),
      h('div', { class: 'fields' },
        field(wdField, inner, innerPath, ctx),
        switchField ? field(switchField, inner, innerPath, ctx, 'structure') : null),
      h('p', { class: 'note' }, WEIGHT_DECAY_NOTES[wdKind]),
      isModel ? h('p', { class: 'note' }, 'The optimizer’s weight decay acts on every parameter, biases included. The model’s L1/L2 penalties (Problem panel) are part of the loss and skip the biases.') : null)
    : null;

  return h('div', { class: 'optimizer' },
    h('div', { class: 'field field-select wide' }, h('label', { for: selId }, 'Optimizer'), sel),
    h('p', { class: 'blurb' }, spec.blurb),
    h('div', { class: 'fields' }, plain.map((f) => field(f, inner, innerPath, ctx))),
    wdBox,
    h('fieldset', { class: `lookahead ${lookahead ? 'on' : ''}` },
      h('legend', null, h('label', { class: 'check', for: laId }, la, ' Wrap in Lookahead')),
      h('p', { class: 'note' }, 'Lookahead runs k fast steps of the optimizer above, then moves the slow weights a fraction alpha toward the fast ones and restarts from there (Zhang et al. 2019).'),
      lookahead ? h('div', { class: 'fields' }, LOOKAHEAD_FIELDS.map((f) => field(f, outer, `${path}.optimizer`, ctx))) : null),
  );
}

function dropCycleMomentum(schedule) {
  if (schedule.name === 'OneCycleLR' || schedule.name === 'CyclicLR') schedule.cycle_momentum = false;
  if (schedule.name === 'SequentialLR') (schedule.schedulers || []).forEach(dropCycleMomentum);
}

/**
 * The schedule at holder[key]; nested (a SequentialLR child) hides SequentialLR and
 * ReduceLROnPlateau, which torch does not allow there.
 */
function scheduleEditor(holder, key, path, ctx, optimizer, nested) {
  if (!holder[key]) holder[key] = { name: 'constant' };
  const schedule = holder[key];
  const spec = SCHEDULES[schedule.name];
  const names = Object.keys(SCHEDULES).filter((n) => !nested || (n !== 'SequentialLR' && n !== 'ReduceLROnPlateau'));
  const selId = nextId();
  const sel = select(names.map((n) => [n, SCHEDULES[n].title]), schedule.name, { id: selId, dataset: { path: `${path}.name` } });
  sel.addEventListener('change', () => {
    holder[key] = newSchedule(selectValue(sel), optimizer);
    ctx.changed('structure');
  });
  if (!spec) return h('div', { class: 'schedule' }, h('p', { class: 'blurb' }, `Unknown schedule "${schedule.name}".`));
  const fields = spec.fields
    .filter((f) => !f.hide_if || schedule[f.hide_if[0]] !== f.hide_if[1])
    .map((f) => field(f, schedule, path, ctx, f.key === 'lambda' ? 'structure' : 'value'));
  let children = null;
  if (spec.children) {
    const list = schedule.schedulers || (schedule.schedulers = []);
    children = h('ol', { class: 'children' }, list.map((_, i) => h('li', null,
      h('div', { class: 'child-head' },
        h('span', null, i === 0 ? 'from step 0' : `from milestone ${i}`),
        h('button', {
          type: 'button', class: 'small', dataset: { path: `${path}.schedulers[${i}].remove` }, disabled: list.length <= 1,
          onclick: () => { list.splice(i, 1); if (Array.isArray(schedule.milestones) && schedule.milestones.length >= list.length) schedule.milestones.splice(Math.max(0, i - 1), 1); ctx.changed('structure'); },
        }, 'Remove')),
      scheduleEditor(list, i, `${path}.schedulers[${i}]`, ctx, optimizer, true))));
    children = h('div', { class: 'sequential' }, children,
      h('button', {
        type: 'button', class: 'small', dataset: { path: `${path}.schedulers.add` },
        onclick: () => {
          const ms = Array.isArray(schedule.milestones) ? schedule.milestones : (schedule.milestones = []);
          const last = ms.length ? ms[ms.length - 1] : 0;
          ms.push(last + 100);
          list.push(newSchedule('constant'));
          ctx.changed('structure');
        },
      }, '+ Add a schedule'));
  }
  return h('div', { class: `schedule ${nested ? 'nested' : ''}` },
    h('div', { class: 'field field-select wide' }, h('label', { for: selId }, 'Schedule'), sel),
    h('p', { class: 'formula' }, spec.formula),
    fields.length ? h('div', { class: 'fields' }, fields) : null,
    children,
  );
}

/* ---------------------------------------------------------------- stopping */

const CRITERIA = [
  {
    key: 'loss_plateau', title: 'Loss plateau',
    text: 'the loss changes by less than tol (relative to the loss in mode rel) for patience steps in a row',
    fields: [
      { key: 'tol', label: 'tol', type: 'number', keep: true },
      { key: 'patience', label: 'patience (steps)', type: 'int' },
      { key: 'mode', label: 'mode', type: 'select', options: [['rel', 'rel (relative)'], ['abs', 'abs (absolute)']] },
    ],
  },
  {
    key: 'param_change', title: 'Step size ‖Δw‖',
    text: 'the parameters move by less than tol for patience steps in a row',
    fields: [
      { key: 'tol', label: 'tol', type: 'number', keep: true },
      { key: 'patience', label: 'patience (steps)', type: 'int' },
    ],
  },
  {
    key: 'grad_norm', title: 'Gradient norm ‖∇f‖',
    text: 'the gradient is shorter than tol',
    fields: [{ key: 'tol', label: 'tol', type: 'number', keep: true }],
  },
  {
    key: 'target_loss', title: 'Target loss',
    text: 'the loss reaches value or less',
    fields: [{ key: 'value', label: 'value', type: 'number', keep: true }],
  },
  {
    key: 'early_stopping', title: 'Early stopping', modelOnly: true,
    text: 'the validation loss has not fallen below its best minus min_delta for patience evaluations in a row (one evaluation every eval_every epochs); with “restore best weights” the run goes back to the weights of its best evaluation',
    fields: [
      { key: 'patience', label: 'patience (evaluations)', type: 'int' },
      { key: 'min_delta', label: 'min_delta', type: 'number' },
      { key: 'restore_best', label: 'restore best weights', type: 'bool' },
    ],
  },
];

/** A criterion's field with the core's default (STOP_DEFAULTS), unless the field is always written. */
function withCoreDefault(f, key) {
  return f.keep ? f : { ...f, default: STOP_DEFAULTS[key][f.key] };
}

function criterionOn(stop, key) {
  if (!(key in stop)) return key !== 'target_loss' && key !== 'early_stopping';
  return stop[key] !== null;
}

function criterionObject(stop, key) {
  if (!(key in stop) || stop[key] === null) stop[key] = structuredClone(STOP_DEFAULTS[key]);
  return stop[key];
}

export function stopEditor(draft, ctx) {
  const stop = draft.stop || (draft.stop = {});
  const maxSpec = { key: 'max_steps', label: 'max_steps', type: 'int', default: STOP_DEFAULTS.max_steps, keep: true };
  const isModel = draft.problem && draft.problem.name === 'model';
  const items = CRITERIA.filter((c) => isModel || !c.modelOnly).map((c) => {
    const on = criterionOn(stop, c.key);
    const current = on ? (stop[c.key] || STOP_DEFAULTS[c.key]) : STOP_DEFAULTS[c.key];
    const watchId = nextId();
    const watch = h('input', { type: 'checkbox', id: watchId, checked: on, dataset: { path: `stop.${c.key}.on` } });
    watch.addEventListener('change', () => {
      if (watch.checked) criterionObject(stop, c.key);
      else stop[c.key] = null;
      ctx.changed('structure');
    });
    const stopsId = nextId();
    const stops = h('input', { type: 'checkbox', id: stopsId, checked: current.stop !== false, disabled: !on, dataset: { path: `stop.${c.key}.stop` } });
    stops.addEventListener('change', () => {
      criterionObject(stop, c.key).stop = stops.checked;
      ctx.changed('value');
    });
    // Editing a field of a criterion that is on by default materialises it in the config.
    const holder = on ? materialisingHolder(stop, c.key, current) : null;
    return h('div', { class: `criterion ${on ? 'on' : 'off'}` },
      h('div', { class: 'criterion-head' },
        h('label', { class: 'check', for: watchId }, watch, ' ', h('strong', null, c.title)),
        h('label', { class: 'check stops', for: stopsId, title: 'Unchecked: the criterion is only marked on the charts and the run goes on' }, stops, ' stops the run')),
      h('p', { class: 'note' }, `Fires when ${c.text}.`),
      on ? h('div', { class: 'fields' }, c.fields.map((f) => field(withCoreDefault(f, c.key), holder, `stop.${c.key}`, ctx))) : null,
    );
  });
  const divergence = { key: 'factor', label: 'factor', type: 'number', default: STOP_DEFAULTS.divergence.factor };
  const divHolder = materialisingHolder(stop, 'divergence', stop.divergence || structuredClone(STOP_DEFAULTS.divergence));
  return h('div', { class: 'stop-editor' },
    h('div', { class: 'fields' }, field(maxSpec, stop, 'stop', ctx)),
    items,
    h('div', { class: 'criterion on' },
      h('div', { class: 'criterion-head' }, h('strong', null, 'Divergence')),
      h('p', { class: 'note' }, 'A run diverges when its loss becomes inf or NaN, or grows past factor × max(1, |initial loss|).'),
      h('div', { class: 'fields' }, field(divergence, divHolder, 'stop.divergence', ctx))),
  );
}

/**
 * An object whose writes land in stop[key], creating it from the shown defaults on the first
 * write (a criterion left out of the config is on with the Rust defaults).
 */
function materialisingHolder(stop, key, shown) {
  return new Proxy({}, {
    get: (_, k) => (stop[key] ? stop[key][k] : shown[k]),
    has: (_, k) => (stop[key] ? k in stop[key] : k in shown),
    set: (_, k, v) => { if (!stop[key]) stop[key] = structuredClone(shown); stop[key][k] = v; return true; },
    deleteProperty: (_, k) => { if (!stop[key]) stop[key] = structuredClone(shown); delete stop[key][k]; return true; },
    getOwnPropertyDescriptor: (_, k) => {
      const src = stop[key] || shown;
      return k in src ? { value: src[k], writable: true, enumerable: true, configurable: true } : undefined;
    },
  });
}
