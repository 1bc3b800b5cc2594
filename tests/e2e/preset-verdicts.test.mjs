// Every preset's verdicts, in one table (preset-verdicts.json): for each run its status state,
// criterion, `end` (where it is) and the mark of its status line. `converge run` and the page
// must both match it for every preset, and the page's snapshot must equal the CLI's bit for bit
// (and its status lines `converge run --words`), so the CLI and the browser carry the same
// verdict. The page's status lines must show the
// mark the table names (only "success" gets the green tick, "local_minimum" an amber one), and the live region must announce the
// runs that end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS } from '../../www/presets.js';
import { ROOT, useBrowser } from './harness.mjs';

const { openPage } = useBrowser();
// The optimized CLI: the spiral preset's 30,000 steps of an MLP take about 3 minutes in a debug
// build and a few seconds in release (`make test-e2e` builds it).
const CONVERGE = process.env.CONVERGE || join(ROOT, 'target', 'release', 'converge');
const TABLE = JSON.parse(readFileSync(join(ROOT, 'tests', 'e2e', 'preset-verdicts.json'), 'utf8'));
const ICON = { success: '✓', local_minimum: '✓', caution: '⚠\uFE0E', early_stopped: '↺', stopped: '!', diverged: '✗' };

/** The table's columns of a snapshot's runs (the mark is the page's, from its report). */
const verdicts = (snap, marks = null) => snap.runs.map((r, i) => ({
  label: r.label, state: r.status.state, criterion: r.status.criterion, end: r.end,
  ...(marks ? { mark: marks[i] } : {}),
}));
const withoutMarks = (rows) => rows.map(({ mark, ...rest }) => rest);

test('the table lists every preset, and every preset of the table exists', () => {
  assert.deepEqual(Object.keys(TABLE).sort(), PRESETS.map((p) => p.id).sort());
  for (const p of PRESETS) assert.equal(TABLE[p.id].length, p.config.runs.length, `${p.id}: one row per run`);
});

const cliSnapshots = {};
const cliWords = {};

