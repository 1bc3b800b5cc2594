// The timeline under the picture: after a preset has run to its end, scrubbing back (with the
// keyboard) moves each run's marker on the landscape to where the run was at that step, draws a
// cursor on the charts, says "viewing step s of N", takes no step, and "Back to live" returns;
// the ticks on the timeline name each criterion that fired.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';

const harness = useBrowser();

/** Chooses a preset and runs it to its end (paused), then lets the charts draw. */
async function runPreset(page, id) {
  await page.locator('convergence-playground select.preset-select').selectOption(id);
  await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    await el.step(1_000_000);
  });
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
}

/** What the test reads from the page: steps, counter, the loss chart's cursor, markers. */
async function state(page, step) {
  return page.evaluate((s) => {
    const el = document.querySelector('convergence-playground');
    const root = el.shadowRoot;
    const c = root.querySelector('canvas.landscape');
    const input = root.querySelector('input.timeline-input');
    return {
      steps: el.snapshot().runs.map((r) => r.step),
      counter: root.querySelector('.counter').textContent,
      value: Number(input.value),
      max: Number(input.max),
      live: !root.querySelector('.timeline-live').hidden,
      cursor: JSON.parse(el.pg.chart_layout('loss')).cursor,
      marker: s === null ? null : el.pg.marker_at(c.width, c.height, 0, s),
      image: c.toDataURL(),
      landLabel: c.getAttribute('aria-label'),
      lossLabel: root.querySelector('.chart-card[data-kind="loss"] canvas').getAttribute('aria-label'),
    };
  }, step);
}

/** Pixels of run 0's colour within 10 CSS px of a device-pixel point of the landscape. */
async function runPixelsNear(page, [x, y]) {
  return page.evaluate(({ x, y }) => {
    const el = document.querySelector('convergence-playground');
    const canvas = el.shadowRoot.querySelector('canvas.landscape');
    const hex = el.report()[0].color;
    const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const r = 20;
    const { data } = canvas.getContext('2d').getImageData(Math.round(x - r), Math.round(y - r), 2 * r, 2 * r);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) <= 24 && Math.abs(data[i + 1] - rgb[1]) <= 24 && Math.abs(data[i + 2] - rgb[2]) <= 24) n += 1;
    }
    return n;
  }, { x, y });
}

