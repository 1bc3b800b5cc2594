// One widget's experiment and its changes. It owns the running config (an object), the
// controls' working copy (the draft, which may be invalid), the selected run, the kind of
// problem (Playground.problem_kind(): landscape, classification, regression or model) and a
// version that grows whenever the runs restart. The changes: apply(kind) (the draft, after an
// edit in the controls), load(json, view, preset) (a whole validated config with its view box:
// all of it applies or nothing does), choosePreset(id), select(i) and restart(). It never
// touches the DOM itself: the parts do (tests/e2e/experiment.test.mjs runs it in Node with
// fake parts and a fake Playground).
//
// Host contract: pg() (the Playground, or null), parts() (the built parts of parts.js: landscape,
// modelView, charts, timeline, runs, sidebar, presetBar, sweepCard, analysisCard and searchCard or null), loop
// (the FrameLoop), maxSteps() (the running experiment's step limit, its default filled in),
// pause(), play(), reducedMotion() (the reader asked for it: a preset does not start playing),
// render() (redraw everything), renderSoon() (redraw everything in tasks of its own; a promise
// that settles once drawn), drawMain() (redraw the landscape or model view), showKind(changed)
// (show the views that fit the kind), chartDefaults(config, preset) (the charts' scales for its problem and a preset's own),
// statesReset() (the runs start afresh: their events and status clock), setSpeed(speed),
// writeHash(), configErrors(text) and clearConfigErrors() (the controls' alert).

import { clone, canonical } from './util.js';
import { presetById } from './presets.js';

const message = (e) => String(e && e.message ? e.message : e);

// A label or colour change replays the runs to where they were when that takes at most about
// REPLAY_MAX_MS (a landscape's steps are cheap: up to REPLAY_MAX_STEPS of them).
export const REPLAY_MAX_STEPS = 200_000;
export const REPLAY_MAX_MS = 300;

/** Can runs at `steps` be replayed quickly, given the measured ms per step (null: unknown)? */
export function replayable(steps, isModel, stepCost) {
  if (steps > REPLAY_MAX_STEPS) return false;
  if (!isModel) return true;
  return stepCost !== null && steps * stepCost < REPLAY_MAX_MS;
}

/**
 * The steps to queue to replay runs that were at `steps`: a run notices its step limit when it
 * tries one more step, so at the limit one more is asked for.
 */
export function replaySteps(steps, maxSteps) {
  return steps >= maxSteps ? steps + 1 : steps;
}

/**
 * The sections the page records in the running config (and the draft, and so the link) without
 * restarting the runs: an analysis that was run, a search. The Playground's experiment lacks
 * them until the next restart.
 */
export const PAGE_SECTIONS = ['analysis', 'search'];

export class Experiment {
  #host;
  #config = null;
  #draft = null;
  #selected = 0;
  #kind = 'landscape';
  #version = 0;
  #problemKey = null;
  #modelKey = undefined; // canonical(model) of the running config (undefined: no model)

  constructor(host) {
    this.#host = host;
  }

  /**
   * The running experiment as the core writes it (every default filled in) with the page's
   * sections (PAGE_SECTIONS) as the link has them: what getConfig() and the config export give.
   * `setPath(json, path, valueJson)` is the core's set_config_path. Null before start-up.
   */
  fullJson(setPath) {
    const pg = this.#host.pg();
    if (!pg) return null;
    let json = pg.config_json();
    for (const key of PAGE_SECTIONS) {
      const section = this.#config ? this.#config[key] : undefined;
      if (section !== undefined) json = setPath(json, key, JSON.stringify(section));
    }
    return json;
  }

  /** The experiment running now (object), or null before start-up. */
  get config() {
    return this.#config;
  }

  /** The controls' working copy (may be invalid). */
  get draft() {
    return this.#draft;
  }

  get selected() {
    return this.#selected;
  }

  /** Selects run `i` without redrawing (the runs list does it after adding or removing runs). */
  set selected(i) {
    this.#selected = i;
  }

  get kind() {
    return this.#kind;
  }

  /** Is the problem a model trained on data? */
  get isModel() {
    return this.#kind === 'classification' || this.#kind === 'regression';
  }

  /** Grows whenever the runs restart (a new config, a reset). */
  get version() {
    return this.#version;
  }

  /** Takes the experiment the widget starts with (validated JSON), before its first drawing. */
  adopt(json) {
    this.#config = JSON.parse(json);
    this.#draft = clone(this.#config);
    this.#problemKey = canonical(this.#config.problem);
  }

  /**
   * Reads the kind of the problem from the core and shows the views that fit it (laid out
   * afresh when it changed, or when `fresh`: the widget was built again).
   */
  setKind(fresh = false) {
    const kind = this.#host.pg().problem_kind();
    const changed = fresh || kind !== this.#kind;
    this.#kind = kind;
    this.#host.showKind(changed);
  }

