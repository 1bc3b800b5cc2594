// Playback (www/playback.js) in Node: Play, Pause, Step, el.step(n) and Reset with the real
// FrameLoop on a fake clock and a fake Playground, the Play button's words and the step counter.

import test from 'node:test';
import assert from 'node:assert/strict';
import { Playback, playLabel, counterText, DEFAULT_SPEED } from '../../www/playback.js';
import { FrameLoop } from '../../www/frame-loop.js';

/** One run stopping at `maxSteps`; a step costs 0.01 fake ms. */
function setUp({ maxSteps = 1000, withPg = true } = {}) {
  const clock = {
    t: 0,
    frames: [],
    tasks: [],
    now: () => clock.t,
    frame: (fn) => clock.frames.push(fn),
    task: (fn) => clock.tasks.push(fn),
    share: () => 1,
    runTasks() {
      while (clock.tasks.length) clock.tasks.shift()();
    },
    runFrame() {
      const due = clock.frames.splice(0);
      clock.t += 16;
      for (const fn of due) fn(clock.t);
    },
  };
  const pg = {
    step: 0,
    queued: 0,
    resets: 0,
    pending: () => pg.queued > 0 && pg.step < maxSteps,
    queue_steps: (n) => { pg.queued += n; },
    cancel_steps: () => { pg.queued = 0; },
    any_running: () => pg.step < maxSteps,
    work(ms) {
      let taken = 0;
      const t0 = clock.t;
      while (pg.queued > 0 && pg.step < maxSteps && (taken === 0 || clock.t - t0 < ms)) {
        clock.t += 0.01;
        pg.step += 1;
        pg.queued -= 1;
        taken += 1;
      }
      if (pg.step >= maxSteps) pg.queued = 0;
      return taken;
    },
    reset: () => { pg.step = 0; pg.queued = 0; pg.resets += 1; },
    snapshot: () => ({ runs: [{ step: pg.step, status: { state: pg.step >= maxSteps ? 'stopped' : 'running' } }] }),
  };
  const log = [];
  let playback;
  const loop = new FrameLoop({
    pg: () => (withPg ? pg : null),
    runs: () => 1,
    speed: () => playback.speed,
    sweepRunning: () => false,
    viewOverrun: () => 0,
    stepped: () => false,
    render: (snap, throttle, mode) => log.push(`render ${mode}`),
    stopped: () => playback.updateButton(),
  }, clock);
  const button = {
    textContent: '',
    attributes: {},
    setAttribute(name, value) { button.attributes[name] = value; },
  };
  playback = new Playback({
    pg: () => (withPg ? pg : null),
    loop,
    live: () => log.push('live'),
    restart: () => { pg.reset(); log.push('restart'); },
    render: (snap, throttle, mode) => log.push(`render ${mode}`),
    button: () => button,
  });
  return { playback, loop, pg, clock, button, log };
}

test('playLabel: Pause while playing, Replay once every run has stopped, else Play', () => {
  assert.equal(playLabel(true, false), '❚❚ Pause');
  assert.equal(playLabel(false, true), '↻ Replay');
  assert.equal(playLabel(false, false), '▶ Play');
});

test('counterText: live, scrubbed, with the epoch of a model', () => {
  assert.equal(counterText({ maxStep: 1234, maxSteps: 10000, viewStep: null }), 'step 1,234 of 10,000');
  assert.equal(counterText({ maxStep: 1234, maxSteps: 10000, viewStep: 56 }), 'viewing step 56 of 1,234');
  assert.equal(counterText({ maxStep: 20, maxSteps: 3000, viewStep: null, epochs: 2 }), 'step 20 of 3,000 · epoch 2');
});

test('step(n) takes n whole steps (at least one) and resolves with the snapshot', async () => {
  const { playback, pg, clock } = setUp();
  assert.equal(playback.speed, DEFAULT_SPEED);
  const first = playback.step(3.7);
  clock.runTasks();
  assert.equal((await first).runs[0].step, 3);
  for (const n of [0, -5, 'many', undefined]) {
    const before = pg.step;
    const done = playback.step(n);
    clock.runTasks();
    await done;
    assert.equal(pg.step, before + 1, `step(${n}) takes one step`);
  }
});

test('step(n) pauses the animation first and goes back to live', async () => {
  const { playback, loop, clock, log } = setUp();
  playback.play();
  assert.equal(loop.playing, true);
  const done = playback.step(10);
  assert.equal(loop.playing, false);
  clock.runTasks();
  await done;
  assert.ok(log.includes('live'));
});

test('play, pause and the Play button; Replay restarts the runs once all have stopped', () => {
  const { playback, loop, pg, clock, button, log } = setUp({ maxSteps: 50 });
  playback.updateButton();
  assert.equal(button.textContent, '▶ Play');
  playback.toggle();
  assert.equal(loop.playing, true);
  assert.equal(button.textContent, '❚❚ Pause');
  assert.equal(button.attributes['aria-pressed'], 'true');
  playback.toggle();
  assert.equal(loop.playing, false);
  assert.equal(button.textContent, '▶ Play');
  assert.equal(log.at(-1), 'render spread', 'the charts skipped while animating are drawn');
  playback.play();
  for (let i = 0; i < 100 && loop.playing; i += 1) clock.runFrame();
  assert.equal(pg.step, 50);
  assert.equal(loop.playing, false);
  assert.equal(button.textContent, '↻ Replay');
  playback.play();
  assert.equal(pg.resets, 1, 'Replay starts every run again');
  assert.equal(loop.playing, true);
});

test('reset pauses and restarts the runs; without a Playground nothing happens', async () => {
  const { playback, loop, pg, log } = setUp();
  playback.play();
  playback.reset();
  assert.equal(loop.playing, false);
  assert.equal(pg.resets, 1);
  assert.equal(log.at(-1), 'restart');

  const none = setUp({ withPg: false });
  none.playback.play();
  none.playback.reset();
  none.playback.userStep();
  assert.equal(none.loop.playing, false);
  assert.equal(await none.playback.step(5), null);
  assert.deepEqual(none.log, []);
});
