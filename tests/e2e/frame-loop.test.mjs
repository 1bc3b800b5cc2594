// The frame loop and its step budget (www/frame-loop.js) in Node, without a DOM or an engine: a
// fake Playground whose steps cost fake milliseconds on a fake clock, and queues standing for
// requestAnimationFrame and setTimeout.

import test from 'node:test';
import assert from 'node:assert/strict';
import { FrameLoop, frameBudget, MAX_FRAME_MS, DRAIN_SLICE_MS, MIN_STEP_MS } from '../../www/frame-loop.js';

/** A clock that only moves when a fake step or snapshot costs time. */
function fakeClock() {
  const clock = {
    t: 1000,
    frames: [],
    tasks: [],
    now: () => clock.t,
    frame: (fn) => { clock.frames.push(fn); },
    task: (fn) => { clock.tasks.push(fn); },
    /** Runs the callbacks of one animation frame. */
    runFrame() {
      const due = clock.frames.splice(0);
      clock.t += 16.7;
      for (const fn of due) fn(clock.t);
      return due.length;
    },
    /** Runs tasks until none is left (at most `limit`); returns how many ran. */
    runTasks(limit = 10_000) {
      let n = 0;
      while (clock.tasks.length && n < limit) {
        clock.tasks.shift()();
        n += 1;
      }
      return n;
    },
  };
  return clock;
}

/** One run that stops at `maxSteps`; each step costs `stepMs` on the clock. */
function fakePlayground(clock, { stepMs = 1, maxSteps = 1_000_000 } = {}) {
  const pg = {
    step: 0,
    queued: 0,
    workCalls: [],
    cancelled: 0,
    pending: () => pg.queued > 0 && pg.step < maxSteps,
    queue_steps: (n) => { pg.queued += n; },
    cancel_steps: () => { pg.queued = 0; pg.cancelled += 1; },
    any_running: () => pg.step < maxSteps,
    work(ms) {
      pg.workCalls.push(ms);
      const t0 = clock.t;
      let taken = 0;
      // Like Session::work: at least one step, then as many as fit in the budget.
      while (pg.queued > 0 && pg.step < maxSteps && (taken === 0 || clock.t - t0 + stepMs <= ms)) {
        clock.t += stepMs;
        pg.step += 1;
        pg.queued -= 1;
        taken += 1;
      }
      if (pg.step >= maxSteps) pg.queued = 0;
      return taken;
    },
    snapshot: () => ({ runs: [{ step: pg.step, status: { state: pg.step >= maxSteps ? 'stopped' : 'running' } }] }),
  };
  return pg;
}

function makeLoop(clock, pg, overrides = {}) {
  const log = { renders: [], stepped: 0, stopped: 0 };
  const host = {
    pg: () => pg,
    runs: () => 1,
    speed: () => 'max',
    sweepRunning: () => false,
    viewOverrun: () => 0,
    stepped: () => { log.stepped += 1; return false; },
    render: (snap, throttle, mode) => { log.renders.push({ step: snap ? snap.runs[0].step : null, throttle, mode }); },
    stopped: () => { log.stopped += 1; },
    ...overrides,
  };
  return { loop: new FrameLoop(host, clock), log };
}

test('frameBudget: MAX_FRAME_MS, halved by a sweep, less a costly view, never below MIN_STEP_MS', () => {
  assert.equal(frameBudget(false, 0), MAX_FRAME_MS);
  assert.equal(frameBudget(true, 0), MAX_FRAME_MS / 2);
  assert.equal(frameBudget(false, 3), MAX_FRAME_MS - 3);
  assert.equal(frameBudget(false, 100), MIN_STEP_MS);
  assert.equal(frameBudget(true, 3), Math.max(MIN_STEP_MS, MAX_FRAME_MS / 2 - 3));
});

test('drain takes queued steps in slices of DRAIN_SLICE_MS, one task each, and resolves with the last snapshot', async () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock, { stepMs: 1 });
  const { loop } = makeLoop(clock, pg);
  pg.queue_steps(200);
  const done = loop.drain(true);
  let result = null;
  done.then((snap) => { result = snap; });
  // The first slice runs at once, the others as tasks.
  assert.deepEqual(pg.workCalls, [DRAIN_SLICE_MS]);
  assert.equal(pg.step, DRAIN_SLICE_MS);
  const tasks = clock.runTasks();
  await done;
  assert.equal(pg.step, 200);
  assert.ok(pg.workCalls.every((ms) => ms === DRAIN_SLICE_MS));
  assert.equal(pg.workCalls.length, Math.ceil(200 / DRAIN_SLICE_MS));
  assert.ok(tasks >= pg.workCalls.length - 1, `one task per slice (${tasks} tasks)`);
  assert.equal(result.runs[0].step, 200);
  assert.equal(loop.stepsTaken, 200);
  assert.ok(Math.abs(loop.stepCost - 1) < 1e-9, `a step costs 1 ms: ${loop.stepCost}`);
});

