// The widget's attributes after connection (www/attribute-changes.js): every observed attribute
// changed on a running widget takes effect as it would have on connection, with the same
// validation messages; controls, locked and charts build the widget again and keep its runs
// where they were; a source (preset, src, hash) loads a new experiment, and a bad one is named
// in the widget's alert while the running experiment is kept. Served under the strict CSP.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, ROOT, WWW } from './harness.mjs';
import { startServer, STRICT_CSP } from './static-server.mjs';

const harness = useBrowser();
let server;

before(async () => {
  server = await startServer(WWW, { mounts: { '/fixtures/': join(ROOT, 'tests', 'e2e', 'fixtures') }, headers: { 'Content-Security-Policy': STRICT_CSP } });
});
after(async () => {
  await server?.close();
});

/**
 * The blank fixture page with one widget of `attrs`, ready; the attributes of `starting` are set
 * just after it is put on the page, while it starts. Collects console errors.
 */
async function widgetPage(attrs, { height = 1600, starting = {} } = {}) {
  const page = await harness.browser.newPage({ viewport: { width: 1280, height } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${server.url}fixtures/blank.html`);
  const pgDuringStart = await page.evaluate(async ({ attrs, starting }) => {
    await customElements.whenDefined('convergence-playground');
    const el = document.createElement('convergence-playground');
    el.id = 'w';
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    document.getElementById('place').append(el);
    const startingNow = el.pg === null;
    for (const [k, v] of Object.entries(starting)) el.setAttribute(k, v);
    await el.ready;
    return startingNow;
  }, { attrs, starting });
  assert.equal(pgDuringStart, true, 'the widget had no Playground yet when the attributes were set');
  return { page, errors };
}

/** Sets (a string) or removes (null) attribute `name`, then lets the widget apply it. */
async function change(page, name, value) {
  await page.evaluate(({ name, value }) => {
    const el = document.getElementById('w');
    if (value === null) el.removeAttribute(name);
    else el.setAttribute(name, value);
  }, { name, value });
  await page.waitForTimeout(150);
}

/** Emulates the system's colour scheme and lets the page's media listeners run. */
async function scheme(page, colorScheme) {
  await page.emulateMedia({ colorScheme });
  await page.waitForTimeout(150);
}

/** What the widget shows. */
function looks(page) {
  return page.evaluate(() => {
    const el = document.getElementById('w');
    const root = el.shadowRoot;
    const shown = (sel) => { const n = root.querySelector(sel); return !!n && n.getClientRects().length > 0; };
    return {
      play: shown('button.play'),
      sidebar: shown('.sidebar'),
      presets: shown('.preset-bar'),
      exports: shown('.export-menu'),
      speedMenu: shown('.playback select'),
      speed: root.querySelector('.playback select') ? root.querySelector('.playback select').selectedOptions[0].textContent : null,
      charts: [...root.querySelectorAll('.chart-card')].filter((c) => c.getClientRects().length > 0).map((c) => c.dataset.kind),
      alerts: [...root.querySelectorAll('[role="alert"]')].filter((a) => !a.hidden).map((a) => a.textContent).join('\n'),
      dark: root.querySelector('.pg').classList.contains('dark'),
      picture: Math.round(root.querySelector('canvas.landscape').getBoundingClientRect().width),
      steps: el.snapshot().runs.map((r) => r.step),
      config: el.getConfig(),
      playing: el.playing,
    };
  });
}

test('controls, locked and charts changed after connection rebuild the widget and keep its runs', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'momentum' });
  await page.evaluate(() => document.getElementById('w').step(25));
  let l = await looks(page);
  assert.deepEqual({ sidebar: l.sidebar, presets: l.presets }, { sidebar: false, presets: false });
  const steps = l.steps;
  await change(page, 'controls', 'full');
  l = await looks(page);
  assert.deepEqual({ sidebar: l.sidebar, presets: l.presets, exports: l.exports }, { sidebar: true, presets: true, exports: true }, 'controls="full": every panel');
  assert.deepEqual(l.steps, steps, 'the runs stay where they were');
  await change(page, 'locked', '');
  l = await looks(page);
  assert.deepEqual({ play: l.play, sidebar: l.sidebar, presets: l.presets, exports: l.exports, speedMenu: l.speedMenu },
    { play: true, sidebar: false, presets: false, exports: false, speedMenu: false }, 'locked: only playback');
  await change(page, 'locked', null);
  l = await looks(page);
  assert.equal(l.sidebar, true, 'unlocked: the settings are back');
  await change(page, 'controls', 'playback,charts');
  await change(page, 'charts', 'step,loss');
  l = await looks(page);
  assert.deepEqual(l.charts, ['delta_norm', 'loss'], 'charts="step,loss" in that order');
  await change(page, 'charts', 'loss,wobble');
  l = await looks(page);
  assert.match(l.alerts, /charts="loss,wobble": must be a comma list of loss, lr, grad, step, train_val, accuracy \(unknown: wobble\)/);
  await change(page, 'charts', 'lr');
  l = await looks(page);
  assert.deepEqual(l.charts, ['lr']);
  assert.equal(l.alerts, '', 'a fixed attribute leaves the alert');
  await change(page, 'controls', 'sideways');
  assert.match((await looks(page)).alerts, /controls="sideways": must be none, minimal, full or a comma list of the panels/);
  assert.deepEqual((await looks(page)).steps, steps, 'still where they were');
  assert.deepEqual(errors, []);
  await page.close();
});

test('speed, theme, height, autoplay and loop changed after connection', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl' });
  await change(page, 'speed', '1');
  assert.equal((await looks(page)).speed, '1 step / frame');
  await change(page, 'speed', 'fast');
  assert.match((await looks(page)).alerts, /speed="fast": must be a number of steps per frame/);
  await change(page, 'speed', 'max');
  let l = await looks(page);
  assert.equal(l.alerts, '');
  await change(page, 'theme', 'dark');
  assert.equal((await looks(page)).dark, true);
  await change(page, 'theme', 'light');
  assert.equal((await looks(page)).dark, false);
  await change(page, 'height', '260');
  assert.equal((await looks(page)).picture, 260);
  await change(page, 'height', '9');
  assert.match((await looks(page)).alerts, /height="9": must be a number of CSS pixels from 150 to 1200/);
  await change(page, 'height', null);
  l = await looks(page);
  assert.equal(l.picture, 420, 'the picture\'s own size again');
  assert.equal(l.alerts, '');
  assert.equal(l.playing, false);
  // autoplay added: it plays; at max speed the bowl's run ends at once.
  await page.evaluate(() => {
    window.__ends = 0;
    const el = document.getElementById('w');
    for (const type of ['converged', 'stopped', 'diverged']) el.addEventListener(type, () => { window.__ends += 1; });
  });
  await change(page, 'autoplay', '');
  await page.waitForFunction(() => window.__ends >= 1, null, { timeout: 10_000 });
  await page.waitForFunction(() => !document.getElementById('w').playing);
  // loop added once every run has stopped: it plays again after the pause.
  await change(page, 'loop', '');
  await page.waitForFunction(() => window.__ends >= 2, null, { timeout: 10_000 });
  await change(page, 'loop', null);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a theme changed from auto no longer follows the system, nor does a widget taken off the page', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl', theme: 'auto' });
  await scheme(page, 'dark');
  assert.equal((await looks(page)).dark, true, 'auto follows the system to dark');
  await change(page, 'theme', 'light');
  await scheme(page, 'light');
  await scheme(page, 'dark');
  assert.equal((await looks(page)).dark, false, 'the author\'s light holds when the system turns dark');
  // Auto again, then the widget leaves the page: a system change no longer reaches its shell;
  // back on the page it follows the system again.
  await change(page, 'theme', 'auto');
  assert.equal((await looks(page)).dark, true);
  const detached = await page.evaluate(() => {
    const el = document.getElementById('w');
    window.__w = el;
    el.remove();
    return el.shadowRoot.querySelector('.pg').classList.contains('dark');
  });
  assert.equal(detached, true);
  await scheme(page, 'light');
  assert.equal(await page.evaluate(() => window.__w.shadowRoot.querySelector('.pg').classList.contains('dark')), true, 'off the page: not followed');
  await page.evaluate(() => document.getElementById('place').append(window.__w));
  assert.equal((await looks(page)).dark, false, 'back on the page: the system\'s light');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Copy link in a widget without url gives the playground page with its experiment, not the host page', async () => {
  const { page, errors } = await widgetPage({ controls: 'full', preset: 'momentum' });
  const copied = await page.evaluate(async () => {
    let text = null;
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t) => { text = t; } } });
    const root = document.getElementById('w').shadowRoot;
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'Copy link').click();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { text, page: location.href };
  });
  assert.ok(copied.text, 'something was copied');
  assert.ok(copied.text.startsWith(`${server.url}index.html#problem=`), copied.text);
  assert.equal(copied.page, `${server.url}fixtures/blank.html`, 'the host page\'s address is left alone');
  // The link opens the same experiment.
  const config = await page.evaluate(() => document.getElementById('w').getConfig());
  const opened = await page.evaluate(async (hash) => (await import('/urlstate.js')).fromHash(hash).config, new URL(copied.text).hash);
  assert.deepEqual(JSON.parse(opened).runs.map((r) => r.optimizer), config.runs.map((r) => r.optimizer));
  assert.deepEqual(errors, []);
  await page.close();
});

test('of two quick source changes the later one wins, even when the earlier fetch ends last', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl' });
  const body = await page.evaluate(async () => (await fetch('experiment.json')).text());
  await page.route('**/slow.json', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    await route.fulfill({ status: 200, contentType: 'application/json', body });
  });
  await page.evaluate(() => {
    const el = document.getElementById('w');
    el.setAttribute('src', 'slow.json');
    el.setAttribute('preset', 'lr');
  });
  await page.waitForTimeout(1200);
  const lr = await page.evaluate(async () => (await import('/presets.js')).presetById('lr').config);
  const l = await looks(page);
  assert.deepEqual(l.config.runs.map((r) => r.label), lr.runs.map((r) => r.label), 'preset="lr", set last, is shown');
  assert.equal(l.alerts, '');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an attribute changed while the widget starts is applied once it is ready', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl' }, { starting: { preset: 'lr', theme: 'dark' } });
  await page.waitForTimeout(300);
  const l = await looks(page);
  const lr = await page.evaluate(async () => (await import('/presets.js')).presetById('lr').config);
  assert.deepEqual(l.config.runs.map((r) => r.label), lr.runs.map((r) => r.label), 'preset="lr" set during start-up');
  assert.equal(l.dark, true, 'theme="dark" set during start-up');
  assert.deepEqual(errors, []);
  await page.close();
});

