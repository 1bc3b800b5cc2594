// Your own function in the page: the catalogue offers `custom` as a landscape, the Landscape
// select names it, the form's text field shows Rust's parse errors (naming the character) next
// to the field, a bad function keeps the running experiment and the typed text, and a good one
// runs exactly as `converge run` runs it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, ROOT, alertText, statusLines } from './harness.mjs';

const { openPage } = useBrowser();
const CONVERGE = join(ROOT, 'target', 'debug', 'converge');
const FIELD = 'convergence-playground [data-path="problem.f"]';

/** Runs the CLI on `config`; returns its stdout, or its stderr and status when it fails. */
function converge(args, config) {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing: run cargo build --bin converge`);
  const file = join(mkdtempSync(join(tmpdir(), 'custom-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  try {
    return { out: execFileSync(CONVERGE, [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), status: 0 };
  } catch (e) {
    return { out: String(e.stderr), status: e.status };
  }
}

const config = () => document.querySelector('convergence-playground').getConfig();
const twoFrames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));

/** What the Landscape select shows: its value and the text of its selected option. */
async function selectShows(page) {
  return page.evaluate(() => {
    const sel = document.querySelector('convergence-playground').shadowRoot.querySelector('[data-path="problem.name"]');
    return { value: JSON.parse(sel.value), text: sel.selectedOptions[0].textContent };
  });
}

/** The message shown under the function's field ("" when hidden). */
async function fieldError(page) {
  return page.evaluate(() => {
    const el = document.querySelector('convergence-playground').shadowRoot.querySelector('.field-expression .field-error');
    return el && !el.hidden ? el.textContent : '';
  });
}

test('choosing "Your own function" starts from the catalogue\'s function and the select names it', async () => {
  const catalog = JSON.parse(execFileSync(CONVERGE, ['catalog'], { encoding: 'utf8' }));
  const custom = catalog.problems.find((p) => p.name === 'custom');
  assert.ok(custom, 'the catalogue offers custom');
  const { page, errors } = await openPage();
  await page.locator('convergence-playground [data-path="problem.name"]').selectOption({ value: JSON.stringify('custom') });
  await page.evaluate(twoFrames);
  assert.deepEqual((await page.evaluate(config)).problem, { name: 'custom', f: custom.fields[0].initial });
  assert.deepEqual(await selectShows(page), { value: 'custom', text: custom.title });
  assert.equal(await page.locator(FIELD).inputValue(), custom.fields[0].initial);
  assert.equal(await fieldError(page), '');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a loaded custom function shows its own name in the select, not another landscape\'s', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    problem: { name: 'custom', f: 'x^2 + y^2' }, runs: [{ label: 'sgd', x0: [2, 1], optimizer: { name: 'SGD', lr: 0.1 } }],
  }));
  await page.evaluate(twoFrames);
  const shown = await selectShows(page);
  assert.equal(shown.value, 'custom');
  assert.equal(shown.text, 'Your own function');
  assert.equal(await page.locator(FIELD).inputValue(), 'x^2 + y^2');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad function shows Rust\'s error with its position next to the field and loses nothing; a good one runs as converge run', async () => {
  const start = { problem: { name: 'custom', f: 'x^2 + y^2' }, runs: [{ label: 'adam', x0: [2, 1], optimizer: { name: 'Adam', lr: 0.05 } }], stop: { max_steps: 200 } };
  const { page } = await openPage();
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), start);
  await page.evaluate(twoFrames);

  const bad = 'sin(x) * (y + ';
  const cli = converge(['run'], { ...start, problem: { name: 'custom', f: bad } });
  assert.equal(cli.status, 2);
  const cliLine = cli.out.split('\n').find((l) => l.startsWith('problem.f: '));
  assert.ok(cliLine && /at character \d+/.test(cliLine), `the CLI names the position: ${cli.out}`);

  await page.locator(FIELD).fill(bad);
  await page.waitForFunction(() => {
    const el = document.querySelector('convergence-playground').shadowRoot.querySelector('.field-expression .field-error');
    return el && !el.hidden;
  });
  assert.equal(await fieldError(page), cliLine.slice('problem.f: '.length), 'the field shows the core\'s message while typing');
  await page.locator(FIELD).press('Tab'); // leaving the field applies it: refused
  await page.evaluate(twoFrames);
  assert.equal((await page.evaluate(config)).problem.f, 'x^2 + y^2', 'the running experiment is kept');
  assert.equal(await page.locator(FIELD).inputValue(), bad, 'the typed text stays to be fixed');
  assert.equal(await page.locator(FIELD).getAttribute('aria-invalid'), 'true');
  assert.match(await alertText(page), /problem\.f: at character \d+/);

  const good = 'sin(x)*cos(y) + 0.1*(x^2 + y^2)';
  await page.locator(FIELD).fill(good);
  await page.locator(FIELD).press('Tab');
  await page.evaluate(twoFrames);
  assert.equal(await fieldError(page), '');
  const applied = await page.evaluate(config);
  assert.equal(applied.problem.f, good);
  const snapshot = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.step(200);
    return el.snapshot();
  });
  const native = JSON.parse(converge(['run'], applied).out);
  assert.deepEqual(snapshot, native, 'the page and the CLI take the same steps on the typed function');
  await page.close();
});

test('a function with no value at the start point: the status says so, the charts say why they are empty, the map greys where f is undefined', async () => {
  const { page, errors } = await openPage();
  const start = {
    problem: { name: 'custom', f: 'log(x) + y^2' },
    runs: [{ label: 'GD', x0: [-4, 3], optimizer: { name: 'SGD', lr: 0.1 } }],
  };
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), start);
  await page.evaluate(() => document.querySelector('convergence-playground').step(10));
  await page.evaluate(twoFrames);
  const [line] = await statusLines(page);
  assert.match(line, /diverged at step 0: f has no finite value at the start point, so no step was taken/);
  assert.match(line, /No learning rate can help before the first step/);
  assert.doesNotMatch(line, /smaller learning rate/);
  // The same outcome as the CLI's.
  const cli = JSON.parse(converge(['run'], start).out);
  assert.deepEqual([cli.runs[0].status.state, cli.runs[0].step], ['diverged', 0]);
  const empty = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.chart-loss .empty')]
    .map((e) => (e.hidden ? '' : e.textContent)).join(''));
  assert.equal(empty, 'No steps: every run ended at step 0 (its status says why).');
  // log x has no value for x < 0, the left half of the view: grey there (Rust's UNDEFINED_RGB,
  // 150, 150, 150), never grey on the right half, where the colours of f are.
  const shares = await page.evaluate(() => {
    const canvas = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    const { width, height } = canvas;
    const { data } = canvas.getContext('2d').getImageData(0, 0, width, height);
    const grey = [0, 0];
    const all = [0, 0];
    for (let y = 0; y < height; y += 2) {
      for (let x = 0; x < width; x += 2) {
        const i = (y * width + x) * 4;
        const half = x < width / 2 - 4 ? 0 : x > width / 2 + 4 ? 1 : -1;
        if (half < 0) continue;
        all[half] += 1;
        if (Math.abs(data[i] - 150) <= 2 && Math.abs(data[i + 1] - 150) <= 2 && Math.abs(data[i + 2] - 150) <= 2) grey[half] += 1;
      }
    }
    return [grey[0] / all[0], grey[1] / all[1]];
  });
  assert.ok(shares[0] > 0.9, `the left half is grey: ${shares}`);
  assert.ok(shares[1] < 0.01, `the right half is not: ${shares}`);
  // The legend keys the grey while the map has it, and drops the key for a function defined
  // everywhere in view.
  const greyKey = () => page.evaluate(() => {
    const items = [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.landscape-card .legend-item')];
    const key = items.find((item) => item.textContent.includes('no value of f'));
    return key && !key.hidden && key.getBoundingClientRect().width > 0
      ? getComputedStyle(key.querySelector('.swatch')).backgroundColor : null;
  });
  const altText = () => page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape').getAttribute('aria-label'));
  assert.equal(await greyKey(), 'rgb(150, 150, 150)');
  assert.match(await altText(), /grey where f has no value/);
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c),
    { ...start, problem: { name: 'custom', f: 'x^2 + y^2' } });
  await page.evaluate(twoFrames);
  assert.equal(await greyKey(), null);
  assert.doesNotMatch(await altText(), /grey/);
  assert.deepEqual(errors, []);
  await page.close();
});