test('scrubbing the timeline shows an earlier step everywhere and takes no step', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  await runPreset(page, 'momentum');

  const input = page.locator('convergence-playground input.timeline-input');
  assert.equal(await input.getAttribute('aria-label'), 'Timeline: the step shown in the picture and the charts');
  const live = await state(page, null);
  const maxStep = Math.max(...live.steps);
  assert.ok(maxStep > 20, `the preset ran (${maxStep} steps)`);
  assert.equal(live.max, maxStep);
  assert.equal(live.value, maxStep, 'live: the timeline sits at the latest step');
  assert.equal(live.cursor, null, 'no cursor while live');
  assert.equal(live.live, false);

  // Keyboard: Home goes to step 0, five right arrows to step 5.
  await input.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const early = await state(page, 5);
  assert.equal(early.value, 5);
  assert.match(early.counter, new RegExp(`^viewing step 5 of ${maxStep.toLocaleString('en-US')}$`));
  assert.ok(early.live, 'Back to live is offered');
  assert.deepEqual(early.steps, live.steps, 'scrubbing took no step');
  assert.notEqual(early.image, live.image, 'the landscape was redrawn at step 5');
  // Run 0's marker at step 5 (from its recorded history) is drawn there, away from its end.
  const end = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    const c = el.shadowRoot.querySelector('canvas.landscape');
    const p = el.snapshot().runs[0].params.map(Number);
    return el.pg.params_to_canvas(c.width, c.height, p[0], p[1]);
  });
  assert.equal(early.marker.length, 2);
  assert.ok(Math.hypot(early.marker[0] - end[0], early.marker[1] - end[1]) > 20, `the marker moved: ${early.marker} vs ${end}`);
  assert.ok(await runPixelsNear(page, early.marker) >= 40, 'run 0 is drawn at its step-5 marker');
  // The text alternatives describe step 5, not the live end.
  assert.match(early.landLabel, /at step 5 of the timeline/);
  assert.match(early.landLabel, /SGD: at step 5: loss \d/);
  assert.doesNotMatch(early.landLabel, new RegExp(`step ${maxStep}\\b`));
  assert.match(early.lossLabel, /the timeline’s cursor at step 5\./);
  assert.notEqual(early.landLabel, live.landLabel);
  // The loss chart has its cursor inside the plot.
  const layout = await page.evaluate(() => JSON.parse(document.querySelector('convergence-playground').pg.chart_layout('loss')));
  assert.equal(typeof early.cursor, 'number');
  assert.ok(layout.plot[0] <= early.cursor && early.cursor <= layout.plot[2], `cursor ${early.cursor} in ${layout.plot}`);

  // Further along (Page Up: a larger stride), the cursor moves right.
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  const later = await state(page, null);
  assert.ok(later.value > 5 && later.value < maxStep, `value ${later.value}`);
  assert.match(later.counter, new RegExp(`^viewing step ${later.value.toLocaleString('en-US')} of `));
  assert.ok(later.cursor > early.cursor + 5, `${later.cursor} > ${early.cursor}`);
  assert.deepEqual(later.steps, live.steps, 'scrubbing took no step');

  // The ticks name each criterion that fired, at its step.
  const ticks = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.timeline-tick')]
    .map((t) => ({ title: t.title, step: Number(t.dataset.step), run: Number(t.dataset.run) })));
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').snapshot());
  let expected = 0;
  snap.runs.forEach((r, i) => {
    for (const [criterion, step] of Object.entries(r.criteria)) {
      expected += 1;
      assert.ok(ticks.some((t) => t.run === i && t.step === step && t.title.startsWith(`${r.label}: ${criterion} fired`)),
        `a tick for ${r.label}'s ${criterion} at ${step}: ${JSON.stringify(ticks)}`);
    }
    if (r.status.state === 'diverged' || r.status.state === 'stopped') {
      expected += 1;
      assert.ok(ticks.some((t) => t.run === i && t.step === r.status.at_step && t.title.includes(r.status.state)));
    }
  });
  assert.ok(expected > 0, 'the preset has something to mark');
  assert.equal(ticks.length, expected);
  // The marks are explained in words on the page, not only in their tooltips.
  const note = await page.locator('convergence-playground .timeline-note');
  assert.equal(await note.isVisible(), true);
  assert.match(await note.textContent(), /Marks, in each run’s colour: where a test fired or the run converged or early-stopped \(tall\), where it stopped or diverged/);
  // A phone has no tooltips: scrubbed onto a mark, the timeline says the mark's words under it,
  // and nothing away from every mark.
  const scrubTo = (s) => page.evaluate((v) => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const range = root.querySelector('input.timeline-input');
    range.value = String(v);
    range.dispatchEvent(new Event('input'));
    const here = root.querySelector('.timeline-here');
    return { hidden: here.hidden, text: here.textContent };
  }, s);
  const first = ticks.reduce((a, b) => (b.step < a.step ? b : a));
  const onMark = await scrubTo(first.step);
  assert.equal(onMark.hidden, false, 'the mark\'s words show');
  assert.ok(onMark.text.startsWith('At this mark: ') && onMark.text.includes(first.title), `${onMark.text} names ${first.title}`);
  const offMark = await scrubTo(1);
  assert.ok(ticks.every((t) => t.step > maxStep / 20), `no tick near step 1: ${JSON.stringify(ticks)}`);
  assert.deepEqual(offMark, { hidden: true, text: '' }, 'away from every mark, no words');

  // Back to live.
  await page.locator('convergence-playground button.timeline-live').click();
  const back = await state(page, null);
  assert.equal(back.value, maxStep);
  assert.equal(back.cursor, null);
  assert.equal(back.live, false);
  assert.match(back.counter, new RegExp(`^step ${maxStep.toLocaleString('en-US')} of `));
  assert.equal(back.image, live.image, 'the live picture again');
  assert.equal(back.landLabel, live.landLabel, 'the live text alternative again');
  assert.deepEqual(back.steps, live.steps);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the timeline is disabled before any step and follows a reset', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  await page.evaluate(() => document.querySelector('convergence-playground').pause());
  await page.evaluate(() => document.querySelector('convergence-playground').reset());
  const input = page.locator('convergence-playground input.timeline-input');
  assert.equal(await input.isDisabled(), true);
  assert.equal(await page.locator('convergence-playground .timeline-note').isVisible(), false, 'no marks, no words about them');
  await page.evaluate(() => document.querySelector('convergence-playground').step(30));
  assert.equal(await input.isDisabled(), false);
  assert.equal(await input.getAttribute('max'), '30');
  // Scrubbing while the runs play pauses them; Play goes back to live.
  await page.evaluate(() => document.querySelector('convergence-playground').play());
  await input.focus();
  await page.keyboard.press('Home');
  assert.equal(await page.evaluate(() => document.querySelector('convergence-playground').playing), false);
  const held = await page.evaluate(() => document.querySelector('convergence-playground').snapshot().runs.map((r) => r.step));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  const still = await page.evaluate(() => document.querySelector('convergence-playground').snapshot().runs.map((r) => r.step));
  assert.deepEqual(still, held, 'no step while scrubbed');
  assert.match(await page.locator('convergence-playground .counter').textContent(), /^viewing step 0 of /);
  await page.evaluate(() => document.querySelector('convergence-playground').play());
  assert.match(await page.locator('convergence-playground .counter').textContent(), /^step /);
  await page.close();
});

