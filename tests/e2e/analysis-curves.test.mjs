// The learning-rate sweep, range test, seed bands, rate readout, theory and doctor views of the
// analysis card: each runs to its end in the page's analysis worker with no settings given,
// equals `converge analyse` for the same config, is drawn by Rust's series chart (the runs'
// colours on the canvas, the bounds as dashed lines named in the legend, a legend over no data), a long one can be cancelled
// while frames keep coming, theory's "use the optimal settings" buttons set the selected run,
// and the doctor's remedy adds a run computed by Rust.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';
import { analyseWithCli, asJson, frameGaps } from './analysis-helpers.mjs';

const { openPage } = useBrowser();

const el = 'convergence-playground';

/** Chooses analysis `kind` and runs it; resolves with the card's state when it has ended. */
async function runAnalysis(page, kind) {
  await page.locator(`${el} .analysis-choice`).selectOption(kind);
  await page.locator(`${el} .analysis-run`).click();
  return waitDone(page, kind);
}

async function waitDone(page, kind) {
  await page.waitForFunction((k) => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === k && !a.running;
  }, kind, { timeout: 90000 });
  return page.evaluate(() => document.querySelector('convergence-playground').analysis);
}

/** Loads `config` into the widget and waits until it is the running experiment. */
async function load(page, config) {
  await page.evaluate((c) => document.querySelector('convergence-playground').load(c), config);
}

/** The page's report for `kind` equals `converge analyse` on the page's own config. */
async function assertSameAsCli(page, state, kind) {
  assert.equal(state.error, null, `${kind}: ${state.error}`);
  assert.equal(state.progress, 1, `${kind} ran to its end`);
  const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  // The card named the analysis, with no settings, in the section of the link.
  const hash = await page.evaluate(() => decodeURIComponent(location.hash));
  assert.match(hash, new RegExp(`analysis=.*${kind}`), hash);
  config.analysis = { [kind]: kind === 'theory' || kind === 'doctor' ? true : {} };
  const cli = analyseWithCli(config);
  assert.deepEqual(asJson(state.report)[kind], cli[kind], `${kind}: page == converge analyse`);
  return cli[kind];
}

/**
 * The charts of the shown analysis, once drawn: for each, its key, its layout (Rust's, in CSS
 * pixels) and the count of its canvas pixels near each colour of `colors` (#rrggbb).
 */
async function charts(page, colors) {
  await page.waitForFunction(() => {
    const root = document.querySelector('convergence-playground');
    const figures = [...root.shadowRoot.querySelectorAll('.analysis-figure')];
    return figures.length > 0 && figures.every((f) => root.pg.chart_layout(f.dataset.chart) !== 'null');
  }, null, { timeout: 20000 });
  return page.evaluate((colors) => {
    const root = document.querySelector('convergence-playground');
    const rgb = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    return [...root.shadowRoot.querySelectorAll('.analysis-figure')].map((figure) => {
      const canvas = figure.querySelector('canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const counts = colors.map((c) => {
        const [r, g, b] = rgb(c);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - r) <= 24 && Math.abs(data[i + 1] - g) <= 24 && Math.abs(data[i + 2] - b) <= 24) n += 1;
        }
        return n;
      });
      return { key: figure.dataset.chart, layout: JSON.parse(root.pg.chart_layout(figure.dataset.chart)), counts, label: canvas.getAttribute('aria-label') };
    });
  }, colors);
}

const BOWL = {
  seed: 1,
  problem: { name: 'quadratic', a: 1, b: 10 },
  runs: [
    { label: 'gd', x0: [-4, 3], optimizer: { name: 'SGD', lr: 0.05 }, schedule: { name: 'constant' }, color: '#e69f00' },
    { label: 'adam', x0: [-4, 3], optimizer: { name: 'Adam', lr: 0.1 }, schedule: { name: 'constant' }, color: '#0072b2' },
  ],
  stop: { max_steps: 400 },
};

