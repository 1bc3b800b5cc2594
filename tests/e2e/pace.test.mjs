// The pace of the presets (www/pace.js, the speeds in www/presets.js): each preset, at its own
// speed, plays its story (until its slowest run ends) in PACE_SECONDS at FRAMES_PER_SECOND. The
// story's length is measured on the real page: the preset is loaded from the menu and its runs
// are stepped to their end; its speed is read from the speed menu the page shows.

import test from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './harness.mjs';
import { stepsPerFrame, speedLabel, storySeconds, takeCredit, PACE_SECONDS } from '../../www/pace.js';
import { PRESETS } from '../../www/presets.js';

const harness = useBrowser();

test('pace.js: speeds as steps per frame, their words, and the credit carried over', () => {
  assert.equal(stepsPerFrame('10'), 10);
  assert.equal(stepsPerFrame('1/12'), 1 / 12);
  assert.equal(stepsPerFrame('max'), Infinity);
  assert.ok(Number.isNaN(stepsPerFrame('fast')));
  assert.ok(Number.isNaN(stepsPerFrame('0')));
  assert.equal(speedLabel('1/12'), '1 step / 12 frames');
  assert.equal(speedLabel('1.5'), '1.5 steps / frame');
  assert.equal(speedLabel('1'), '1 step / frame');
  assert.equal(storySeconds(600, '1/2'), 20);
  // A ramp: its first speed until a step, its second from there.
  assert.equal(stepsPerFrame('1/2..5@200', 0), 0.5);
  assert.equal(stepsPerFrame('1/2..5@200', 199), 0.5);
  assert.equal(stepsPerFrame('1/2..5@200', 200), 5);
  assert.ok(Number.isNaN(stepsPerFrame('2..5')) && Number.isNaN(stepsPerFrame('0..5@10')) && Number.isNaN(stepsPerFrame('2..x@10')));
  assert.equal(speedLabel('1/2..5@200'), '1 step / 2 frames → 5 from step 200');
  assert.equal(storySeconds(1100, '1/2..5@200'), (200 / 0.5 + 900 / 5) / 60);
  assert.equal(storySeconds(100, '1/2..5@200'), 100 / 0.5 / 60);
  let credit = 0;
  let total = 0;
  for (let i = 0; i < 12; i += 1) {
    const [steps, left] = takeCredit(credit, 1 / 12);
    total += steps;
    credit = left;
  }
  assert.equal(total, 1, 'twelve twelfths make one step');
});

test('every preset plays its story in 8 to 15 s at its own speed, and the page shows that speed', async () => {
  const { page, errors } = await harness.openPage();
  const slow = [];
  for (const preset of PRESETS) {
    const result = await page.evaluate(async (id) => {
      const el = document.querySelector('convergence-playground');
      const root = el.shadowRoot;
      const menu = root.querySelector('.preset-select');
      menu.value = id;
      menu.dispatchEvent(new Event('change'));
      el.pause();
      const speedMenu = root.querySelector('.playback select');
      const speed = JSON.parse(speedMenu.value);
      const shown = speedMenu.selectedOptions[0].textContent;
      const max = el.getConfig().stop.max_steps;
      el.reset();
      const snap = await el.step(max + 1);
      return { speed, shown, steps: Math.max(...snap.runs.map((r) => r.step)), ends: snap.runs.map((r) => r.step), running: snap.runs.filter((r) => r.status.state === 'running').length };
    }, preset.id);
    assert.equal(result.speed, preset.speed, `${preset.id}: the page plays at the preset's speed`);
    assert.equal(result.shown, speedLabel(preset.speed), `${preset.id}: the speed menu shows it`);
    assert.equal(result.running, 0, `${preset.id}: every run ended`);
    const seconds = storySeconds(result.steps, preset.speed);
    if (!(seconds >= PACE_SECONDS[0] && seconds <= PACE_SECONDS[1])) slow.push(`${preset.id}: ${result.steps} steps at ${preset.speed} per frame = ${seconds.toFixed(1)} s`);
    // A ramped preset tells its early moments slowly: its first run to end plays for 2.5 s at
    // least (spiral's Adam, hypergradient's SGD-HD), not the fraction of a second one speed gave.
    if (String(preset.speed).includes('..')) {
      const first = storySeconds(Math.min(...result.ends), preset.speed);
      if (first < 2.5) slow.push(`${preset.id}: its first run ends after ${first.toFixed(1)} s`);
    }
  }
  assert.deepEqual(slow, [], `stories outside ${PACE_SECONDS.join(' to ')} s`);
  assert.deepEqual(errors, []);
});

test('the animation at a fractional speed takes about one step every k frames on the page', async () => {
  const { page, errors } = await harness.openPage();
  const { steps, frames } = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    const root = el.shadowRoot;
    const menu = root.querySelector('.preset-select');
    menu.value = 'bowl'; // 1 step every 4 frames
    menu.dispatchEvent(new Event('change'));
    let frames = 0;
    await new Promise((done) => {
      const tick = () => { frames += 1; if (frames < 120) requestAnimationFrame(tick); else done(); };
      requestAnimationFrame(tick);
    });
    el.pause();
    return { steps: el.snapshot().runs[0].step, frames };
  });
  // 120 frames at 1/4 step per frame: 30 steps, give or take the frames around play and pause.
  assert.ok(steps >= 25 && steps <= 35, `${steps} steps in ${frames} frames`);
  assert.deepEqual(errors, []);
});

test('once every run has stopped, Play says Replay and restarts the runs', async () => {
  const { page, errors } = await harness.openPage();
  const result = await page.evaluate(async () => {
    const el = document.querySelector('convergence-playground');
    const play = el.shadowRoot.querySelector('button.play');
    const before = play.textContent;
    await el.step(5000);
    const after = play.textContent;
    play.click();
    const step = el.snapshot().runs[0].step;
    el.pause();
    return { before, after, step, playing: el.playing };
  });
  assert.match(result.before, /Play/);
  assert.match(result.after, /Replay/);
  assert.ok(result.step <= 2, `Replay starts from step 0 (now ${result.step})`);
  assert.deepEqual(errors, []);
});