test('scrubbing a model run back draws its weights of then, and its status lines at that step; Back to live restores both', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  await page.locator('convergence-playground select.preset-select').selectOption('spiral');
  await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    el.reset();
    await el.step(1500);
  });
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  const read = () => page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const note = root.querySelector('.weights-note');
    return {
      model: root.querySelector('canvas.model-view').toDataURL(),
      network: root.querySelector('canvas.network-view').toDataURL(),
      note: note.hidden ? null : note.textContent,
      lines: [...root.querySelectorAll('.status li')].map((li) => ({
        text: li.querySelector('.text').textContent, atStep: li.dataset.atStep || null, mark: li.dataset.mark || null,
        icon: li.querySelector('.icon').textContent, advice: li.querySelector('.advice') !== null,
      })),
      steps: document.querySelector('convergence-playground').snapshot().runs.map((r) => r.step),
    };
  });
  const scrub = (step) => page.evaluate((s) => {
    const input = document.querySelector('convergence-playground').shadowRoot.querySelector('input.timeline-input');
    input.value = String(s);
    input.dispatchEvent(new Event('input'));
    return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }, step);

  const live = await read();
  assert.deepEqual(live.steps, [1500, 1500]);
  assert.equal(live.note, null, 'no weights caption while live');
  assert.ok(live.lines.every((l) => l.atStep === null && l.mark), 'live lines carry the verdict mark');
  assert.match(live.lines[0].text, /^running: step 1500/);

  await scrub(100);
  const early = await read();
  assert.deepEqual(early.steps, live.steps, 'scrubbing took no step');
  assert.notEqual(early.model, live.model, 'the decision boundary of step 100 differs from the live one');
  assert.notEqual(early.network, live.network, 'the network of step 100 differs from the live one');
  const shown = early.note && early.note.match(/^Weights at step (\d+)(?:, the nearest recorded before 100)?\.$/);
  assert.ok(shown, `the caption says which weights: ${early.note}`);
  assert.ok(Number(shown[1]) <= 100 && Number(shown[1]) > 50, early.note);
  // The same weights as the core's own snapshot: a fresh page run to that step draws the same picture.
  assert.equal(early.lines.length, 2);
  for (const line of early.lines) {
    assert.equal(line.atStep, '100');
    assert.equal(line.mark, null, 'no live verdict while scrubbing');
    assert.equal(line.advice, false);
    assert.match(line.text, /^at step 100: loss [\d.e-]+; evaluated at step 100: training loss [\d.e-]+, validation loss [\d.e-]+, accuracy [\d.]+ % training, [\d.]+ % validation$/);
    assert.doesNotMatch(line.text, /running|converged|out of steps/);
  }
  // Two scrubbed steps show two pictures.
  await scrub(1000);
  const later = await read();
  assert.notEqual(later.model, early.model);
  assert.match(later.lines[0].text, /^at step 1000: /);

  await page.locator('convergence-playground button.timeline-live').click();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const back = await read();
  assert.equal(back.note, null);
  assert.equal(back.model, live.model, 'the live boundary again');
  assert.equal(back.network, live.network, 'the live network again');
  assert.deepEqual(back.lines, live.lines, 'the live status lines again');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the model view at a scrubbed step is the picture a fresh run draws at that step', async () => {
  const page = await harness.browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  await page.locator('convergence-playground select.preset-select').selectOption('spiral');
  const picture = (steps, scrubTo) => page.evaluate(async ({ steps, scrubTo }) => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    el.reset();
    await el.step(steps);
    await new Promise((r) => setTimeout(r, 200));
    const root = el.shadowRoot;
    if (scrubTo !== null) {
      const input = root.querySelector('input.timeline-input');
      input.value = String(scrubTo);
      input.dispatchEvent(new Event('input'));
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const out = { model: root.querySelector('canvas.model-view').toDataURL(), note: root.querySelector('.weights-note').textContent };
    root.querySelector('button.timeline-live').click();
    return out;
  }, { steps, scrubTo });
  const scrubbed = await picture(1200, 200);
  assert.equal(scrubbed.note, 'Weights at step 200.');
  const fresh = await picture(200, null);
  assert.equal(fresh.model, scrubbed.model, 'the snapshot of step 200 is the weights a run has at step 200');
  await page.close();
});
