// The widget for authors (issue #11): every attribute of <convergence-playground> respected
// (controls none, minimal and a list of panels; charts and their order; locked; autoplay; loop;
// speed; theme; height; the experiment from preset, src, hash and config, and their precedence),
// el.set(path, value) and the throttled step event, several widgets on one page keeping their
// own experiments and leaving the hash alone, one animation loop for all of them, a widget out
// of view stepping nothing, bad attributes reported inside their own widget, the Embed dialog
// and its two snippets reproducing the page's snapshot, and every page under the strict CSP.
// The fixture pages live in tests/e2e/fixtures (served as /fixtures/).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { useBrowser, ROOT, WWW, SCREENSHOTS } from './harness.mjs';
import { startServer, STRICT_CSP } from './static-server.mjs';

const harness = useBrowser();
const FIXTURES = join(ROOT, 'tests', 'e2e', 'fixtures');
let server;

before(async () => {
  server = await startServer(WWW, { mounts: { '/fixtures/': FIXTURES }, headers: { 'Content-Security-Policy': STRICT_CSP } });
});
after(async () => {
  await server?.close();
});

/** Opens a fixture page (no widget waited for); collects console errors and CSP violations. */
async function openFixture(name, { width = 1280, height = 900, colorScheme = 'light', widgets = true } = {}) {
  const page = await harness.browser.newPage({ viewport: { width, height }, colorScheme });
  const errors = [];
  // The one file a test asks for in vain (src="missing.json") is not an error of the page.
  page.on('console', (m) => { if (m.type() === 'error' && !(m.location().url || '').endsWith('missing.json')) errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('missing.json')) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}${name}`);
  if (widgets) await page.evaluate(() => customElements.whenDefined('convergence-playground'));
  return { page, errors };
}

/**
 * Adds a widget with `attrs` to the blank fixture page and waits until it is ready; returns
 * what the tests look at (visible parts, alerts, config).
 */
async function addWidget(page, attrs, id = 'w') {
  return page.evaluate(async ({ attrs, id }) => {
    const el = document.createElement('convergence-playground');
    el.id = id;
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    document.getElementById('place').append(el);
    await el.ready;
    return true;
  }, { attrs, id });
}

/** What is shown in widget `id`: visible parts, visible chart kinds in order, visible alerts. */
async function looks(page, id = 'w') {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    const root = el.shadowRoot;
    const shown = (sel) => { const n = root.querySelector(sel); return !!n && n.getClientRects().length > 0; };
    return {
      play: shown('button.play'),
      speed: shown('.playback select'),
      presets: shown('.preset-bar'),
      sidebar: shown('.sidebar'),
      status: shown('.status'),
      timeline: shown('.timeline'),
      chartOpts: shown('.chart-opts'),
      embed: shown('button.embed-open'),
      charts: [...root.querySelectorAll('.chart-card')].filter((c) => c.getClientRects().length > 0).map((c) => c.dataset.kind),
      sections: [...root.querySelectorAll('.sidebar section')].filter((c) => c.getClientRects().length > 0).map((c) => c.querySelector('h2').textContent),
      alerts: [...root.querySelectorAll('[role="alert"]')].filter((a) => !a.hidden).map((a) => a.textContent),
      config: el.getConfig(),
    };
  }, id);
}

test('controls: none, minimal and a list of panels', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { controls: 'none', preset: 'bowl' }, 'none');
  await addWidget(page, { controls: 'minimal', preset: 'bowl' }, 'minimal');
  await addWidget(page, { controls: 'playback, runs,stop', preset: 'bowl' }, 'list');
  const none = await looks(page, 'none');
  assert.deepEqual({ play: none.play, sidebar: none.sidebar, presets: none.presets, timeline: none.timeline }, { play: false, sidebar: false, presets: false, timeline: false });
  const minimal = await looks(page, 'minimal');
  assert.deepEqual({ play: minimal.play, sidebar: minimal.sidebar, presets: minimal.presets, status: minimal.status }, { play: true, sidebar: false, presets: false, status: true });
  const list = await looks(page, 'list');
  assert.deepEqual({ play: list.play, presets: list.presets, status: list.status, timeline: list.timeline, sidebar: list.sidebar, charts: list.charts },
    { play: true, presets: false, status: false, timeline: false, sidebar: true, charts: [] });
  assert.deepEqual(list.sections, ['Runs', 'Stopping criteria']);
  for (const l of [none, minimal, list]) assert.deepEqual(l.alerts, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('charts: the author\'s charts in the author\'s order; unknown names are reported', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { controls: 'minimal', preset: 'bowl', charts: 'step,loss,lr' }, 'a');
  await addWidget(page, { controls: 'full', preset: 'bowl', charts: 'grad' }, 'b');
  await addWidget(page, { controls: 'minimal', preset: 'bowl', charts: 'loss,wobble' }, 'c');
  const a = await page.evaluate(() => {
    const root = document.getElementById('a').shadowRoot;
    return {
      stack: [...root.querySelectorAll('.chart-stack .chart-card')].map((c) => c.dataset.kind),
      bottom: [...root.querySelectorAll('.viz-bottom .chart-card')].map((c) => c.dataset.kind),
    };
  });
  assert.deepEqual(a, { stack: ['delta_norm', 'loss'], bottom: ['lr'] });
  assert.deepEqual((await looks(page, 'b')).charts, ['grad_norm']);
  const c = await looks(page, 'c');
  assert.equal(c.alerts.length, 1);
  assert.match(c.alerts[0], /charts="loss,wobble": must be a comma list of loss, lr, grad, step, train_val, accuracy \(unknown: wobble\)/);
  assert.deepEqual(c.charts, ['loss'], 'the mode\'s own charts');
  assert.deepEqual((await looks(page, 'a')).alerts, [], 'the other widgets have no alert');
  assert.deepEqual(errors, []);
  await page.close();
});

// An author's charts past the first two fill the blank under the picture of a minimal widget
// too, from where its two columns begin (680 px): rastrigin's four verdicts leave room for both.
test('charts: in a minimal widget the author\'s other charts go up under the picture where it leaves a blank', async () => {
  for (const width of [760, 1280]) {
    const { page, errors } = await openFixture('fixtures/blank.html', { width });
    await addWidget(page, { controls: 'minimal', preset: 'rastrigin', charts: 'loss,lr,grad,step' });
    await page.evaluate(async () => {
      const el = document.getElementById('w');
      el.pause();
      await el.step(1_000_000);
      await new Promise((r) => setTimeout(r, 250));
    });
    const m = await page.evaluate(() => {
      const root = document.getElementById('w').shadowRoot;
      const box = (el) => el.getBoundingClientRect();
      const cards = [...root.querySelectorAll('.chart-card')].filter((c) => c.getClientRects().length);
      const under = cards.filter((c) => c.parentElement.classList.contains('viz-under'));
      const picture = box(root.querySelector('.landscape-card'));
      const side = box(root.querySelector('.viz-side'));
      return {
        under: under.map((c) => c.dataset.kind),
        // Under the picture, in its column, one after the other.
        stacked: under.every((c, i) => Math.abs(box(c).left - picture.left) < 1 && box(c).top >= (i ? box(under[i - 1]).bottom : picture.bottom)),
        mainEnd: under.length ? box(under[under.length - 1]).bottom : picture.bottom,
        sideEnd: side.bottom,
        smallest: Math.min(...cards.map((c) => box(c).height)),
      };
    });
    assert.ok(m.under.length >= 1, `${width}: a chart under the picture (${JSON.stringify(m)})`);
    assert.ok(m.stacked, `${width}: the charts under the picture sit in its column (${JSON.stringify(m)})`);
    assert.ok(Math.abs(m.mainEnd - m.sideEnd) < m.smallest, `${width}: the columns end less than a chart apart (${JSON.stringify(m)})`);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('locked: only play, step, reset and the timeline', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { controls: 'full', preset: 'momentum', locked: '' });
  const l = await looks(page);
  assert.deepEqual({ play: l.play, timeline: l.timeline, speed: l.speed, presets: l.presets, sidebar: l.sidebar, chartOpts: l.chartOpts, embed: l.embed },
    { play: true, timeline: true, speed: false, presets: false, sidebar: false, chartOpts: false, embed: false });
  const buttons = await page.evaluate(() => [...document.getElementById('w').shadowRoot.querySelectorAll('button')].filter((b) => b.getClientRects().length > 0).map((b) => b.textContent.trim()));
  for (const b of buttons) assert.match(b, /Play|Pause|Replay|Step|Reset|live|×/, `only playback buttons (${b})`);
  assert.equal(await page.evaluate(() => document.getElementById('w').shadowRoot.querySelectorAll('input:not(.timeline-input), select, textarea').length), 0, 'nothing to edit');
  assert.deepEqual(errors, []);
  await page.close();
});

test('autoplay plays, speed sets the pace, loop restarts when every run has stopped', async () => {
  // Tall enough for every widget to be in view (a widget out of view does not step).
  const { page, errors } = await openFixture('fixtures/blank.html', { height: 2400 });
  await page.evaluate(() => {
    window.__ends = 0;
    document.addEventListener('converged', () => { window.__ends += 1; });
    document.addEventListener('stopped', () => { window.__ends += 1; });
  });
  await addWidget(page, { controls: 'minimal', preset: 'bowl', autoplay: '', speed: '1' }, 'auto');
  await addWidget(page, { controls: 'minimal', preset: 'bowl' }, 'still');
  const loopConfig = JSON.stringify({ problem: { name: 'quadratic', a: 1, b: 4 }, runs: [{ label: 'gd', x0: [-4, 3], optimizer: { name: 'SGD', lr: 0.1 } }], stop: { max_steps: 30 } });
  await addWidget(page, { controls: 'minimal', config: loopConfig, autoplay: '', loop: '', speed: 'max' }, 'loop');
  await page.waitForTimeout(1000);
  const state = await page.evaluate(() => ({
    auto: document.getElementById('auto').playing,
    autoStep: document.getElementById('auto').snapshot().runs[0].step,
    speedShown: document.getElementById('auto').shadowRoot.querySelector('.playback select').selectedOptions[0].textContent,
    still: document.getElementById('still').snapshot().runs[0].step,
  }));
  assert.equal(state.auto, true, 'autoplay plays');
  // One step per frame: about 60 in a second (headless frames run at 60 Hz or less).
  assert.ok(state.autoStep >= 5 && state.autoStep <= 75, `speed="1": ${state.autoStep} steps in a second`);
  assert.equal(state.speedShown, '1 step / frame');
  assert.equal(state.still, 0, 'a widget without autoplay waits');
  // The 30-step run ends at once at max speed; loop plays it again after LOOP_PAUSE_MS (1.2 s).
  await page.waitForFunction(() => window.__ends >= 3, null, { timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('theme and height', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html', { colorScheme: 'dark' });
  await addWidget(page, { controls: 'minimal', preset: 'bowl', theme: 'light', height: '260' }, 'light');
  await addWidget(page, { controls: 'minimal', preset: 'bowl', theme: 'dark' }, 'dark');
  await addWidget(page, { controls: 'minimal', preset: 'bowl' }, 'auto');
  await addWidget(page, { controls: 'minimal', preset: 'bowl', theme: 'sepia', height: '9' }, 'bad');
  const t = await page.evaluate(() => Object.fromEntries(['light', 'dark', 'auto', 'bad'].map((id) => {
    const root = document.getElementById(id).shadowRoot;
    const shell = root.querySelector('.pg');
    return [id, { dark: shell.classList.contains('dark'), ink: getComputedStyle(root.querySelector('.counter')).color, picture: root.querySelector('canvas.landscape').getBoundingClientRect().width }];
  })));
  assert.equal(t.light.dark, false);
  assert.equal(t.dark.dark, true);
  assert.equal(t.auto.dark, true, 'auto follows the reader (dark here)');
  assert.notEqual(t.light.ink, t.dark.ink);
  assert.equal(Math.round(t.light.picture), 260);
  assert.equal(Math.round(t.dark.picture), 420);
  const bad = await looks(page, 'bad');
  assert.match(bad.alerts.join('\n'), /theme="sepia": must be light, dark, auto/);
  assert.match(bad.alerts.join('\n'), /height="9": must be a number of CSS pixels from 150 to 1200/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('sources: preset, src, hash and config, their precedence, and bad ones', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  const lrPreset = await page.evaluate(async () => (await import('/presets.js')).presetById('lr').config);
  await addWidget(page, { preset: 'lr', controls: 'minimal' }, 'preset');
  await addWidget(page, { controls: 'minimal', config: JSON.stringify(lrPreset) }, 'same');
  await addWidget(page, { src: 'experiment.json', controls: 'minimal' }, 'src');
  await addWidget(page, { src: 'missing.json', preset: 'lr', controls: 'minimal' }, 'missing');
  await addWidget(page, { config: '{"problem": {"name": "booth"}, "runs": [{"label": "cfg", "optimizer": {"name": "SGD", "lr": 0.01}}]}', preset: 'lr', src: 'experiment.json', controls: 'minimal' }, 'both');
  await addWidget(page, { config: '{"problem": 1}', src: 'experiment.json', controls: 'minimal' }, 'badcfg');
  await addWidget(page, { preset: 'nope', controls: 'minimal' }, 'nope');
  await addWidget(page, { hash: 'problem=rosenbrock&run=oops:Adam(lr=-1)', controls: 'minimal' }, 'badhash');
  const preset = await looks(page, 'preset');
  assert.deepEqual(preset.config, (await looks(page, 'same')).config, 'preset="lr" is the lesson\'s experiment');
  assert.deepEqual(preset.alerts, []);
  const src = await looks(page, 'src');
  assert.equal(src.config.runs[0].label, 'from src');
  assert.equal(src.config.problem.name, 'himmelblau');
  const missing = await looks(page, 'missing');
  assert.match(missing.alerts.join('\n'), /src="missing\.json": could not be fetched \(HTTP 404\)/);
  assert.deepEqual(missing.config, preset.config, 'the next source (preset) is taken');
  const both = await looks(page, 'both');
  assert.equal(both.config.runs[0].label, 'cfg', 'config comes before src and preset');
  assert.deepEqual(both.alerts, []);
  const badcfg = await looks(page, 'badcfg');
  assert.match(badcfg.alerts.join('\n'), /config="\{"problem": 1\}": problem/);
  assert.equal(badcfg.config.runs[0].label, 'from src', 'a bad config falls to src');
  const nope = await looks(page, 'nope');
  assert.match(nope.alerts.join('\n'), /preset="nope": no preset has this id \(ids: bowl, lr,/);
  assert.equal(nope.config.runs[0].label, 'gd', 'the default experiment');
  const badhash = await looks(page, 'badhash');
  assert.match(badhash.alerts.join('\n'), /hash="problem=rosenbrock&run=oops:Adam\(lr=-1\)": .*lr/);
  for (const id of ['preset', 'same', 'src', 'both']) assert.deepEqual((await looks(page, id)).alerts, [], `${id}: no alert`);
  assert.equal(await page.evaluate(() => location.hash), '', 'no widget touched the hash');
  assert.deepEqual(errors, []);
  await page.close();
});

test('hash= gives the same snapshot as index.html with that hash', async () => {
  const hash = 'problem=rosenbrock&run=adam:Adam(lr=0.05)@-1.5,2&run=nag:SGD(lr=0.001,momentum=0.9,nesterov=true)@-1,1&stop=max_steps:3000&seed=4';
  const main = await openFixture(`index.html#${hash}`);
  const expected = await main.page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.ready;
    return el.step(150);
  });
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { hash, controls: 'minimal' });
  const got = await page.evaluate(() => document.getElementById('w').step(150));
  assert.equal(expected.runs.length, 2);
  assert.deepEqual(got, expected);
  assert.deepEqual([...errors, ...main.errors], []);
  await page.close();
  await main.page.close();
});