test('the learning-rate sweep needs no settings, equals converge analyse and draws both runs with the bounds 2/L and 2/(L+μ)', async () => {
  const { page, errors } = await openPage();
  await load(page, BOWL);
  const state = await runAnalysis(page, 'lr_sweep');
  const sweep = await assertSameAsCli(page, state, 'lr_sweep');
  // Derived bounds: a hundredth of the smallest lr (0.05) to ten times the largest (0.1).
  assert.ok(Math.abs(sweep.lrs[0] / 5e-4 - 1) < 1e-12 && Math.abs(sweep.lrs[sweep.lrs.length - 1] / 1 - 1) < 1e-12, sweep.lrs.join());
  assert.equal(sweep.rows.length, 2 * 16);
  const drawn = await charts(page, ['#e69f00', '#0072b2', '#5a5a5a']);
  assert.deepEqual(drawn.map((c) => c.key), ['analysis:lr_sweep:final_loss', 'analysis:lr_sweep:steps']);
  for (const chart of drawn) {
    assert.ok(chart.counts[0] > 50 && chart.counts[1] > 50, `${chart.key}: both runs' colours on the canvas: ${chart.counts}`);
    // The bounds 2/L and 2/(L+μ): dark grey dashed lines (named in the legend).
    assert.ok(chart.counts[2] > 40, `${chart.key}: the bounds are drawn: ${chart.counts}`);
    assert.ok(chart.layout.legend, `${chart.key}: a legend`);
    assert.equal(chart.layout.legend_hits, 0, `${chart.key}: the legend covers no data`);
    assert.ok(chart.layout.log_x, 'the learning rate on a log axis');
  }
  const text = await page.locator(`${el} .analysis-body`).innerText();
  assert.match(text, /16 learning rates on a log grid from 5e-4 to 1\./);
  assert.deepEqual(errors, []);
});

test('theory: the measured contraction beside theory, and the optimal settings as new runs labelled by what they set', async () => {
  const { page, errors } = await openPage();
  await load(page, BOWL);
  const state = await runAnalysis(page, 'theory');
  const theory = await assertSameAsCli(page, state, 'theory');
  assert.deepEqual(theory.measured.map((m) => m.label), ['gd', 'adam']);
  // Gradient descent at lr 0.05 contracts by 1 - 0.05 mu = 0.95 per step.
  assert.ok(Math.abs(theory.measured[0].measured - 0.95) < 1e-6, JSON.stringify(theory.measured[0]));
  assert.ok(Math.abs(theory.measured[0].predicted - 0.95) < 1e-12);
  assert.match(await page.locator(`${el} .analysis-body`).innerText(), /Measured contraction/);
  // Gradient descent's optimal lr becomes a new run beside the selected one (the first), which
  // stays as it was; its label says what it sets, never contradicting a label that names an lr.
  await page.locator(`${el} .analysis-optimal-gd`).click();
  await page.waitForFunction(() => document.querySelector('convergence-playground').getConfig().runs.length === 3);
  let runs = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs);
  assert.deepEqual(runs[0].optimizer.lr, BOWL.runs[0].optimizer.lr, 'the selected run is unchanged');
  let optimizer = runs[2].optimizer;
  assert.equal(optimizer.name, 'SGD');
  assert.equal(optimizer.lr, theory.gd_optimal_lr);
  assert.equal(optimizer.momentum, 0);
  assert.match(runs[2].label, /^gd → optimizer SGD \(lr [0-9.]+\)$/);
  // The theory runs again on the changed experiment (it stays named in the section): the run
  // now contracts at theory's optimal rate.
  const again = await waitDone(page, 'theory');
  await page.waitForFunction(() => document.querySelector('convergence-playground').analysis.report?.theory?.measured?.length === 3);
  const after = await page.evaluate(() => document.querySelector('convergence-playground').analysis.report.theory);
  assert.equal(again.error, null);
  assert.ok(Math.abs(after.measured[2].predicted - theory.gd_optimal_rate) < 1e-12, `${after.measured[2].predicted}`);
  assert.ok(Math.abs(after.measured[2].measured - theory.gd_optimal_rate) < 1e-3, `${after.measured[2].measured}`);
  await page.locator(`${el} .analysis-optimal-hb`).click();
  await page.waitForFunction(() => document.querySelector('convergence-playground').getConfig().runs.length === 4);
  runs = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs);
  optimizer = runs[3].optimizer;
  assert.equal(optimizer.lr, theory.heavy_ball_lr);
  assert.equal(optimizer.momentum, theory.heavy_ball_momentum);
  assert.match(runs[3].label, /^gd → optimizer SGD \(lr [0-9.]+, momentum [0-9.]+\)$/);
  assert.deepEqual(errors, []);
});

