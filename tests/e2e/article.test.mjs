// The example article (www/article.html), served under the strict Content-Security-Policy the
// README promises: it loads without a console error; every widget on it becomes ready, steps
// when played and fires one ending event per run; the step at which each run ended (and each
// record-only criterion fired) is written in its section, so the prose cannot drift from the
// engine; the HTML shown under each figure is exactly the widget's own markup; every Copy
// button copies its code; at 360 px the page never scrolls sideways; and axe-core finds no
// serious or critical violation, light or dark (on the harness's server without the CSP header,
// which would block the injected axe script).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, ROOT, WWW } from './harness.mjs';
import { startServer } from './static-server.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const harness = useBrowser();
let strict = null;
before(async () => {
  strict = await startServer(WWW, { headers: { 'Content-Security-Policy': CSP } });
});
after(async () => {
  await strict?.close();
});

/** Opens the article under the CSP and waits until every widget on it is ready. */
async function openArticle(options = {}) {
  const opened = await harness.openPage('', { path: 'article.html', base: strict.url, ...options });
  const count = await opened.page.evaluate(() => Promise.all(
    [...document.querySelectorAll('convergence-playground')].map((el) => el.ready)).then((all) => all.length));
  return { ...opened, count };
}

test('the article loads under the strict CSP with every widget ready and no console error', async () => {
  const { page, errors, count } = await openArticle();
  const figures = await page.evaluate(() => document.querySelectorAll('figure.demo').length);
  assert.ok(count >= 12, `expected a dozen widgets or more, found ${count}`);
  assert.equal(figures, count, 'every widget sits in its own figure');
  const modes = await page.evaluate(() => [...document.querySelectorAll('convergence-playground')].map((el) => el.getAttribute('controls')));
  assert.deepEqual([...new Set(modes)], ['minimal']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every widget steps when played, fires one ending event per run, and its section states where each run ended', async () => {
  const { page, errors } = await openArticle();
  const results = await page.evaluate(async () => {
    const out = [];
    for (const figure of document.querySelectorAll('figure.demo')) {
      const el = figure.querySelector('convergence-playground');
      const events = [];
      for (const type of ['converged', 'early_stopped', 'diverged', 'stopped']) {
        el.addEventListener(type, (e) => events.push({ type, label: e.detail.label, step: e.detail.step }));
      }
      // A widget out of view does not step: bring the figure into view first, as a reader does.
      figure.scrollIntoView({ block: 'center' });
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      const before = el.snapshot().runs.map((r) => r.step);
      el.play();
      const start = performance.now();
      while (el.snapshot().runs.every((r, i) => r.step === before[i]) && performance.now() - start < 5000) {
        await new Promise((ok) => requestAnimationFrame(ok));
      }
      el.pause();
      const played = el.snapshot().runs.map((r) => r.step);
      const config = el.getConfig();
      const snap = await el.step(config.stop.max_steps);
      // The section's words without its code blocks, thousands separators dropped.
      const section = figure.closest('section').cloneNode(true);
      section.querySelectorAll('pre').forEach((pre) => pre.remove());
      const text = section.textContent.replace(/(\d),(\d{3})/g, '$1$2');
      out.push({
        figure: figure.dataset.figure,
        before,
        played,
        runs: snap.runs.map((r) => ({ label: r.label, state: r.status.state, atStep: r.status.at_step, criteria: r.criteria })),
        events,
        numbers: [...text.matchAll(/\d+/g)].map((m) => Number(m[0])),
      });
    }
    return out;
  });
  for (const fig of results) {
    const name = `figure ${fig.figure}`;
    assert.ok(fig.played.some((s, i) => s > fig.before[i]), `${name}: no step was taken while playing`);
    for (const run of fig.runs) {
      assert.notEqual(run.state, 'running', `${name}, ${run.label}: still running after max_steps`);
      const fired = fig.events.filter((e) => e.label === run.label);
      assert.deepEqual(fired, [{ type: run.state, label: run.label, step: run.atStep }], `${name}, ${run.label}: its ending event`);
      assert.ok(fig.numbers.includes(run.atStep), `${name}, ${run.label}: the text does not say step ${run.atStep} (${run.state})`);
      for (const [criterion, step] of Object.entries(run.criteria || {})) {
        assert.ok(fig.numbers.includes(step), `${name}, ${run.label}: the text does not say step ${step} (${criterion})`);
      }
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the HTML under each figure is exactly the markup of its widget', async () => {
  const { page } = await openArticle();
  const figures = await page.evaluate(() => [...document.querySelectorAll('figure.demo')].map((figure) => {
    const el = figure.querySelector('convergence-playground');
    const code = figure.querySelector('pre code').textContent;
    const template = document.createElement('template');
    template.innerHTML = code;
    const nodes = [...template.content.childNodes];
    const parsed = template.content.firstElementChild;
    const attributes = (node) => [...node.attributes].map((a) => [a.name, a.value]);
    return {
      figure: figure.dataset.figure,
      nodes: nodes.length,
      tag: parsed && parsed.localName,
      children: parsed ? parsed.childNodes.length : -1,
      parsed: parsed ? attributes(parsed) : [],
      live: attributes(el),
      configParses: !el.hasAttribute('config') || (() => { try { JSON.parse(el.getAttribute('config')); return true; } catch { return false; } })(),
    };
  }));
  assert.ok(figures.length >= 12);
  for (const f of figures) {
    assert.equal(f.nodes, 1, `figure ${f.figure}: the snippet is one element and nothing else`);
    assert.equal(f.tag, 'convergence-playground', `figure ${f.figure}`);
    assert.equal(f.children, 0, `figure ${f.figure}: the element is empty`);
    assert.deepEqual(f.parsed, f.live, `figure ${f.figure}: the snippet's attributes are the widget's`);
    assert.ok(f.configParses, `figure ${f.figure}: the config, where there is one, is JSON`);
  }
  await page.close();
});

test('the figures respect the author attributes: preset, autoplay, locked, charts and speed', async () => {
  const { page, errors } = await openArticle();
  const figures = await page.evaluate(async () => {
    const { PRESETS } = await import('./presets.js');
    const out = {};
    for (const n of ['1', '2', '4']) {
      const figure = document.querySelector(`figure.demo[data-figure="${n}"]`);
      figure.scrollIntoView({ block: 'center' });
      const el = figure.querySelector('convergence-playground');
      await el.ready;
      // Autoplay starts a figure once it is in view: give it a few frames.
      await new Promise((ok) => setTimeout(ok, 600));
      const root = el.shadowRoot;
      const visible = (node) => node.getClientRects().length > 0;
      const preset = PRESETS.find((p) => p.id === el.getAttribute('preset'));
      out[n] = {
        steps: el.snapshot().runs.map((r) => r.step),
        playing: el.playing,
        editable: [...root.querySelectorAll('input:not(.timeline-input), select, textarea')].filter(visible).length,
        exportMenu: [...root.querySelectorAll('.export-menu')].filter(visible).length,
        charts: [...root.querySelectorAll('.chart-card')].filter(visible).map((c) => c.dataset.kind),
        speed: root.querySelector('.playback select') ? JSON.parse(root.querySelector('.playback select').value) : null,
        labels: el.getConfig().runs.map((r) => r.label),
        presetLabels: preset ? preset.config.runs.map((r) => r.label) : null,
        problem: el.getConfig().problem,
        presetProblem: preset ? preset.config.problem : null,
      };
      el.pause();
    }
    return out;
  });
  const [one, two, four] = [figures['1'], figures['2'], figures['4']];
  assert.ok(one.steps[0] > 0, `figure 1 plays by itself (autoplay): ${one.steps}`);
  assert.equal(two.steps[0], 0, 'figure 2 has no autoplay: it waits for Play');
  assert.deepEqual(one.labels, one.presetLabels, 'figure 1 is the bowl lesson');
  assert.deepEqual(one.problem, one.presetProblem);
  assert.deepEqual(four.labels, four.presetLabels, 'figure 4 is the lr lesson');
  for (const [name, f] of [['1', one], ['4', four]]) {
    assert.equal(f.editable, 0, `figure ${name} is locked: nothing to edit`);
    assert.equal(f.exportMenu, 0, `figure ${name} is locked: no exports`);
  }
  assert.ok(two.editable > 0, 'figure 2 is not locked: its speed can be chosen');
  assert.equal(two.speed, '100', 'figure 2 plays at its speed attribute');
  assert.deepEqual(two.charts, ['loss', 'grad_norm'], 'figure 2 shows its charts in its order');
  assert.deepEqual(four.charts, ['loss'], 'figure 4 shows only the loss');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every Copy button copies its code and says so', async () => {
  const { page } = await openArticle({
    before: (p) => p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: strict.url }),
  });
  const count = await page.locator('.snippet button.copy').count();
  const figures = await page.evaluate(() => document.querySelectorAll('figure.demo').length);
  assert.ok(count > figures, `a Copy button under every figure and for the module script (found ${count})`);
  for (let i = 0; i < count; i++) {
    const snippet = page.locator('.snippet').nth(i);
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await snippet.locator('button.copy').click();
    await page.waitForFunction((n) => document.querySelectorAll('.snippet .copy-note')[n].textContent !== '', i);
    const [copied, code, note] = await page.evaluate((n) => {
      const box = document.querySelectorAll('.snippet')[n];
      return navigator.clipboard.readText().then((text) => [text, box.querySelector('code').textContent, box.querySelector('.copy-note').textContent]);
    }, i);
    assert.ok(code.length > 20, `code block ${i} is not empty`);
    assert.equal(copied, code, `code block ${i}: the clipboard holds its code`);
    assert.equal(note, 'Copied');
  }
  await page.close();
});

test('at 360 px the article never scrolls sideways and every figure fits the column', async () => {
  const { page, errors } = await openArticle({ width: 360, height: 800 });
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    widest: Math.max(...[...document.querySelectorAll('figure.demo, .essay p, .essay h1, .essay h2')].map((e) => e.getBoundingClientRect().right)),
  }));
  assert.ok(m.scroll <= m.client, `the page is ${m.scroll} px wide in a ${m.client} px window`);
  assert.ok(m.widest <= m.client, `an element reaches ${m.widest} px in a ${m.client} px window`);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const scheme of ['light', 'dark']) {
  test(`axe: no serious or critical violation on the article (${scheme})`, async () => {
    const { page, errors } = await harness.openPage('', { path: 'article.html', before: (p) => p.emulateMedia({ colorScheme: scheme }) });
    await page.evaluate(() => Promise.all([...document.querySelectorAll('convergence-playground')].map((el) => el.ready.then(() => el.step(30)))));
    await page.addScriptTag({ path: join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
    assert.deepEqual(serious, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