test('two full widgets keep their own experiments and leave the hash alone; a bad config alerts in its own widget only', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { controls: 'full', preset: 'momentum' }, 'one');
  await addWidget(page, { controls: 'full', preset: 'himmelblau' }, 'two');
  await addWidget(page, { controls: 'minimal', config: '{"problem": {"name": "quadratic"}, "runs": [{"label": "x", "optimizer": {"name": "SGD", "lr": 0.1, "momentum": -1}}]}' }, 'bad');
  const before = (await looks(page, 'two')).config;
  await page.evaluate(async () => {
    const one = document.getElementById('one');
    await one.load({ problem: { name: 'booth' }, runs: [{ label: 'mine', optimizer: { name: 'Adam', lr: 0.1 } }] });
    one.shadowRoot.querySelector('select.preset-select').value = 'saddle';
    one.shadowRoot.querySelector('select.preset-select').dispatchEvent(new Event('change'));
    await one.step(20);
    document.body.focus();
  });
  await page.keyboard.press('s');
  const after = await page.evaluate(() => ({
    one: document.getElementById('one').getConfig().problem.name,
    two: document.getElementById('two').getConfig(),
    twoStep: document.getElementById('two').snapshot().runs[0].step,
    hash: location.hash,
  }));
  assert.equal(after.one, 'saddle');
  assert.deepEqual(after.two, before, 'the other widget kept its experiment');
  assert.equal(after.twoStep, 0, 'and took no step');
  assert.equal(after.hash, '', 'neither touched the hash');
  const bad = await looks(page, 'bad');
  assert.match(bad.alerts.join('\n'), /config=".*": runs\[0\]\.optimizer\.momentum/);
  for (const id of ['one', 'two']) assert.deepEqual((await looks(page, id)).alerts, [], `${id}: no alert`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('el.set(path, value) changes one setting and restarts; a bad one names its path', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  await addWidget(page, { controls: 'minimal', preset: 'bowl' });
  const r = await page.evaluate(async () => {
    const el = document.getElementById('w');
    await el.step(10);
    await el.set('runs[0].optimizer.lr', 0.2);
    const lr = el.getConfig().runs[0].optimizer.lr;
    const step = el.snapshot().runs[0].step;
    const refused = await el.set('runs[0].optimizer.lr', -3).then(() => 'resolved', (e) => e.message);
    const missing = await el.set('runs[4].optimizer.lr', 0.1).then(() => 'resolved', (e) => e.message);
    return { lr, step, refused, missing, after: el.getConfig().runs[0].optimizer.lr };
  });
  assert.equal(r.lr, 0.2);
  assert.equal(r.step, 0, 'the runs restarted');
  assert.match(r.refused, /^runs\[0\]\.optimizer\.lr: /);
  assert.match(r.missing, /^runs\[4\]\.optimizer\.lr: index 4 is out of range/);
  assert.equal(r.after, 0.2, 'a refused setting keeps the experiment');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the step event is throttled; one animation frame drives every widget', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html', { height: 2400 });
  const steady = JSON.stringify({ problem: { name: 'rosenbrock' }, runs: [{ label: 'sgd', x0: [-1.5, 2], optimizer: { name: 'SGD', lr: 0.0001 } }], stop: { max_steps: 1000000, grad_norm: null, loss_plateau: null, param_change: null } });
  for (const id of ['a', 'b', 'c']) await addWidget(page, { controls: 'minimal', config: steady, speed: '1', height: '150', charts: 'loss' }, id);
  const r = await page.evaluate(async () => {
    const events = [];
    document.getElementById('a').addEventListener('step', (e) => events.push(e.detail));
    let calls = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (fn) => { calls += 1; return raf(fn); };
    for (const id of ['a', 'b', 'c']) document.getElementById(id).play();
    let frames = 0;
    const t0 = performance.now();
    await new Promise((done) => {
      const tick = () => { frames += 1; if (performance.now() - t0 < 1500) raf(tick); else done(); };
      raf(tick);
    });
    for (const id of ['a', 'b', 'c']) document.getElementById(id).pause();
    window.requestAnimationFrame = raf;
    return { events, calls, frames, steps: ['a', 'b', 'c'].map((id) => document.getElementById(id).snapshot().runs[0].step) };
  });
  assert.ok(r.steps.every((s) => s > 10), `every widget stepped (${r.steps})`);
  // Three widgets with loops of their own would ask for three frames per frame.
  assert.ok(r.calls <= r.frames * 1.25 + 5, `${r.calls} requestAnimationFrame calls in ${r.frames} frames`);
  // At most one event every 250 ms: 1.5 s gives 7 at most.
  assert.ok(r.events.length >= 3 && r.events.length <= 8, `${r.events.length} step events in 1.5 s`);
  const last = r.events[r.events.length - 1];
  assert.equal(last.runs[0].label, 'sgd');
  assert.ok(last.step > 0 && Number.isFinite(last.runs[0].loss));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a widget out of view stops stepping and resumes when scrolled back', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html', { height: 700 });
  const steady = JSON.stringify({ problem: { name: 'rosenbrock' }, runs: [{ label: 'sgd', x0: [-1.5, 2], optimizer: { name: 'SGD', lr: 0.0001 } }], stop: { max_steps: 1000000, grad_norm: null, loss_plateau: null, param_change: null } });
  await addWidget(page, { controls: 'minimal', config: steady, speed: '1' });
  await page.evaluate(() => {
    const spacer = document.createElement('div');
    spacer.style.height = '4000px';
    document.getElementById('place').append(spacer);
    document.getElementById('w').play();
  });
  const stepOf = () => page.evaluate(() => document.getElementById('w').snapshot().runs[0].step);
  await page.waitForTimeout(400);
  assert.ok(await stepOf() > 0, 'it plays in view');
  await page.evaluate(() => window.scrollTo(0, 3500));
  await page.waitForTimeout(300);
  const away = await stepOf();
  await page.waitForTimeout(700);
  assert.equal(await stepOf(), away, 'no step while out of view');
  assert.equal(await page.evaluate(() => document.getElementById('w').playing), true, 'still playing: it resumes by itself');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(500);
  assert.ok(await stepOf() > away, 'it steps again once back in view');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Embed dialog: keyboard, and both snippets reproduce the page\'s snapshot', async () => {
  const hash = 'problem=himmelblau&run=m:SGD(lr=0.01,momentum=0.8)@-1,-1&stop=max_steps:2000&seed=3';
  const { page, errors } = await openFixture(`index.html#${hash}`);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  const expected = await page.evaluate(() => document.querySelector('convergence-playground').step(120));
  await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('button.embed-open').focus());
  await page.keyboard.press('Enter');
  const open = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const d = root.querySelector('dialog.embed-dialog');
    return { open: d.open, modal: d.matches(':modal'), focus: root.activeElement && root.activeElement.className, element: root.querySelector('textarea.embed-element').value, iframe: root.querySelector('textarea.embed-iframe').value };
  });
  assert.deepEqual({ open: open.open, modal: open.modal }, { open: true, modal: true });
  assert.match(open.focus, /embed-code/);
  assert.match(open.element, /^<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/widget\.js"><\/script>\n<convergence-playground controls="minimal" hash="problem=himmelblau&amp;run=/);
  assert.match(open.iframe, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html#problem=himmelblau&amp;run=/);
  await page.keyboard.press('Escape');
  const closed = await page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return { open: root.querySelector('dialog.embed-dialog').open, focus: root.activeElement && root.activeElement.textContent };
  });
  assert.deepEqual(closed, { open: false, focus: 'Embed' });

  // The iframe form, as an author pastes it.
  const parse = (html, sel, attr) => page.evaluate(({ html, sel, attr }) => new DOMParser().parseFromString(html, 'text/html').querySelector(sel).getAttribute(attr), { html, sel, attr });
  const frameSrc = await parse(open.iframe, 'iframe', 'src');
  const frame = await openFixture(frameSrc.replace(server.url, ''));
  const fromFrame = await frame.page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.ready;
    return el.step(120);
  });
  assert.deepEqual(fromFrame, expected, 'embed.html#hash reproduces the page');
  // Without a hash the frame shows the momentum lesson.
  const bare = await openFixture('embed.html');
  const lesson = await bare.page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.ready;
    const { presetById } = await import('/presets.js');
    return { shown: el.getConfig().runs.map((r) => [r.label, r.color]), lesson: presetById('momentum').config.runs.map((r) => [r.label, r.color]) };
  });
  assert.deepEqual(lesson.shown, lesson.lesson);
  await bare.page.close();
  // The element form.
  const elementHash = await parse(open.element, 'convergence-playground', 'hash');
  const blank = await openFixture('fixtures/blank.html');
  await addWidget(blank.page, { controls: 'minimal', hash: elementHash });
  assert.deepEqual(await blank.page.evaluate(() => document.getElementById('w').step(120)), expected, 'hash="..." reproduces the page');
  assert.deepEqual([...errors, ...frame.errors, ...blank.errors], []);
  for (const p of [page, frame.page, blank.page]) await p.close();
});