test('the rate readout equals converge analyse and draws f − f* and ‖w − w*‖ with the fits, log-log on demand', async () => {
  const { page, errors } = await openPage();
  await load(page, BOWL);
  const state = await runAnalysis(page, 'rate');
  const rate = await assertSameAsCli(page, state, 'rate');
  // The step the fit predicts names the yardstick it aims at (Rust's tolerance), and says
  // whether it is read off the fitted steps or forecast after them; it is no stopping test.
  const fit = rate.find((r) => r.result).result.value_fit;
  const words = await page.evaluate((sel) => document.querySelector(sel).shadowRoot.querySelector('.analysis-body').textContent, 'convergence-playground');
  const verb = fit.steps_to_tolerance <= fit.fitted_steps[1] ? 'fell' : 'falls';
  assert.ok(
    words.includes(`by the fit it ${verb} below 1e-8 at about step ${Math.round(fit.steps_to_tolerance)} (a yardstick, not a stopping test)`),
    words,
  );
  assert.equal(fit.tolerance, 1e-8);
  let drawn = await charts(page, ['#e69f00', '#0072b2']);
  assert.deepEqual(drawn.map((c) => c.key), ['analysis:rate:value', 'analysis:rate:distance']);
  for (const chart of drawn) {
    assert.ok(chart.counts[0] > 50 && chart.counts[1] > 50, `${chart.key}: ${chart.counts}`);
    assert.equal(chart.layout.log_x, false);
    assert.equal(chart.layout.legend_hits, 0, `${chart.key}: the legend covers no data`);
  }
  await page.locator(`${el} .analysis-loglog`).check();
  await page.waitForFunction(() => {
    const root = document.querySelector('convergence-playground');
    const layout = JSON.parse(root.pg.chart_layout('analysis:rate:value'));
    return layout && layout.log_x;
  });
  drawn = await charts(page, ['#e69f00']);
  assert.ok(drawn.every((c) => c.layout.log_x && c.counts[0] > 50), 'redrawn on log-log axes');
  assert.deepEqual(errors, []);
});

const NOISY = {
  seed: 1,
  problem: { name: 'model', data: { name: 'polynomial', n: 100, noise: 0.3 }, model: { name: 'polynomial', degree: 3 }, batch_size: 10 },
  runs: [{ label: 'SGD momentum', optimizer: { name: 'SGD', lr: 0.05, momentum: 0.9 }, schedule: { name: 'constant' }, color: '#cc79a7' }],
  stop: { max_steps: 2000 },
};