test('converge run gives every preset the verdicts of the table', () => {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing (cargo build --release --bin converge)`);
  const dir = mkdtempSync(join(tmpdir(), 'preset-verdicts-'));
  try {
    for (const preset of PRESETS) {
      const file = join(dir, `${preset.id}.json`);
      writeFileSync(file, JSON.stringify(preset.config));
      const cli = spawnSync(CONVERGE, ['run', file, '--words'], { encoding: 'utf8' });
      assert.equal(cli.status, 0, `${preset.id}: ${cli.stderr}`);
      const snap = JSON.parse(cli.stdout);
      cliSnapshots[preset.id] = snap;
      cliWords[preset.id] = cli.stderr.trimEnd().split('\n');
      assert.deepEqual(verdicts(snap), withoutMarks(TABLE[preset.id]), `${preset.id} (converge run)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the page gives every preset the verdicts and marks of the table, the same snapshot as converge run', async () => {
  const { page, errors } = await openPage();
  for (const preset of PRESETS) {
    await page.locator('convergence-playground select.preset-select').selectOption(preset.id);
    const result = await page.evaluate(async () => {
      const w = document.querySelector('convergence-playground');
      w.pause();
      const snap = await w.step(10_000_000);
      // The status list is drawn at the next frame.
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      const root = w.shadowRoot;
      const lines = [...root.querySelectorAll('.status li')].map((li) => ({
        mark: li.dataset.mark, end: li.dataset.end, icon: li.querySelector('.icon').textContent, text: li.textContent,
        iconColor: getComputedStyle(li.querySelector('.icon')).color,
      }));
      const words = [...root.querySelectorAll('.runs-list .run-state')].map((s) => s.textContent);
      lines.forEach((line, i) => { line.word = words[i]; });
      // The success colour as the page computes it, for presets with no successful run.
      const probe = document.createElement('span');
      probe.style.color = 'var(--good)';
      root.querySelector('.status').append(probe);
      const good = getComputedStyle(probe).color;
      probe.remove();
      return { snap, report: w.report(), lines, good };
    });
    const rows = TABLE[preset.id];
    const text = JSON.stringify(result.report.map((r) => r.text));
    assert.deepEqual(verdicts(result.snap, result.report.map((r) => r.mark)), rows, `${preset.id} (page): ${text}`);
    assert.deepEqual(result.report.map((r) => r.end), rows.map((r) => r.end), `${preset.id}: report and snapshot agree`);
    assert.ok(cliSnapshots[preset.id], `${preset.id}: the CLI test ran first`);
    assert.deepEqual(result.snap, cliSnapshots[preset.id], `${preset.id}: page and CLI snapshots differ`);
    assert.deepEqual(result.report.map((r) => `${r.label}: ${r.text}`), cliWords[preset.id], `${preset.id}: page and converge run --words differ`);
    assert.deepEqual(result.lines.map((l) => l.mark), rows.map((r) => r.mark), `${preset.id}: marks on the page`);
    result.lines.forEach((line, i) => {
      const row = rows[i];
      assert.equal(line.icon, ICON[row.mark], `${preset.id} ${row.label}: icon`);
      // A local minimum's tick is amber, never the success green; the word says "local minimum".
      const green = line.iconColor === result.good;
      if (row.mark === 'local_minimum') {
        assert.ok(!green, `${preset.id} ${row.label}: a local minimum's tick is not the success colour`);
        assert.equal(line.word, 'local minimum', `${preset.id} ${row.label}: the runs list says so`);
        assert.match(line.text, /at a local minimum, not the global one/, `${preset.id} ${row.label}: ${line.text}`);
      }
      // An early stop is not convergence: its state, word and colour are its own.
      if (row.mark === 'early_stopped') {
        assert.equal(row.state, 'early_stopped', `${preset.id} ${row.label}: the table's state`);
        assert.ok(!green, `${preset.id} ${row.label}: an early stop's icon is not the success colour`);
        assert.equal(line.word, 'early-stopped', `${preset.id} ${row.label}: the runs list says so`);
      }
      // Advice never contradicts the verdict.
      if (row.state === 'converged') assert.doesNotMatch(line.text, /larger learning rate/, `${preset.id} ${row.label}: ${line.text}`);
      // A caution says why: away from a minimum, or (a model) overfitting, with the ratio.
      if (row.mark === 'caution') {
        const why = row.end === 'unknown' ? /converged on the training data, but its validation loss is [\d.e+-]+× its training loss: it overfits/ : /not a minimum|not at a minimum/;
        assert.match(line.text, why, `${preset.id} ${row.label}: ${line.text}`);
      }
      if (row.end === 'unbounded') assert.match(line.text, /diverged at step \d+: the loss fell without bound/, `${preset.id} ${row.label}: ${line.text}`);
    });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('status lines say it in plain words first, the formal test second, and advise without contradiction', async () => {
  const { page, errors } = await openPage();
  const lines = async (id) => {
    await page.locator('convergence-playground select.preset-select').selectOption(id);
    return page.evaluate(async () => {
      const w = document.querySelector('convergence-playground');
      w.pause();
      await w.step(10_000_000);
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      return [...w.shadowRoot.querySelectorAll('.status li')].map((li) => li.textContent);
    });
  };
  const lr = await lines('lr');
  assert.match(lr[1], /converged at step 122: the slope is flat enough to stop \(\|\|∇f\|\| < 1e-8\), at a global minimum/);
  assert.match(lr[0], /out of steps at step 500: .*on a slope, not at a minimum.*Allow more steps, or try a larger learning rate/);
  assert.match(lr[2], /diverged at step 74: the loss blew up .*Try a smaller learning rate/);
  const schedules = await lines('schedules');
  assert.match(schedules[3], /converged at step 366: the steps became too small to matter \(\|\|Δw\|\| < 1e-10 for 10 steps\), on a slope, not at a minimum .*tighten param_change\.tol/);
  const words = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.runs-list .run-state')].map((e) => e.textContent));
  assert.deepEqual(words, ['diverged', 'converged', 'converged', 'not at a minimum', 'converged'], 'the sidebar\'s runs list');
  const saddle = await lines('saddle');
  assert.match(saddle[2], /converged at step 1: the slope is flat enough to stop .*at a saddle point, not a minimum.*Newton.*This function has no minimum at all/);
  // The advice never sends the learner to what diverged beside it (GD and momentum fall without bound).
  assert.doesNotMatch(saddle[2], /use a first-order method/);
  const adamw = await lines('adamw');
  assert.match(adamw[1], /at a minimum of the regularised loss f \+ \(λ\/2\)·\|\|w\|\|² with λ = 1, not of f/);
  assert.match(adamw[2], /out of steps .*Decoupled weight decay \(λ = 1\)/);
  // An overfitting model gets the caution mark, but its runs-list word does not speak of minima.
  await lines('fit-over');
  const overfitWords = await page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.runs-list .run-state')].map((e) => e.textContent));
  assert.deepEqual(overfitWords, ['overfits'], 'fit-over\'s runs list');
  const early = await lines('cure-early');
  assert.match(early[0], /early-stopped at step 28: the validation loss stopped improving \(no new best for 10 evaluations\); best step 18 restored \(validation loss 0\.02666\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a polite live region announces the runs that converge, stop or diverge', async () => {
  const { page, errors } = await openPage();
  await page.locator('convergence-playground select.preset-select').selectOption('lr');
  const live = await page.evaluate(async () => {
    const w = document.querySelector('convergence-playground');
    w.pause();
    const region = w.shadowRoot.querySelector('[aria-live="polite"].sr-only');
    const said = [];
    new MutationObserver(() => { if (region.textContent) said.push(region.textContent); })
      .observe(region, { childList: true, characterData: true, subtree: true });
    const before = region.textContent;
    const frames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    await w.step(100); // lr 0.21 diverges at step 74; the others still run
    await frames();
    const first = [...said];
    await w.step(10_000_000);
    await frames();
    return { before, first, said, hidden: region.getBoundingClientRect().width <= 1 };
  });
  assert.equal(live.before, '', 'nothing announced before any run ends');
  assert.equal(live.first.length, 1, `one announcement: ${live.first}`);
  assert.match(live.first[0], /^lr 0\.21: diverged at step 74/);
  const all = live.said.join(' | ');
  assert.equal((all.match(/lr 0\.21/g) || []).length, 1, `each run is announced once: ${all}`);
  assert.equal((all.match(/lr 0\.15: converged at step 122/g) || []).length, 1, all);
  assert.equal((all.match(/lr 0\.01: out of steps at step 500/g) || []).length, 1, all);
  assert.ok(live.hidden, 'the live region is for screen readers only');
  assert.deepEqual(errors, []);
  await page.close();
});
