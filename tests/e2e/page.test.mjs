// End-to-end tests of the real page (www/index.html) in Debian's Chromium, driven by
// playwright-core. Run: `node --test tests/e2e/` (after `make build`).
// A missing browser or a missing www/pkg is a failure, never a skip.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, ROOT, SCREENSHOTS, alertText, statusLines } from './harness.mjs';
import { PRESETS, LESSONS } from '../../www/presets.js';

const { openPage } = useBrowser();

async function snapshot(page) {
  return page.evaluate(() => document.querySelector('convergence-playground').snapshot());
}

async function runToEnd(page) {
  return page.evaluate(() => document.querySelector('convergence-playground').step(10_000_000));
}

/** Elements that stick out of their panel, card or status line (layout bugs). */
async function overflowing(page) {
  return page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const out = [];
    for (const box of root.querySelectorAll('.panel, .card, .status li, .sidebar')) {
      const outer = box.getBoundingClientRect();
      for (const el of box.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width && r.right > outer.right + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} sticks out ${Math.round(r.right - outer.right)}px`);
      }
    }
    return out;
  });
}

/** Number of distinct colors in a canvas of the widget (a blank canvas has 1). */
async function distinctColors(page, selector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector('convergence-playground').shadowRoot.querySelector(sel);
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]);
      if (seen.size > 500) break;
    }
    return seen.size;
  }, selector);
}

test('the page loads with no console or page errors, and el.ready resolves', async () => {
  const { page, errors } = await openPage();
  assert.equal(await page.title(), 'Convergence Playground');
  const info = await page.evaluate(() => {
    const w = document.querySelector('convergence-playground');
    return {
      controls: w.getAttribute('controls'),
      runs: w.snapshot().runs.length,
      hash: location.hash,
      header: document.querySelector('header h1').textContent,
      icon: document.querySelector('link[rel="icon"]').getAttribute('href'),
    };
  });
  assert.equal(info.controls, 'full');
  assert.ok(info.runs >= 1);
  assert.match(info.hash, /^#problem=quadratic\(b=4\)&run=gd:SGD\(lr=0\.1\)@-4,3/, 'the experiment is written to the hash, readably');
  assert.equal(info.header, 'Convergence Playground');
  assert.equal(info.icon, 'favicon.svg', 'a real icon file (a data: icon is refused by a strict CSP)');
  await page.waitForTimeout(300);
  assert.deepEqual(errors, []);
  await page.close();
});

test('play advances the step count and stops by itself when every run has ended', async () => {
  const { page, errors } = await openPage();
  assert.equal((await snapshot(page)).runs[0].step, 0);
  await page.locator('convergence-playground button.play').click();
  await page.waitForFunction(() => document.querySelector('convergence-playground').snapshot().runs[0].step > 5);
  const counter = await page.locator('convergence-playground .counter').textContent();
  assert.match(counter, /^step [1-9]/);
  // Speed "max" finishes the default experiment, and the loop stops.
  await page.locator('convergence-playground select[aria-label="Speed"]').selectOption({ value: JSON.stringify('max') });
  await page.waitForFunction(() => !document.querySelector('convergence-playground').playing, null, { timeout: 20_000 });
  const snap = await snapshot(page);
  assert.notEqual(snap.runs[0].status.state, 'running');
  assert.equal(await page.locator('convergence-playground button.play').textContent(), '↻ Replay');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the landscape and the charts are painted', async () => {
  const { page, errors } = await openPage();
  assert.ok(await distinctColors(page, 'canvas.landscape') > 50, 'landscape heatmap drawn');
  await page.evaluate(() => document.querySelector('convergence-playground').step(50));
  for (const kind of ['loss', 'lr', 'grad_norm', 'delta_norm']) {
    const n = await distinctColors(page, `.chart-${kind} canvas`);
    assert.ok(n > 3, `${kind} chart drawn (${n} colors)`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a preset chosen in the menu converges and its status line says so', async () => {
  const { page, errors } = await openPage();
  await page.locator('convergence-playground select.preset-select').selectOption('momentum');
  const caption = await page.locator('convergence-playground .caption').textContent();
  assert.match(caption, /Nesterov/);
  await page.locator('convergence-playground select[aria-label="Speed"]').selectOption({ value: JSON.stringify('max') });
  await page.waitForFunction(() => !document.querySelector('convergence-playground').playing, null, { timeout: 20_000 });
  const lines = await statusLines(page);
  assert.equal(lines.length, 3);
  for (const line of lines) assert.match(line, /: converged at step \d+: .*global minimum/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every preset tells the story of its caption', async () => {
  const { page, errors } = await openPage();
  // Each run's state comes from the one table of every preset's verdicts.
  const table = JSON.parse(readFileSync(join(ROOT, 'tests', 'e2e', 'preset-verdicts.json'), 'utf8'));
  const expected = Object.fromEntries(Object.entries(table).map(([id, rows]) => [id, rows.map((r) => r.state)]));
  // The landscape presets; the presets that train models on data are in training.test.mjs.
  const landscapes = PRESETS.filter((p) => (p.group || 'landscape') === 'landscape');
  for (const preset of landscapes) {
    const result = await page.evaluate(async (config) => {
      const w = document.querySelector('convergence-playground');
      await w.load(config);
      const snap = await w.step(10_000_000);
      return { snap, report: w.report() };
    }, preset.config);
    assert.deepEqual(await overflowing(page), [], `${preset.id}: layout at 1280 px`);
    const states = result.snap.runs.map((r) => r.status.state);
    assert.deepEqual(states, expected[preset.id], `${preset.id}: ${JSON.stringify(result.report.map((r) => r.text))}`);
    const at = result.snap.runs.map((r) => r.status.at_step);
    const kinds = result.report.map((r) => r.end);
    const params = result.snap.runs.map((r) => r.params);
    switch (preset.id) {
      case 'lr':
        assert.ok(at[1] < 150, 'lr 0.15 converges in about 120 steps');
        break;
      case 'schedules':
        assert.ok(at[4] < 150 && at[1] > 1000 && at[2] > 1000, 'warm-up + cosine fastest, 1/t and 1/sqrt(t) slow');
        assert.ok(Math.abs(params[3][0]) > 0.01, 'exponential decay stops short of (0, 0)');
        break;
      case 'momentum':
        assert.ok(at[0] > 900 && at[1] < 450 && at[2] < at[1], `SGD > momentum > Nesterov: ${at}`);
        break;
      case 'adam-rosenbrock':
        assert.ok(Math.abs(params[0][0] - 1) > 1e-3, 'SGD is still short of (1, 1)');
        break;
      case 'adamw':
        assert.ok(Math.abs(params[1][0] - 1.228) < 0.01 && Math.abs(params[1][1] - 2.561) < 0.01, `Adam + L2 at the regularised minimum: ${params[1]}`);
        assert.ok(Math.abs(params[2][0]) <= 1 && Math.abs(params[2][1]) <= 1, `AdamW inside |x|, |y| <= 1: ${params[2]}`);
        break;
      case 'himmelblau': {
        const ends = new Set(params.map((p) => p.map((v) => v.toFixed(3)).join(',')));
        assert.equal(ends.size, 4, 'four different minima');
        assert.ok(kinds.every((k) => k === 'global_minimum'));
        break;
      }
      case 'six-hump':
        assert.deepEqual(kinds, ['global_minimum', 'global_minimum', 'local_minimum', 'local_minimum']);
        break;
      case 'rastrigin':
        assert.deepEqual(kinds, ['global_minimum', 'local_minimum', 'local_minimum', 'local_minimum']);
        break;
      case 'saddle':
        assert.deepEqual(result.snap.runs.map((r) => r.status.criterion), ['unbounded_below', 'unbounded_below', 'grad_norm']);
        assert.ok(at[1] < at[0], 'momentum escapes sooner');
        assert.deepEqual([at[0], at[1]], [150, 54], 'the steps the caption names');
        assert.equal(at[2], 1, 'Newton jumps onto the saddle in one step');
        assert.equal(kinds[2], 'saddle');
        break;
      case 'hypergradient': {
        assert.equal(at[1], 178, 'SGD-HD converges at step 178');
        assert.equal(at[2], 403, 'Adam-HD converges at step 403');
        assert.ok(Math.abs(result.snap.runs[0].loss - 0.146) < 0.005, `plain SGD still at 0.15: ${result.snap.runs[0].loss}`);
        const lrs = result.snap.runs.slice(1).map((r) => r.lr);
        assert.ok(lrs.every((lr) => lr > 0.08 && lr < 0.12), `the learned lr is about 0.1: ${lrs}`);
        break;
      }
      default:
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a config with a view box, then zoomed, gives a link with one view part that reproduces it', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    problem: { name: 'himmelblau' }, runs: [{ label: 'gd', x0: [0, 0], optimizer: { name: 'SGD', lr: 0.01 } }],
    view: { x: [-4, 4], y: [-4, 4] },
  }));
  assert.match(await page.evaluate(() => location.hash), /&view=-4,4,-4,4$/, 'the config\'s own view box is in the link');
  await page.locator('convergence-playground button[aria-label="Zoom in"]').click();
  const hash = await page.evaluate(() => location.hash);
  assert.equal((hash.match(/view=/g) || []).length, 1, `one view part: ${hash}`);
  const view = await page.evaluate(() => document.querySelector('convergence-playground').pg.view());
  assert.notDeepEqual(view, [-4, 4, -4, 4], 'zoomed');
  const other = await openPage(hash);
  assert.deepEqual(await other.page.evaluate(() => document.querySelector('convergence-playground').pg.view()), view);
  assert.deepEqual(other.errors, []);
  await other.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('URL round trip: the same hash gives the same experiment and identical snapshots', async () => {
  const { page, errors } = await openPage();
  const config = {
    seed: 3,
    problem: { name: 'rosenbrock' },
    runs: [
      { label: 'adam', x0: [-1.5, 2], optimizer: { name: 'Adam', lr: 0.02, amsgrad: true }, schedule: { name: 'constant' }, color: '#1f77b4' },
      { label: 'lookahead sgd', x0: [0.5, 2.5], optimizer: { name: 'Lookahead', k: 6, alpha: 0.4, inner: { name: 'SGD', lr: 0.001, momentum: 0.9 } },
        schedule: { name: 'SequentialLR', schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 50 }, { name: 'CosineAnnealingLR', T_max: 800 }], milestones: [50] } },
    ],
    stop: { max_steps: 1500, target_loss: { value: 1e-6, stop: false } },
  };
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  // A change through the controls must reach the hash too: the first run's lr.
  const lr = page.locator('convergence-playground input[data-path="runs[0].optimizer.lr"]');
  await lr.fill('0.03');
  await lr.press('Enter');
  await page.waitForFunction(() => location.hash.includes('lr=0.03'));
  await page.locator('convergence-playground button[aria-label="Zoom in"]').click();
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /&view=-1\.33333,1\.33333,-0\.333333,2\.33333$/);
  const view = await page.evaluate(() => document.querySelector('convergence-playground').pg.view());
  assert.match(hash, /^#problem=rosenbrock&run=adam:Adam\(amsgrad=true,lr=0\.03\)@-1\.5,2/);
  const first = await runToEnd(page);
  const firstConfig = await page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  assert.equal(firstConfig.runs[0].optimizer.lr, 0.03);

  const other = await openPage(hash);
  const secondConfig = await other.page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  assert.deepEqual(secondConfig, firstConfig);
  const secondView = await other.page.evaluate(() => document.querySelector('convergence-playground').pg.view());
  assert.deepEqual(secondView, view, 'the zoomed view box travels in the link');
  const second = await runToEnd(other.page);
  assert.deepEqual(second, first);
  assert.ok(first.runs.every((r) => r.status.state !== 'running'));
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await page.close();
  await other.page.close();
});

test('a link with problems shows an alert, the default experiment runs and the link stays until a change', async () => {
  const { page, errors } = await openPage('#config=%7Bnot%20json');
  const text = await alertText(page);
  assert.match(text, /has problems, so this widget’s own experiment is shown instead; the link stays in the address bar/);
  assert.match(text, /not valid JSON/);
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').step(5));
  assert.equal(snap.runs[0].label, 'gd');
  assert.equal(snap.runs[0].step, 5);
  assert.equal(await page.evaluate(() => location.hash), '#config=%7Bnot%20json', 'the link is kept while nothing changed');
  await page.evaluate(() => document.querySelector('convergence-playground').set('runs[0].optimizer.lr', 0.05));
  assert.match(await page.evaluate(() => location.hash), /^#problem=quadratic.*lr=0\.05/, 'a change writes the running experiment');
  // A readable hash with an invalid experiment: the alert names the field, the link is kept.
  const link = '#problem=rosenbrock&run=adam:Adam(lr=0.05)@-1.5,2&run=sgd:SGD(lr=-0.001,momentum=0.9)@-1.5,2&seed=1';
  const bad = await openPage(link);
  assert.match(await alertText(bad.page), /runs\[1\]\.optimizer\.lr: must be >= 0/);
  assert.equal((await snapshot(bad.page)).runs[0].label, 'gd');
  await bad.page.waitForTimeout(1000);
  assert.equal(await bad.page.evaluate(() => decodeURIComponent(location.hash)), decodeURIComponent(link), 'the link is kept');
  // A link cut short: the alert says where the syntax breaks.
  const cut = await openPage('#problem=rosenbrock&run=x:SGD(lr=0.1');
  assert.match(await alertText(cut.page), /hash: run #1: expected '\)'/);
  assert.equal((await snapshot(cut.page)).runs[0].label, 'gd');
  assert.deepEqual(cut.errors, []);
  await cut.page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(bad.errors, []);
  await page.close();
  await bad.page.close();
});

test('el.load with a bad config rejects with every problem and keeps the experiment running', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').step(7));
  const message = await page.evaluate(async () => {
    const w = document.querySelector('convergence-playground');
    try {
      await w.load({ problem: { name: 'rosenbrock' }, runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: -0.1, betas: [1.2, 0.999] } }] });
      return 'resolved';
    } catch (e) {
      return e instanceof Error ? e.message : `not an Error: ${e}`;
    }
  });
  assert.match(message, /runs\[0\]\.optimizer\.betas\[0\]/);
  assert.match(message, /runs\[0\]\.optimizer\.lr/, 'every problem is listed');
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').step(3));
  assert.equal(snap.runs[0].label, 'gd');
  assert.equal(snap.runs[0].step, 10, 'the previous experiment keeps going');
  // A bad value typed into a control shows an alert and leaves the running experiment alone.
  const lr = page.locator('convergence-playground input[data-path="runs[0].optimizer.lr"]');
  await lr.fill('-5');
  await lr.press('Enter');
  assert.match(await alertText(page, '.config-alert'), /runs\[0\]\.optimizer\.lr/);
  assert.equal(await lr.getAttribute('aria-invalid'), 'true');
  assert.equal((await page.evaluate(() => document.querySelector('convergence-playground').getConfig())).runs[0].optimizer.lr, 0.1);
  // A wrong type in another field is told with the value out of range, both fields marked.
  const wd = page.locator('convergence-playground input[data-path="runs[0].optimizer.weight_decay"]');
  await wd.fill('abc');
  await wd.press('Enter');
  const both = await alertText(page, '.config-alert');
  assert.match(both, /runs\[0\]\.optimizer\.weight_decay: must be a number, got string "abc"/);
  assert.match(both, /runs\[0\]\.optimizer\.lr: must be >= 0, got -5/, both);
  assert.equal(await wd.getAttribute('aria-invalid'), 'true');
  assert.equal(await lr.getAttribute('aria-invalid'), 'true');
  await wd.fill('0');
  await wd.press('Enter');
  await lr.fill('0.05');
  await lr.press('Enter');
  assert.equal(await alertText(page, '.config-alert'), '');
  assert.equal((await page.evaluate(() => document.querySelector('convergence-playground').getConfig())).runs[0].optimizer.lr, 0.05);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a label with markup is shown as text, never parsed', async () => {
  const label = '<img src=x onerror=alert(1)>';
  const config = { problem: { name: 'quadratic' }, runs: [{ label, optimizer: { name: 'SGD', lr: 0.1 } }], stop: { max_steps: 100 } };
  const { page, errors, dialogs } = await openPage();
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
  await page.evaluate(() => document.querySelector('convergence-playground').step(100));
  // Through the URL as well.
  const hash = await page.evaluate(() => location.hash);
  const other = await openPage(hash);
  for (const p of [page, other.page]) {
    const found = await p.evaluate(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      return {
        imgs: root.querySelectorAll('img').length + document.querySelectorAll('img').length,
        status: root.querySelector('.status li .run-label').textContent,
        runButton: root.querySelector('.run-pick .run-name').textContent,
        labelField: root.querySelector('input[data-path="runs[0].label"]').value,
      };
    });
    assert.equal(found.imgs, 0, 'no img element was created');
    assert.equal(found.status, label);
    assert.equal(found.runButton, label);
    assert.equal(found.labelField, label);
  }
  await page.waitForTimeout(200);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await page.close();
  await other.page.close();
});

test('keyboard shortcuts: space plays and pauses, s steps, r resets; not while typing', async () => {
  const { page, errors } = await openPage();
  await page.locator('header h1').click();
  await page.keyboard.press('s');
  await page.keyboard.press('s');
  assert.equal((await snapshot(page)).runs[0].step, 2);
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').playing), true);
  await page.waitForFunction(() => document.querySelector('convergence-playground').snapshot().runs[0].step > 4);
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').playing), false);
  const paused = (await snapshot(page)).runs[0].step;
  await page.waitForTimeout(150);
  assert.equal((await snapshot(page)).runs[0].step, paused, 'paused');
  await page.keyboard.press('r');
  assert.equal((await snapshot(page)).runs[0].step, 0);
  // Typing in a text field is not a shortcut.
  const label = page.locator('convergence-playground input[data-path="runs[0].label"]');
  await label.click();
  await page.keyboard.type('s r');
  assert.equal((await snapshot(page)).runs[0].step, 0);
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').playing), false);
  // Space on a focused button presses that button (Next goes to lesson 2, which plays itself as
  // every lesson does); on the Export disclosure it opens it and does not play.
  const lesson = () => page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.lesson-count').textContent);
  await page.locator('convergence-playground select.preset-select').selectOption(LESSONS[0]);
  await page.evaluate(() => document.querySelector('convergence-playground').pause());
  assert.match(await lesson(), /Lesson 1 of/);
  await page.locator('convergence-playground button.lesson-next').focus();
  await page.keyboard.press(' ');
  assert.match(await lesson(), /Lesson 2 of/);
  await page.evaluate(() => document.querySelector('convergence-playground').pause());
  const exportMenu = page.locator('convergence-playground details.export-menu');
  await page.locator('convergence-playground details.export-menu > summary').focus();
  await page.keyboard.press(' ');
  assert.equal(await exportMenu.evaluate((d) => d.open), true);
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').playing), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('converged, diverged and stopped events fire once per run with the right detail', async () => {
  const { page, errors } = await openPage();
  const lr = PRESETS.find((p) => p.id === 'lr').config;
  const events = await page.evaluate(async (config) => {
    const w = document.querySelector('convergence-playground');
    const seen = [];
    for (const type of ['converged', 'diverged', 'stopped']) {
      // On the document: the events bubble out of the element.
      document.addEventListener(type, (e) => seen.push({ type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed, target: e.target === w }));
    }
    await w.load(config);
    for (let i = 0; i < 60; i += 1) await w.step(10);
    await w.step(1000); // nothing left to do: no duplicate events
    return seen;
  }, lr);
  const sorted = [...events].sort((a, b) => a.detail.step - b.detail.step);
  assert.deepEqual(sorted, [
    { type: 'diverged', detail: { label: 'lr 0.21', step: 74, reason: 'loss_exploded', end: 'unknown' }, bubbles: true, composed: true, target: true },
    { type: 'converged', detail: { label: 'lr 0.15', step: 122, criterion: 'grad_norm', end: 'global_minimum' }, bubbles: true, composed: true, target: true },
    { type: 'stopped', detail: { label: 'lr 0.01', step: 500, reason: 'max_steps', end: 'slope' }, bubbles: true, composed: true, target: true },
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an early stop fires early_stopped, never converged', async () => {
  const { page, errors } = await openPage();
  const cure = PRESETS.find((p) => p.id === 'cure-early').config;
  const events = await page.evaluate(async (config) => {
    const w = document.querySelector('convergence-playground');
    const seen = [];
    for (const type of ['converged', 'early_stopped', 'diverged', 'stopped']) {
      document.addEventListener(type, (e) => seen.push({ type: e.type, detail: e.detail }));
    }
    await w.load(config);
    await w.step(10_000);
    return seen;
  }, cure);
  assert.deepEqual(events, [
    { type: 'early_stopped', detail: { label: 'L-BFGS', step: 28, criterion: 'early_stopping', end: 'unknown' } },
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hover read-outs: the landscape shows (x, y, f) and a chart shows every run at a step', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').step(60));
  const land = page.locator('convergence-playground canvas.landscape');
  const box = await land.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const landTip = await page.locator('convergence-playground .landscape-card .tooltip').textContent();
  assert.match(landTip, /x = .*y = .*f\(x, y\) = /);
  const chart = page.locator('convergence-playground .chart-loss canvas');
  const cbox = await chart.boundingBox();
  await page.mouse.move(cbox.x + cbox.width * 0.5, cbox.y + cbox.height / 2);
  const chartTip = await page.locator('convergence-playground .chart-loss .tooltip').textContent();
  assert.match(chartTip, /step ≈ \d+/);
  assert.match(chartTip, /gd.*loss = [0-9.e-]+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a click on the landscape moves the start of the selected run and updates the URL', async () => {
  const { page, errors } = await openPage();
  const land = page.locator('convergence-playground canvas.landscape');
  const box = await land.boundingBox();
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.25);
  await page.waitForFunction(() => {
    const x0 = document.querySelector('convergence-playground').getConfig().runs[0].x0;
    return x0[0] > 0 && x0[1] > 0;
  });
  const x0 = (await page.evaluate(() => document.querySelector('convergence-playground').getConfig())).runs[0].x0;
  assert.ok(Math.abs(x0[0] - 2.5) < 0.2 && Math.abs(x0[1] - 2.5) < 0.2, `start near (2.5, 2.5): ${x0}`);
  const hash = await page.evaluate(() => location.hash);
  assert.ok(hash.includes(`@${x0[0]},${x0[1]}`), hash);
  const snap = await snapshot(page);
  assert.deepEqual(snap.runs[0].params, x0);
  // A drag: the start follows the pointer, and the hash is written on release.
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.8);
  await page.mouse.down();
  for (let i = 1; i <= 10; i += 1) await page.mouse.move(box.x + box.width * (0.2 + 0.02 * i), box.y + box.height * 0.8);
  await page.mouse.up();
  const dragged = (await page.evaluate(() => document.querySelector('convergence-playground').getConfig())).runs[0].x0;
  assert.ok(Math.abs(dragged[0] + 1) < 0.2 && Math.abs(dragged[1] + 3) < 0.2, `start near (-1, -3): ${dragged}`);
  assert.ok((await page.evaluate(() => location.hash)).includes(`@${dragged[0]},${dragged[1]}`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('minimal mode and a bad config attribute', async () => {
  const { page, errors } = await openPage('', { path: 'embed.html' });
  const info = await page.evaluate(() => {
    const w = document.querySelector('convergence-playground');
    const root = w.shadowRoot;
    return { sidebar: !!root.querySelector('.sidebar'), play: !!root.querySelector('button.play'), status: root.querySelectorAll('.status li').length, hash: location.hash };
  });
  assert.equal(info.sidebar, false, 'no settings panels in minimal mode');
  assert.equal(info.play, true);
  assert.ok(info.status >= 1);
  // embed.html is the iframe form of an embed: its widget has `url` and follows the frame's own
  // address (a widget without `url` leaves the hash alone: tests/e2e/embed.test.mjs).
  assert.match(info.hash, /^#problem=quadratic/, 'embed.html writes its experiment into its own address');
  const result = await page.evaluate(async () => {
    const w = document.createElement('convergence-playground');
    w.setAttribute('controls', 'minimal');
    w.setAttribute('config', '{"problem": {"name": "quadratic"}, "runs": [{"label": "x", "optimizer": {"name": "SGD", "lr": 0.1, "momentum": -1}}]}');
    document.body.append(w);
    await w.ready;
    const alert = [...w.shadowRoot.querySelectorAll('[role="alert"]')].find((a) => !a.hidden);
    return { alert: alert ? alert.textContent : '', label: w.snapshot().runs[0].label };
  });
  assert.match(result.alert, /runs\[0\]\.optimizer\.momentum/);
  assert.equal(result.label, 'gd', 'the defaults are loaded');
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * Where the picture (the landscape, or the model view of a model preset) and the run status list
 * are, in viewport pixels, with the window's scroll position and what sticks out of its box.
 */
async function pictureAndStatus(page) {
  return page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
    const shown = [...root.querySelectorAll('canvas.landscape, canvas.model-view')].filter((c) => c.getClientRects().length);
    return {
      scrollY: window.scrollY,
      width: window.innerWidth,
      height: window.innerHeight,
      pictures: shown.length,
      picture: shown.length ? box(shown[0]) : null,
      status: box(root.querySelector('ul.status')),
      lines: root.querySelectorAll('ul.status li').length,
    };
  });
}

// The lesson's picture is the first thing on the screen, whole, whatever the number of runs and
// the length of their verdicts, with the verdicts beside it: both on load and once every run has
// ended (when the status lines carry their advice).
for (const [width, height] of [[1440, 900], [1280, 800]]) {
  test(`at ${width}x${height} every lesson's picture is whole on the first screen, its verdicts beside it`, async () => {
    const { page, errors } = await openPage('', { width, height });
    for (const id of LESSONS) {
      await page.locator('convergence-playground select.preset-select').selectOption(id);
      await page.evaluate(() => { document.querySelector('convergence-playground').pause(); window.scrollTo(0, 0); });
      const runs = PRESETS.find((p) => p.id === id).config.runs.length;
      for (const when of ['on load', 'at the end']) {
        if (when === 'at the end') {
          await page.evaluate(() => document.querySelector('convergence-playground').step(10_000_000));
          await page.evaluate(() => window.scrollTo(0, 0));
        }
        const m = await pictureAndStatus(page);
        const where = `${id} ${when} at ${width}x${height}: ${JSON.stringify(m)}`;
        assert.equal(m.scrollY, 0, where);
        assert.equal(m.pictures, 1, `${where}: one picture shown`);
        assert.equal(m.lines, runs, `${where}: a status line for every run`);
        assert.ok(m.picture.top >= 0 && m.picture.left >= 0, `${where}: the picture's top left is on screen`);
        assert.ok(m.picture.bottom <= m.height && m.picture.right <= m.width, `${where}: the picture's bottom right is on screen`);
        assert.ok(m.status.top < m.height - 100, `${where}: the verdicts start on the first screen`);
        assert.ok(m.status.left >= m.picture.right, `${where}: the verdicts beside the picture`);
        assert.deepEqual(await overflowing(page), [], where);
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('the page works at 800 px wide', async () => {
  const { page, errors } = await openPage('', { width: 800, height: 900 });
  await page.evaluate(() => document.querySelector('convergence-playground').step(100));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px too wide)`);
  assert.ok(await distinctColors(page, 'canvas.landscape') > 50);
  for (const id of ['rastrigin', 'schedules']) {
    await page.locator('convergence-playground select.preset-select').selectOption(id);
    assert.deepEqual(await overflowing(page), [], id);
  }
  await page.locator('convergence-playground select.preset-select').selectOption('bowl');
  await page.evaluate(async () => { const w = document.querySelector('convergence-playground'); w.pause(); await w.step(100); });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'playground-800.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('full-page screenshot for people to look at', async () => {
  const { page, errors } = await openPage();
  await page.locator('convergence-playground select.preset-select').selectOption('lr');
  await page.evaluate(async () => {
    const w = document.querySelector('convergence-playground');
    w.pause();
    await w.step(500);
  });
  await page.waitForTimeout(200);
  assert.deepEqual(await overflowing(page), []);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, 'playground.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(existsSync(file));
  assert.deepEqual(errors, []);
  await page.close();
});

test('every kind of control edits the config, the experiment and the URL', async () => {
  const { page, errors } = await openPage();
  const q = (sel) => page.locator(`convergence-playground ${sel}`);
  const config = () => page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  const noAlert = async () => assert.equal(await alertText(page), '', 'no alert');
  const path = (p) => q(`[data-path="${p}"]`);
  const fillField = async (p, value) => { await path(p).fill(String(value)); await path(p).press('Enter'); };
  const settle = () => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

  // Problem and its parameters.
  await path('problem.name').selectOption({ value: JSON.stringify('rosenbrock') });
  await settle();
  let c = await config();
  assert.equal(c.problem.name, 'rosenbrock');
  assert.ok(c.runs[0].x0[0] >= -2 && c.runs[0].x0[0] <= 2, 'the start moved into the new view');
  await fillField('problem.b', 50);
  assert.equal((await config()).problem.b, 50);
  assert.match(await page.evaluate(() => location.hash), /problem=rosenbrock\(b=50\)/);

  // Optimizer, betas, decoupled weight decay, Lookahead.
  await path('runs[0].optimizer.name').selectOption({ value: JSON.stringify('Adam') });
  await settle();
  c = await config();
  assert.deepEqual(c.runs[0].optimizer, { name: 'Adam', lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, decoupled_weight_decay: false }, 'the lr is kept, the rest takes torch defaults');
  await fillField('runs[0].optimizer.betas[1]', 0.99);
  assert.deepEqual((await config()).runs[0].optimizer.betas, [0.9, 0.99]);
  assert.equal(await q('.weight-decay .badge').textContent(), 'coupled L2');
  await path('runs[0].optimizer.decoupled_weight_decay').check();
  await settle();
  assert.equal((await config()).runs[0].optimizer.decoupled_weight_decay, true);
  assert.equal(await q('.weight-decay .badge').textContent(), 'decoupled');
  await path('runs[0].optimizer.lookahead').check();
  await settle();
  c = await config();
  assert.equal(c.runs[0].optimizer.name, 'Lookahead');
  assert.equal(c.runs[0].optimizer.inner.name, 'Adam');
  await fillField('runs[0].optimizer.k', 3);
  assert.equal((await config()).runs[0].optimizer.k, 3);
  await fillField('runs[0].optimizer.inner.lr', 0.05);
  assert.equal((await config()).runs[0].optimizer.inner.lr, 0.05);

  // Schedules, nested ones included.
  await path('runs[0].schedule.name').selectOption({ value: JSON.stringify('StepLR') });
  await settle();
  assert.deepEqual((await config()).runs[0].schedule, { name: 'StepLR', step_size: 100, gamma: 0.1 });
  await path('runs[0].schedule.name').selectOption({ value: JSON.stringify('SequentialLR') });
  await settle();
  await path('runs[0].schedule.schedulers.add').click();
  await settle();
  c = await config();
  assert.equal(c.runs[0].schedule.schedulers.length, 3);
  assert.equal(c.runs[0].schedule.milestones.length, 2);
  await path('runs[0].schedule.schedulers[2].name').selectOption({ value: JSON.stringify('ExponentialLR') });
  await settle();
  assert.deepEqual((await config()).runs[0].schedule.schedulers[2], { name: 'ExponentialLR', gamma: 0.99 });
  assert.match(await page.evaluate(() => location.hash), /~SequentialLR\(milestones=\(50;150\),schedulers=\(/);

  // Stopping criteria.
  await path('stop.loss_plateau.on').uncheck();
  await settle();
  assert.equal((await config()).stop.loss_plateau, null);
  await path('stop.target_loss.on').check();
  await settle();
  assert.deepEqual((await config()).stop.target_loss, { value: 0.001, stop: true });
  await path('stop.grad_norm.stop').uncheck();
  await settle();
  assert.equal((await config()).stop.grad_norm.stop, false);
  await fillField('stop.param_change.patience', 20);
  assert.equal((await config()).stop.param_change.patience, 20);
  assert.match(await page.evaluate(() => location.hash), /stop=.*loss_plateau:null/);
  await fillField('stop.max_steps', 2000);
  assert.equal((await config()).stop.max_steps, 2000);

  // Runs: add, duplicate, select, color, remove.
  await path('runs.add').click();
  await path('runs.duplicate').click();
  c = await config();
  assert.equal(c.runs.length, 3);
  assert.equal(new Set(c.runs.map((r) => r.label)).size, 3, 'labels stay unique');
  assert.equal(new Set(c.runs.map((r) => r.color)).size, 3, 'colors differ');
  await path('runs[0].select').click();
  assert.equal(await path('runs[0].label').inputValue(), c.runs[0].label);
  await fillField('runs[0].label', 'first');
  assert.equal((await config()).runs[0].label, 'first');
  await path('runs[1].color.list').evaluate((input) => { input.value = '#123456'; input.dispatchEvent(new Event('change')); });
  assert.equal((await config()).runs[1].color, '#123456');
  await path('runs.remove').click();
  assert.equal((await config()).runs.length, 2);

  // Zoom: the view box travels in the URL.
  await q('button[aria-label="Zoom in"]').click();
  assert.match(await page.evaluate(() => location.hash), /&view=/);
  await q('button[title="Reset the view"]').click();
  assert.doesNotMatch(await page.evaluate(() => location.hash), /&view=/);

  // Color and label changes replay the runs instead of restarting them.
  const before = (await page.evaluate(() => document.querySelector('convergence-playground').step(40))).runs.map((r) => r.step);
  await fillField('runs[0].label', 'renamed');
  const after = (await snapshot(page)).runs.map((r) => r.step);
  assert.deepEqual(after, before);

  // Copy link: the clipboard, or a selected text field to copy from.
  await q('button:text("Copy link")').click();
  await page.waitForFunction(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.copy-note').textContent !== '');
  const copy = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return { note: root.querySelector('.copy-note').textContent, field: root.querySelector('.copy-field').hidden ? null : root.querySelector('.copy-field').value };
  });
  assert.ok(copy.note === 'Link copied.' || copy.field === (await page.evaluate(() => location.href)), JSON.stringify(copy));

  await noAlert();
  assert.deepEqual(errors, []);
  await page.close();
});

test('runs keep to the core\'s limits: a duplicated long label stays short enough, Add stops at the most runs', async () => {
  const { page, errors } = await openPage();
  const q = (sel) => page.locator(`convergence-playground ${sel}`);
  const path = (p) => q(`[data-path="${p}"]`);
  const config = () => page.evaluate(() => document.querySelector('convergence-playground').getConfig());
  const limits = await page.evaluate(async () => (await import('./catalog.js')).LIMITS);
  assert.deepEqual(limits, { maxRuns: 16, maxLabelChars: 64, maxCsvBytes: 1048576, maxSweepValues: 32 });
  const long = 'ü'.repeat(limits.maxLabelChars);
  await path('runs[0].label').fill(long);
  await path('runs[0].label').press('Enter');
  for (let i = 0; i < 2; i += 1) {
    await path('runs[0].select').click();
    await path('runs.duplicate').click();
  }
  let c = await config();
  const labels = c.runs.map((r) => r.label);
  assert.equal(new Set(labels).size, labels.length, `unique: ${labels.join(' | ')}`);
  assert.ok(labels.every((l) => [...l].length <= limits.maxLabelChars), labels.join(' | '));
  assert.equal(labels.filter((l) => l.startsWith('üüü')).length, 3, labels.join(' | '));
  assert.equal(await alertText(page), '', 'no alert');
  while ((await config()).runs.length < limits.maxRuns) await path('runs.add').click();
  assert.equal(await path('runs.add').isDisabled(), true, 'Add is off at the most runs');
  assert.equal(await path('runs.duplicate').isDisabled(), true);
  c = await config();
  assert.equal(c.runs.length, limits.maxRuns);
  assert.deepEqual(errors, []);
  await page.close();
});

test('one animation loop: n steps per frame, even after pause/play and edits while playing', async () => {
  const { page, errors } = await openPage();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    problem: { name: 'quadratic', a: 1, b: 4 }, runs: [{ label: 'slow', x0: [-4, 3], optimizer: { name: 'SGD', lr: 0.0001 } }], stop: { max_steps: 100000 },
  }));
  await page.locator('convergence-playground select[aria-label="Speed"]').selectOption({ value: JSON.stringify('1') });
  const perFrame = await page.evaluate(async () => {
    const w = document.querySelector('convergence-playground');
    const frames = (n) => new Promise((ok) => { let i = 0; const f = () => (++i >= n ? ok() : requestAnimationFrame(f)); requestAnimationFrame(f); });
    w.play();
    w.pause();
    w.play();
    await frames(3);
    const root = w.shadowRoot;
    const lr = root.querySelector('input[data-path="runs[0].optimizer.lr"]');
    lr.value = '0.0002';
    lr.dispatchEvent(new Event('change'));
    await frames(2);
    const s0 = w.snapshot().runs[0].step;
    await frames(30);
    const s1 = w.snapshot().runs[0].step;
    w.pause();
    return (s1 - s0) / 30;
  });
  assert.ok(perFrame > 0.5 && perFrame <= 1.05, `about one step per frame, got ${perFrame}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a preset sets the chart scales its story needs, and the next preset starts from the defaults', async () => {
  const { page, errors } = await openPage();
  const scales = async (id) => {
    await page.locator('convergence-playground select.preset-select').selectOption(id);
    return page.evaluate(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      const boxes = [...root.querySelectorAll('.chart-card[data-kind="lr"] .chart-opts input[type="checkbox"]')];
      return boxes.map((b) => b.checked);
    });
  };
  // Hypergradient's learning rate climbs a hundredfold in its first 50 of 2,000 steps: log x, log y.
  assert.deepEqual(await scales('hypergradient'), [true, true], 'hypergradient: log y and log x ticked');
  assert.deepEqual(await scales('bowl'), [false, false], 'the bowl: the defaults again');
  assert.deepEqual(await scales('schedules'), [false, true], 'schedules: the warm-up shows on log x');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an empty chart\'s note lies over the plot Rust drew, clear of the y tick labels, at any width', async () => {
  for (const width of [1440, 1024, 360]) {
    const { page, errors } = await openPage('', { width });
    const placed = await page.evaluate(() => {
      const el = document.querySelector('convergence-playground');
      const root = el.shadowRoot;
      const card = root.querySelector('.chart-loss');
      const canvas = card.querySelector('canvas');
      const note = card.querySelector('.empty');
      const plot = JSON.parse(el.pg.chart_layout('loss')).plot;
      const c = canvas.getBoundingClientRect();
      const n = note.getBoundingClientRect();
      return { hidden: note.hidden, left: n.left - c.left, right: n.right - c.left, plot };
    });
    assert.equal(placed.hidden, false, `${width}: the note shows before the first step`);
    assert.ok(Math.abs(placed.left - placed.plot[0]) <= 1, `${width}: ${JSON.stringify(placed)}`);
    assert.ok(Math.abs(placed.right - placed.plot[2]) <= 1, `${width}: ${JSON.stringify(placed)}`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});
