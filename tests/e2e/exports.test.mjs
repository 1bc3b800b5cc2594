// The Export menu on the real page: each download is well formed and says what it is (the trace
// as CSV with `converge run --trace`'s header and rows, as JSON; the config equal to
// el.getConfig(); each figure as SVG with its title and as PNG at its canvas's pixel size), the
// SVG the page draws equals what `converge plot` writes for the same config and step, and a
// locked widget has no menu.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, ROOT } from './harness.mjs';
import { fileSlug } from '../../www/exports.js';

const harness = useBrowser();
const CONVERGE = join(ROOT, 'target', 'debug', 'converge');
const STEPS = 40;

const CONFIG = {
  seed: 1,
  problem: { name: 'rosenbrock' },
  runs: [
    { label: 'adam', x0: [-1.5, 2.0], optimizer: { name: 'Adam', lr: 0.01 } },
    { label: 'sgd, momentum', x0: [-1.0, 2.5], optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 } },
  ],
  stop: { max_steps: 3000 },
};

function converge(args) {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing: run cargo build --bin converge`);
  return execFileSync(CONVERGE, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Loads CONFIG, takes STEPS steps and opens the Export menu. */
async function prepared() {
  const opened = await harness.openPage();
  const { page } = opened;
  await page.evaluate(async ({ config, steps }) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    await el.step(steps);
  }, { config: CONFIG, steps: STEPS });
  await page.locator('convergence-playground .export-menu > summary').click();
  return opened;
}

/** Clicks the button named `name` in the menu's row `row` and returns the download. */
async function download(page, row, name) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`convergence-playground .export-row[aria-label="${row}"] button`, { hasText: name }).first().click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

/** A CSV line's fields (quoted fields with commas and doubled quotes). */
function csvFields(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; } else field += c;
  }
  fields.push(field);
  return fields;
}

test('the trace downloads as the CSV and JSON of converge run --trace, up to where the runs are', async () => {
  const { page, errors } = await prepared();
  const csv = await download(page, 'Data', 'CSV');
  assert.equal(csv.name, 'rosenbrock-trace.csv');
  const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'label,step,loss,param_0,param_1,lr,grad_norm,delta_norm');
  const rows = lines.slice(1).map(csvFields);
  assert.equal(rows.length, CONFIG.runs.length * STEPS, 'one row per step taken by each run');
  assert.ok(rows.every((r) => r.length === 8), 'every row has every column');
  // The CLI's trace of the same experiment, run to its end, begins with the same rows.
  const dir = mkdtempSync(join(tmpdir(), 'exports-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG));
  const cli = converge(['run', join(dir, 'config.json'), '--trace', 'csv', '--trace-file', join(dir, 'trace.csv')]);
  assert.ok(cli.length > 0);
  const full = readFileSync(join(dir, 'trace.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(full[0], lines[0], 'the same header as converge run --trace');
  for (const run of CONFIG.runs) {
    const ours = lines.slice(1).filter((l) => csvFields(l)[0] === run.label);
    const theirs = full.slice(1).filter((l) => csvFields(l)[0] === run.label).slice(0, STEPS);
    assert.deepEqual(ours, theirs, `${run.label}: the CLI's first ${STEPS} rows, bit for bit`);
  }

  const json = await download(page, 'Data', 'JSON');
  assert.equal(json.name, 'rosenbrock-trace.json');
  const traces = JSON.parse(json.bytes.toString('utf8'));
  assert.deepEqual(traces.map((t) => t.label), CONFIG.runs.map((r) => r.label));
  for (const t of traces) {
    assert.equal(t.rows.length, STEPS);
    assert.deepEqual(Object.keys(t.rows[0]), ['step', 'loss', 'params', 'lr', 'grad_norm', 'delta_norm']);
    assert.deepEqual(t.rows.map((r) => r.step), [...Array(STEPS).keys()]);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the config downloads as el.getConfig()', async () => {
  const { page, errors } = await prepared();
  const file = await page.locator('convergence-playground .export-row[aria-label="Data"] button').nth(2);
  const [dl] = await Promise.all([page.waitForEvent('download'), file.click()]);
  assert.equal(dl.suggestedFilename(), 'rosenbrock-config.json');
  const config = JSON.parse(readFileSync(await dl.path(), 'utf8'));
  const expected = await page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  assert.deepEqual(config, expected);
  assert.equal(config.runs[1].optimizer.momentum, 0.9);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every figure downloads as SVG (parsed, titled) and PNG (the canvas at its pixel size)', async () => {
  const { page, errors } = await prepared();
  const figures = await page.evaluate(() => document.querySelector('convergence-playground').pg.figure_names());
  assert.deepEqual(figures, ['landscape', 'loss', 'lr', 'grad_norm', 'delta_norm']);
  const titles = { loss: 'loss', lr: 'learning rate', grad_norm: 'gradient norm ||∇f||', delta_norm: 'step size ||Δw||' };
  for (const figure of figures) {
    await page.locator('convergence-playground .export-figure').selectOption(figure);
    const svg = await download(page, 'Figure', 'SVG');
    assert.equal(svg.name, `rosenbrock-${figure}.svg`);
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        root: root.nodeName,
        error: doc.querySelector('parsererror') ? doc.querySelector('parsererror').textContent : null,
        texts: [...doc.querySelectorAll('text')].map((t) => t.textContent.trim()),
        width: Number(root.getAttribute('width')),
        height: Number(root.getAttribute('height')),
      };
    }, svg.bytes.toString('utf8'));
    assert.equal(parsed.error, null, `${figure}.svg parses`);
    assert.equal(parsed.root, 'svg');
    if (titles[figure]) {
      assert.ok(parsed.texts.includes(titles[figure]), `${figure}.svg has its title: ${parsed.texts}`);
      assert.ok(parsed.texts.includes('adam') && parsed.texts.includes('sgd, momentum'), `${figure}.svg has its legend`);
    }
    // The size the figure has on the page, in CSS pixels.
    const css = await page.evaluate((name) => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      const canvas = name === 'landscape' ? root.querySelector('canvas.landscape') : root.querySelector(`.chart-${name} canvas`);
      return { w: canvas.clientWidth, h: canvas.clientHeight, pw: canvas.width, ph: canvas.height };
    }, figure);
    assert.deepEqual([parsed.width, parsed.height], [css.w, css.h], `${figure}.svg has the canvas's CSS size`);

    const png = await download(page, 'Figure', 'PNG');
    assert.equal(png.name, `rosenbrock-${figure}.png`);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'the PNG signature');
    assert.equal(png.bytes.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.deepEqual([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)], [css.pw, css.ph], `${figure}.png is the canvas's pixels`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the SVG the page draws is what converge plot writes for the same config and step', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plot-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG));
  const files = converge(['plot', join(dir, 'config.json'), '--out', join(dir, 'out'), '--step', String(STEPS)]).trim().split('\n');
  assert.deepEqual(files, ['landscape.svg', 'loss.svg', 'lr.svg', 'grad_norm.svg', 'delta_norm.svg']);
  const { page, errors } = await prepared();
  for (const file of files) {
    const cli = readFileSync(join(dir, 'out', file), 'utf8');
    const [, width, height] = cli.match(/^<svg width="(\d+)" height="(\d+)"/);
    const ours = await page.evaluate(({ name, w, h }) => document.querySelector('convergence-playground').pg.figure_svg(name, w, h, ''),
      { name: file.replace('.svg', ''), w: Number(width), h: Number(height) });
    assert.ok(ours === cli, `${file}: the page's SVG equals converge plot's (${ours.length} vs ${cli.length} characters)`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a locked widget has no Export menu', async () => {
  const { page, errors } = await harness.openPage();
  const hidden = await page.evaluate(async (config) => {
    const el = document.querySelector('convergence-playground');
    const menu = el.shadowRoot.querySelector('.export-menu');
    const before = menu.hidden;
    el.setAttribute('locked', '');
    await el.load(config);
    // The widget is built again for `locked`: its new shadow tree has no menu, or a hidden one.
    const now = el.shadowRoot.querySelector('.export-menu');
    return { before, after: !now || now.hidden };
  }, CONFIG);
  assert.deepEqual(hidden, { before: false, after: true });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Loads preset `id` into the page's widget and opens the Export menu; returns its config. */
async function presetLoaded(page, id) {
  const config = await page.evaluate(async (preset) => {
    const { presetById } = await import('./presets.js');
    const el = document.querySelector('convergence-playground');
    await el.load(presetById(preset).config);
    return el.getConfig();
  }, id);
  await page.evaluate(() => { document.querySelector('convergence-playground').shadowRoot.querySelector('.export-menu').open = true; });
  return config;
}

/** `converge pytorch` for run `run` of `config`. */
function cliScript(config, run) {
  const dir = mkdtempSync(join(tmpdir(), 'pytorch-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return converge(['pytorch', join(dir, 'config.json'), '--run', String(run)]);
}

/** Clicks one of the PyTorch buttons and collects `count` downloads. */
async function scripts(page, name, count) {
  const files = [];
  const done = new Promise((resolve) => {
    page.on('download', async (file) => {
      files.push({ name: file.suggestedFilename(), bytes: readFileSync(await file.path()) });
      if (files.length === count) resolve();
    });
  });
  await page.locator('convergence-playground .export-row[aria-label="Reproduce in PyTorch"] button', { hasText: name }).click();
  await done;
  page.removeAllListeners('download');
  return files;
}

/** The Export menu's note. */
const exportNote = (page) => page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.export-note').textContent);

test('Reproduce in PyTorch downloads the script of converge pytorch, byte for byte (landscape and model presets)', async () => {
  const { page, errors } = await harness.openPage();
  // A landscape preset: the selected run, then every run (five SGD runs with five schedules).
  const schedules = await presetLoaded(page, 'schedules');
  const [selected] = await scripts(page, 'Selected run', 1);
  assert.equal(selected.name, 'schedules-constant.py');
  assert.ok(selected.bytes.toString('utf8') === cliScript(schedules, 0), 'the selected run: converge pytorch --run 0');
  const all = await scripts(page, 'All runs', schedules.runs.length);
  assert.deepEqual(all.map((f) => f.name), schedules.runs.map((r) => `schedules-${fileSlug(r.label)}.py`));
  all.forEach((file, i) => assert.ok(file.bytes.toString('utf8') === cliScript(schedules, i), `${file.name}: converge pytorch --run ${i}`));
  assert.match(await exportNote(page), /replays its run with torch in float64/);
  // A model preset trained on minibatches: the data, the initial weights and the batch order.
  const mini = await presetLoaded(page, 'batch-mini');
  const [model] = await scripts(page, 'Selected run', 1);
  const script = model.bytes.toString('utf8');
  assert.ok(script === cliScript(mini, 0), 'the model run: converge pytorch --run 0');
  assert.match(script, /torch\.optim\.SGD/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Reproduce in PyTorch names the runs torch cannot reproduce and downloads the others', async () => {
  const { page, errors } = await harness.openPage();
  const config = await presetLoaded(page, 'hypergradient');
  const outcomes = config.runs.map((_, i) => {
    try {
      return cliScript(config, i);
    } catch {
      return null;
    }
  });
  const refused = config.runs.filter((_, i) => outcomes[i] === null).map((r) => r.label);
  assert.ok(refused.length > 0 && refused.length < config.runs.length, `some runs refused by the CLI: ${refused}`);
  const files = await scripts(page, 'All runs', config.runs.length - refused.length);
  assert.equal(files.length, config.runs.length - refused.length);
  for (const file of files) {
    const i = config.runs.findIndex((r) => file.name === `hypergradient-${fileSlug(r.label)}.py`);
    assert.ok(i >= 0 && file.bytes.toString('utf8') === outcomes[i], `${file.name}: converge pytorch --run ${i}`);
  }
  await page.waitForFunction(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.export-note').textContent.includes('Not reproducible'));
  const note = await exportNote(page);
  for (const label of refused) assert.ok(note.includes(`run "${label}"`), `the note names ${label}: ${note}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long model trace is written in the worker: frames keep coming, and the CSV is converge run --trace', async () => {
  const { page, errors } = await harness.openPage();
  const config = {
    seed: 2,
    problem: { name: 'model', data: { name: 'spiral', n: 3000 }, model: { name: 'mlp', hidden: [16, 16], activation: 'tanh' } },
    runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: 0.01 } }],
    stop: { max_steps: 100000 },
  };
  const steps = Number(process.env.LONG_TRACE_STEPS || 400);
  await page.evaluate(async ({ config, steps }) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    await el.step(steps);
  }, { config, steps });
  await page.locator('convergence-playground .export-menu > summary').click();
  // Frame gaps from the click until the download arrives.
  await page.evaluate(() => {
    window.gaps = [];
    let last = performance.now();
    const tick = (now) => {
      window.gaps.push(now - last);
      last = now;
      if (!window.stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const started = Date.now();
  const csv = await download(page, 'Data', 'CSV');
  const took = Date.now() - started;
  const gaps = await page.evaluate(() => { window.stopFrames = true; return window.gaps; });
  assert.ok(gaps.length > 5, `frames came while the trace was written (${gaps.length} in ${took} ms)`);
  assert.ok(Math.max(...gaps) < 200, `frame gaps while the trace was written (${took} ms): ${gaps.map(Math.round).join(', ')}`);
  const lines = csv.bytes.toString('utf8').trimEnd().split('\n');
  assert.equal(lines.length, 1 + steps, 'a header and one row per step taken');
  const dir = mkdtempSync(join(tmpdir(), 'long-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, stop: { max_steps: steps } }));
  converge(['run', join(dir, 'config.json'), '--trace', 'csv', '--trace-file', join(dir, 'trace.csv')]);
  const cli = readFileSync(join(dir, 'trace.csv'), 'utf8').trimEnd().split('\n');
  assert.ok(lines.every((line, i) => line === cli[i]), 'the rows of converge run --trace, bit for bit');
  assert.deepEqual(errors, []);
  await page.close();
});