test('seed bands and the range test on a minibatch model equal converge analyse and are drawn', async () => {
  const { page, errors } = await openPage();
  await load(page, NOISY);
  const bands = await runAnalysis(page, 'seed_bands');
  const b = await assertSameAsCli(page, bands, 'seed_bands');
  assert.equal(b.seeds, 8);
  let drawn = await charts(page, ['#cc79a7', '#0072b2']);
  assert.equal(drawn.length, 1);
  assert.ok(drawn[0].counts[0] > 100, `the mean in the run's colour: ${drawn[0].counts}`);
  assert.ok(drawn[0].counts[1] > 50, `the same run in full batch drawn: ${drawn[0].counts}`);
  assert.equal(drawn[0].layout.legend_hits, 0);
  // The full-batch line is the same optimizer (SGD with momentum here), not gradient descent.
  const bandWords = await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.analysis-card').textContent);
  assert.match(bandWords, /The same run in full batch \(every step on the whole training set\): /);
  assert.doesNotMatch(bandWords, /gradient descent:/i);
  const range = await runAnalysis(page, 'lr_range');
  const r = await assertSameAsCli(page, range, 'lr_range');
  // Derived: from a thousandth of the run's lr (0.05).
  assert.ok(Math.abs(r.points[0][0] / 5e-5 - 1) < 1e-12, `${r.points[0][0]}`);
  drawn = await charts(page, ['#cc79a7', '#5a5a5a']);
  assert.equal(drawn[0].key, 'analysis:lr_range:loss');
  assert.ok(drawn[0].counts[0] > 50, `the smoothed loss in the run's colour: ${drawn[0].counts}`);
  if (r.steepest !== null) assert.ok(drawn[0].counts[1] > 20, `the steepest lr marked: ${drawn[0].counts}`);
  assert.equal(drawn[0].layout.legend_hits, 0);
  assert.deepEqual(errors, []);
});

test('seed bands of a full-batch run are not drawn beside a full-batch twin and say what the seeds change', async () => {
  const { page, errors } = await openPage();
  // A small network in full batch: the seeds draw different initial weights.
  await load(page, {
    seed: 1,
    problem: { name: 'model', data: { name: 'moons', n: 120, noise: 0.1 }, model: { name: 'mlp', hidden: [6], activation: 'tanh' } },
    runs: [{ label: 'SGD momentum', optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 }, color: '#cc79a7' }],
    stop: { max_steps: 600 },
  });
  const bands = await runAnalysis(page, 'seed_bands');
  const b = await assertSameAsCli(page, bands, 'seed_bands');
  assert.equal(b.seeds, 8);
  assert.deepEqual(b.full_batch, []);
  assert.equal(b.compared, false);
  assert.ok(b.std[0] > 1e-6, `the seeds start apart: ${b.std[0]}`);
  const drawn = await charts(page, ['#cc79a7', '#0072b2']);
  assert.ok(drawn[0].counts[0] > 100, `the mean in the run's colour: ${drawn[0].counts}`);
  assert.equal(drawn[0].counts[1], 0, 'no full-batch line');
  const words = await page.evaluate(() => document.querySelector('convergence-playground').shadowRoot.querySelector('.analysis-card').textContent);
  assert.match(words, /This run is full batch already: its seeds differ in their initial weights/);
  assert.doesNotMatch(words, /The same run in full batch \(/);
  assert.match(words, new RegExp(`at step ${b.steps[b.steps.length - 1]}, where the band ends`));
  assert.deepEqual(errors, []);
});

test('long seed bands can be cancelled while the page keeps its frame rate', async () => {
  const { page, errors } = await openPage();
  // 32 seeds of an MLP for 100,000 steps each: far longer than the test; named in the config's
  // section, so it starts on load.
  await load(page, {
    seed: 1,
    problem: { name: 'model', data: { name: 'moons', n: 200, noise: 0.2 }, model: { name: 'mlp', hidden: [16, 16], activation: 'tanh' }, batch_size: 10 },
    runs: [{ label: 'SGD', optimizer: { name: 'SGD', lr: 0.1 }, schedule: { name: 'constant' } }],
    stop: { max_steps: 100000 },
    analysis: { seed_bands: { seeds: 32 } },
  });
  await page.waitForFunction(() => {
    const a = document.querySelector('convergence-playground').analysis;
    return a && a.kind === 'seed_bands' && a.running && a.progress > 0;
  }, null, { timeout: 60000 });
  // The page's own work of loading an MLP experiment (its model view) is over by then; what
  // is measured is the page while the worker computes and partial results are drawn.
  await page.waitForTimeout(1000);
  const gaps = await frameGaps(page, 60);
  assert.ok(Math.max(...gaps) < 200, `frame gaps while the bands run: ${gaps.map(Math.round).join(', ')}`);
  await page.locator(`${el} .analysis-cancel`).click();
  await page.waitForFunction(() => !document.querySelector('convergence-playground').analysis.running);
  const state = await page.evaluate(() => document.querySelector('convergence-playground').analysis);
  assert.ok(state.progress > 0 && state.progress < 1, `cancelled at ${state.progress}`);
  assert.equal(await page.locator(`${el} .analysis-progress`).innerText(), 'cancelled');
  assert.deepEqual(errors, []);
});

