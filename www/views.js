// The widget's views and when they are drawn. It owns which main view shows the experiment (the
// landscape with the runs' paths, or the model view for a model trained on data) and the note
// that explains the runs for that kind; the run under the pointer (drawn in front of the dimmed
// others); and the redraw of everything after a change or a frame: the main view, the charts,
// the timeline, the step counter, the runs' status and states, the charts' notes, the Play
// button and the canvases' text alternatives. A new view (an analysis, say) is shown or hidden
// in showKind and drawn in render.
//
// Host contract: pg(), parts() (parts.js), experiment (Experiment), loop (FrameLoop), root() (the
// shadow root), updateButton() (the Play button's words).

import { PROBLEMS, STOP_DEFAULTS } from './catalog.js';
import { describeCanvases } from './canvas-text.js';
import { counterText } from './playback.js';
import { inTask } from './util.js';

/** The step limit of `config`, with the core's default when it names none (catalog.js). */
export function maxStepsOf(config) {
  return (config && config.stop && config.stop.max_steps) || STOP_DEFAULTS.max_steps;
}

const maxOf = (runs, value) => runs.reduce((m, r) => Math.max(m, value(r)), 0);

export class Views {
  #host;
  #hovered = null;
  #renderTask = null; // the pending renderSoon(), or null

  constructor(host) {
    this.#host = host;
  }

  /** The run under the pointer (in the lists or the picture), or null. */
  get hovered() {
    return this.#hovered;
  }

  /** Run `i` (or none: null) is under the pointer: the drawings bring it to the front. */
  hoverRun(i) {
    const config = this.#host.experiment.config;
    const next = config && Number.isInteger(i) && i >= 0 && i < config.runs.length ? i : null;
    if (next === this.#hovered) return;
    this.#hovered = next;
    if (!this.#host.pg()) return;
    this.drawMain('sync');
    this.#host.parts().charts.render('spread');
  }

  /** Shows the views that fit the kind of problem (`changed`: it is not the kind shown before). */
  showKind(changed) {
    const parts = this.#host.parts();
    const { landscape, modelView, charts, timeline } = parts;
    modelView.stale();
    charts.setKind(changed);
    const model = this.#host.experiment.isModel;
    landscape.card.hidden = model;
    modelView.card.hidden = !model;
    (model ? modelView.card : landscape.card).appendChild(timeline.element);
    if (parts.$.runsNote) {
      parts.$.runsNote.textContent = model
        ? 'Each run is one optimizer training the model from the same initial weights, on the same minibatches. Select a run to edit it and to see it in the model view.'
        : 'Each run is one optimizer started from one point. Select a run to edit it.';
    }
    modelView.renderHead();
    if (parts.sweepCard) parts.sweepCard.render();
    if (parts.exports) parts.exports.refresh();
  }

  /**
   * The charts' scales for `config`'s problem: the loss logarithmic unless it can be negative.
   * For a preset, every chart starts from its default scales, then takes the preset's own
   * (`preset.charts`, e.g. `{lr: {log_x: true, log_y: true}}`: where its story shows).
   */
  chartDefaults(config, preset = null) {
    const charts = this.#host.parts().charts;
    if (preset) charts.resetAxes();
    const spec = PROBLEMS[config.problem.name];
    charts.setLogLoss(!(spec && spec.negative));
    if (preset && preset.charts) for (const [kind, axes] of Object.entries(preset.charts)) charts.setAxes(kind, axes);
  }

  /**
   * Redraws everything: the main view, the charts (see Charts.render for the modes 'sync',
   * 'anim' and 'spread'; 'scrub' is 'sync' for a scrubbed timeline), the step counter, the
   * status and the runs' states.
   */
  render(snap, throttleStatus = false, mode = 'sync') {
    if (!this.#host.pg()) return;
    this.drawMain(mode === 'anim' ? 'anim' : 'sync');
    this.#renderAroundMain(snap, throttleStatus, mode);
  }

  /** What render draws besides the main view (its arguments are render's). */
  #renderAroundMain(snap, throttleStatus, mode) {
    const host = this.#host;
    const pg = host.pg();
    if (!pg) return;
    const parts = host.parts();
    const { config, isModel, kind, selected } = host.experiment;
    const s = snap || host.loop.snap();
    parts.charts.render(mode === 'scrub' ? 'sync' : mode);
    const maxStep = maxOf(s.runs, (r) => r.step);
    parts.timeline.update(maxStep, mode === 'anim');
    const viewStep = parts.timeline.viewStep;
    // The epoch is the live one: while scrubbing it would describe another step.
    const epochs = isModel && viewStep === null ? maxOf(s.runs, (r) => (r.training ? r.training.epoch : 0)) : null;
    parts.$.counter.textContent = counterText({ maxStep, maxSteps: maxStepsOf(config), viewStep, epochs });
    parts.runs.renderStatus(!throttleStatus, s);
    parts.runs.updateStates(s);
    parts.charts.renderNotes(s, maxStep);
    host.updateButton();
    describeCanvases(host.root(), {
      snap: s, config, kind, selected, view: pg.view(), undefinedF: pg.landscape_has_undefined(),
      viewStep, states: viewStep === null ? null : pg.states_at(viewStep),
      titleOf: (name) => (PROBLEMS[name] ? PROBLEMS[name].title : name), now: performance.now(), force: mode !== 'anim',
    });
  }

  /**
   * Redraws everything (render) in tasks of their own, posted now: first the main view, then the
   * rest (for the largest model each costs a few tens of milliseconds the first time; together,
   * and after the load that asked for them, they would hold the main thread too long). Requests
   * made before the drawing starts share it. Resolves once drawn; rejects with what it threw.
   */
  renderSoon() {
    if (!this.#renderTask) {
      this.#renderTask = inTask(() => {
        this.#renderTask = null;
        if (this.#host.pg()) this.drawMain('sync');
      }).then(() => inTask(() => this.#renderAroundMain(undefined, false, 'sync')));
    }
    return this.#renderTask;
  }

  /** Draws the landscape or the model view. how: 'anim' (a frame), 'sync' (now, then sharp). */
  drawMain(how = 'sync') {
    const parts = this.#host.parts();
    if (this.#host.experiment.isModel) parts.modelView.draw(how === 'anim' ? 'live' : 'sync');
    else parts.landscape.draw();
  }
}
