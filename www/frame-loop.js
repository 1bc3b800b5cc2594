// The frame loop and its step budget: how the runs are stepped while the page stays responsive.
// Owns the animation (play, pause, one stepping frame per animation frame), the steps queued by
// el.step(n) and taken in slices of DRAIN_SLICE_MS (one task each), the timing it measures (what
// a step and a snapshot cost) and the last snapshot. It never touches the DOM: the widget (host)
// draws and dispatches events, so this module runs in Node with a fake Playground and clock
// (tests/e2e/frame-loop.test.mjs).
//
// Host contract:
//   pg()                  the Playground (pending, queue_steps, work, any_running,
//                         cancel_steps, snapshot), or null
//   runs()                the number of runs of the running experiment
//   speed()               steps per frame: a number or fraction as text ('10', '1/12') or 'max'
//                         (pace.js: fractions carry over, one step every 12 frames)
//   sweepRunning()        does a complexity sweep train in the same frames?
//   viewOverrun()         ms by which a view due in this frame costs more than its share (0: none)
//   stepped(snap, dispatch) -> bool  a fresh snapshot: dispatch events, say if a state changed
//   render(snap, throttleStatus, mode)  redraw ('anim': a frame, 'spread': charts over frames)
//   stopped()             the animation ended by itself (every run stopped)
//   offscreen()           optional: the widget is out of view; its frames step nothing until
//                         it is back (the animation stays on, the runs hold still)
// Optional clock (tests): now(), frame(fn) (the shared animation frame, shared-loop.js),
// task(fn) (setTimeout 0), share() (how many widgets step in this frame: the budget is split).

// A frame steps for at most MAX_FRAME_MS (pace.js; half of it while a sweep trains too).
export { MAX_FRAME_MS };
// el.step(n) takes its steps in tasks of about this many milliseconds.
export const DRAIN_SLICE_MS = 16;
export const STATUS_INTERVAL_MS = 100;
// A frame that redraws a costly view steps for that much less, but at least MIN_STEP_MS.
export const MIN_STEP_MS = 2;

/**
 * The stepping budget of one frame: MAX_FRAME_MS (divided among the `share` widgets stepping in
 * the same frame), halved while a sweep trains too, less what a
 * costly view due in this frame takes beyond its share (never below MIN_STEP_MS).
 */
export function frameBudget(sweepRunning, viewOverrun, share = 1) {
  let budget = (sweepRunning ? MAX_FRAME_MS / 2 : MAX_FRAME_MS) / Math.max(1, share);
  if (viewOverrun > 0) budget = Math.max(MIN_STEP_MS, budget - viewOverrun);
  return budget;
}

import { stepsPerFrame, takeCredit, startCredit, MAX_FRAME_MS } from './pace.js';
import { nextFrame, frameShare } from './shared-loop.js';

// Every widget's frames come from the page's one animation loop (shared-loop.js), whose
// frame is shared by the widgets playing in it.
const defaultClock = {
  now: () => performance.now(),
  frame: (fn) => nextFrame(fn),
  task: (fn) => setTimeout(fn, 0),
  share: () => frameShare(),
};

export class FrameLoop {
  #host;
  #clock;
  #playing = false;
  #loopId = 0;
  // The last frame overran: the next one only draws. null, or {} (take a snapshot then), or
  // {snap, changed} (the snapshot the overrunning frame took, its events dispatched already).
  #drawNext = null;
  #drain = null; // {resolve, reject, dispatch}: queued steps being taken over several tasks
  #stepCost = null; // ms per single step of every run together (measured while stepping)
  #stepsTaken = 0; // grows with every step taken, to know when a view is stale
  #lastSnap = null;
  #snapCost = 0;
  #lastSnapAt = 0;
  #credit = 0; // the fraction of a step carried over to the next frame (speeds below 1)

  constructor(host, clock = {}) {
    this.#host = host;
    this.#clock = { ...defaultClock, ...clock };
  }

  get playing() {
    return this.#playing;
  }

  /** ms per single step of every run together, or null when not measured yet. */
  get stepCost() {
    return this.#stepCost;
  }

  get stepsTaken() {
    return this.#stepsTaken;
  }

  get lastSnap() {
    return this.#lastSnap;
  }

  set lastSnap(snap) {
    this.#lastSnap = snap;
  }

  /** Another model: its step cost is measured again. */
  forgetStepCost() {
    this.#stepCost = null;
  }

