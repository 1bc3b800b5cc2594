// Critical points and basins of attraction drawn over the landscape (issue #12), read from the
// landscape canvas's pixels: the critical points' markers where the points are, a click that
// classifies a point (equal to `converge analyse`'s classify), the basins picture tinting each
// cell with its outcome's colour and a legend whose shares equal `converge analyse`'s, a click
// on a cell that adds a run from that cell's start, a finger's tap that classifies on a phone, the grid split across 1 or 3 workers giving
// the same report, and frames that keep coming while a 256 x 256 grid fills in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';
import { analyseWithCli, asJson, frameGaps } from './analysis-helpers.mjs';

const harness = useBrowser();
const { openPage } = harness;
const el = 'convergence-playground';

/** Opens the page on lesson `preset`. */
async function openPreset(preset, options = {}) {
  const opened = await openPage('', options);
  await opened.page.locator(`${el} .preset-select`).selectOption(preset);
  await opened.page.waitForFunction((id) => document.querySelector('convergence-playground').shadowRoot.querySelector('.preset-select').value === id, preset);
  await opened.page.evaluate(() => document.querySelector('convergence-playground').pause());
  return opened;
}

/** Chooses analysis `kind` and runs it to its end; resolves with the card's state. */
async function runAnalysis(page, kind) {
  await page.locator(`${el} .analysis-choice`).selectOption(kind);
  await page.locator(`${el} .analysis-run`).click();
  await page.waitForFunction((k) => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === k && !a.running && a.progress === 1;
  }, kind, { timeout: 120000 });
  return page.evaluate(() => document.querySelector('convergence-playground').analysis);
}

/** The page's config as `converge analyse` reads it, naming `section`. */
async function cliConfig(page, section) {
  const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  config.analysis = section;
  return config;
}

/** The landscape canvas's pixels near each point [x, y] (a square of `reach` device pixels). */
async function pixelsNear(page, points, reach) {
  return page.evaluate(({ points, reach }) => {
    const w = document.querySelector('convergence-playground');
    const canvas = w.shadowRoot.querySelector('canvas.landscape');
    const ctx = canvas.getContext('2d');
    return points.map(([x, y]) => {
      const [px, py] = w.pg.params_to_canvas(canvas.width, canvas.height, x, y);
      const x0 = Math.max(0, Math.round(px) - reach);
      const y0 = Math.max(0, Math.round(py) - reach);
      const data = ctx.getImageData(x0, y0, 2 * reach + 1, 2 * reach + 1).data;
      const out = [];
      for (let i = 0; i < data.length; i += 4) out.push([data[i], data[i + 1], data[i + 2]]);
      return out;
    });
  }, { points, reach });
}

const near = (a, b, tol) => Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol && Math.abs(a[2] - b[2]) <= tol;

test('critical points are marked by kind on the landscape, and a click classifies a point as converge analyse does', async () => {
  const { page, errors } = await openPreset('himmelblau', { width: 1440, height: 1000 });
  const before = await pixelsNear(page, [[-0.270845, -0.923039]], 4);
  const state = await runAnalysis(page, 'critical_points');
  const points = state.report.critical_points;
  assert.deepEqual(points.map((p) => p.kind).sort(), ['maximum', 'minimum', 'minimum', 'minimum', 'minimum', 'saddle', 'saddle', 'saddle', 'saddle']);
  // The marker colours of src/chart/analysis_overlay.rs where each point is: a white triangle
  // for a minimum, a yellow diamond for a saddle, a black triangle for the maximum.
  const fills = { minimum: [255, 255, 255], saddle: [240, 228, 66], maximum: [20, 20, 20] };
  const seen = await pixelsNear(page, points.map((p) => p.x), 5);
  points.forEach((p, i) => {
    assert.ok(seen[i].some((c) => near(c, fills[p.kind], 2)), `${p.kind} at ${p.x}: no marker colour near it`);
  });
  // The maximum had no black there before the markers were drawn.
  assert.ok(!before[0].some((c) => near(c, fills.maximum, 2)), 'black was already there');
  // The key under the analysis names those markers (the catalogue's key to Rust's drawing).
  const key = await page.locator(`${el} .critical-key`).textContent();
  assert.match(key, /▽ a minimum \(white\), ▲ a maximum \(black\), ◆ a saddle \(yellow\), ■ a degenerate point \(grey\)/);
  // A click near the minimum (3, 2) classifies it, in words and as converge analyse does.
  await page.locator(`${el} canvas.landscape`).scrollIntoViewIfNeeded();
  const spot = await page.evaluate(() => {
    const w = document.querySelector('convergence-playground');
    const canvas = w.shadowRoot.querySelector('canvas.landscape');
    const rect = canvas.getBoundingClientRect();
    const [px, py] = w.pg.params_to_canvas(rect.width, rect.height, 2.6, 1.7);
    return [rect.left + px, rect.top + py];
  });
  const startsBefore = await page.evaluate(() => JSON.stringify(document.querySelector('convergence-playground').getConfig().runs.map((r) => r.x0)));
  await page.mouse.click(spot[0], spot[1]);
  await page.waitForFunction(() => document.querySelector('convergence-playground').analysis.point);
  const point = await page.evaluate(() => document.querySelector('convergence-playground').analysis.point);
  assert.equal(point.basin, 0, 'the known minimum (3, 2) holds the point');
  assert.ok(Math.abs(point.x[0] - 2.6) < 0.05 && Math.abs(point.x[1] - 1.7) < 0.05, `${point.x}`);
  const text = await page.locator(`${el} .analysis-point`).innerText();
  assert.match(text, /not a critical point/);
  assert.match(text, /known minimum at \(3, 2\)/);
  assert.match(text, /eigenvalues/);
  const cli = analyseWithCli(await cliConfig(page, { classify: [point.x] }));
  assert.deepEqual(asJson([point]), cli.classify);
  // The click classified: no start moved; the link names the point.
  assert.equal(await page.evaluate(() => JSON.stringify(document.querySelector('convergence-playground').getConfig().runs.map((r) => r.x0))), startsBefore);
  assert.match(await page.evaluate(() => decodeURIComponent(location.hash)), /classify/);
  // Zoomed in, the critical points are searched again in the new view.
  await page.locator(`${el} button[aria-label="Zoom in"]`).click();
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a.kind === 'critical_points' && !a.running && a.report && a.report.critical_points.length < 9;
  }, null, { timeout: 60000 });
  assert.deepEqual(errors, []);
});

