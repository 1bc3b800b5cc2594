// End-to-end tests of the drawings on the real page at deviceScaleFactor 2: sharp canvases, one
// title per chart, legends that cover no data, diverged paths cut at the view's edge, overlapping
// runs that stay visible, hovered runs in front, markers, labelled key moments, epochs on model
// charts, and the hover's step from Rust's own layout. Pixels are read from the canvases. Also
// the layout around the picture: no blank area beside or under it in any lesson, chart cards
// that move between the row below and the top row's columns as the heights change.
// Run: `node --test tests/e2e/drawings.test.mjs` (after `make build`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useBrowser, ROOT } from './harness.mjs';
import { LESSONS } from '../../www/presets.js';

const harness = useBrowser();

/** Opens the page at `width` CSS px and deviceScaleFactor 2, collecting errors. */
async function open(width = 1440) {
  const page = await harness.browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(harness.server.url);
  await page.evaluate(() => document.querySelector('convergence-playground').ready);
  return { page, errors };
}

/** Chooses a preset and runs it to its end (paused), then lets a frame draw. */
async function runPreset(page, id) {
  await page.locator('convergence-playground select.preset-select').selectOption(id);
  await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    el.pause();
    await el.step(1_000_000);
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Waits until every chart the page spreads over frames is drawn. */
async function settle(page) {
  await page.evaluate(() => new Promise((r) => setTimeout(r, 250)));
}

/** Counts pixels of `selector`'s canvas near [r, g, b] (within `tol` per channel), in the
 * optional device-pixel rectangle [x0, y0, x1, y1]. */
async function countColor(page, selector, rgb, { tol = 24, rect = null } = {}) {
  return page.evaluate(({ sel, rgb, tol, rect }) => {
    const canvas = document.querySelector('convergence-playground').shadowRoot.querySelector(sel);
    const [x0, y0, x1, y1] = rect || [0, 0, canvas.width, canvas.height];
    const w = Math.max(1, Math.round(x1 - x0));
    const h = Math.max(1, Math.round(y1 - y0));
    const { data } = canvas.getContext('2d').getImageData(Math.round(x0), Math.round(y0), w, h);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) <= tol && Math.abs(data[i + 1] - rgb[1]) <= tol && Math.abs(data[i + 2] - rgb[2]) <= tol) n += 1;
    }
    return n;
  }, { sel: selector, rgb, tol, rect });
}

const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

/** The colours the page gives runs 0, 1, 2 (the palette). */
async function palette(page) {
  return page.evaluate(async () => (await import('./catalog.js')).PALETTE);
}

test('the page palette is the Rust palette (Okabe–Ito), and presets use it', async () => {
  const { page, errors } = await open();
  const catalog = await palette(page);
  // The native core's palette, as `converge catalog` prints it.
  const converge = join(ROOT, 'target', 'debug', 'converge');
  const rust = JSON.parse(execFileSync(converge, ['catalog'], { encoding: 'utf8' })).palette;
  assert.deepEqual(catalog, rust);
  assert.equal(rust[0], '#e69f00');
  await runPreset(page, 'momentum');
  const colors = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs.map((r) => r.color));
  assert.deepEqual(colors, rust.slice(0, 3));
  assert.deepEqual(errors, []);
  await page.close();
});