test('every page loads under the strict CSP with no console error; screenshots of three embeds', async () => {
  const { existsSync } = await import('node:fs');
  const pages = ['index.html', 'embed.html', 'bench.html', 'fixtures/embeds.html'];
  if (existsSync(join(WWW, 'article.html'))) pages.push('article.html');
  for (const path of pages) {
    const { page, errors } = await openFixture(path, { widgets: path !== 'bench.html' });
    if (path !== 'bench.html') {
      await page.evaluate(() => Promise.all([...document.querySelectorAll('convergence-playground')].map((el) => el.ready)));
      await page.waitForTimeout(300);
    } else {
      await page.waitForTimeout(1500);
    }
    assert.deepEqual(await page.evaluate(() => window.__violations), [], `${path}: no CSP violation`);
    assert.deepEqual(errors, [], `${path}: no console error`);
    if (path === 'fixtures/embeds.html') {
      const state = await page.evaluate(() => [...document.querySelectorAll('convergence-playground')].map((el) => ({
        id: el.id,
        alerts: [...el.shadowRoot.querySelectorAll('[role="alert"]')].filter((a) => !a.hidden).length,
        label: el.getConfig().runs[0].label,
      })));
      assert.deepEqual(state.map((s) => s.alerts), [0, 0, 0]);
      assert.deepEqual(state.slice(1).map((s) => s.label), ['from src', 'adam']);
    }
    await page.close();
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1440, 360]) {
    const page = await harness.browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 2 });
    await page.goto(`${server.url}fixtures/embeds.html`);
    await page.evaluate(async () => {
      await customElements.whenDefined('convergence-playground');
      await Promise.all([...document.querySelectorAll('convergence-playground')].map((el) => el.ready));
      await document.getElementById('by-preset').step(60);
      await document.getElementById('by-hash').step(400);
      await document.getElementById('by-src').step(200);
    });
    await page.waitForTimeout(800);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${width} px: no sideways scrolling (${overflow} px)`);
    await page.screenshot({ path: join(SCREENSHOTS, `embeds-${width}.png`), fullPage: true });
    await page.close();
  }
});

test('a widget in a 300 px column fits it, with canvases at the device pixel ratio, and follows a resize', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 1280, height: 1600 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.url}fixtures/blank.html`);
  const fit = async () => page.evaluate(async () => {
    const el = document.getElementById('w');
    await new Promise((ok) => setTimeout(ok, 400)); // the ResizeObserver redraws over the next frames
    const canvases = [...el.shadowRoot.querySelectorAll('canvas')].filter((c) => c.getClientRects().length > 0);
    return {
      overflow: el.shadowRoot.querySelector('.pg').scrollWidth - el.clientWidth,
      width: el.clientWidth,
      sharp: canvases.map((c) => c.width === Math.round(c.clientWidth * 2)),
    };
  });
  await page.evaluate(async () => {
    const column = document.createElement('div');
    column.id = 'column';
    column.style.width = '300px';
    const el = document.createElement('convergence-playground');
    el.id = 'w';
    el.setAttribute('controls', 'minimal');
    el.setAttribute('preset', 'momentum');
    column.append(el);
    document.getElementById('place').append(column);
    await el.ready;
    await el.step(50);
  });
  const narrow = await fit();
  assert.equal(narrow.width, 300);
  assert.ok(narrow.overflow <= 0, `nothing wider than the column (${narrow.overflow} px)`);
  assert.ok(narrow.sharp.length >= 2 && narrow.sharp.every(Boolean), `every canvas at 2x (${narrow.sharp})`);
  await page.evaluate(() => { document.getElementById('column').style.width = '900px'; });
  const wide = await fit();
  assert.equal(wide.width, 900);
  assert.ok(wide.sharp.every(Boolean), `every canvas redrawn at its new size (${wide.sharp})`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('controls can name the analysis panel: an embed whose config names an analysis runs it on load, in its worker, under the strict CSP', async () => {
  const { page, errors } = await openFixture('fixtures/blank.html');
  const config = {
    problem: { name: 'himmelblau' },
    runs: [{ label: 'gd', x0: [0.5, -1.5], optimizer: { name: 'SGD', lr: 0.01 } }],
    analysis: { critical_points: {} },
  };
  await addWidget(page, { controls: 'playback,analysis', config: JSON.stringify(config) });
  await page.waitForFunction(() => {
    const a = document.getElementById('w').analysis;
    return a && a.kind === 'critical_points' && !a.running && a.report;
  }, null, { timeout: 30000 });
  const shown = await page.evaluate(() => {
    const root = document.getElementById('w').shadowRoot;
    const visible = (sel) => { const n = root.querySelector(sel); return !!n && n.getClientRects().length > 0; };
    return { card: visible('.analysis-card'), sidebar: visible('.sidebar'), presets: visible('.preset-bar'), text: root.querySelector('.analysis-body').textContent };
  });
  assert.deepEqual({ card: shown.card, sidebar: shown.sidebar, presets: shown.presets }, { card: true, sidebar: false, presets: false });
  assert.match(shown.text, /9 critical points in view: 4 minima, 4 saddles, 1 maximum/);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  // Without the panel in its list, the card is not shown.
  await addWidget(page, { controls: 'playback,charts', config: JSON.stringify(config) }, 'v');
  assert.equal(await page.evaluate(() => document.getElementById('v').shadowRoot.querySelector('.analysis-card').getClientRects().length), 0);
});