test('url changed after connection: the widget writes the page\'s hash, then leaves it alone', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl' });
  assert.equal(await page.evaluate(() => location.hash), '');
  await change(page, 'url', '');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /problem=quadratic/, `the widget's experiment in the hash: ${hash}`);
  await change(page, 'url', null);
  await page.evaluate(() => document.getElementById('w').set('runs[0].optimizer.lr', 0.05));
  assert.equal(await page.evaluate(() => location.hash), hash, 'without url the hash is left alone');
  assert.deepEqual(errors, []);
  await page.close();
});

test('preset, src and hash changed after connection load that experiment; a bad one keeps the running one', async () => {
  const { page, errors } = await widgetPage({ controls: 'minimal', preset: 'bowl' });
  const lr = await page.evaluate(async () => (await import('/presets.js')).presetById('lr').config);
  await change(page, 'preset', 'lr');
  let l = await looks(page);
  assert.deepEqual(l.config.runs.map((r) => r.label), lr.runs.map((r) => r.label), 'preset="lr": the lesson\'s runs');
  await change(page, 'preset', 'nope');
  l = await looks(page);
  assert.match(l.alerts, /preset="nope": no preset has this id \(ids: bowl, lr,/);
  assert.deepEqual(l.config.runs.map((r) => r.label), lr.runs.map((r) => r.label), 'the running experiment is kept');
  await change(page, 'src', 'experiment.json');
  await page.waitForFunction(() => document.getElementById('w').getConfig().runs[0].label === 'from src');
  assert.equal((await looks(page)).alerts, '', 'a good source leaves the alert');
  await change(page, 'src', 'missing.json');
  await page.waitForFunction(() => document.getElementById('w').shadowRoot.querySelector('[role="alert"]:not([hidden])'));
  assert.match((await looks(page)).alerts, /src="missing\.json": could not be fetched \(HTTP 404\)/);
  await change(page, 'hash', 'problem=rosenbrock&run=adam:Adam(lr=0.05)@-1.5,2&stop=max_steps:300&seed=4');
  l = await looks(page);
  assert.equal(l.config.problem.name, 'rosenbrock');
  assert.equal(l.config.runs[0].label, 'adam');
  await change(page, 'hash', 'problem=rosenbrock&run=oops:Adam(lr=-1)');
  l = await looks(page);
  assert.match(l.alerts, /hash="problem=rosenbrock&run=oops:Adam\(lr=-1\)": .*lr/);
  assert.equal(l.config.runs[0].label, 'adam', 'kept');
  // The console error of the 404 is the test's own request, not a fault of the page.
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
  await page.close();
});
