// Accessibility, phones and a way in, on the real pages: axe-core finds no serious or critical
// violation (index.html light and dark, embed.html); at 360 px nothing overflows sideways and
// Play and the picture come before the caption, the run status and the settings, in every lesson; every control is a 24 px
// target; a finger's swipe over the landscape scrolls the page and leaves the start point and
// the runs alone, while a press on the start marker moves it; "How to read this page" stays
// hidden after a reload once dismissed; the lessons' Previous and Next; the skip link; the
// canvases' text alternatives; the dark colour scheme and reduced motion.
// axe.min.js is added to the page from node_modules: the harness's server sends no CSP header.

import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useBrowser, ROOT } from './harness.mjs';
import { LESSONS, presetById } from '../../www/presets.js';

const harness = useBrowser();
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** A phone: 360 px wide, touch, device pixel ratio 2. */
async function openPhone(path = '', { reducedMotion = 'no-preference' } = {}) {
  const context = await harness.browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, reducedMotion });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(harness.server.url + path);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  return { page, context, errors };
}

for (const [path, scheme] of [['', 'light'], ['', 'dark'], ['embed.html', 'light'], ['embed.html', 'dark']]) {
  test(`axe: no serious or critical violation on ${path || 'index.html'} (${scheme})`, async () => {
    const { page, errors } = await harness.openPage('', { path, before: (p) => p.emulateMedia({ colorScheme: scheme }) });
    await page.evaluate(() => document.querySelector('convergence-playground').step(30));
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('axe at 360 px too', async () => {
  const { page, context } = await openPhone();
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

/** Where the parts of the widget start on a phone (page pixels), and what sticks out sideways. */
async function phoneLayout(page) {
  return page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const top = (sel) => {
      const el = [...root.querySelectorAll(sel)].find((e) => e.getClientRects().length);
      return el ? el.getBoundingClientRect().top + scrollY : null;
    };
    return {
      scrollWidth: document.documentElement.scrollWidth,
      play: top('button.play'),
      picture: top('.landscape-card, .model-card'),
      canvas: top('canvas.landscape, canvas.model-view'),
      status: top('ul.status'),
      caption: top('.caption'),
      sidebar: top('.sidebar'),
      charts: top('.chart-stack'),
      wide: [...root.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > 361 && el.getClientRects().length).map((el) => el.className || el.tagName).slice(0, 5),
    };
  });
}

/** The order of a phone's screen: Play, the picture, then the verdicts and the rest; nothing sideways. */
function assertPhoneOrder(m, where) {
  assert.ok(m.scrollWidth <= 360, `${where}: scrollWidth ${m.scrollWidth}`);
  assert.deepEqual(m.wide, [], `${where}: elements past the right edge`);
  assert.ok(m.play < m.picture, `${where}: Play above the picture`);
  assert.ok(m.canvas < 740, `${where}: the picture starts on the first screen (${m.canvas})`);
  assert.ok(m.picture < m.status, `${where}: the picture before the run status`);
  assert.ok(m.status < m.charts, `${where}: the run status before the charts`);
  if (m.caption !== null) assert.ok(m.picture < m.caption, `${where}: the picture before the caption`);
  if (m.sidebar !== null) assert.ok(m.picture < m.sidebar, `${where}: the picture before the settings`);
}

for (const path of ['', 'embed.html']) {
  test(`at 360 px ${path || 'index.html'} does not scroll sideways, and Play and the picture come first${path ? '' : ', in every lesson'}`, async () => {
    const { page, context, errors } = await openPhone(path);
    assertPhoneOrder(await phoneLayout(page), path || 'index.html');
    // Every lesson, landscapes and models, as loaded and once its runs have ended (their status
    // lines then carry their advice).
    for (const id of path ? [] : LESSONS) {
      await page.locator('convergence-playground select.preset-select').selectOption(id);
      await page.evaluate(() => document.querySelector('convergence-playground').pause());
      assertPhoneOrder(await phoneLayout(page), `${id} on load`);
      await page.evaluate(() => document.querySelector('convergence-playground').step(10_000_000));
      assertPhoneOrder(await phoneLayout(page), `${id} at the end`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

/** The preset bar's visible buttons: their text, how many lines it takes, and how many other
 * buttons share their row. */
function presetBarButtons(page) {
  return page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const buttons = [...root.querySelectorAll('.preset-bar button')].filter((b) => b.getClientRects().length);
    const lines = (b) => {
      const range = document.createRange();
      range.selectNodeContents(b);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    };
    const mid = (b) => { const r = b.getBoundingClientRect(); return r.top + r.height / 2; };
    return buttons.map((b) => ({
      text: b.textContent,
      lines: lines(b),
      rowMates: buttons.filter((o) => o !== b && Math.abs(mid(o) - mid(b)) < 8).length,
    }));
  });
}

/** Every button of the bar on one line, none alone on a row, in the first lesson (Previous, the
 * count, Next) and in a custom experiment ("Start lesson 1"); nothing sticks out sideways. */
async function assertPresetBarFits(page, where) {
  for (const state of ['lesson 1', 'custom']) {
    if (state === 'custom') {
      await page.evaluate(() => document.querySelector('convergence-playground').load({
        problem: { name: 'custom', f: 'x^2 + y^2' }, runs: [{ label: 'GD', x0: [1, 1], optimizer: { name: 'SGD', lr: 0.1 } }] }));
    }
    const buttons = await presetBarButtons(page);
    assert.ok(buttons.length >= 5, `${where}, ${state}: ${JSON.stringify(buttons)}`);
    for (const b of buttons) {
      assert.equal(b.lines, 1, `${where}, ${state}: "${b.text}" wraps`);
      assert.ok(b.rowMates >= 1, `${where}, ${state}: "${b.text}" sits alone on its row`);
    }
    const overflow = await page.evaluate(() => {
      const el = document.querySelector('convergence-playground');
      const right = el.getBoundingClientRect().right;
      return [...el.shadowRoot.querySelectorAll('.preset-bar *')].filter((e) => e.getBoundingClientRect().right > right + 0.5).map((e) => e.className || e.tagName);
    });
    assert.deepEqual(overflow, [], `${where}, ${state}: past the widget's right edge`);
  }
}

test('in a narrow widget the preset bar\'s buttons keep their words on one line and none sits alone on a row', async () => {
  // A phone, 360 px wide.
  const { page, context, errors } = await openPhone();
  await assertPresetBarFits(page, '360 px phone');
  assert.deepEqual(errors, []);
  await context.close();
  // The full widget in a 350 px column of a wide page: laid out by its own width.
  const wide = await harness.openPage('', { width: 1440 });
  await wide.page.evaluate(() => {
    document.querySelector('convergence-playground').style.width = '350px';
    return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  });
  await assertPresetBarFits(wide.page, '350 px column at 1440');
  assert.deepEqual(wide.errors, []);
  await wide.page.close();
});

test('every control is a target of at least 24 x 24 px (a checkbox through its label)', async () => {
  for (const width of [1440, 360]) {
    const { page } = await harness.openPage('', { width });
    const small = await page.evaluate(() => {
      const out = [];
      const roots = [document, document.querySelector('convergence-playground').shadowRoot];
      for (const root of roots) {
        for (const el of root.querySelectorAll('button, select, input, a[href], textarea, summary, [tabindex="0"]')) {
          if (el.matches('.skip-link:not(:focus), .file-input')) continue; // out of sight until focused; its label is the target
          const target = el.matches('input[type="checkbox"], input[type="radio"]') ? (el.closest('label') || el) : el;
          const r = target.getBoundingClientRect();
          if (!target.getClientRects().length) continue; // not shown
          if (r.width < 24 || r.height < 24) out.push(`${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
        }
      }
      return out;
    });
    assert.deepEqual(small, [], `at ${width} px`);
    await page.close();
  }
});

/** The canvas position (CSS px, page) of a point of the landscape, from the core's own mapping. */
async function landscapePoint(page, point) {
  return page.evaluate(([x, y]) => {
    const el = document.querySelector('convergence-playground');
    const canvas = el.shadowRoot.querySelector('canvas.landscape');
    const r = canvas.getBoundingClientRect();
    const a = el.pg.canvas_to_params(canvas.width, canvas.height, 0, 0);
    const b = el.pg.canvas_to_params(canvas.width, canvas.height, canvas.width, canvas.height);
    return { x: r.left + ((x - a[0]) / (b[0] - a[0])) * r.width, y: r.top + ((y - a[1]) / (b[1] - a[1])) * r.height, rect: { left: r.left, top: r.top, width: r.width, height: r.height } };
  }, point);
}

async function swipe(page, from, to, { holdMs = 0 } = {}) {
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  await touch('touchStart', from.x, from.y);
  if (holdMs) await page.waitForTimeout(holdMs);
  const n = 10;
  for (let i = 1; i <= n; i += 1) {
    await touch('touchMove', from.x + ((to.x - from.x) * i) / n, from.y + ((to.y - from.y) * i) / n);
    await page.waitForTimeout(16);
  }
  await touch('touchEnd', to.x, to.y);
  await page.waitForTimeout(100);
}

test('a finger swiping over the landscape scrolls the page and moves neither the start nor the runs', async () => {
  const { page, context, errors } = await openPhone();
  await page.evaluate(() => document.querySelector('convergence-playground').step(20));
  // Bring the picture's lower half into view, then swipe up from its middle, far from the start (-4, 3).
  await page.evaluate(() => {
    const canvas = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    window.scrollTo(0, canvas.getBoundingClientRect().top + scrollY - 100);
  });
  const before = await page.evaluate(() => ({ y: scrollY, x0: document.querySelector('convergence-playground').getConfig().runs[0].x0, step: document.querySelector('convergence-playground').snapshot().runs[0].step }));
  const mid = await landscapePoint(page, [2, -2]);
  await swipe(page, { x: mid.x, y: mid.y }, { x: mid.x, y: mid.y - 200 });
  const after = await page.evaluate(() => ({ y: scrollY, x0: document.querySelector('convergence-playground').getConfig().runs[0].x0, step: document.querySelector('convergence-playground').snapshot().runs[0].step }));
  assert.ok(after.y > before.y + 50, `the page scrolled (${before.y} -> ${after.y})`);
  assert.deepEqual(after.x0, before.x0, 'the start did not move');
  assert.equal(after.step, before.step, 'the runs were not restarted');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a finger pressing the start marker drags the start; a long press elsewhere picks it up too', async () => {
  const { page, context, errors } = await openPhone();
  await page.evaluate(() => {
    const canvas = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    window.scrollTo(0, canvas.getBoundingClientRect().top + scrollY - 60);
  });
  const start = await landscapePoint(page, [-4, 3]);
  const y0 = await page.evaluate(() => scrollY);
  await swipe(page, start, { x: start.x + 60, y: start.y + 60 });
  const moved = await page.evaluate(() => ({ y: scrollY, x0: document.querySelector('convergence-playground').getConfig().runs[0].x0 }));
  assert.notDeepEqual(moved.x0, [-4, 3], 'the start followed the finger');
  assert.ok(moved.x0[0] > -4 && moved.x0[1] < 3, `to the lower right: ${moved.x0}`);
  assert.equal(moved.y, y0, 'the page did not scroll while dragging');
  const far = await landscapePoint(page, [2, 2]);
  await swipe(page, far, { x: far.x + 5, y: far.y + 5 }, { holdMs: 700 });
  const held = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs[0].x0);
  assert.ok(Math.abs(held[0] - 2) < 0.6 && Math.abs(held[1] - 2) < 0.6, `a long press put the start under the finger: ${held}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('"How to read this page" stays hidden after a reload once dismissed, and comes back', async () => {
  const { page, errors } = await harness.openPage();
  const state = () => page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return { panel: !root.querySelector('.howto').hidden, show: !root.querySelector('.howto-show').hidden, text: root.querySelector('.howto').textContent };
  });
  const first = await state();
  assert.ok(first.panel && first.show, 'the panel is open and the button that leads to it is there');
  for (const words of ['The picture', 'Lines and marks', 'How a run ends', 'Converged', 'Early-stopped', 'it is not convergence', 'Diverged', 'Stopped']) assert.ok(first.text.includes(words), words);
  await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.howto-hide').click());
  await page.reload();
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  const hidden = await state();
  assert.ok(!hidden.panel && hidden.show, 'hidden after the reload');
  await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.howto-show').click());
  // The panel is under the picture, below the first screen: the button takes the reader there.
  await page.waitForFunction(() => {
    const top = document.querySelector('convergence-playground').shadowRoot.querySelector('.howto').getBoundingClientRect().top;
    return top >= 0 && top < window.innerHeight / 2;
  }, null, { timeout: 5000 });
  await page.reload();
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  assert.ok((await state()).panel, 'shown again after the reload');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the lessons: Next and Previous follow LESSONS and say "Lesson k of n"', async () => {
  const { page, errors } = await harness.openPage();
  const read = () => page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return { count: root.querySelector('.lesson-count').textContent, preset: root.querySelector('.preset-select').value, prev: root.querySelector('.lesson-prev').disabled, next: root.querySelector('.lesson-next').disabled };
  });
  const click = (cls) => page.evaluate((c) => document.querySelector('convergence-playground').shadowRoot.querySelector(c).click(), cls);
  const n = LESSONS.length;
  let s = await read();
  assert.deepEqual(s, { count: `Lesson 1 of ${n}`, preset: LESSONS[0], prev: true, next: false });
  await click('.lesson-next');
  s = await read();
  assert.equal(s.count, `Lesson 2 of ${n}`);
  assert.equal(s.preset, LESSONS[1]);
  const caption = await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.caption').textContent);
  assert.ok(caption.includes(presetById(LESSONS[1]).caption.slice(0, 40)));
  await click('.lesson-prev');
  assert.equal((await read()).preset, LESSONS[0]);
  // The last lesson: Next is disabled.
  await page.evaluate((id) => { const m = document.querySelector('convergence-playground').shadowRoot.querySelector('.preset-select'); m.value = id; m.dispatchEvent(new Event('change')); }, LESSONS[n - 1]);
  s = await read();
  assert.deepEqual(s, { count: `Lesson ${n} of ${n}`, preset: LESSONS[n - 1], prev: false, next: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the skip link moves the focus to the settings', async () => {
  const { page, errors } = await harness.openPage();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.activeElement?.className);
  assert.equal(focused, 'skip-link', 'the first Tab reaches the skip link');
  await page.keyboard.press('Enter');
  const label = await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.activeElement?.getAttribute('aria-label'));
  assert.equal(label, 'Experiment settings');
  assert.deepEqual(errors, []);
  await page.close();
});

test('each canvas has a text alternative that says what it shows now', async () => {
  const { page, errors } = await harness.openPage();
  const labels = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.step(37);
    return [...el.shadowRoot.querySelectorAll('canvas')].filter((c) => c.getClientRects().length).map((c) => c.getAttribute('aria-label'));
  });
  const land = labels.find((l) => l.startsWith('Loss landscape'));
  assert.ok(land, labels.join('\n'));
  assert.match(land, /gd: running, step 37 at \(/);
  const loss = labels.find((l) => l.startsWith('Loss vs step'));
  assert.match(loss, /steps 0 to 37\. Latest: gd \d/);
  // A model's view names its last evaluation's validation loss, as the snapshot gives it.
  const model = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    const menu = el.shadowRoot.querySelector('.preset-select');
    menu.value = 'fit-good';
    menu.dispatchEvent(new Event('change'));
    el.pause();
    const snap = await el.step(5);
    const label = [...el.shadowRoot.querySelectorAll('canvas')].map((c) => c.getAttribute('aria-label')).find((l) => l && l.startsWith('Fitted curve'));
    return { label, validation: snap.runs[0].training.validation_loss };
  });
  assert.ok(model.label, 'the model view has a text alternative');
  assert.equal(typeof model.validation, 'number');
  assert.match(model.label, /training loss [\d.e-]+, validation loss [\d.e-]+/, model.label);
  await page.close();
});

test('the dark colour scheme is applied when the system asks for it', async () => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).map(Number).map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const scheme of ['light', 'dark']) {
    const { page } = await harness.openPage('', { before: (p) => p.emulateMedia({ colorScheme: scheme }) });
    const colors = await page.evaluate(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      return { page: getComputedStyle(document.documentElement).backgroundColor, panel: getComputedStyle(root.querySelector('.panel')).backgroundColor, ink: getComputedStyle(root.querySelector('.caption')).color };
    });
    if (scheme === 'dark') {
      assert.ok(luminance(colors.page) < 0.05 && luminance(colors.panel) < 0.05 && luminance(colors.ink) > 0.5, JSON.stringify(colors));
    } else {
      assert.ok(luminance(colors.page) > 0.8 && luminance(colors.panel) > 0.8 && luminance(colors.ink) < 0.1, JSON.stringify(colors));
    }
    await page.close();
  }
});

test('with reduced motion a chosen lesson waits for Play instead of starting by itself', async () => {
  for (const [motion, autoplay] of [['reduce', false], ['no-preference', true]]) {
    const { page, errors } = await harness.openPage('', { before: (p) => p.emulateMedia({ reducedMotion: motion }) });
    const playing = await page.evaluate(() => {
      const el = document.querySelector('convergence-playground');
      el.shadowRoot.querySelector('.lesson-next').click();
      const p = el.playing;
      el.pause();
      return p;
    });
    assert.equal(playing, autoplay, motion);
    assert.deepEqual(errors, []);
    await page.close();
  }
});