test('cancelDrain drops the queued steps and resolves the pending drain with the snapshot now', async () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock, { stepMs: 1 });
  const { loop, log } = makeLoop(clock, pg);
  pg.queue_steps(1000);
  const done = loop.drain(true);
  clock.runTasks(2);
  const at = pg.step;
  loop.cancelDrain();
  const snap = await done;
  assert.equal(pg.cancelled, 1);
  assert.equal(snap.runs[0].step, at);
  assert.ok(log.stepped >= 1);
  const calls = pg.workCalls.length;
  clock.runTasks(); // a slice already queued finds the drain cancelled
  assert.equal(pg.workCalls.length, calls, 'no slice steps after the cancel');
  assert.equal(pg.step, at);
});

test('a drain whose engine is dropped rejects with the error', async () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock);
  const { loop } = makeLoop(clock, pg);
  pg.queue_steps(1000);
  const done = loop.drain(true);
  const error = new Error('internal error: gone');
  loop.drop(error);
  await assert.rejects(done, /gone/);
});

test('each frame steps within the frame budget; the animation stops by itself when the runs stop', () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock, { stepMs: 0.5, maxSteps: 100 });
  const { loop, log } = makeLoop(clock, pg, { speed: () => 10 });
  assert.equal(loop.start(), true);
  assert.equal(loop.start(), false, 'a second start does not start a second loop');
  let frames = 0;
  while (clock.runFrame() && frames < 1000) frames += 1;
  assert.equal(pg.step, 100);
  assert.ok(pg.workCalls.every((ms) => ms === MAX_FRAME_MS));
  assert.equal(frames, 10, 'ten steps per frame (speed 10)');
  assert.equal(loop.playing, false);
  assert.equal(log.stopped, 1);
  assert.equal(log.renders.at(-1).mode, 'spread');
  assert.equal(log.renders.at(-1).step, 100);
});

test('the budget shrinks while a sweep trains and while a costly view is due', () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock, { stepMs: 0.1 });
  let sweep = true;
  let overrun = 0;
  const { loop } = makeLoop(clock, pg, { sweepRunning: () => sweep, viewOverrun: () => overrun });
  loop.start();
  clock.runFrame();
  sweep = false;
  overrun = 3;
  clock.runFrame();
  overrun = 50;
  clock.runFrame();
  assert.deepEqual(pg.workCalls, [MAX_FRAME_MS / 2, MAX_FRAME_MS - 3, MIN_STEP_MS]);
});

test('a frame whose steps overran draws nothing; the next frame draws without stepping', () => {
  const clock = fakeClock();
  // One step costs more than twice the frame budget.
  const pg = fakePlayground(clock, { stepMs: 2 * MAX_FRAME_MS + 5 });
  const { loop, log } = makeLoop(clock, pg);
  loop.start();
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1);
  assert.equal(log.renders.length, 0, 'the overrunning frame does not draw');
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1, 'the next frame does not step');
  assert.equal(log.renders.length, 1);
  assert.equal(log.renders[0].mode, 'anim');
  assert.equal(log.renders[0].step, 1);
  clock.runFrame();
  assert.equal(pg.workCalls.length, 2, 'then stepping resumes');
});

test('a frame whose steps and the costly view due in it would overrun twice the budget draws in the next frame', () => {
  const clock = fakeClock();
  // One step costs 10 ms (more than the budget, less than twice it); the view costs 8 ms more
  // than its share.
  const pg = fakePlayground(clock, { stepMs: 10 });
  const { loop, log } = makeLoop(clock, pg, { viewOverrun: () => 8 });
  loop.start();
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1);
  assert.equal(pg.workCalls[0], MIN_STEP_MS, 'the frame steps for the least budget');
  assert.equal(log.renders.length, 0, 'and does not draw');
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1, 'the next frame only draws');
  assert.equal(log.renders.length, 1);
});

