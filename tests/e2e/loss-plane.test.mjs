// The real model's loss plane in the page: the analysis worker's report equals `converge
// analyse`'s for the same config (random and principal directions), Rust draws the plane (a
// heatmap of many colours with the run's path in its own colour), and a large plane can be
// cancelled while the page keeps drawing frames.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';
import { analyseWithCli, asJson, frameGaps } from './analysis-helpers.mjs';

const { openPage } = useBrowser();
const PATH_COLOR = [213, 94, 0]; // #d55e00

/** A small MLP on moons, trained with minibatch SGD, whose analysis section is `analysis`. */
function moons(analysis) {
  return {
    seed: 4,
    problem: { name: 'model', data: { name: 'moons', n: 100, noise: 0.1 }, model: { name: 'mlp', hidden: [5, 4], activation: 'tanh' }, batch_size: 10 },
    runs: [{ label: 'SGD', optimizer: { name: 'SGD', lr: 0.2 }, color: '#d55e00' }],
    stop: { max_steps: 400 },
    analysis,
  };
}

/** The widget's analysis state once no analysis runs. */
async function finished(page) {
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'loss_plane' && !a.running && (a.report || a.error);
  }, null, { timeout: 120000 });
  return page.evaluate(() => document.querySelector('convergence-playground').analysis);
}

/** Loads `config` into the page's widget. */
const load = (page, config) => page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);

/** The plane's canvas pixels, once drawn: the count of distinct colours and of path-coloured pixels. */
async function planePixels(page) {
  await page.waitForFunction(() => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('.plane-canvas');
    return c && c.width > 100 && c.getContext('2d').getImageData(c.width >> 1, c.height >> 1, 1, 1).data[3] === 255;
  }, null, { timeout: 20000 });
  return page.evaluate((path) => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('.plane-canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const colours = new Set();
    let pathPixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (Math.abs(data[i] - path[0]) + Math.abs(data[i + 1] - path[1]) + Math.abs(data[i + 2] - path[2]) < 30) pathPixels += 1;
    }
    return { colours: colours.size, pathPixels, width: c.width, css: c.clientWidth };
  }, PATH_COLOR);
}

test('the loss plane in the page equals converge analyse, and Rust draws it with the path', async () => {
  const { page, errors } = await openPage();
  // Principal directions, named in the config: the card runs the plane on load.
  const pca = moons({ loss_plane: { directions: 'pca', side: 21 } });
  await load(page, pca);
  const state = await finished(page);
  assert.equal(state.error, null, state.error);
  assert.equal(state.progress, 1);
  const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  const cli = analyseWithCli(config).loss_plane;
  const plane = asJson(state.report).loss_plane;
  assert.deepEqual(plane, cli);
  assert.equal(plane.values.length, 21 * 21);
  assert.deepEqual(plane.path.at(-1), [0, 0]);
  assert.ok(plane.explained[0] > plane.explained[1]);
  const drawn = await planePixels(page);
  assert.ok(drawn.colours > 200, `a heatmap has many colours, got ${drawn.colours}`);
  assert.ok(drawn.pathPixels > 40, `the path in its colour: ${drawn.pathPixels} pixels`);
  assert.equal(drawn.width, Math.round(drawn.css * (await page.evaluate(() => devicePixelRatio))));
  const text = await page.locator('convergence-playground .analysis-body').innerText();
  assert.match(text, /principal directions/);
  assert.match(text, /explain \d/);

  // Random directions, chosen in the card with their defaults (and named in the link).
  await load(page, moons(undefined));
  await page.locator('convergence-playground .analysis-choice').selectOption('loss_plane');
  await page.locator('convergence-playground .analysis-run').click();
  const random = await finished(page);
  assert.equal(random.error, null, random.error);
  const withSection = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  withSection.analysis = { loss_plane: {} };
  const cliRandom = analyseWithCli(withSection).loss_plane;
  assert.deepEqual(asJson(random.report).loss_plane, cliRandom);
  assert.equal(cliRandom.directions, 'random');
  assert.equal(cliRandom.values.length, 41 * 41);
  assert.match(await page.locator('convergence-playground .analysis-body').innerText(), /filter normalisation/);
  assert.match(await page.evaluate(() => decodeURIComponent(location.hash)), /analysis=.*loss_plane/);
  assert.ok((await planePixels(page)).colours > 200);

  // The button under the picture shows the same run's plane with its principal directions, and
  // the link names them.
  await page.locator('convergence-playground .plane-directions').click();
  // The rerun may finish within a frame, so the test waits for its result, not for it to run.
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return !a.running && a.report && a.report.loss_plane.directions === 'pca';
  }, null, { timeout: 60000 });
  const again = await finished(page);
  assert.equal(again.report.loss_plane.directions, 'pca');
  withSection.analysis = { loss_plane: { directions: 'pca' } };
  assert.deepEqual(asJson(again.report).loss_plane, analyseWithCli(withSection).loss_plane);
  assert.match(await page.evaluate(() => decodeURIComponent(location.hash)), /loss_plane.*pca/);
  assert.equal(await page.locator('convergence-playground .plane-directions').innerText(), 'Use random directions');
  assert.deepEqual(errors, []);
});

test('the card offers the loss plane only for models', async () => {
  const { page } = await openPage();
  await load(page, moons(undefined));
  const offered = () => page.locator('convergence-playground .analysis-choice option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok((await offered()).includes('loss_plane'));
  await load(page, { problem: { name: 'himmelblau' }, runs: [{ label: 'a', optimizer: { name: 'SGD', lr: 0.01 } }] });
  assert.ok(!(await offered()).includes('loss_plane'));
});

test('a large plane can be cancelled while frames keep coming', async () => {
  const { page, errors } = await openPage();
  const big = moons({ loss_plane: { side: 101 } });
  // Full-batch steps on 1,000 points with no criterion to stop early: many seconds of work.
  big.problem.data.n = 1000;
  big.problem.model.hidden = [16, 16];
  big.problem.batch_size = null;
  big.stop = { max_steps: 20000, loss_plateau: null, param_change: null, grad_norm: null };
  await load(page, big);
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'loss_plane' && a.running && a.progress > 0.01;
  }, null, { timeout: 60000 });
  const gaps = await frameGaps(page, 30);
  assert.ok(Math.max(...gaps) < 200, `frame gaps while the plane is computed: ${gaps.map(Math.round).join(', ')}`);
  await page.locator('convergence-playground .analysis-cancel').click();
  await page.waitForFunction(() => !document.querySelector('convergence-playground').analysis.running);
  const state = await page.evaluate(() => document.querySelector('convergence-playground').analysis);
  assert.ok(state.progress > 0 && state.progress < 1, `cancelled at ${state.progress}`);
  assert.equal(await page.locator('convergence-playground .analysis-progress').innerText(), 'cancelled');
  assert.deepEqual(errors, []);
});
