// Form builders for the experiment config. Each builder renders controls for one part of the
// draft config object and edits that object in place; ctx.changed(kind) then asks the widget to
// rebuild the experiment. kind: 'value' (no re-render needed), 'structure' (re-render the
// controls: the set of fields changed) or 'cosmetic' (label/color: the runs can be replayed).
// Every interactive element carries data-path (the config path, as in validation messages) so
// that errors can be pointed at and focus restored after a re-render.

import { h, select, selectValue } from './dom.js';
import {
  PROBLEMS, OPTIMIZERS, SCHEDULES, LOOKAHEAD_FIELDS, WEIGHT_DECAY_NOTES, STOP_DEFAULTS,
  fieldValue, fmt, newOptimizer, newSchedule, hasMomentum,
} from './catalog.js';

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
  const d = spec.default;
  if (d === undefined) return spec.initial !== undefined ? 'required (torch has no default)' : '';
  if (d === null) return 'default: none';
  if (typeof d === 'boolean') return `default ${d ? 'on' : 'off'}`;
  if (Array.isArray(d)) return `default (${d.map(fmt).join(', ')})`;
  if (typeof d === 'number') return `default ${fmt(d)}`;
  return `default ${d}`;
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
  const fpath = `${path}.${spec.key}`;
  const dflt = h('span', { class: 'dflt' }, defaultText(spec));
  const wrap = h('div', { class: `field field-${spec.type}`, title: spec.help || null });
  const done = () => ctx.changed(kind);

  if (spec.type === 'bool') {
    const input = h('input', { type: 'checkbox', id, checked: !!value, dataset: { path: fpath } });
    input.addEventListener('change', () => { store(obj, spec, input.checked); done(); });
    wrap.append(h('label', { class: 'check', for: id }, input, ' ', ...labelContent(spec)), dflt);
    return wrap;
  }
  const label = h('label', { for: id }, ...labelContent(spec));
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
  const problem = draft.problem;
  const spec = PROBLEMS[problem.name];
  const options = Object.entries(PROBLEMS).map(([name, p]) => [name, p.title]);
  const sel = select(options, problem.name, { id: 'problem-select', dataset: { path: 'problem.name' } });
  sel.addEventListener('change', () => ctx.changeProblem(selectValue(sel)));
  return h('div', { class: 'problem-editor' },
    h('div', { class: 'field field-select wide' }, h('label', { for: 'problem-select' }, 'Landscape'), sel),
    spec ? h('p', { class: 'formula' }, spec.formula) : null,
    spec ? h('p', { class: 'blurb' }, spec.blurb) : null,
    spec && spec.params.length ? h('div', { class: 'fields' }, spec.params.map((p) => field(p, problem, 'problem', ctx))) : null,
  );
}

/* ---------------------------------------------------------------- runs */

export function runEditor(draft, index, ctx) {
  const run = draft.runs[index];
  const path = `runs[${index}]`;
  const labelId = nextId();
  const colorId = nextId();
  const label = h('input', { type: 'text', id: labelId, value: run.label, maxlength: 64, dataset: { path: `${path}.label` }, spellcheck: 'false', autocomplete: 'off' });
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

  return h('div', { class: 'run-editor' },
    h('div', { class: 'fields' },
      h('div', { class: 'field field-text' }, h('label', { for: labelId }, 'Label'), label),
      h('div', { class: 'field field-color' }, h('label', { for: colorId }, 'Color'), color),
      h('div', { class: 'field field-betas', title: 'Click or drag on the landscape to move it' },
        h('label', null, 'Start (x, y)'), h('span', { class: 'pair' }, startInputs[0], startInputs[1]),
        h('span', { class: 'dflt' }, 'or click / drag on the landscape')),
    ),
    h('h4', null, 'Optimizer'),
    optimizerEditor(run, path, ctx),
    h('h4', null, 'Learning-rate schedule'),
    scheduleEditor(run, 'schedule', `${path}.schedule`, ctx, run.optimizer, false),
  );
}

function optimizerEditor(run, path, ctx) {
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
    run.optimizer = la.checked ? { name: 'Lookahead', k: 5, alpha: 0.5, inner: outer } : outer.inner;
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
      h('p', { class: 'note' }, WEIGHT_DECAY_NOTES[wdKind]))
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
    .filter((f) => !f.showIf || f.showIf(schedule))
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
    h('div', { class: 'field field-select wide' }, h('label', { for: selId }, nested ? 'Schedule' : 'Schedule'), sel),
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
      { key: 'patience', label: 'patience (steps)', type: 'int', default: 50 },
      { key: 'mode', label: 'mode', type: 'select', default: 'rel', options: [['rel', 'rel (relative)'], ['abs', 'abs (absolute)']] },
    ],
  },
  {
    key: 'param_change', title: 'Step size ‖Δw‖',
    text: 'the parameters move by less than tol for patience steps in a row',
    fields: [
      { key: 'tol', label: 'tol', type: 'number', keep: true },
      { key: 'patience', label: 'patience (steps)', type: 'int', default: 10 },
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
];

function criterionOn(stop, key) {
  if (!(key in stop)) return key !== 'target_loss';
  return stop[key] !== null;
}

function criterionObject(stop, key) {
  if (!(key in stop) || stop[key] === null) stop[key] = structuredClone(STOP_DEFAULTS[key]);
  return stop[key];
}

export function stopEditor(draft, ctx) {
  const stop = draft.stop || (draft.stop = {});
  const maxSpec = { key: 'max_steps', label: 'max_steps', type: 'int', default: STOP_DEFAULTS.max_steps, keep: true };
  const items = CRITERIA.map((c) => {
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
      on ? h('div', { class: 'fields' }, c.fields.map((f) => field(f, holder, `stop.${c.key}`, ctx))) : null,
    );
  });
  const divergence = { key: 'factor', label: 'factor', type: 'number', default: 1e6 };
  const divHolder = materialisingHolder(stop, 'divergence', stop.divergence || { factor: 1e6 });
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