test('basins: the picture tints each cell with its outcome, the legend gives converge analyse\'s shares, and a click on a cell adds a run from its start', async () => {
  const { page, errors } = await openPreset('himmelblau', { width: 1440, height: 1000 });
  const state = await runAnalysis(page, 'basins');
  const b = state.report.basins;
  const cli = analyseWithCli(await cliConfig(page, { basins: {} }));
  assert.deepEqual(asJson(state.report).basins, cli.basins);
  // The legend: one item per outcome reached, with its share as the CLI gives it.
  const items = await page.locator(`${el} .basin-legend li`).allInnerTexts();
  const reached = cli.basins.outcomes.filter((o) => o.count > 0);
  assert.equal(items.length, reached.length);
  const shares = await page.evaluate(async (list) => {
    const { fmt } = await import('./catalog.js');
    return list.map((share) => `${fmt(100 * share)} %`);
  }, reached.map((o) => o.share));
  reached.forEach((o, i) => {
    assert.ok(items[i].replace(/\s+/g, ' ').endsWith(shares[i]), `legend item "${items[i]}" lacks the share ${shares[i]}`);
  });
  // Each sampled cell's pixel is nearest in colour to its own outcome's colour of all outcomes.
  const colors = await page.evaluate((n) => {
    const swatches = [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.basin-legend .swatch')];
    return swatches.map((s) => getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number));
  }, b.outcomes.length);
  const reachedIndex = b.outcomes.map((o, i) => (o.count > 0 ? i : -1)).filter((i) => i >= 0);
  const cells = [];
  for (let k = 37; k < b.side * b.side; k += 97) cells.push(k);
  const centres = cells.map((k) => {
    const i = k % b.side;
    const j = Math.floor(k / b.side);
    return [b.view.x[0] + ((i + 0.5) / b.side) * (b.view.x[1] - b.view.x[0]), b.view.y[1] - ((j + 0.5) / b.side) * (b.view.y[1] - b.view.y[0])];
  });
  const pixels = await pixelsNear(page, centres, 0);
  let right = 0;
  cells.forEach((k, n) => {
    const c = pixels[n][0];
    const dist = (rgb) => (rgb[0] - c[0]) ** 2 + (rgb[1] - c[1]) ** 2 + (rgb[2] - c[2]) ** 2;
    const best = reachedIndex.reduce((a, i) => (dist(colors[reachedIndex.indexOf(i)]) < dist(colors[reachedIndex.indexOf(a)]) ? i : a), reachedIndex[0]);
    if (best === b.grid[k]) right += 1;
  });
  assert.ok(right >= 0.9 * cells.length, `${right} of ${cells.length} sampled cells have their outcome's colour`);
  // A click on a cell (away from the start markers) adds a run of the basins' optimizer from
  // that cell's start, which ends at the cell's minimum.
  const k = 5 * b.side + 50;
  const start = [b.view.x[0] + ((50 + 0.5) / b.side) * (b.view.x[1] - b.view.x[0]), b.view.y[1] - ((5 + 0.5) / b.side) * (b.view.y[1] - b.view.y[0])];
  await page.locator(`${el} canvas.landscape`).scrollIntoViewIfNeeded();
  const spot = await page.evaluate((p) => {
    const w = document.querySelector('convergence-playground');
    const canvas = w.shadowRoot.querySelector('canvas.landscape');
    const rect = canvas.getBoundingClientRect();
    const [px, py] = w.pg.params_to_canvas(rect.width, rect.height, p[0], p[1]);
    return [rect.left + px, rect.top + py];
  }, start);
  const count = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs.length);
  await page.mouse.click(spot[0], spot[1]);
  await page.waitForFunction((n) => document.querySelector('convergence-playground').getConfig().runs.length === n + 1, count);
  const added = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs.at(-1));
  assert.deepEqual(added.x0, start);
  assert.deepEqual(added.optimizer, (await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs[0])).optimizer);
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').step(3000));
  const end = snap.runs.at(-1).params;
  const target = b.outcomes[b.grid[k]].x;
  // Ends within the basins' merge distance (1 % of the view's diagonal) of its minimum.
  assert.ok(Math.hypot(end[0] - target[0], end[1] - target[1]) < 0.14, `the run from cell ${k} ends at ${end}, its cell says ${target}`);
  // Adding a run does not change the basins: the picture and the result stay.
  const after = await page.evaluate(() => document.querySelector('convergence-playground').analysis);
  assert.deepEqual(after.report, state.report);
  assert.deepEqual(errors, []);
});

