// What a widget does by itself, for articles: it steps nothing while out of view
// (IntersectionObserver; the FrameLoop asks offscreen() each frame and resumes when the widget
// is back), plays again LOOP_PAUSE_MS after every run has stopped when it has `loop`, and fires
// the throttled `step` event (at most every STEP_EVENT_MS while runs advance, and once when the
// animation stops): detail {step, runs: [{label, step, loss, status}]}.
//
// Host contract: element (the widget), loop (has the `loop` attribute), canReplay() (connected,
// not playing, every run stopped, not scrubbing), play(), lastSnap().

import { LOOP_PAUSE_MS } from './attributes.js';

/** The `step` event fires at most this often (ms) while runs advance. */
export const STEP_EVENT_MS = 250;

export class SelfRunning {
  #host;
  #observer = null;
  #offscreen = false;
  #loopTimer = 0;
  #lastStepEvent = 0;

  constructor(host) {
    this.#host = host;
  }

  /** Is the widget out of view? */
  get offscreen() {
    return this.#offscreen;
  }

  /** Starts (on) or stops watching whether the widget is in view. */
  watch(on) {
    if (!on) {
      if (this.#observer) this.#observer.disconnect();
      this.#observer = null;
      clearTimeout(this.#loopTimer);
      return;
    }
    if (this.#observer || !('IntersectionObserver' in window)) return;
    this.#observer = new IntersectionObserver((entries) => {
      for (const entry of entries) this.#offscreen = !entry.isIntersecting;
    });
    this.#observer.observe(this.#host.element);
  }

  /** Every run has stopped by itself: the last step event, and `loop` plays them again. */
  stopped() {
    this.stepEvent(true);
    if (this.#host.loop) this.replayLater();
  }

  /**
   * The runs play again LOOP_PAUSE_MS from now, if the widget still has `loop` and can replay
   * then (the timer stops when the widget leaves the page: watch(false)).
   */
  replayLater() {
    clearTimeout(this.#loopTimer);
    this.#loopTimer = setTimeout(() => {
      if (this.#host.loop && this.#host.canReplay()) this.#host.play();
    }, LOOP_PAUSE_MS);
  }

  /** The throttled `step` event for `snap` (or the last one): at most every STEP_EVENT_MS, always when `final`. */
  stepEvent(final, snap = null) {
    const now = performance.now();
    if (!final && now - this.#lastStepEvent < STEP_EVENT_MS) return;
    const s = snap || this.#host.lastSnap();
    if (!s) return;
    this.#lastStepEvent = now;
    const runs = s.runs.map((r) => ({ label: r.label, step: r.step, loss: r.loss, status: r.status }));
    const step = runs.reduce((m, r) => Math.max(m, r.step), 0);
    this.#host.element.dispatchEvent(new CustomEvent('step', { bubbles: true, composed: true, detail: { step, runs } }));
  }
}
