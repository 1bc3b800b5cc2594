// One owner for every default: the page's forms, the page's config (`getConfig()`, which the
// wasm core writes) and the catalogue printed natively by `converge catalog` (which the core
// derives from its own config reader) must agree, field by field, for every optimizer, every
// schedule and every landscape.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, ROOT } from './harness.mjs';
import { PRESETS } from '../../www/presets.js';

const { openPage } = useBrowser();
const CONVERGE = join(ROOT, 'target', 'debug', 'converge');

/** The catalogue as the native CLI prints it. */
function nativeCatalog() {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing: run cargo build --bin converge`);
  return JSON.parse(execFileSync(CONVERGE, ['catalog'], { encoding: 'utf8' }));
}

/** Numbers as the form shows them (12 significant digits) compare equal to the full value. */
function same(actual, expected) {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return expected === 0 ? actual === 0 : Math.abs(actual - expected) <= 1e-11 * Math.abs(expected);
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length === actual.length && expected.every((e, i) => same(actual[i], e));
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** Reads what the form shows for the field at `path` (a config path), by the field's type. */
async function formValue(page, path, type) {
  const read = (p) => page.evaluate((sel) => {
    const input = document.querySelector('convergence-playground').shadowRoot.querySelector(`[data-path="${sel}"]`);
    if (!input) return { missing: true };
    return { value: input.value, checked: input.checked };
  }, p);
  if (type === 'betas') {
    const pair = [await read(`${path}[0]`), await read(`${path}[1]`)];
    if (pair.some((p) => p.missing)) return { missing: true };
    return pair.map((p) => Number(p.value));
  }
  const input = await read(path);
  if (input.missing) return input;
  if (type === 'bool') return input.checked;
  if (type === 'expression') return input.value;
  if (type === 'select') return JSON.parse(input.value);
  if (type === 'ints') return input.value.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (type === 'optint' || type === 'optnumber') return input.value.trim() === '' ? null : Number(input.value);
  return Number(input.value);
}

/** Checks every field of `entry` at `base` (e.g. "runs[0].optimizer") against `config`. */
async function checkFields(page, entry, base, config, problems) {
  for (const field of entry.fields) {
    const path = `${base}.${field.key}`;
    const shown = await formValue(page, path, field.type);
    if (shown && shown.missing) {
      problems.push(`${entry.name}: no input for ${path}`);
      continue;
    }
    const configured = config[field.key] === undefined ? null : config[field.key];
    if (!same(shown, configured)) problems.push(`${entry.name}.${field.key}: the form shows ${JSON.stringify(shown)}, getConfig() has ${JSON.stringify(configured)}`);
    // A kept field with a default (lr) carries the previous choice over; a field with a
    // starting value (a required one, or LambdaLR's t0) starts from it.
    const expected = field.initial !== undefined ? field.initial : field.default;
    if (field.keep && field.default !== undefined) continue;
    if (!same(configured, expected)) problems.push(`${entry.name}.${field.key}: getConfig() has ${JSON.stringify(configured)}, the core's default is ${JSON.stringify(expected)}`);
  }
}