test('a basins grid split across 1 or 3 workers gives the same report, and a 256 x 256 grid fills in while frames keep coming', async () => {
  const { page, errors } = await openPreset('himmelblau');
  const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  config.runs[0].optimizer = { name: 'Adam', lr: 0.05 };
  config.analysis = { basins: { side: 48 } };
  const reports = await page.evaluate(async (text) => {
    const { analyse } = await import('./lab.js');
    const one = await analyse({ config: text, kind: 'basins', workers: 1 });
    const three = await analyse({ config: text, kind: 'basins', workers: 3 });
    return [one, three];
  }, JSON.stringify(config));
  assert.deepEqual(reports[0], reports[1]);
  assert.deepEqual(asJson(reports[0]).basins, analyseWithCli(config).basins);
  // 256 x 256 starts of Adam in the page, named by the config: the grid fills in from partial
  // results while the animation's frames keep their pace.
  config.analysis = { basins: { side: 256 } };
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'basins' && a.running && a.progress > 0;
  }, null, { timeout: 60000 });
  const gaps = await frameGaps(page, 40);
  assert.ok(Math.max(...gaps) < 200, `frame gaps while the basins fill in: ${gaps.map(Math.round).join(', ')}`);
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a.kind === 'basins' && !a.running && a.progress === 1;
  }, null, { timeout: 240000 });
  const done = await page.evaluate(() => document.querySelector('convergence-playground').analysis.report.basins);
  assert.equal(done.grid.length, 65536);
  assert.equal(done.outcomes.reduce((n, o) => n + o.count, 0), 65536);
  assert.deepEqual(errors, []);
});

test('on a phone a tap classifies a point while the critical points are shown, and the start stays', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  await page.locator(`${el} .preset-select`).selectOption('himmelblau');
  await page.waitForFunction(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.preset-select').value === 'himmelblau');
  await page.evaluate(() => document.querySelector('convergence-playground').pause());
  await runAnalysis(page, 'critical_points');
  await page.locator(`${el} canvas.landscape`).scrollIntoViewIfNeeded();
  const starts = await page.evaluate(() => JSON.stringify(document.querySelector('convergence-playground').getConfig().runs.map((r) => r.x0)));
  const spot = await page.evaluate(() => {
    const w = document.querySelector('convergence-playground');
    const canvas = w.shadowRoot.querySelector('canvas.landscape');
    const rect = canvas.getBoundingClientRect();
    const [px, py] = w.pg.params_to_canvas(rect.width, rect.height, -3, -3);
    return [rect.left + px, rect.top + py];
  });
  await page.touchscreen.tap(spot[0], spot[1]);
  await page.waitForFunction(() => document.querySelector('convergence-playground').analysis.point, null, { timeout: 30000 });
  const point = await page.evaluate(() => document.querySelector('convergence-playground').analysis.point);
  assert.ok(Math.abs(point.x[0] + 3) < 0.1 && Math.abs(point.x[1] + 3) < 0.1, `${point.x}`);
  assert.equal(point.basin, 2, 'the known minimum (-3.779, -3.283) holds (-3, -3)');
  assert.match(await page.locator(`${el} .analysis-point`).innerText(), /known minimum at \(-3.779, -3.283\)/);
  assert.equal(await page.evaluate(() => JSON.stringify(document.querySelector('convergence-playground').getConfig().runs.map((r) => r.x0))), starts);
  assert.deepEqual(errors, []);
  await context.close();
});