test('a frame whose steps and snapshot together overran draws that snapshot in the next frame, without stepping', () => {
  const clock = fakeClock();
  // Steps fill the budget and the snapshot costs more than the budget again.
  const pg = fakePlayground(clock, { stepMs: 1 });
  const snapshot = pg.snapshot;
  let snapshots = 0;
  pg.snapshot = () => { snapshots += 1; clock.t += MAX_FRAME_MS + 3; return snapshot(); };
  const { loop, log } = makeLoop(clock, pg);
  loop.start();
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1);
  assert.equal(snapshots, 1);
  assert.equal(log.stepped, 1, 'the events of the snapshot are dispatched at once');
  assert.equal(log.renders.length, 0, 'the frame that stepped and took the snapshot does not draw');
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1, 'the next frame does not step');
  assert.equal(snapshots, 1, 'nor take the snapshot again');
  assert.deepEqual(log.renders, [{ step: MAX_FRAME_MS, throttle: true, mode: 'anim' }]);
  clock.runFrame();
  assert.equal(pg.workCalls.length, 2, 'then stepping resumes');
});

test('stop ends the animation: no frame steps after it, and a stop and start in one frame run one loop', () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock, { stepMs: 0.1 });
  const { loop } = makeLoop(clock, pg);
  loop.start();
  assert.equal(loop.stop(), true);
  assert.equal(loop.stop(), false);
  loop.start();
  clock.runFrame(); // two callbacks are queued; only the second loop steps
  assert.equal(pg.workCalls.length, 1);
  loop.stop();
  clock.runFrame();
  clock.runFrame();
  assert.equal(pg.workCalls.length, 1);
});

test('a fractional speed takes one step every k frames, the first at once; whole and decimal speeds per frame', () => {
  for (const [speed, frames, steps] of [['1/4', 40, 10], ['1/12', 120, 10], ['1.5', 10, 15], ['3', 10, 30]]) {
    const clock = fakeClock();
    const pg = fakePlayground(clock, { stepMs: 0.01 });
    const { loop } = makeLoop(clock, pg, { speed: () => speed });
    loop.start();
    clock.runFrame();
    assert.equal(pg.step, Math.min(steps, Math.max(1, Math.floor(Number(speed) || 1))), `${speed}: the first frame steps`);
    for (let i = 1; i < frames; i += 1) clock.runFrame();
    assert.equal(pg.step, steps, `${speed}: ${steps} steps in ${frames} frames`);
    assert.ok(loop.playing, `${speed}: a frame without a step does not end the animation`);
  }
});

test('every FrameLoop runs in one shared animation frame and they split its budget (shared-loop.js)', async () => {
  const { setScheduler, framesRun } = await import('../../www/shared-loop.js');
  const scheduled = [];
  setScheduler((fn) => { scheduled.push(fn); });
  const clock = fakeClock();
  // The shared frame and its share come from shared-loop.js: only time and tasks are faked.
  const shared = { now: clock.now, task: clock.task };
  const pgs = [fakePlayground(clock), fakePlayground(clock), fakePlayground(clock)];
  const loops = pgs.map((pg) => new FrameLoop({
    pg: () => pg, runs: () => 1, speed: () => 'max', sweepRunning: () => false, viewOverrun: () => 0,
    stepped: () => false, render: () => {}, stopped: () => {},
  }, shared));
  const before = framesRun();
  for (const loop of loops) loop.start();
  assert.equal(scheduled.length, 1, 'three playing widgets ask for one animation frame');
  for (let frame = 0; frame < 3; frame += 1) {
    const run = scheduled.splice(0);
    assert.equal(run.length, 1, `frame ${frame}: one request`);
    run[0]();
  }
  assert.equal(framesRun() - before, 3);
  for (const pg of pgs) {
    assert.equal(pg.workCalls.length, 3, 'each widget stepped in each frame');
    for (const ms of pg.workCalls) assert.equal(ms, MAX_FRAME_MS / 3, 'a third of the frame budget each');
  }
  for (const loop of loops) loop.stop();
  setScheduler((fn) => requestAnimationFrame(fn));
});

test('a widget out of view steps nothing until it is back', () => {
  const clock = fakeClock();
  const pg = fakePlayground(clock);
  let offscreen = false;
  const { loop } = makeLoop(clock, pg, { offscreen: () => offscreen });
  loop.start();
  clock.runFrame();
  const inView = pg.step;
  assert.ok(inView > 0);
  offscreen = true;
  for (let i = 0; i < 5; i += 1) clock.runFrame();
  assert.equal(pg.step, inView, 'no step out of view');
  assert.equal(loop.playing, true, 'still playing');
  offscreen = false;
  clock.runFrame();
  assert.ok(pg.step > inView, 'steps again in view');
});
