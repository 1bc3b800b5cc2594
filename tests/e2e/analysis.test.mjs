// The analysis card: each analysis runs in a Web Worker on the analysis wasm (www/pkg-lab), its
// report equals `converge analyse`'s for the same config, running one names it in the link, a
// config that names one runs it on load, and a long one can be cancelled while the page keeps
// drawing frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, WWW } from './harness.mjs';
import { analyseWithCli, asJson, frameGaps } from './analysis-helpers.mjs';

const { openPage } = useBrowser();

/** Chooses analysis `kind` in the card and runs it; resolves with the card's state when done. */
async function runAnalysis(page, kind) {
  await page.locator('convergence-playground .analysis-choice').selectOption(kind);
  await page.locator('convergence-playground .analysis-run').click();
  await page.waitForFunction((k) => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === k && !a.running;
  }, kind, { timeout: 60000 });
  return page.evaluate(() => document.querySelector('convergence-playground').analysis);
}

/** Opens the page on lesson `preset` (chosen in the preset menu, as a visitor does). */
async function openPreset(preset) {
  const opened = await openPage();
  await opened.page.locator('convergence-playground .preset-select').selectOption(preset);
  await opened.page.waitForFunction((id) => document.querySelector('convergence-playground').getConfig() && document.querySelector('convergence-playground').shadowRoot.querySelector('.preset-select').value === id, preset);
  return opened;
}

test('the analysis wasm is built', () => {
  assert.ok(existsSync(join(WWW, 'pkg-lab', 'convergence_bg.wasm')), 'www/pkg-lab is missing: run `make build`');
});

for (const [preset, kinds] of [['himmelblau', ['critical_points', 'basins', 'rate', 'doctor']], ['bowl', ['theory', 'rate']], ['fit-over', ['doctor']]]) {
  test(`${preset}: ${kinds.join(', ')} in the page equal converge analyse`, async () => {
    const { page, errors } = await openPreset(preset);
    // The lesson plays by itself: its runs end first, so the doctor diagnoses their whole history.
    await page.evaluate(() => document.querySelector('convergence-playground').step(1e7));
    for (const kind of kinds) {
      const state = await runAnalysis(page, kind);
      assert.equal(state.error, null, `${kind}: ${state.error}`);
      assert.equal(state.progress, 1);
      const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
      config.analysis = { [kind]: kind === 'theory' || kind === 'doctor' ? true : {} };
      const cli = analyseWithCli(config);
      assert.deepEqual(asJson(state.report)[kind], cli[kind], `${preset} ${kind}`);
      // The readout says something, and the link names the analysis.
      const text = await page.locator('convergence-playground .analysis-body').innerText();
      assert.ok(text.length > 20, `${kind} readout: ${text}`);
      const hash = await page.evaluate(() => decodeURIComponent(location.hash));
      assert.match(hash, new RegExp(`analysis=.*${kind}`), hash);
    }
    assert.deepEqual(errors, []);
  });
}

test('on a phone the analyses\' tables fit their card: no column is cut off', async () => {
  const { page, errors } = await openPage('', { width: 360, height: 800 });
  for (const [preset, kinds] of [['lr', ['theory']], ['six-hump', ['critical_points', 'basins']]]) {
    await page.locator('convergence-playground .preset-select').selectOption(preset);
    await page.waitForFunction((id) => document.querySelector('convergence-playground').shadowRoot.querySelector('.preset-select').value === id, preset);
    for (const kind of kinds) {
      await runAnalysis(page, kind);
      const tables = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot
        .querySelectorAll('.analysis-body table')].map((t) => ({ width: t.scrollWidth, room: t.closest('.analysis-body').clientWidth })));
      assert.ok(tables.length > 0, `${preset} ${kind}: a table`);
      for (const t of tables) assert.ok(t.width <= t.room, `${preset} ${kind}: a table ${t.width} px wide in ${t.room} px`);
    }
  }
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'no sideways scroll');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the menu offers only the analyses that fit the problem', async () => {
  const { page } = await openPreset('fit-over');
  const offered = await page.locator('convergence-playground .analysis-choice option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(offered.includes('seed_bands') && offered.includes('doctor'), offered.join());
  assert.ok(!offered.includes('basins') && !offered.includes('critical_points'), offered.join());
  // No theory (it holds for the quadratic landscapes) and no rate (no known minimum) for a model.
  assert.ok(!offered.includes('theory') && !offered.includes('rate'), offered.join());
  const { page: land } = await openPreset('himmelblau');
  const landOffered = await land.locator('convergence-playground .analysis-choice option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(landOffered.includes('basins') && !landOffered.includes('seed_bands'), landOffered.join());
});

test('a config naming an analysis runs it on load, and a long one can be cancelled while frames keep coming', async () => {
  const { page, errors } = await openPreset('himmelblau');
  const config = await page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  config.analysis = { basins: { side: 256 } };
  // Slow steps, so that 65,536 starts take many seconds.
  config.stop = { ...config.stop, max_steps: 5000 };
  config.runs = config.runs.map((r) => ({ ...r, optimizer: { ...r.optimizer, lr: 0.0002 } }));
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'basins' && a.running && a.progress > 0;
  }, null, { timeout: 30000 });
  // Frames keep coming while the worker computes.
  const gaps = await frameGaps(page, 30);
  assert.ok(Math.max(...gaps) < 200, `frame gaps while the analysis runs: ${gaps.map(Math.round).join(', ')}`);
  await page.locator('convergence-playground .analysis-cancel').click();
  await page.waitForFunction(() => !document.querySelector('convergence-playground').analysis.running);
  const state = await page.evaluate(() => document.querySelector('convergence-playground').analysis);
  assert.ok(state.progress > 0 && state.progress < 1, `cancelled at ${state.progress}`);
  assert.equal(await page.locator('convergence-playground .analysis-progress').innerText(), 'cancelled');
  // The next analysis runs on a fresh worker.
  const next = await runAnalysis(page, 'critical_points');
  assert.equal(next.error, null);
  assert.equal(next.report.critical_points.length, 9);
  assert.deepEqual(errors, []);
});

test('the learning-rate sweep needs no settings: its bounds come from the runs\' learning rates', async () => {
  const { page } = await openPreset('himmelblau');
  const state = await runAnalysis(page, 'lr_sweep');
  assert.equal(state.error, null);
  assert.equal(await page.locator('convergence-playground .analysis-alert').isHidden(), true);
  assert.ok(state.report.lr_sweep.rows.length > 0);
});

test('a link that names an analysis reproduces it: the page opened on it runs the analysis at start-up', async () => {
  const { page } = await openPreset('bowl');
  const first = await runAnalysis(page, 'theory');
  const hash = await page.evaluate(() => location.hash);
  // getConfig() (and so the config export) names the analysis run, as the link does.
  const config = await page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  assert.deepEqual(config.analysis, { theory: true });
  const { page: again, errors } = await openPage(hash);
  await again.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'theory' && !a.running && a.report;
  }, null, { timeout: 30000 });
  const second = await again.evaluate(() => document.querySelector('convergence-playground').analysis);
  assert.deepEqual(second.report, first.report);
  assert.equal(await again.locator('convergence-playground .analysis-choice').inputValue(), 'theory');
  assert.deepEqual(await again.evaluate(() => document.querySelector('convergence-playground').getConfig()), config,
    'the page opened on the link has the same config');
  assert.deepEqual(errors, []);
});
