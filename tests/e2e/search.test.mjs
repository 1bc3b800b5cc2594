// The hyperparameter search on the page: a search runs to the end in Web Workers and gives
// exactly what `converge search` prints for the same config; it can be cancelled; the page keeps
// its frame rate while it runs (workers, or slices per frame for PBT); the best configuration
// becomes a run; the search section is in the link; the fairness preset's caption holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, ROOT, SCREENSHOTS } from './harness.mjs';

const { openPage } = useBrowser();
const CONVERGE = join(ROOT, 'target', 'debug', 'converge');

/** Sets the search card's method and compare box, clicks Start and resolves with its searchdone detail and frame intervals. */
async function runSearch(page, { method = null, compare = null, cancelOnProgress = false } = {}) {
  return page.evaluate(async ({ method, compare, cancelOnProgress }) => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    if (method) {
      const select = root.querySelector('select.search-method');
      select.value = method;
      select.dispatchEvent(new Event('change'));
    }
    if (compare !== null) root.querySelector('input.search-compare').checked = compare;
    const frames = [];
    let watching = true;
    // With cancelOnProgress, Cancel is pressed at the first frame that shows some trials done
    // (not after a fixed time, which a fast machine can outrun).
    const bar = root.querySelector('progress.search-bar');
    let pressed = false;
    const tick = (t) => {
      frames.push(t);
      if (cancelOnProgress && !pressed && bar && bar.value > 0 && bar.value < 1) {
        pressed = true;
        root.querySelector('button.search-cancel').click();
      }
      if (watching) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    // searchdone is the element's event (README), heard on the element itself.
    const done = new Promise((ok) => root.host.addEventListener('searchdone', (e) => ok(e.detail), { once: true }));
    root.querySelector('button.search-start').click();
    const startDisabled = root.querySelector('button.search-start').disabled;
    const detail = await done;
    watching = false;
    let worst = 0;
    for (let i = 1; i < frames.length; i += 1) worst = Math.max(worst, frames[i] - frames[i - 1]);
    return {
      cancelled: detail.cancelled,
      results: detail.results,
      worst,
      frames: frames.length,
      startDisabled,
      progress: root.querySelector('.search-progress').textContent,
      summary: root.querySelector('.search-result').textContent,
      rows: root.querySelectorAll('.search-table tbody tr').length,
      heads: [...root.querySelectorAll('.search-table thead th')].map((th) => th.textContent.replace(/ [▲▼]$/, '')),
      hash: location.hash,
    };
  }, { method, compare, cancelOnProgress });
}

