// The timeline under the picture: a range input that scrubs back and forth through the recorded
// history, with a tick where each run's criterion fired and where it converged, diverged or
// stopped (Playground::timeline_marks, titles in words from Rust), and "Back to live". It owns
// the input and the step shown (null: live); Rust draws the scrubbed landscape, the model view
// from the weights recorded at that step (or the nearest before it) and the charts' cursor. Scrubbing only redraws: it never steps or resets a run.
//
// A mark's words are its tooltip and, for a phone that has no tooltips, the line under the
// timeline while the scrubbed step is within MARK_REACH_PX of it ("At this mark: ...").
//
// Host contract: pg(), colorOf(i), and the callback `changed()` (the step shown changed: redraw).

import { h, replace } from './dom.js';

// How often the marks are read while the runs animate.
const MARKS_INTERVAL_MS = 250;
// How near (in pixels along the track) the scrubbed step must be to a mark to show its words.
const MARK_REACH_PX = 6;

export class Timeline {
  /** The element (moved under the visible picture by the host). */
  element;
  #ctx;
  #changed;
  #input;
  #ticks;
  #live;
  #note;
  #here;
  #marks = [];
  #viewStep = null;
  #max = 0;
  #marksKey = '';
  #marksAt = -Infinity;

  constructor(ctx, changed) {
    this.#ctx = ctx;
    this.#changed = changed;
    this.#input = h('input', {
      type: 'range', class: 'timeline-input', min: '0', max: '0', step: '1', value: '0', disabled: true,
      'aria-label': 'Timeline: the step shown in the picture and the charts',
      oninput: () => this.#scrub(Number(this.#input.value)),
    });
    this.#ticks = h('div', { class: 'timeline-ticks' });
    this.#live = h('button', { type: 'button', class: 'timeline-live', hidden: true, onclick: () => this.live(true) }, 'Back to live');
    // What the marks mean, in words on the page (their titles are tooltips, which a phone lacks).
    this.#note = h('p', { class: 'note timeline-note', hidden: true },
      'Drag to go back through the steps. Marks, in each run’s colour: where a test fired or the run converged or early-stopped (tall), where it stopped or diverged (short, outlined); drag onto one to read it here.');
    this.#here = h('p', { class: 'note timeline-here', hidden: true });
    this.element = h('div', { class: 'timeline' },
      h('div', { class: 'timeline-row' }, h('div', { class: 'timeline-track' }, this.#input, this.#ticks), this.#live),
      this.#here, this.#note);
  }

  /** The step shown, or null while the picture is live. */
  get viewStep() {
    return this.#viewStep;
  }

  /** Back to the live picture (notify: redraw now). */
  live(notify = false) {
    if (this.#viewStep === null) return;
    this.#viewStep = null;
    this.#live.hidden = true;
    this.#input.value = String(this.#max);
    this.#showMarksHere();
    if (notify) this.#changed();
  }

  #scrub(step) {
    this.#viewStep = Math.max(0, Math.min(this.#max, step));
    this.#live.hidden = false;
    this.#showMarksHere();
    this.#changed();
  }

  /** The words of the marks within MARK_REACH_PX of the scrubbed step, under the timeline. */
  #showMarksHere() {
    const step = this.#viewStep;
    const width = this.#ticks.clientWidth;
    const reach = width > 0 ? (MARK_REACH_PX * this.#max) / width : 0;
    const near = step === null ? [] : this.#marks.filter((m) => Math.abs(m.step - step) <= reach);
    this.#here.hidden = near.length === 0;
    this.#here.textContent = near.length ? `At this mark: ${near.map((m) => m.title).join('; ')}.` : '';
  }

  /**
   * Follows the runs: the range is the largest step taken; ticks where anything happened. While
   * animating (`animating`) the marks are read at most every MARKS_INTERVAL_MS (a snapshot
   * carries every weight).
   */
  update(maxStep, animating = false) {
    this.#max = maxStep;
    this.#input.max = String(maxStep);
    this.#input.disabled = maxStep === 0;
    if (this.#viewStep !== null && this.#viewStep > maxStep) this.live();
    if (this.#viewStep === null) this.#input.value = String(maxStep);
    this.#input.setAttribute('aria-valuetext', this.#viewStep === null ? `live, step ${maxStep}` : `step ${this.#viewStep} of ${maxStep}`);
    const now = performance.now();
    if (animating && now - this.#marksAt < MARKS_INTERVAL_MS) return;
    this.#marksAt = now;
    const pg = this.#ctx.pg();
    const marks = pg && maxStep > 0 ? pg.timeline_marks() : [];
    const key = `${maxStep}|${JSON.stringify(marks)}`;
    if (key === this.#marksKey) return;
    this.#marksKey = key;
    this.#marks = marks;
    this.#showMarksHere();
    this.#note.hidden = marks.length === 0;
    replace(this.#ticks, marks.map((m) => {
      const tick = h('span', { class: `timeline-tick ${m.kind}`, title: m.title, role: 'img', 'aria-label': m.title, dataset: { run: String(m.run), step: String(m.step) } });
      tick.style.left = `${(m.step / maxStep) * 100}%`;
      tick.style.background = this.#ctx.colorOf(m.run);
      return tick;
    }));
  }
}