test('every canvas is drawn at the device pixel ratio with round line joins, and every chart has one title that fits', async () => {
  for (const width of [1440, 360]) {
    const { page, errors } = await open(width);
    for (const id of ['lr', 'fit-over']) {
      await runPreset(page, id);
      await settle(page);
      const canvases = await page.evaluate(() => {
        const root = document.querySelector('convergence-playground').shadowRoot;
        return [...root.querySelectorAll('canvas')].filter((c) => c.clientWidth > 0 && !c.closest('[hidden]') && !c.closest('.search-card, .search'))
          .map((c) => ({ cls: c.className || c.closest('.card').className, width: c.width, height: c.height, css: c.getBoundingClientRect().width, cssH: c.getBoundingClientRect().height, ratio: devicePixelRatio, join: c.getContext('2d').lineJoin }));
      });
      assert.ok(canvases.length >= 4, `${id} at ${width}: canvases ${JSON.stringify(canvases)}`);
      for (const c of canvases) {
        assert.equal(c.ratio, 2);
        // Round joins: no halo spikes past a path's sharp turns.
        assert.equal(c.join, 'round', `${id} at ${width}: ${c.cls} is drawn with round line joins`);
        assert.ok(Math.abs(c.width - c.css * 2) <= 1, `${id} at ${width}: ${c.cls} is ${c.width} px wide for ${c.css} CSS px`);
        assert.ok(Math.abs(c.height - c.cssH * 2) <= 1, `${id} at ${width}: ${c.cls} is ${c.height} px high for ${c.cssH} CSS px`);
      }
      // One title per chart: the card's, which fits; Rust draws none on the canvas.
      const titles = await page.evaluate(() => {
        const el = document.querySelector('convergence-playground');
        return [...el.shadowRoot.querySelectorAll('.chart-card:not([hidden]), .model-card:not([hidden]), .landscape-card:not([hidden])')].map((card) => {
          const t = card.querySelector('.card-title');
          const kind = card.dataset.kind;
          const layout = kind ? JSON.parse(el.pg.chart_layout(kind)) : null;
          return { kind, text: t.textContent, fits: t.scrollWidth <= t.clientWidth + 1, drawnTitle: layout ? layout.title : null };
        });
      });
      for (const t of titles) {
        assert.ok(t.text.length > 0 && t.fits, `${id} at ${width}: title “${t.text}” fits`);
        assert.equal(t.drawnTitle, null, `${id} at ${width}: ${t.kind} has no second title on its canvas`);
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a regression plot draws its data points where the data are, at the device pixel ratio', async () => {
  const { page, errors } = await open();
  // 400 noisy points along a sine over [-1, 1]: the points cover the plot from side to side.
  await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    await el.load({ problem: { name: 'model', data: { name: 'sine', n: 400, noise: 0.2 }, model: { name: 'polynomial', degree: 3 }, validation_share: 0.2 },
      runs: [{ label: 'adam', optimizer: { name: 'Adam', lr: 0.05 } }] });
  });
  await settle(page);
  const { width, height } = await page.evaluate(() => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.model-view');
    return { width: c.width, height: c.height };
  });
  assert.ok(width >= 800, `the canvas is at twice its CSS size (${width} px)`);
  // The points' grey, in each of six vertical strips of the plot (the axis's labels are left).
  const strips = [];
  for (let k = 0; k < 6; k += 1) {
    const x0 = 0.15 * width + k * 0.13 * width;
    strips.push(await countColor(page, 'canvas.model-view', [70, 70, 70], { tol: 12, rect: [x0, 0, x0 + 0.13 * width, height] }));
  }
  assert.ok(strips.every((n) => n > 200), `points in every strip of the plot: ${strips}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('legends cover no data: a free corner, or a band above the plot', async () => {
  const { page, errors } = await open();
  const cases = [['fit-over', 'train_val'], ['saddle', 'loss'], ['adam-rosenbrock', 'loss'], ['lr', 'loss'], ['lr', 'lr']];
  let corners = 0;
  let bands = 0;
  for (const [id, kind] of cases) {
    await runPreset(page, id);
    await settle(page);
    const result = await page.evaluate((kind) => {
      const el = document.querySelector('convergence-playground');
      const shown = el.shadowRoot.querySelector(`.chart-card[data-kind="${kind}"] canvas`);
      const layout = JSON.parse(el.pg.chart_layout(kind));
      // The same chart without its legend, at the same CSS size (scale 1), shows what lies under it.
      const bare = document.createElement('canvas');
      bare.width = shown.clientWidth;
      bare.height = shown.clientHeight;
      const options = { log_y: kind !== 'lr', no_legend: true };
      el.pg.draw_chart(bare, kind, JSON.stringify(options));
      const bareLayout = JSON.parse(el.pg.chart_layout(kind));
      el.pg.draw_chart(shown, kind, JSON.stringify({ log_y: kind !== 'lr' })); // the page's again
      const [x0, y0, x1, y1] = layout.legend;
      const { data } = bare.getContext('2d').getImageData(x0, y0, x1 - x0, y1 - y0);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        const max = Math.max(data[i], data[i + 1], data[i + 2]);
        const min = Math.min(data[i], data[i + 1], data[i + 2]);
        if (max - min > 60) coloured += 1; // a run's colour, not the white, grey or black of the axes
      }
      return { layout, bareLayout, coloured };
    }, kind);
    const { layout, bareLayout, coloured } = result;
    assert.ok(layout.legend, `${id}/${kind}: a legend`);
    if (layout.legend_outside) {
      bands += 1;
      assert.ok(layout.legend[3] <= layout.plot[1], `${id}/${kind}: the band ${layout.legend} is above the plot ${layout.plot}`);
    } else {
      corners += 1;
      assert.deepEqual(bareLayout.plot, layout.plot, `${id}/${kind}: the same plot without the legend`);
      assert.equal(coloured, 0, `${id}/${kind}: ${coloured} data pixels under the legend ${layout.legend}`);
    }
  }
  assert.ok(corners >= 2 && bands >= 1, `corners ${corners}, bands ${bands}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a diverged path stops where it leaves the view, with its mark there, and paints no band', async () => {
  const { page, errors } = await open();
  await runPreset(page, 'lr');
  const vermillion = (await palette(page)).map(hex)[3]; // lr 0.21's colour (C[3])
  const size = await page.evaluate(() => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    return [c.width, c.height];
  });
  const total = await countColor(page, 'canvas.landscape', vermillion, { tol: 30 });
  const edge = 22; // device pixels: the mark (6 CSS px arms) is moved inward to stay whole
  const atTop = await countColor(page, 'canvas.landscape', vermillion, { tol: 30, rect: [0, 0, size[0], edge] });
  const atBottom = await countColor(page, 'canvas.landscape', vermillion, { tol: 30, rect: [0, size[1] - edge, size[0], size[1]] });
  assert.ok(total > 300, `the diverged run is drawn (${total} px)`);
  assert.ok(total < 0.03 * size[0] * size[1], `no band: ${total} px of ${size[0] * size[1]}`);
  assert.ok(atTop + atBottom >= 40, `the divergence mark at the edge where the path left (${atTop} top, ${atBottom} bottom)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('overlapping runs stay visible: SGD under Nesterov (momentum), SGD’s end beside Adam’s (adam-rosenbrock)', async () => {
  const { page, errors } = await open();
  const [orange] = (await palette(page)).map(hex);
  await runPreset(page, 'momentum');
  const together = await countColor(page, 'canvas.landscape', orange);
  // Hovering SGD in the status list draws it in front of the others (dimmed): its full path.
  await page.locator('convergence-playground .status li[data-run="0"]').hover();
  await settle(page);
  const alone = await countColor(page, 'canvas.landscape', orange);
  assert.ok(together >= 0.6 * alone, `SGD keeps ${together} of its ${alone} px under the other runs`);

  await page.mouse.move(0, 0);
  await runPreset(page, 'adam-rosenbrock');
  await settle(page);
  const end = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    const c = el.shadowRoot.querySelector('canvas.landscape');
    const sgd = el.snapshot().runs[0].params.map(Number);
    return el.pg.params_to_canvas(c.width, c.height, sgd[0], sgd[1]);
  });
  const r = 16; // device pixels around SGD's end point
  const near = await countColor(page, 'canvas.landscape', orange, { rect: [end[0] - r, end[1] - r, end[0] + r, end[1] + r] });
  assert.ok(near >= 40, `SGD's end marker is visible next to Adam's (${near} px)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hovering a run (in the list or on the picture) brings it to the front and dims the others', async () => {
  const { page, errors } = await open();
  await runPreset(page, 'momentum');
  await settle(page);
  const colors = (await palette(page)).map(hex);
  const count = async (sel) => Promise.all(colors.slice(0, 3).map((c) => countColor(page, sel, c)));
  const before = await count('canvas.landscape');
  const beforeChart = await count('.chart-card[data-kind="loss"] canvas');
  await page.locator('convergence-playground .status li[data-run="2"]').hover();
  await settle(page);
  const after = await count('canvas.landscape');
  const afterChart = await count('.chart-card[data-kind="loss"] canvas');
  assert.ok(after[0] < 0.2 * before[0] && after[1] < 0.2 * before[1], `the others are dimmed: ${before} -> ${after}`);
  assert.ok(after[2] >= 0.95 * before[2], `Nesterov is drawn in front: ${before[2]} -> ${after[2]}`);
  assert.ok(afterChart[0] < 0.2 * beforeChart[0] && afterChart[2] >= 0.95 * beforeChart[2], `the loss chart too: ${beforeChart} -> ${afterChart}`);
  // On the picture: a pixel on run 1's path (found by Rust's own hit test) hovers run 1.
  await page.mouse.move(0, 0);
  await settle(page);
  const spot = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    const c = el.shadowRoot.querySelector('canvas.landscape');
    const rect = c.getBoundingClientRect();
    const scale = c.width / rect.width;
    for (let y = 0; y < rect.height; y += 3) {
      for (let x = 0; x < rect.width; x += 3) {
        if (el.pg.run_at(c.width, c.height, x * scale, y * scale, 2 * scale) === 1 && el.pg.run_at(c.width, c.height, x * scale, y * scale, 12 * scale) === 1) {
          return { x: rect.left + x, y: rect.top + y };
        }
      }
    }
    return null;
  });
  assert.ok(spot, 'a pixel on run 1’s path');
  await page.mouse.move(spot.x, spot.y);
  await settle(page);
  const picture = await count('canvas.landscape');
  assert.ok(picture[0] < 0.2 * before[0] && picture[2] < 0.2 * before[2], `run 1 hovered on the picture: ${before} -> ${picture}`);
  // Selected with the keyboard: the focused run's button keeps it in front, with no pointer.
  await page.mouse.move(0, 0);
  await page.locator('convergence-playground button[data-path="runs[2].select"]').focus();
  await settle(page);
  const focused = await count('canvas.landscape');
  assert.ok(focused[0] < 0.2 * before[0] && focused[2] >= 0.95 * before[2], `run 2 focused: ${before} -> ${focused}`);
  await page.locator('convergence-playground button[data-path="runs[2].select"]').blur();
  await settle(page);
  const released = await count('canvas.landscape');
  assert.ok(released[0] > 0.8 * before[0], `focus gone, nothing dimmed: ${before} -> ${released}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('minima are rings on top of end markers, and markers at the view’s edge stay whole', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    seed: 1, problem: { name: 'quadratic', a: 1, b: 4 }, view: { x: [-4, 4], y: [-4, 4] },
    runs: [
      { label: 'to the minimum', x0: [1, 1], optimizer: { name: 'SGD', lr: 0.1 } },
      { label: 'corner', x0: [-4, 4], optimizer: { name: 'SGD', lr: 0 } },
    ],
    stop: { max_steps: 1000 },
  }));
  await page.evaluate(async () => { const el = document.querySelector('convergence-playground'); el.pause(); await el.step(1000); });
  await settle(page);
  const [orange, skyBlue] = (await palette(page)).map(hex);
  const geometry = await page.evaluate(() => {
    const el = document.querySelector('convergence-playground');
    const c = el.shadowRoot.querySelector('canvas.landscape');
    return { size: [c.width, c.height], minimum: el.pg.params_to_canvas(c.width, c.height, 0, 0) };
  });
  // The run ends on the minimum: its marker is inside the white ring drawn over it.
  const [mx, my] = geometry.minimum;
  const inner = await countColor(page, 'canvas.landscape', orange, { rect: [mx - 8, my - 8, mx + 8, my + 8] });
  const ring = await countColor(page, 'canvas.landscape', [255, 255, 255], { tol: 8, rect: [mx - 26, my - 26, mx + 26, my + 26] });
  assert.ok(inner >= 30, `the end marker is seen inside the ring (${inner} px)`);
  assert.ok(ring >= 100, `the minimum's ring is drawn on top (${ring} white px)`);
  // The markers of the run standing still at the top-left corner of the view are whole.
  const box = await page.evaluate((rgb) => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    const { data } = c.getContext('2d').getImageData(0, 0, 40, 40);
    let [x0, y0, x1, y1] = [99, 99, -1, -1];
    for (let y = 0; y < 40; y += 1) {
      for (let x = 0; x < 40; x += 1) {
        const i = (y * 40 + x) * 4;
        if (Math.abs(data[i] - rgb[0]) < 30 && Math.abs(data[i + 1] - rgb[1]) < 30 && Math.abs(data[i + 2] - rgb[2]) < 30) {
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
      }
    }
    return [x0, y0, x1, y1];
  }, skyBlue);
  assert.ok(box[0] >= 1 && box[1] >= 1, `the marker does not touch the canvas edge: ${box}`);
  assert.ok(box[2] - box[0] >= 14 && box[3] - box[1] >= 14, `the marker is whole (over 7 CSS px across): ${box}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('key moments are marked and labelled; model charts count epochs', async () => {
  const { page, errors } = await open();
  const labels = async (kind) => page.evaluate((k) => JSON.parse(document.querySelector('convergence-playground').pg.chart_layout(k)).moments.map((m) => m[0]), kind);
  await runPreset(page, 'lr');
  await settle(page);
  const loss = await labels('loss');
  assert.ok(loss.includes('diverged'), `lr: ${loss}`);
  assert.ok(loss.includes('‖∇f‖ < tol'), `lr: ${loss}`);
  await runPreset(page, 'cure-early');
  await settle(page);
  const trainVal = await labels('train_val');
  assert.ok(trainVal.includes('best validation') && trainVal.includes('early stop'), `cure-early: ${trainVal}`);
  await runPreset(page, 'batch-mini');
  await settle(page);
  const layout = await page.evaluate(() => JSON.parse(document.querySelector('convergence-playground').pg.chart_layout('train_val')));
  assert.equal(layout.x_label, 'epoch');
  assert.ok(layout.steps_per_x > 1, `minibatches: ${layout.steps_per_x} steps per epoch`);
  const snap = await page.evaluate(() => document.querySelector('convergence-playground').snapshot());
  const epochs = Number(snap.runs[0].training.epoch);
  const steps = Number(snap.runs[0].step);
  assert.ok(Math.abs(layout.x_range[1] - epochs) <= 0.06 * epochs + 1, `the x axis ends near epoch ${epochs}: ${layout.x_range}`);
  assert.ok(layout.x_range[1] < 0.5 * steps, `x is not the step (${steps})`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the hover shows the step Rust drew under the pointer', async () => {
  const { page, errors } = await open();
  await runPreset(page, 'lr');
  await settle(page);
  const vermillion = (await palette(page)).map(hex)[3]; // lr 0.21's colour (C[3])
  // The divergence cross of lr 0.21 (at its divergence step) is the right-most vermillion on the
  // loss chart outside the legend and the labels; its centre is 5 CSS px left of its right end.
  const found = await page.evaluate((rgb) => {
    const el = document.querySelector('convergence-playground');
    const c = el.shadowRoot.querySelector('.chart-card[data-kind="loss"] canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const rect = c.getBoundingClientRect();
    const scale = c.width / rect.width;
    const layout = JSON.parse(el.pg.chart_layout('loss'));
    // The legend and the key moments' labels (written in their run's colour) are not the cross.
    const boxes = [layout.legend, ...layout.moments.map(([, r]) => r)].map((b) => b.map((v) => v * scale));
    const inLegend = (x, y) => boxes.some((b) => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]);
    let right = -1;
    for (let y = 0; y < c.height; y += 1) {
      for (let x = 0; x < c.width; x += 1) {
        if (inLegend(x, y)) continue;
        const i = (y * c.width + x) * 4;
        if (Math.abs(data[i] - rgb[0]) < 20 && Math.abs(data[i + 1] - rgb[1]) < 20 && Math.abs(data[i + 2] - rgb[2]) < 20 && x > right) right = x;
      }
    }
    const at = el.snapshot().runs[2].status.at_step;
    return { cssX: right / scale - 5 - 1, rect: { left: rect.left, top: rect.top, height: rect.height }, at };
  }, vermillion);
  assert.ok(found.at > 0, 'lr 0.21 diverged');
  await page.mouse.move(found.rect.left + found.cssX, found.rect.top + found.rect.height / 2);
  const head = await page.locator('convergence-playground .chart-card[data-kind="loss"] .tip-head').textContent();
  const step = Number(head.replace(/[^0-9]/g, ''));
  assert.ok(Math.abs(step - found.at) <= 4, `the tooltip says ${head} where the divergence at step ${found.at} was drawn`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('contour lines are smooth: anti-aliased, not stair steps', async () => {
  const { page, errors } = await open();
  await page.evaluate(() => document.querySelector('convergence-playground').load({
    seed: 1, problem: { name: 'quadratic', a: 1, b: 4 }, view: { x: [-4, 4], y: [-4, 4] },
    runs: [{ label: 'still', x0: [-3.9, -3.9], optimizer: { name: 'SGD', lr: 0 } }],
    stop: { max_steps: 1 },
  }));
  await settle(page);
  const shades = await page.evaluate(() => {
    const c = document.querySelector('convergence-playground').shadowRoot.querySelector('canvas.landscape');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const lum = (x, y) => { const i = (y * c.width + x) * 4; return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]; };
    let dark = 0;
    let between = 0;
    const border = 40;
    for (let y = border; y < c.height - border; y += 1) {
      for (let x = border; x < c.width - border; x += 1) {
        if (Math.abs(x - c.width / 2) < 40 && Math.abs(y - c.height / 2) < 40) continue; // the minimum's ring
        let max = 0;
        for (let dy = -2; dy <= 2; dy += 1) for (let dx = -2; dx <= 2; dx += 1) max = Math.max(max, lum(x + dx, y + dy));
        const r = lum(x, y) / max;
        if (r < 0.95) {
          dark += 1;
          if (r > 0.62 && r < 0.9) between += 1;
        }
      }
    }
    return { dark, between };
  });
  assert.ok(shades.dark > 1000, `contour lines are drawn (${shades.dark} px)`);
  assert.ok(shades.between >= 0.3 * shades.dark, `intermediate shades along the lines: ${shades.between} of ${shades.dark}`);
  assert.deepEqual(errors, []);
  await page.close();
});

// Every lesson at 1440 x 900 once its runs have ended: the verdicts beside the picture, the
// first charts under them, charts of the row below gone up under the shorter column where they
// fill a blank, so that the two columns end less than a chart's height apart (the status list's
// height varies with the runs and their verdicts: rastrigin's ended 538 px below its picture
// before); every chart card inside its container, none overlapping another card, and no row
// below with an empty half.
test('no empty gaps beside or under the picture in any lesson', async () => {
  const { page, errors } = await open();
  for (const id of LESSONS) {
    await runPreset(page, id);
    await settle(page);
    const m = await page.evaluate(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      const box = (el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
      };
      const shown = (el) => el.getClientRects().length > 0;
      const bottom = root.querySelector('.viz-bottom');
      const rows = new Map();
      for (const card of bottom.children) {
        if (!shown(card)) continue;
        const r = card.getBoundingClientRect();
        const top = Math.round(r.top);
        rows.set(top, (rows.get(top) || 0) + r.width);
      }
      const charts = [...root.querySelectorAll('.chart-card')].filter(shown);
      const picture = [...root.querySelectorAll('.landscape-card, .model-card')].find(shown);
      const status = root.querySelector('ul.status');
      // The picture's column: the picture, and the charts gone up under it.
      const under = root.querySelector('.viz-under');
      return {
        width: box(root.querySelector('.viz')).width,
        rows: [...rows.values()],
        picture: box(picture),
        mainEnd: Math.max(box(picture).bottom, shown(under) ? box(under).bottom : -Infinity),
        side: box(root.querySelector('.viz-side')),
        // Read in order, the verdicts come before every chart (wherever the chart is shown).
        chartsBeforeStatus: charts.filter((c) => c.compareDocumentPosition(status) & Node.DOCUMENT_POSITION_FOLLOWING).map((c) => c.dataset.kind),
        stack: box(root.querySelector('.chart-stack')),
        status: box(root.querySelector('ul.status')),
        charts: charts.map((card) => ({ kind: card.dataset.kind, box: box(card), parent: box(card.parentElement), in: card.parentElement.className })),
        cards: [picture, root.querySelector('ul.status'), ...charts].map((el) => ({ name: el.dataset.kind || el.className, box: box(el) })),
      };
    });
    for (const used of m.rows) {
      assert.ok(used >= m.width - 40, `${id}: a row below the views uses ${Math.round(used)} of ${Math.round(m.width)} px`);
    }
    // Beside the picture: the run status list, level with it, then the first charts.
    const { picture, mainEnd, side, stack, status } = m;
    assert.ok(status.left >= picture.right && Math.abs(status.top - picture.top) < 1, `${id}: the verdicts beside the picture, level with it (${JSON.stringify({ picture, status })})`);
    assert.ok(stack.top > status.bottom, `${id}: the charts under the verdicts`);
    const smallest = Math.min(...m.charts.map((c) => c.box.height));
    assert.ok(Math.abs(mainEnd - side.bottom) < smallest,
      `${id}: the picture's column and the column beside it end less than a chart (${Math.round(smallest)} px) apart (${Math.round(mainEnd)}, ${Math.round(side.bottom)}; ${m.charts.map((c) => `${c.kind} in ${c.in}`).join(', ')})`);
    assert.deepEqual(m.chartsBeforeStatus, [], `${id}: the verdicts come before the charts in reading order`);
    for (const c of m.charts) {
      const inside = c.box.left >= c.parent.left - 0.5 && c.box.right <= c.parent.right + 0.5 && c.box.top >= c.parent.top - 0.5 && c.box.bottom <= c.parent.bottom + 0.5;
      assert.ok(inside, `${id}: the ${c.kind} chart inside its container (.${c.in}): ${JSON.stringify(c)}`);
    }
    for (let i = 0; i < m.cards.length; i++) {
      for (let j = i + 1; j < m.cards.length; j++) {
        const [a, b] = [m.cards[i].box, m.cards[j].box];
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        assert.ok(!overlap, `${id}: ${m.cards[i].name} and ${m.cards[j].name} do not overlap (${JSON.stringify([a, b])})`);
      }
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

// The cards that went up follow the heights: back in the row below when the status list is
// shorter (another lesson), a hidden chart counted at its real height (the card under it goes
// up, and down again when it is shown), the keyboard focus kept in a card that moves, and a
// moved chart drawn sharp at its new size, with its hover.
test('chart cards move with the heights, keeping focus, sharpness and hover', async () => {
  const { page, errors } = await open();
  const where = () => page.evaluate(() => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    const at = (sel) => [...root.querySelectorAll(sel)].filter((c) => c.getClientRects().length).map((c) => c.dataset.kind);
    const under = root.querySelector('.viz-under');
    const mainEnd = Math.max(root.querySelector('.viz-main').getBoundingClientRect().bottom, under.getClientRects().length ? under.getBoundingClientRect().bottom : -Infinity);
    const side = root.querySelector('.viz-side').getBoundingClientRect();
    const shown = [...root.querySelectorAll('.chart-card')].filter((c) => c.getClientRects().length);
    return {
      under: at('.viz-under > .chart-card'),
      side: at('.viz-side > .chart-card'),
      below: at('.viz-bottom > .chart-card'),
      wide: at('.viz-bottom > .chart-card.wide'),
      apart: Math.abs(mainEnd - side.bottom),
      // The smallest chart shown whole (a hidden chart is only its title bar).
      smallest: Math.min(...shown.filter((c) => !c.querySelector('.chart-body').hidden).map((c) => c.getBoundingClientRect().height)),
      sharp: shown.map((c) => c.querySelector('canvas')).filter((c) => c.getClientRects().length)
        .every((c) => Math.abs(c.width - c.getBoundingClientRect().width * devicePixelRatio) <= 1),
      focused: root.activeElement ? `${root.activeElement.closest('.chart-card')?.dataset.kind} ${root.activeElement.parentElement.textContent.trim()}` : null,
    };
  });
  await runPreset(page, 'rastrigin');
  await settle(page);
  let w = await where();
  assert.deepEqual({ under: w.under, below: w.below }, { under: ['grad_norm', 'delta_norm'], below: [] }, `rastrigin: both charts under the picture (${JSON.stringify(w)})`);
  assert.ok(w.sharp, 'the moved charts are drawn at their new size');
  // The hover of a moved chart.
  const canvas = page.locator('convergence-playground .viz-under .chart-card[data-kind="grad_norm"] canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  assert.match(await page.locator('convergence-playground .chart-card[data-kind="grad_norm"] .tip-head').textContent(), /^step ≈ \d+/);
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));

  await runPreset(page, 'bowl');
  await settle(page);
  w = await where();
  assert.deepEqual({ under: w.under, side: w.side, below: w.below, wide: w.wide }, { under: [], side: [], below: ['grad_norm', 'delta_norm'], wide: [] },
    `bowl: the status list is short, the charts back in the row below, in their order (${JSON.stringify(w)})`);

  await runPreset(page, 'schedules');
  await settle(page);
  w = await where();
  assert.deepEqual({ under: w.under, below: w.below, wide: w.wide }, { under: ['grad_norm'], below: ['delta_norm'], wide: ['delta_norm'] }, `schedules (${JSON.stringify(w)})`);
  // The step size chart's "log y" holds the focus; the gradient norm chart is hidden: the step
  // size chart goes up under it, focus and all.
  await page.locator('convergence-playground .chart-card[data-kind="delta_norm"] .chart-opts input[type="checkbox"]').first().focus();
  const hide = (kind) => page.evaluate((k) => document.querySelector('convergence-playground').shadowRoot.querySelector(`.chart-card[data-kind="${k}"] .chart-opts button`).click(), kind);
  await hide('grad_norm');
  await settle(page);
  w = await where();
  assert.deepEqual({ under: w.under, below: w.below }, { under: ['grad_norm', 'delta_norm'], below: [] }, `schedules, gradient norm hidden (${JSON.stringify(w)})`);
  assert.equal(w.focused, 'delta_norm log y', 'the focus stays on the moved chart\'s checkbox');
  assert.ok(w.apart < w.smallest, `the columns end ${Math.round(w.apart)} px apart`);
  assert.ok(w.sharp, 'the moved chart is drawn at its new size');
  await hide('grad_norm');
  await settle(page);
  w = await where();
  assert.deepEqual({ under: w.under, below: w.below, wide: w.wide }, { under: ['grad_norm'], below: ['delta_norm'], wide: ['delta_norm'] }, `schedules, gradient norm shown again (${JSON.stringify(w)})`);
  assert.equal(w.focused, 'delta_norm log y', 'the focus stays on the checkbox moved back');
  assert.ok(w.sharp, 'the chart moved back is drawn at its new size');
  // Settled: no card moves any more (no loop of moves between two places).
  const moves = await page.evaluate(() => new Promise((done) => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    let n = 0;
    const mo = new MutationObserver((records) => { n += records.length; });
    for (const sel of ['.viz-under', '.viz-side', '.viz-bottom']) mo.observe(root.querySelector(sel), { childList: true });
    setTimeout(() => { mo.disconnect(); done(n); }, 500);
  }));
  assert.equal(moves, 0, 'no card moves once the heights hold still');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the landscape’s axis labels never touch, not even at the corner where both axes start', async () => {
  const { page, errors } = await open(1440);
  // saddle and six-hump have views whose corner is a tick of both axes (-2, -2 and -3, -2).
  const landscapes = LESSONS.slice(0, LESSONS.indexOf('search-fair') + 1);
  assert.ok(landscapes.includes('saddle') && landscapes.includes('six-hump'));
  for (const id of landscapes) {
    await runPreset(page, id);
    const boxes = await page.evaluate(() => {
      const root = document.querySelector('convergence-playground').shadowRoot;
      const rect = (s) => { const r = s.getBoundingClientRect(); return { text: s.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom }; };
      return { x: [...root.querySelectorAll('.x-ticks span')].map(rect), y: [...root.querySelectorAll('.y-ticks span')].map(rect) };
    });
    assert.ok(boxes.x.length >= 3 && boxes.y.length >= 3, `${id}: ticks on both axes`);
    const all = [...boxes.x, ...boxes.y];
    for (let i = 0; i < all.length; i += 1) {
      for (let j = i + 1; j < all.length; j += 1) {
        const [a, b] = [all[i], all[j]];
        const apart = a.r + 3 <= b.l || b.r + 3 <= a.l || a.b + 2 <= b.t || b.b + 2 <= a.t;
        assert.ok(apart, `${id}: tick labels ${a.text} and ${b.text} touch: ${JSON.stringify([a, b])}`);
      }
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});
