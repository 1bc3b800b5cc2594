// Playback: Play and Pause, one step (the Step button and the S key), el.step(n), Reset, the
// speed (steps per frame as the speed menu writes them, pace.js), the Play button's words and
// the step counter's. It never touches the DOM beyond the Play button it is given: tests/e2e/
// playback.test.mjs runs it in Node with the real FrameLoop on a fake clock and Playground.
//
// Host contract: pg() (the Playground, or null), loop (the FrameLoop), live() (the timeline
// back to live), restart() (every run starts again: Experiment.restart), render(snap,
// throttleStatus, mode) (redraw), button() (the Play button, or null when it is not built).

// The speed of a widget whose preset and attributes name none.
export const DEFAULT_SPEED = '10';

/** The Play button's words: once every run has stopped, Play restarts them, and it says so. */
export function playLabel(playing, over) {
  if (playing) return '❚❚ Pause';
  return over ? '↻ Replay' : '▶ Play';
}

/**
 * The step counter: "step s of N" live, "viewing step s of M" while the timeline shows an
 * earlier step, and the epoch of a model when given (null: none shown).
 */
export function counterText({ maxStep, maxSteps, viewStep, epochs = null }) {
  let text = viewStep === null
    ? `step ${maxStep.toLocaleString('en-US')} of ${maxSteps.toLocaleString('en-US')}`
    : `viewing step ${viewStep.toLocaleString('en-US')} of ${maxStep.toLocaleString('en-US')}`;
  if (epochs !== null) text += ` · epoch ${epochs.toLocaleString('en-US')}`;
  return text;
}

export class Playback {
  /** Steps per frame as text ('10', '1/12', 'max'): the frame loop reads it every frame. */
  speed = DEFAULT_SPEED;
  #host;

  constructor(host) {
    this.#host = host;
  }

  /** Starts the animation; every run starts again first when all of them have stopped. */
  play() {
    const host = this.#host;
    const pg = host.pg();
    if (!pg) return;
    host.live();
    host.loop.cancelDrain();
    if (!pg.any_running()) host.restart();
    if (!host.loop.start()) return;
    this.updateButton();
  }

  /** Stops the animation and any steps still queued by step(n). */
  pause() {
    const host = this.#host;
    const was = host.loop.stop();
    host.loop.cancelDrain();
    this.updateButton();
    if (was && host.pg()) host.render(null, false, 'spread'); // charts skipped while animating
  }

  /** Pauses and plays, in turn (the Play button and the space key). */
  toggle() {
    if (this.#host.loop.playing) this.pause();
    else this.play();
  }

  /**
   * Takes n more steps of every run (fewer where a run stops) and resolves with the snapshot,
   * in slices of a few milliseconds (FrameLoop.drain); null without a Playground.
   */
  step(n = 1) {
    const host = this.#host;
    const pg = host.pg();
    if (!pg) return Promise.resolve(null);
    this.pause();
    host.live();
    pg.queue_steps(Math.max(1, Math.floor(Number(n) || 1)));
    return host.loop.drain(true);
  }

  /** The Step button and the S key: one step, charts redrawn over the next frames. */
  userStep() {
    if (!this.#host.pg()) return;
    this.step(1).catch(() => {}); // a trap is reported in the alert
  }

  /** Pauses, and every run starts again from its start point. */
  reset() {
    if (!this.#host.pg()) return;
    this.pause();
    this.#host.restart();
  }

  /** The Play button says what it does now: Play, Pause or Replay. */
  updateButton() {
    const host = this.#host;
    const button = host.button();
    if (!button) return;
    const playing = host.loop.playing;
    const pg = host.pg();
    const text = playLabel(playing, !playing && !!pg && !pg.any_running());
    if (button.textContent !== text) button.textContent = text;
    button.setAttribute('aria-pressed', String(playing));
  }
}