  /** Rebuilds the experiment from the draft. Returns true when applied. */
  apply(kind = 'value') {
    const host = this.#host;
    const pg = host.pg();
    const json = JSON.stringify(this.#draft);
    // A label or color change replays the runs to where they were (if that is quick).
    const prevMax = kind === 'cosmetic' && pg && replayable(pg.max_step(), this.isModel, host.loop.stepCost) ? pg.max_step() : 0;
    try {
      pg.set_config(json);
    } catch (e) {
      host.configErrors(message(e));
      return false;
    }
    host.clearConfigErrors();
    this.#config = clone(this.#draft);
    this.#afterConfig();
    if (prevMax > 0) {
      // Only labels or colors changed: the runs are deterministic, so they replay to where they were.
      host.pg().queue_steps(replaySteps(prevMax, host.maxSteps()));
      host.loop.drain(false).catch(() => {}); // a trap is reported in the alert
    }
    const parts = host.parts();
    parts.sidebar.notify();
    parts.presetBar.edited(this.#config);
    host.writeHash();
    host.render();
    return true;
  }

  /**
   * Loads a validated config (and a view box): either all of it applies or, if any part is
   * refused (the view box, say), the running experiment is left as it was and the error thrown.
   * The views are redrawn in tasks of their own (a large model's new experiment and its drawing
   * would together hold the main thread too long); the promise returned settles once they are.
   */
  load(json, view, preset = null) {
    const host = this.#host;
    host.pause();
    const parts = host.parts();
    const landscape = parts.landscape;
    const before = { json: JSON.stringify(this.#config), view: landscape.view, selected: this.#selected };
    try {
      host.pg().set_config(json);
      this.#config = JSON.parse(json);
      this.#selected = 0;
      this.#problemKey = null;
      this.#afterConfig();
      if (view) {
        landscape.view = view;
        landscape.apply();
      }
    } catch (e) {
      if (e && e.internal) throw e;
      host.pg().set_config(before.json);
      this.#config = JSON.parse(before.json);
      landscape.view = before.view;
      this.#problemKey = null;
      this.#selected = before.selected;
      this.#afterConfig();
      landscape.view = before.view;
      landscape.apply();
      throw e;
    }
    this.#draft = clone(this.#config);
    host.clearConfigErrors();
    parts.presetBar.loaded(this.#config, preset);
    host.writeHash();
    parts.sidebar.render();
    return host.renderSoon();
  }

  /** What every new config needs: the views, caches and run states follow it. */
  #afterConfig() {
    const host = this.#host;
    const parts = host.parts();
    parts.timeline.live();
    this.#version += 1;
    const modelKey = canonical(this.#config.problem && this.#config.problem.model);
    if (modelKey !== this.#modelKey) {
      this.#modelKey = modelKey;
      parts.modelView.forgetCost(); // another model: measure its drawing cost again
      host.loop.forgetStepCost();
    }
    if (parts.sweepCard) parts.sweepCard.invalidate();
    if (parts.searchCard) parts.searchCard.reset(this.#config);
    this.setKind();
    // After setKind: the card offers the analyses that fit the new problem.
    if (parts.analysisCard) parts.analysisCard.invalidate();
    const key = canonical(this.#config.problem);
    if (key !== this.#problemKey) {
      this.#problemKey = key;
      parts.landscape.resetDefault();
      parts.landscape.view = null;
      host.chartDefaults(this.#config);
    }
    parts.landscape.apply();
    host.statesReset();
    if (this.#selected >= this.#config.runs.length) this.#selected = this.#config.runs.length - 1;
  }

  /** Switches to the preset `id` (an unknown id only clears the preset menu) and plays it. */
  choosePreset(id) {
    const host = this.#host;
    const parts = host.parts();
    const preset = presetById(id);
    if (!preset) {
      parts.presetBar.set(null);
      return;
    }
    this.load(JSON.stringify(preset.config), null, preset).catch(() => {}); // a trap is reported by wasm.js
    this.presetExtras(preset);
    parts.charts.draw('loss'); // its log scale may have changed
    if (preset.sweep && parts.sweepCard) parts.sweepCard.setValues(preset.sweep);
    // A reader who asked for reduced motion starts the animation with Play.
    if (!host.reducedMotion()) host.play();
  }

  /** A preset's extras: its search comparison, its speed (unless withSpeed is false), log scales. */
  presetExtras(preset, withSpeed = true) {
    const host = this.#host;
    const searchCard = host.parts().searchCard;
    if (searchCard) searchCard.setCompare(!!preset.searchCompare);
    if (preset.speed && withSpeed) host.setSpeed(preset.speed);
    host.chartDefaults(this.#config, preset);
  }

  /** Selects run `i` (ignored when there is no such run) and redraws what shows it. */
  select(i) {
    if (!this.#config || !(i >= 0 && i < this.#config.runs.length)) return;
    const host = this.#host;
    const parts = host.parts();
    this.#selected = i;
    parts.modelView.stale();
    parts.sidebar.renderRun();
    parts.runs.renderList();
    parts.modelView.renderHead();
    host.drawMain();
    parts.runs.renderStatus(true);
    if (parts.sweepCard) parts.sweepCard.render();
  }

  /** Every run starts again from its start point (the same experiment). */
  restart() {
    const host = this.#host;
    host.parts().timeline.live();
    host.loop.cancelDrain();
    host.pg().reset();
    this.#version += 1;
    host.statesReset();
    host.render();
  }
}