  /** Starts the animation (no-op when it runs); returns false when it was running already. */
  start() {
    if (this.#playing) return false;
    this.#playing = true;
    this.#drawNext = null;
    this.#credit = startCredit(stepsPerFrame(this.#host.speed()));
    const loop = ++this.#loopId; // a pause and a play within one frame must not start two loops
    this.#clock.frame(() => this.#frame(loop));
    return true;
  }

  /** Stops the animation; returns whether it was running. Queued steps are not touched. */
  stop() {
    const was = this.#playing;
    this.#playing = false;
    return was;
  }

  /** A fresh snapshot, remembered (with its cost) for the animation. */
  snap() {
    const t0 = this.#clock.now();
    const snap = this.#host.pg().snapshot();
    const now = this.#clock.now();
    this.#snapCost = now - t0;
    this.#lastSnapAt = now;
    this.#lastSnap = snap;
    return snap;
  }

  /** Takes queued steps for at most `ms` milliseconds; returns the steps taken by all runs. */
  work(ms) {
    const t0 = this.#clock.now();
    const taken = this.#host.pg().work(ms);
    const runs = this.#host.runs();
    if (taken > 0) {
      // ms per single step of every run together, for estimates (replays).
      const per = ((this.#clock.now() - t0) / taken) * runs;
      this.#stepCost = this.#stepCost === null ? per : 0.8 * this.#stepCost + 0.2 * per;
    }
    this.#stepsTaken += taken;
    return taken;
  }

  /**
   * Takes the queued steps in slices of DRAIN_SLICE_MS, one task each, redrawing at the status
   * rate; resolves with the final snapshot. `dispatch` says whether state changes fire events
   * (a replay after a label change does not).
   */
  drain(dispatch) {
    this.cancelDrain();
    return new Promise((resolve, reject) => {
      const drain = { resolve, reject, dispatch };
      this.#drain = drain;
      const finish = (more) => {
        if (more) {
          this.#clock.task(slice);
        } else {
          this.#drain = null;
          resolve(this.#lastSnap);
        }
      };
      const draw = (more) => {
        if (this.#drain !== drain) return;
        try {
          const snap = this.snap();
          this.#host.stepped(snap, dispatch);
          this.#host.render(snap, more, more ? 'anim' : 'spread');
        } catch (e) {
          this.#drain = null;
          reject(e);
          return;
        }
        finish(more);
      };
      const slice = () => {
        if (this.#drain !== drain) return; // cancelled, and resolved by cancelDrain
        let more = false;
        try {
          const taken = this.work(DRAIN_SLICE_MS);
          more = this.#host.pg().pending() && taken > 0;
        } catch (e) {
          this.#drain = null;
          reject(e);
          return;
        }
        // The drawing gets its own task: a slice of steps and a redraw of many runs together
        // could pass the 100 ms a task may take.
        if (more && this.#clock.now() - this.#lastSnapAt < STATUS_INTERVAL_MS) finish(more);
        else this.#clock.task(() => draw(more));
      };
      slice();
    });
  }

  /** Drops the steps still queued; a pending drain resolves with the snapshot now. */
  cancelDrain() {
    const drain = this.#drain;
    if (!drain) return;
    this.#drain = null;
    let snap = null;
    const pg = this.#host.pg();
    if (pg) {
      pg.cancel_steps();
      snap = this.snap();
      this.#host.stepped(snap, drain.dispatch);
    }
    drain.resolve(snap);
  }

  /** The engine is gone: stop, and a pending drain rejects with `error`. */
  drop(error) {
    this.#playing = false;
    const drain = this.#drain;
    this.#drain = null;
    if (drain) drain.reject(error);
  }

  /**
   * Steps every run by up to `perRun` more steps (Infinity: until it stops) for at most `ms`
   * milliseconds; steps not taken in time are taken by the next frames. Returns the steps
   * taken by all runs together.
   */
  #stepFor(ms, perRun) {
    const pg = this.#host.pg();
    if (!pg.pending()) pg.queue_steps(perRun);
    return this.work(ms);
  }

  #frame(loop) {
    const host = this.#host;
    const pg = host.pg();
    if (!this.#playing || !pg || loop !== this.#loopId) return;
    // Out of view: no step and no drawing until the widget is back on screen.
    if (host.offscreen && host.offscreen()) {
      this.#clock.frame(() => this.#frame(loop));
      return;
    }
    // A frame steps for at most MAX_FRAME_MS (half of it while a sweep trains too), so that
    // the page keeps 60 frames per second however costly a step is.
    const overrun = host.viewOverrun();
    const budget = frameBudget(host.sweepRunning(), overrun, this.#clock.share ? this.#clock.share() : 1);
    // One step of a large network can take tens of milliseconds by itself. When stepping and the
    // costly view due in this frame would overrun twice the budget, the frame draws nothing and
    // the next frame draws without stepping, so that no task adds a costly drawing to a costly
    // step.
    if (this.#drawNext) {
      const pending = this.#drawNext;
      this.#drawNext = null;
      const snap = pending.snap || this.snap();
      const changed = pending.snap ? pending.changed : host.stepped(snap, true);
      host.render(snap, !changed, 'anim');
      this.#clock.frame(() => this.#frame(loop));
      return;
    }
    // A ramped speed depends on how far the runs are (pace.js).
    const perFrame = stepsPerFrame(host.speed(), typeof pg.max_step === 'function' ? pg.max_step() : 0);
    let perRun = Infinity;
    if (perFrame !== Infinity) {
      [perRun, this.#credit] = takeCredit(this.#credit, perFrame > 0 ? perFrame : 1);
      if (perRun === 0 && !pg.pending()) {
        // A slow pace: no step is due in this frame.
        this.#clock.frame(() => this.#frame(loop));
        return;
      }
    }
    const started = this.#clock.now();
    const taken = this.#stepFor(budget, perRun);
    const done = !pg.any_running() || taken === 0;
    if (!done && this.#clock.now() - started + overrun > 2 * MAX_FRAME_MS) {
      this.#drawNext = {};
      this.#clock.frame(() => this.#frame(loop));
      return;
    }
    // A snapshot carries every weight: for a big network it is taken at the status rate.
    const fresh = done || this.#snapCost < 0.5 || this.#clock.now() - this.#lastSnapAt >= STATUS_INTERVAL_MS;
    const snap = fresh ? this.snap() : null;
    const changed = snap ? host.stepped(snap, true) : false;
    // The steps and a costly snapshot (a large model's loss over all its data) filled the frame:
    // the drawing waits for the next frame, which does not step.
    if (snap && !done && (this.#snapCost > MAX_FRAME_MS / 2 || this.#clock.now() - started > 2 * MAX_FRAME_MS)) {
      this.#drawNext = { snap, changed };
      this.#clock.frame(() => this.#frame(loop));
      return;
    }
    host.render(snap || this.#lastSnap, !changed && !done, done ? 'spread' : 'anim');
    if (done) {
      this.#playing = false;
      host.stopped();
      return;
    }
    this.#clock.frame(() => this.#frame(loop));
  }
}
