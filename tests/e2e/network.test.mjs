// End-to-end tests of the network drawing (src/chart/network.rs) in the model card: shown for
// MLP classifiers on 2-D data (the spiral preset, an xor config), with drawn units and weights,
// redrawn as the runs train, and absent for a landscape preset. Pixels are read from the canvas.
// Run: `node --test tests/e2e/network.test.mjs` (after `make build`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';

const harness = useBrowser();

async function open() {
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  return { page, errors };
}

/** Steps the paused widget `n` steps and lets two frames draw. */
async function step(page, n) {
  await page.evaluate(async (n) => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    await el.step(n);
  }, n);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));
}

/** The network card's state: shown or not, canvas size, non-white pixels and a pixel digest. */
async function network(page) {
  return page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const card = root.querySelector('.network-card');
    if (!card || card.hidden || card.closest('[hidden]')) return { shown: false };
    const canvas = card.querySelector('canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    let digest = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) ink += 1;
      digest = (digest * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) % 1000000007;
    }
    return { shown: true, size: [canvas.width, canvas.height], css: canvas.clientWidth, ink, digest };
  });
}

test('the spiral preset shows its network, redrawn as it trains', async () => {
  const { page, errors } = await open();
  await page.locator('convergence-playground select.preset-select').selectOption('spiral');
  await step(page, 1);
  const before = await network(page);
  assert.ok(before.shown, 'the network card is shown for the spiral MLP');
  assert.equal(before.size[0], Math.round(before.css * 2), 'the canvas is sized at the device pixel ratio');
  assert.ok(before.ink > 2000, `units and weights are drawn (${before.ink} non-white px)`);
  await step(page, 300);
  const after = await network(page);
  assert.ok(after.ink > 2000);
  assert.notEqual(after.digest, before.digest, 'the drawing changes after training steps');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an xor MLP shows its network; a landscape preset has none', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    seed: 1,
    problem: { name: 'model', data: { name: 'xor', n: 200 }, model: { name: 'mlp', hidden: [4, 2], activation: 'tanh' } },
    runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: 0.03 } }],
    stop: { max_steps: 500 },
  }));
  await step(page, 10);
  const xor = await network(page);
  assert.ok(xor.shown, 'the network card is shown for the xor MLP');
  assert.ok(xor.ink > 1000, `units and weights are drawn (${xor.ink} non-white px)`);
  await page.locator('convergence-playground select.preset-select').selectOption('bowl');
  await step(page, 10);
  assert.equal((await network(page)).shown, false, 'no network for a landscape');
  assert.deepEqual(errors, []);
  await page.close();
});