test('the doctor\'s remedy is computed by Rust and added as a new run beside the old one', async () => {
  const { page, errors } = await openPage();
  const hot = { ...BOWL, runs: [{ ...BOWL.runs[0], label: 'hot', optimizer: { name: 'SGD', lr: 0.25 } }] };
  await load(page, hot);
  const state = await runAnalysis(page, 'doctor');
  const doctor = await assertSameAsCli(page, state, 'doctor');
  const diagnosis = doctor[0].result.find((d) => d.symptom === 'diverged');
  assert.ok(diagnosis, JSON.stringify(doctor));
  assert.match(await page.locator(`${el} .analysis-body`).innerText(), /Diverged at step/);
  await page.locator(`${el} .doctor-run button`).first().click();
  await page.waitForFunction(() => document.querySelector('convergence-playground').getConfig().runs.length === 2);
  const runs = await page.evaluate(() => document.querySelector('convergence-playground').getConfig().runs);
  assert.equal(runs[0].optimizer.lr, 0.25, 'the old run stays');
  assert.equal(runs[1].label, 'hot → lr 0.025');
  assert.equal(runs[1].optimizer.lr, diagnosis.remedy[0].value);
  assert.ok(Math.abs(runs[1].optimizer.lr - 0.025) < 1e-15);
  // The doctor runs again on the new experiment: the remedied run is healthy.
  await page.waitForFunction(() => document.querySelector('convergence-playground').analysis.report?.doctor?.length === 2, null, { timeout: 30000 });
  const after = await page.evaluate(() => document.querySelector('convergence-playground').analysis.report.doctor);
  assert.ok(!after[1].result.some((d) => d.symptom === 'diverged'), JSON.stringify(after[1]));
  assert.deepEqual(errors, []);
});

test('during a run the doctor diagnoses each run\'s history so far, and after its end the whole of it', async () => {
  const { page, errors } = await openPage();
  const hot = { ...BOWL, runs: [{ ...BOWL.runs[0], label: 'hot', optimizer: { name: 'SGD', lr: 0.25 } }] };
  await load(page, hot);
  const config = JSON.parse(await page.evaluate(() => document.querySelector('convergence-playground').pg.config_json()));
  config.analysis = { doctor: true };
  const whole = analyseWithCli(config).doctor[0].result.find((d) => d.symptom === 'diverged');
  assert.ok(whole && whole.step > 4, JSON.stringify(whole));
  // Paused half way to the blow-up: the run is still going, and nothing has diverged yet.
  const half = Math.floor(whole.step / 2);
  await page.evaluate((n) => document.querySelector('convergence-playground').step(n), half);
  const early = await runAnalysis(page, 'doctor');
  assert.equal(early.error, null);
  assert.ok(!early.report.doctor[0].result.some((d) => d.symptom === 'diverged'), JSON.stringify(early.report.doctor));
  assert.ok(early.report.doctor[0].result.every((d) => d.step <= half), JSON.stringify(early.report.doctor));
  assert.match(await page.locator(`${el} .analysis-body`).innerText(), new RegExp(`have not ended yet.*up to step ${half}`));
  // Played to the end: the whole history, as converge analyse diagnoses it.
  await page.evaluate(() => document.querySelector('convergence-playground').step(1e6));
  const late = await runAnalysis(page, 'doctor');
  assert.deepEqual(asJson(late.report).doctor, analyseWithCli(config).doctor);
  assert.doesNotMatch(await page.locator(`${el} .analysis-body`).innerText(), /have not ended yet/);
  assert.deepEqual(errors, []);
});
