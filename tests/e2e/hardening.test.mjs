// Hardening of the page: no config or call freezes the tab (long tasks watched while hostile
// configs play), a trap or a panic never leaves a dead widget, loads are atomic, the pages run
// under a strict CSP without a single violation, and the small API edges hold.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { useBrowser, alertText, ROOT, WWW } from './harness.mjs';
import { startServer } from './static-server.mjs';

const harness = useBrowser();
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const TEST_PKG = process.env.TEST_PKG ? join(ROOT, process.env.TEST_PKG) : join(ROOT, 'target', 'www-test', 'pkg');
const LONG_TASK_MS = 100;
let cspServer = null;
let hooksServer = null;

before(async () => {
  assert.ok(existsSync(join(TEST_PKG, 'convergence_bg.wasm')), `the test-hooks build is missing at ${TEST_PKG} (make build-test-hooks)`);
  cspServer = await startServer(WWW, { headers: { 'Content-Security-Policy': CSP } });
  hooksServer = await startServer(WWW, { pkg: TEST_PKG });
});
after(async () => {
  await cspServer?.close();
  await hooksServer?.close();
});

/** Starts recording main-thread tasks longer than 50 ms (the longtask entries) in the page. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration));
    }).observe({ type: 'longtask' });
  });
}

async function longTasks(page) {
  return page.evaluate(() => window.__longTasks.filter((d) => d > 100));
}

const widget = 'document.querySelector("convergence-playground")';

test('a costly configuration plays without a main-thread task over 100 ms', async () => {
  const { page, errors } = await harness.openPage();
  await watchLongTasks(page);
  // Sixteen L-BFGS runs at the largest max_iter allowed, with tolerances that never stop the
  // inner loop, on Rastrigin; then a model at the largest size Newton accepts.
  const runs = Array.from({ length: 16 }, (_, i) => ({
    label: `lbfgs ${i}`, x0: [3.3 - 0.1 * i, -2.7],
    optimizer: { name: 'LBFGS', max_iter: 1000, tolerance_change: 0, tolerance_grad: 0 },
  }));
  await page.evaluate(async (config) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    el.play();
  }, { problem: { name: 'rastrigin' }, runs, stop: { max_steps: 100000000 } });
  await page.waitForTimeout(3000);
  const steps = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    return el.snapshot().runs.map((r) => r.step);
  });
  assert.ok(steps.every((s) => s > 0), `every run moved: ${steps}`);
  assert.deepEqual(await longTasks(page), [], 'no task over 100 ms while L-BFGS played');
  // The largest network on the largest data set with the largest minibatches and the costliest
  // L-BFGS its size allows; then Newton at its own size limit on the largest data set.
  const largest = { name: 'model', data: { name: 'spiral', n: 5000 }, model: { name: 'mlp', hidden: [32, 32, 32, 32, 32, 32] }, validation_share: 0.1, batch_size: 50 };
  const modelSteps = await page.evaluate(async (config) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    el.play();
    await new Promise((ok) => setTimeout(ok, 3000));
    el.pause();
    await new Promise((ok) => setTimeout(ok, 50));
    await el.step(3);
    return el.snapshot().runs.map((r) => r.step);
  }, { problem: largest, runs: [{ label: 'lbfgs', optimizer: { name: 'LBFGS', max_iter: 1 } }], stop: { max_steps: 100000000 } });
  assert.ok(modelSteps.every((s) => s > 3), `every run moved: ${modelSteps}`);
  const newtonSteps = await page.evaluate(async (config) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    el.play();
    await new Promise((ok) => setTimeout(ok, 1500));
    el.pause();
    return el.snapshot().runs.map((r) => r.step);
  }, { problem: { ...largest, batch_size: null, model: { name: 'polynomial', degree: 15 }, data: { name: 'sine', n: 5000 } }, runs: [{ label: 'newton', optimizer: { name: 'Newton' } }], stop: { max_steps: 100000000 } });
  assert.ok(newtonSteps[0] > 0, 'Newton moved');
  assert.deepEqual(await longTasks(page), [], 'no task over 100 ms while the largest model trained');
  assert.deepEqual(errors, []);
  await page.close();
});

test('el.step(1e9) with 16 runs is taken in slices, keeps the page responsive and stops on pause()', async () => {
  const { page, errors } = await harness.openPage();
  await watchLongTasks(page);
  const runs = Array.from({ length: 16 }, (_, i) => ({ label: `adam ${i}`, x0: [-1.5 + 0.05 * i, 2], optimizer: { name: 'Adam', lr: 0.001 } }));
  const result = await page.evaluate(async (config) => {
    const el = document.querySelector('convergence-playground');
    await el.load(config);
    const pending = el.step(1e9);
    await new Promise((ok) => setTimeout(ok, 1500));
    el.pause();
    const snap = await pending;
    return { steps: snap.runs.map((r) => r.step), after: el.snapshot().runs.map((r) => r.step) };
  }, { problem: { name: 'rosenbrock' }, runs, stop: { max_steps: 100000000, loss_plateau: null, param_change: null, grad_norm: null } });
  assert.ok(result.steps.every((s) => s > 1000 && s < 1e9), `steps were taken, then stopped: ${result.steps}`);
  await page.waitForTimeout(300);
  const later = await page.evaluate(() => document.querySelector('convergence-playground').snapshot().runs.map((r) => r.step));
  assert.deepEqual(later, result.after, 'no step is taken after pause()');
  assert.deepEqual(await longTasks(page), [], 'no task over 100 ms');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the unbounded L-BFGS link and Newton on the largest network are refused with messages naming the field', async () => {
  const { page } = await harness.openPage('#problem=rastrigin&run=a:LBFGS(max_iter=4294967295,tolerance_change=0,tolerance_grad=0)@3.3,-2.7');
  const text = await alertText(page);
  assert.match(text, /runs\[0\]\.optimizer\.max_iter/);
  const message = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    try {
      await el.load({ problem: { name: 'model', data: { name: 'spiral' }, model: { name: 'mlp', hidden: [32, 32, 32, 32, 32, 32] } },
        runs: [{ label: 'newton', optimizer: { name: 'Newton' } }] });
      return 'loaded';
    } catch (e) {
      return e.message;
    }
  });
  assert.match(message, /runs\[0\]\.optimizer/);
  await page.close();
});

test('a hash nested 60,000 keys deep is refused twice and the widget keeps working', async () => {
  const { page } = await harness.openPage();
  const deep = `#problem=rosenbrock&run=a:Adam@-1,1&stop=${'a.'.repeat(60000)}b:1`;
  for (let i = 0; i < 2; i += 1) {
    await page.evaluate((hash) => { location.hash = hash; }, `${deep}&seed=${i}`);
    await page.waitForFunction(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      return [...root.querySelectorAll('[role="alert"]')].some((a) => !a.hidden && a.textContent.length > 0);
    });
  }
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').step(25));
  assert.ok(snap.runs.every((r) => r.step === 25), 'the experiment still steps');
  const valid = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    return el.load({ problem: { name: 'rosenbrock' }, runs: [{ label: 'x', optimizer: { name: 'SGD', lr: 0.001 } }] }).then(() => el.getConfig().runs[0].label);
  });
  assert.equal(valid, 'x');
  await page.close();
});

test('a panic shows an internal error, renews the engine and restores the last good experiment', async () => {
  const { page, errors } = await harness.openPage('', { base: hooksServer.url });
  const config = { seed: 4, problem: { name: 'himmelblau' }, runs: [{ label: 'adam', x0: [0, 0], optimizer: { name: 'Adam', lr: 0.05 } }], stop: { max_steps: 400 } };
  const outcome = await page.evaluate(async (cfg) => {
    const el = document.querySelector('convergence-playground');
    await el.load(cfg);
    await el.step(100);
    const thrown = [];
    for (let i = 0; i < 2; i += 1) {
      try {
        el.pg.test_panic();
      } catch (e) {
        thrown.push(e.message);
      }
      // The widget rebuilds itself on a fresh engine instance.
      for (let t = 0; t < 100 && !el.pg; t += 1) await new Promise((ok) => setTimeout(ok, 20));
    }
    const snap = await el.step(1000);
    return { thrown, config: el.getConfig(), status: snap.runs[0].status.state, step: snap.runs[0].step };
  }, config);
  assert.equal(outcome.thrown.length, 2);
  for (const message of outcome.thrown) assert.match(message, /^internal error: [^]*test_panic: a deliberate panic/);
  assert.equal(outcome.config.runs[0].label, 'adam');
  assert.deepEqual(outcome.config.runs[0].x0, [0, 0]);
  assert.ok(outcome.step > 0, 'the restored experiment steps');
  assert.match(await alertText(page), /Internal error/);
  assert.match(await alertText(page), /test_panic/);
  // The only console errors are the two panics' own reports.
  assert.ok(errors.every((e) => /panicked|test_panic|unreachable/.test(e)), errors.join('\n'));
  await page.close();
});

test('a load with an unusable view box changes nothing, through load() and through the config attribute', async () => {
  const { page, errors } = await harness.openPage();
  const result = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    const good = { problem: { name: 'rosenbrock' }, runs: [{ label: 'sgd', optimizer: { name: 'SGD', lr: 0.001 } }] };
    await el.load(good);
    await el.step(10);
    const before = JSON.stringify(el.getConfig());
    const messages = [];
    for (const view of [{ x: [-1e308, 1e308], y: [-1, 1] }, { x: [0, 5e-324], y: [0, 1] }]) {
      try {
        await el.load({ ...good, runs: [{ label: 'other', optimizer: { name: 'Adam' } }], view });
        messages.push('loaded');
      } catch (e) {
        messages.push(e.message);
      }
    }
    const kept = JSON.stringify(el.getConfig()) === before && el.snapshot().runs[0].step === 10;
    el.setAttribute('config', JSON.stringify({ ...good, view: { x: [-1e308, 1e308], y: [-1, 1] } }));
    const keptAfterAttribute = JSON.stringify(el.getConfig()) === before;
    await el.load({ ...good, runs: [{ label: 'again', optimizer: { name: 'SGD', lr: 0.001 } }] });
    return { messages, kept, keptAfterAttribute, label: el.getConfig().runs[0].label };
  });
  for (const message of result.messages) assert.match(message, /^view/m);
  assert.ok(result.kept, 'the running experiment is untouched');
  assert.ok(result.keptAfterAttribute, 'the config attribute changed nothing either');
  assert.equal(result.label, 'again', 'a later load of the same problem works');
  assert.match(await alertText(page), /view/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every page works under a strict CSP with no violation', async () => {
  const watchViolations = async (page) => {
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
    });
  };
  for (const path of ['index.html', 'embed.html']) {
    const { page, errors } = await harness.openPage('', { base: cspServer.url, path, before: watchViolations });
    await page.evaluate(async () => {
      for (const el of document.querySelectorAll('convergence-playground')) {
        await el.step(300);
        el.play();
      }
    });
    await page.waitForTimeout(800);
    if (path === 'index.html') {
      // A search trains in Web Workers, which the policy must let run.
      const search = await page.evaluate(async () => {
        const root = document.querySelector('convergence-playground').shadowRoot;
        const done = new Promise((ok) => root.host.addEventListener('searchdone', (e) => ok(e.detail), { once: true }));
        root.querySelector('button.search-start').click();
        const detail = await done;
        return { done: detail.results.done, alert: root.querySelector('.search-alert').hidden };
      });
      assert.deepEqual(search, { done: true, alert: true }, 'a search runs under the CSP');
    }
    const inked = await page.evaluate(() => [...document.querySelectorAll('convergence-playground')].flatMap((el) =>
      [...el.shadowRoot.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.offsetParent !== null).map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) ink += 1;
        return ink;
      })));
    assert.ok(inked.length > 0 && inked.every((n) => n > 50), `${path}: every visible canvas is drawn (${inked})`);
    assert.deepEqual(await page.evaluate(() => window.__violations), [], `${path}: no CSP violation`);
    assert.deepEqual(errors, [], `${path}: no console error`);
    await page.close();
  }
  const page = await harness.browser.newPage();
  await watchViolations(page);
  await page.goto(`${cspServer.url}bench.html`);
  await page.waitForFunction(() => document.getElementById('results').textContent.startsWith('{'), null, { timeout: 240_000 });
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'bench.html: no CSP violation');
  await page.close();
});

test('API edges: pause() and load() before connection, sweep values beyond 32 bits', async () => {
  const { page, errors } = await harness.openPage();
  const result = await page.evaluate(async () => {
    const lone = document.createElement('convergence-playground');
    lone.pause();
    const refused = await lone.load('{"problem": 1}').then(() => 'resolved', (e) => e.message);
    await lone.load({ problem: { name: 'booth' }, runs: [{ label: 'early', optimizer: { name: 'SGD', lr: 0.01 } }] });
    lone.setAttribute('controls', 'minimal');
    document.body.append(lone);
    await lone.ready;
    const label = lone.getConfig().runs[0].label;
    lone.remove();
    return { refused, label };
  });
  assert.match(result.refused, /problem/);
  assert.equal(result.label, 'early', 'a config loaded before connection is the one that starts');
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    problem: { name: 'model', data: { name: 'sine', n: 60 }, model: { name: 'polynomial', degree: 3 } },
    runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: 0.01 } }],
  }));
  const sweepAlert = await page.evaluate(async () => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const input = root.querySelector('input.sweep-values');
    input.value = '4294967297';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    root.querySelector('button.sweep-start').click();
    await new Promise((ok) => setTimeout(ok, 50));
    return root.querySelector('.sweep-alert').textContent;
  });
  assert.match(sweepAlert, /sweep\.values\[0\]: must be a whole number from 0 to 4294967295, got 4294967297/);
  assert.deepEqual(errors, []);
  await page.close();
});