test('a Hyperband search runs in Web Workers and equals converge search bit for bit', async () => {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing (cargo build --bin converge)`);
  const { page, errors } = await openPage();
  const config = {
    seed: 2,
    problem: { name: 'model', data: { name: 'moons', n: 120, noise: 0.1 }, model: { name: 'mlp', hidden: [4] }, validation_share: 0.5, batch_size: 10 },
    runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: 0.01 } }],
    stop: { max_steps: 1000000, loss_plateau: null, param_change: null, grad_norm: null },
    search: { method: 'hyperband', max_resource: 27, eta: 3, seed: 4, objective: 'best',
      space: [{ path: 'runs[0].optimizer.lr', low: 0.0001, high: 0.5, scale: 'log' },
        { path: 'problem.model.hidden[0]', low: 1, high: 6, integer: true }] },
  };
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  const out = await runSearch(page, { compare: false });
  assert.equal(out.cancelled, false);
  assert.equal(out.results.done, true);
  assert.ok(out.startDisabled, 'Start is disabled while the search runs');
  assert.match(out.summary, /^Done: \d+ trial results/);
  assert.ok(out.rows === out.results.trials.length, `the table lists every row (${out.rows})`);
  // What a reader compares first leads, so that a phone's narrow table shows it unscrolled.
  assert.deepEqual(out.heads, ['trial', 'objective', 'problem.model.hidden[0]', 'runs[0].optimizer.lr', 'bracket', 'round', 'resource', 'steps']);
  assert.ok(out.worst < 100, `no frame longer than 100 ms while the workers train (worst ${out.worst.toFixed(1)} ms)`);
  assert.match(out.hash, /&search=\(.*method=hyperband/, 'the search is in the link');
  assert.match(out.hash, /objective=best/, 'settings the editor does not show are kept');
  // The same config through the CLI: the same JSON, bit for bit.
  mkdirSync(join(ROOT, 'target'), { recursive: true });
  const file = join(ROOT, 'target', 'e2e-search.json');
  const withSearch = await page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  assert.deepEqual(withSearch.search.space, [config.search.space[0], { ...config.search.space[1], scale: 'linear' }]);
  writeFileSync(file, JSON.stringify(withSearch));
  const cli = execFileSync(CONVERGE, ['search', file, '--threads', '2'], { encoding: 'utf8' });
  const page2 = await page.evaluate(() => document.querySelector('convergence-playground').pg.search_results());
  // Shortest round-trip decimals on both sides: equal numbers are equal bits.
  assert.deepStrictEqual(page2, JSON.parse(cli));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a search can be cancelled and the best configuration becomes a run', async () => {
  const { page, errors } = await openPage();
  const config = {
    seed: 1,
    problem: { name: 'rosenbrock' },
    runs: [{ label: 'adam', x0: [-1.5, 2], optimizer: { name: 'Adam', lr: 0.01 } }],
    stop: { max_steps: 100000000, loss_plateau: null, param_change: null, grad_norm: null },
    search: { method: 'hyperband', max_resource: 2187, eta: 3, seed: 1,
      space: [{ path: 'runs[0].optimizer.lr', low: 0.0001, high: 1, scale: 'log' }] },
  };
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  const cancelled = await runSearch(page, { cancelOnProgress: true });
  assert.equal(cancelled.cancelled, true);
  assert.equal(cancelled.results.done, false);
  assert.match(cancelled.progress, /Cancelled/);
  const buttons = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return [root.querySelector('button.search-start').disabled, root.querySelector('button.search-cancel').disabled];
  });
  assert.deepEqual(buttons, [false, true], 'Start is enabled again, Cancel disabled');
  // A small search to the end, then its best as a run.
  await page.evaluate((c) => document.querySelector('convergence-playground').load({ ...c, search: { ...c.search, max_resource: 27 } }), config);
  const done = await runSearch(page);
  assert.equal(done.results.done, true);
  const bestLr = done.results.best.configuration['runs[0].optimizer.lr'];
  await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('button.search-best').click());
  const runs = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs);
  assert.equal(runs.length, 2);
  assert.equal(runs[1].label, 'best of Hyperband');
  assert.equal(runs[1].optimizer.lr, bestLr);
  assert.deepEqual(errors, []);
  await page.close();
});

test('population-based training runs on the page in slices and keeps the frame rate', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    seed: 1,
    problem: { name: 'himmelblau' },
    runs: [{ label: 'sgd', x0: [0, 0], optimizer: { name: 'SGD', lr: 0.001, momentum: 0.5 } }],
    stop: { max_steps: 100000000, loss_plateau: null, param_change: null, grad_norm: null },
    search: { method: 'pbt', max_resource: 2000, population: 8, seed: 3,
      space: [{ path: 'runs[0].optimizer.lr', low: 0.0001, high: 0.02, scale: 'log' },
        { path: 'runs[0].optimizer.momentum', low: 0, high: 0.95, scale: 'linear' }] },
  }));
  const out = await runSearch(page);
  assert.equal(out.results.done, true);
  assert.ok(out.results.pbt.jumps.length > 0, 'members copied each other');
  assert.ok(out.results.pbt.lr.every((curve) => curve.length > 1), 'every member has an lr curve');
  // The summary's budget and steps are the best member's own (a run may stop before its budget).
  const best = out.results.best;
  const trained = best.steps === best.units ? `${best.units} steps` : `a budget of ${best.units} steps, ${best.steps} steps taken`;
  assert.ok(out.summary.includes(`(member ${best.index}, ${trained})`), out.summary);
  assert.ok(out.frames >= 3, `frames kept coming (${out.frames})`);
  assert.ok(out.worst < 100, `no frame longer than 100 ms (worst ${out.worst.toFixed(1)} ms)`);
  const drawn = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return ['canvas.search-trials', 'canvas.search-lr', 'canvas.search-population'].map((sel) => {
      const c = root.querySelector(sel);
      if (!c || c.hidden) return 0;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
      return ink;
    });
  });
  assert.ok(drawn.every((n) => n > 100), `trials, lr and population are drawn (${drawn})`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.locator('convergence-playground .search-card').screenshot({ path: join(SCREENSHOTS, 'search-pbt.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the fairness preset: random search and Hyperband with the same budget, as its caption says', async () => {
  const { page, errors } = await openPage();
  await page.locator('convergence-playground select.preset-select').selectOption('search-fair');
  await page.evaluate(() => document.querySelector('convergence-playground').pause());
  const out = await runSearch(page);
  assert.equal(out.results.method, 'hyperband');
  // Both methods' workers stopped when their search ended (the first method's pool too).
  const deadline = Date.now() + 3000;
  while (page.workers().length && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(page.workers().length, 0, `workers left: ${page.workers().map((w) => w.url()).join(', ')}`);
  const trials = new Set(out.results.trials.map((r) => `${r.bracket}:${r.index}`));
  assert.equal(trials.size, 415, 'Hyperband tries 415 configurations');
  assert.ok(Math.abs(out.results.best.objective - 0.129) < 0.0005, `Hyperband's best ${out.results.best.objective}`);
  // Six brackets make a legend band over the trials chart: the chart grows so that its plot
  // keeps at least 100 CSS px (Rust's MIN_PLOT_PX), instead of being squeezed under the band.
  const trialsChart = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    const layout = JSON.parse(el.pg.chart_layout('search:trials'));
    const canvas = el.shadowRoot.querySelector('canvas.search-trials');
    return { plot: layout.plot, css: canvas.getBoundingClientRect().height };
  });
  assert.ok(trialsChart.plot[3] - trialsChart.plot[1] >= 99.5, `the trials plot is ${trialsChart.plot[3] - trialsChart.plot[1]} px tall: ${JSON.stringify(trialsChart)}`);
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').getConfig().search.method), 'hyperband',
    'the chosen method is the one kept in the config');
  // Every chart shown is drawn at its displayed size (the grid's reflow after hiding PBT's
  // charts must not stretch a canvas sized before it).
  const sizes = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.search-charts canvas')]
    .filter((c) => !c.hidden && c.getClientRects().length)
    .map((c) => ({ cls: c.className, width: c.width, height: c.height, css: [c.clientWidth, c.clientHeight], dpr: devicePixelRatio })));
  assert.ok(sizes.length >= 2, JSON.stringify(sizes));
  for (const c of sizes) {
    assert.ok(Math.abs(c.width - Math.round(c.css[0] * c.dpr)) <= 1 && Math.abs(c.height - Math.round(c.css[1] * c.dpr)) <= 1, `sharp: ${JSON.stringify(c)}`);
  }
  // Both methods' bests in words, and the lower one named; "Add the best" adds that one.
  const summary = await page.locator('convergence-playground .search-result').textContent();
  assert.match(summary, /Best objective 0\.1288 .*Random search with the same budget: best objective 0\.1191 .*Lower: Random search\./, summary);
  await page.locator('convergence-playground button.search-best').click();
  const added = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs.at(-1));
  assert.equal(added.label, 'best of Random search');
  assert.ok(Math.abs(added.optimizer.lr - 0.6518) < 1e-4, JSON.stringify(added.optimizer));
  // Random search alone, with its default, fair budget.
  const random = await runSearch(page, { method: 'random', compare: false });
  const configurations = new Set(random.results.trials.map((r) => r.index));
  assert.equal(configurations.size, 28, 'random search trains 28 configurations');
  assert.ok(random.results.trials.every((r) => r.units === 243));
  assert.ok(Math.abs(random.results.best.objective - 0.119) < 0.0005, `random search's best ${random.results.best.objective}`);
  // The same resource trained: random search's configurations of R steps come within one
  // configuration of what Hyperband trains (its survivors resume).
  assert.ok(random.results.budget.units <= out.results.budget.units && out.results.budget.units - random.results.budget.units < 243,
    `the same budget: ${random.results.budget.units} and ${out.results.budget.units}`);
  const caption = await page.locator('convergence-playground .caption').textContent();
  assert.match(caption, /415 configurations/);
  assert.match(caption, /0\.129/);
  assert.match(caption, /random search trains 28 for 243 steps each \(6804\)/);
  assert.match(caption, /6831 steps in all/);
  assert.match(caption, /0\.119/);
  // PBT judges its members at the last round; a lower objective a member reached on the way (a
  // state the population did not keep) is named apart, so words, table and chart agree.
  const pbt = await runSearch(page, { method: 'pbt', compare: false });
  const pbtSummary = await page.locator('convergence-playground .search-result').textContent();
  assert.match(pbtSummary, /Best of the final population: objective /);
  const lowest = Math.min(...pbt.results.trials.map((r) => r.objective).filter(Number.isFinite));
  assert.equal(pbt.results.lowest.objective, lowest);
  // On this preset member 6 reached 5.46e-4 at round 7 and lost it again.
  assert.ok(lowest < pbt.results.best.objective, `${lowest} against ${pbt.results.best.objective}`);
  assert.match(pbtSummary, /Lowest objective seen while training: 5\.46e-4 \(member 6, round 7, .*the population did not keep that state/, pbtSummary);
  assert.deepEqual(errors, []);
  await page.close();
});