test('every optimizer, schedule and landscape: form, getConfig() and the native defaults agree', async () => {
  const catalog = nativeCatalog();
  const { page, errors } = await openPage();
  const el = 'document.querySelector("convergence-playground")';
  const choose = async (path, value) => {
    await page.locator(`convergence-playground [data-path="${path}"]`).selectOption({ value: JSON.stringify(value) });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  };
  const config = () => page.evaluate(`${el}.getConfig()`);
  const problems = [];
  let c;

  assert.ok(catalog.optimizers.length >= 14 && catalog.schedules.length >= 14 && catalog.problems.length >= 14);
  for (const optimizer of catalog.optimizers) {
    await choose('runs[0].optimizer.name', optimizer.name);
    c = await config();
    assert.equal(c.runs[0].optimizer.name, optimizer.name);
    await checkFields(page, optimizer, 'runs[0].optimizer', c.runs[0].optimizer, problems);
  }
  await choose('runs[0].optimizer.name', 'Adam');
  // Lookahead's own fields, on the optimizer chosen.
  await page.locator('convergence-playground [data-path="runs[0].optimizer.lookahead"]').check();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  c = await config();
  assert.equal(c.runs[0].optimizer.name, 'Lookahead');
  await checkFields(page, { name: 'Lookahead', fields: catalog.lookahead_fields }, 'runs[0].optimizer', c.runs[0].optimizer, problems);
  await page.locator('convergence-playground [data-path="runs[0].optimizer.lookahead"]').uncheck();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  // The stopping rules of a landscape (on by default) and the divergence factor: the form shows
  // the core's defaults, which getConfig() has too.
  c = await config();
  for (const key of ['loss_plateau', 'param_change', 'grad_norm', 'divergence']) {
    const defaults = catalog.stop_defaults[key];
    for (const [field, value] of Object.entries(defaults)) {
      if (field === 'stop') continue;
      const type = typeof value === 'boolean' ? 'bool' : typeof value === 'string' ? 'select' : 'number';
      const shown = await formValue(page, `stop.${key}.${field}`, type);
      if (!same(shown, value)) problems.push(`stop.${key}.${field}: the form shows ${JSON.stringify(shown)}, the core's default is ${JSON.stringify(value)}`);
      if (!same(c.stop[key][field], value)) problems.push(`stop.${key}.${field}: getConfig() has ${JSON.stringify(c.stop[key][field])}, the core's default is ${JSON.stringify(value)}`);
    }
  }
  for (const schedule of catalog.schedules) {
    await choose('runs[0].schedule.name', schedule.name);
    c = await config();
    assert.equal(c.runs[0].schedule.name, schedule.name);
    await checkFields(page, schedule, 'runs[0].schedule', c.runs[0].schedule, problems);
  }
  for (const problem of catalog.problems) {
    await choose('problem.name', problem.name);
    c = await config();
    assert.equal(c.problem.name, problem.name);
    await checkFields(page, problem, 'problem', c.problem, problems);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page reads its catalogue from the core: a field the core knows has a control', async () => {
  const catalog = nativeCatalog();
  const { page } = await openPage();
  const shown = await page.evaluate(async () => {
    const module = await import('./catalog.js');
    return { optimizers: Object.keys(module.OPTIMIZERS), adam: module.OPTIMIZERS.Adam.fields.map((f) => [f.key, f.default]) };
  });
  assert.deepEqual(shown.optimizers, catalog.optimizers.map((o) => o.name));
  const adam = catalog.optimizers.find((o) => o.name === 'Adam');
  assert.deepEqual(shown.adam, adam.fields.map((f) => [f.key, f.default]));
  // The search card of an experiment without a search section shows the core's defaults.
  const search = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const value = (cls) => Number(root.querySelector(`input.${cls}`).value);
    return { max_resource: value('search-resource'), eta: value('search-eta'), seed: value('search-seed'), population: value('search-population') };
  });
  assert.deepEqual(search, catalog.search_defaults);
  await page.close();
});

test('the page starts new things from the core: a new run, a switch of kind, a first hidden layer', async () => {
  const { starts, model_limits: limits } = nativeCatalog();
  const { page, errors } = await openPage();
  const path = (p) => page.locator(`convergence-playground [data-path="${p}"]`);
  const settle = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const config = () => page.evaluate(() => document.querySelector('convergence-playground').getConfig());

  // A new run: the starting optimizer and schedule, a label from the starting stem.
  const before = await config();
  await path('runs.add').click();
  await settle();
  let c = await config();
  const added = c.runs[c.runs.length - 1];
  assert.equal(c.runs.length, before.runs.length + 1);
  // getConfig() fills in every default; the starting choice's own fields are there as chosen.
  for (const part of ['optimizer', 'schedule']) {
    for (const [key, value] of Object.entries(starts.run[part])) assert.deepEqual(added[part][key], value, `${part}.${key}`);
  }
  assert.ok(added.label.startsWith(starts.run.label), `label ${added.label}`);

  // Model on data: the starting dataset and its task's starting model.
  await path('problem.kind.model').click();
  await settle();
  c = await config();
  assert.equal(c.problem.data.name, starts.dataset);
  const task = nativeCatalog().datasets.find((d) => d.name === starts.dataset).task;
  assert.equal(c.problem.model.name, starts.model_for_task[task]);

  // Hidden layers removed down to none, then one added: the starting units.
  while ((await config()).problem.model.hidden.length > 0) {
    await path('problem.model.hidden.remove').click();
    await settle();
  }
  await path('problem.model.hidden.add').click();
  await settle();
  assert.deepEqual((await config()).problem.model.hidden, [starts.layer_units]);
  assert.ok(starts.layer_units <= limits.maxUnits);

  // A page that began on a model (a config loaded before any switch of kind) switched to a
  // landscape: the starting one.
  const fresh = await openPage();
  await fresh.page.evaluate((problem) => document.querySelector('convergence-playground').load({
    problem, runs: [{ label: 'a', optimizer: { name: 'Adam' } }],
  }), c.problem);
  await fresh.page.locator('convergence-playground [data-path="problem.kind.landscape"]').click();
  await fresh.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const landscape = await fresh.page.evaluate(() => document.querySelector('convergence-playground').getConfig().problem);
  assert.equal(landscape.name, starts.landscape.name);
  assert.deepEqual(fresh.errors, []);
  await fresh.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test("the presets colour their runs from the core's palette (and one neutral grey for a baseline)", () => {
  const { palette } = nativeCatalog();
  const BASELINE_GREY = '#7f7f7f';
  const foreign = [];
  for (const preset of PRESETS) {
    for (const run of preset.config.runs) {
      if (run.color && run.color !== BASELINE_GREY && !palette.includes(run.color)) foreign.push(`${preset.id}: ${run.label} ${run.color}`);
    }
  }
  assert.deepEqual(foreign, []);
  assert.ok(PRESETS.some((p) => p.config.runs.some((r) => r.color === palette[0])), 'the check sees the presets\' colours');
});
