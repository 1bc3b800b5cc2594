// The wiring of one widget: it makes the widget's modules and hands each its host contract, so
// that every module reaches the others only through the few functions its header names. It
// owns no state of its own beyond what the modules hold, and it is where a new module (a new
// view, say) is made and connected.
//
// wire(element, hooks) -> w: {loop (FrameLoop), engine (EngineLink), playback (Playback),
// experiment (Experiment), views (Views), link (PageLink), self (SelfRunning), ctx (context.js),
// parts (parts.js, filled by build()), attrs and mode (read once, on first use), pending (a
// config given to el.load() before connection), build() (the parts), start() (startup.js: a
// Promise), rebuild(relisten) (the parts built again for the attributes as they now stand),
// attributeHost(relisten) (attribute-changes.js's host)}. Hooks from the element, which owns the events: stepped(snap, dispatch) -> bool (a
// fresh snapshot: fire the runs' events, say whether a state changed), restarted(snap) (the runs
// start afresh from `snap`, or from nothing), dispatch(type, detail), ready() (resolve el.ready).

import { engineGeneration, guard, call, onRenewal, renewal, isRenewing, validateConfig } from './wasm.js';

/** The core's set_config_path: `json` with `valueJson` at `path`, validated (throws otherwise). */
export const setConfigPath = (json, path, valueJson) => call((w) => w.set_config_path(json, path, valueJson));
import { readAttributes } from './attributes.js';
import { SelfRunning } from './self-running.js';
import { PageLink } from './page-link.js';
import { FrameLoop } from './frame-loop.js';
import { showSpeed } from './skeleton.js';
import { EngineLink } from './engine-link.js';
import { Experiment } from './experiment.js';
import { Playback } from './playback.js';
import { Views, maxStepsOf } from './views.js';
import { makeContext } from './context.js';
import { buildParts } from './parts.js';
import { startUp } from './startup.js';
import { chooseExperiment } from './sources.js';
import { presetIdOf } from './preset-bar.js';
import { presetById } from './presets.js';
import { stopTheme } from './theme.js';

// The engine of the page (wasm.js), as engine-link.js uses it.
const ENGINE = { call, guard, generation: engineGeneration, isRenewing, renewal, onRenewal };

/** The reader asked for reduced motion: nothing starts playing by itself. */
const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

export function wire(element, hooks) {
  let attrs = null;
  const w = {
    parts: {},
    pending: null,
    /** The attributes (read once, on first use: readAttributes). */
    get attrs() {
      if (!attrs) attrs = readAttributes(element);
      return attrs;
    },
    /** The widget built: 'full', 'minimal' or 'none'; a locked widget is never 'full'. */
    get mode() {
      const { mode, locked } = w.attrs;
      return locked && mode === 'full' ? 'minimal' : mode;
    },
  };
  const parts = w.parts;
  const pg = () => w.engine.pg;
  /** The runs start afresh: their ending events fire again, and the status list's clock restarts. */
  const statesReset = () => {
    hooks.restarted(pg() ? pg().snapshot() : null);
    parts.runs.resetStatusClock();
  };
  const alert = (title, lines) => parts.alerts.load(title, lines);
  const render = (snap, throttleStatus, mode) => w.views.render(snap, throttleStatus, mode);

  w.loop = new FrameLoop({
    pg,
    runs: () => (w.experiment.config ? w.experiment.config.runs.length : 1),
    speed: () => w.playback.speed,
    sweepRunning: () => !!(parts.sweepCard && parts.sweepCard.running),
    viewOverrun: () => parts.modelView.overrun(),
    stepped: (snap, dispatch) => {
      if (dispatch) w.self.stepEvent(false, snap);
      return hooks.stepped(snap, dispatch);
    },
    render,
    stopped: () => {
      w.playback.updateButton();
      w.self.stopped();
    },
    offscreen: () => w.self.offscreen,
  });
  w.engine = new EngineLink(ENGINE, {
    config: () => w.experiment.config,
    stop: () => {
      w.loop.stop();
      w.playback.updateButton();
    },
    dropped: (error) => w.loop.drop(error),
    restored: () => {
      w.loop.lastSnap = null;
      parts.landscape.apply();
      statesReset();
      w.playback.updateButton();
      w.views.render();
    },
    alert,
  });
  w.playback = new Playback({
    pg,
    loop: w.loop,
    live: () => parts.timeline.live(),
    restart: () => w.experiment.restart(),
    render,
    button: () => (parts.$ ? parts.$.play : null),
  });
  w.experiment = new Experiment({
    pg,
    parts: () => parts,
    loop: w.loop,
    maxSteps: () => maxStepsOf(w.experiment.config),
    pause: () => w.playback.pause(),
    play: () => w.playback.play(),
    reducedMotion,
    render: () => w.views.render(),
    renderSoon: () => w.views.renderSoon(),
    drawMain: () => w.views.drawMain('sync'),
    showKind: (changed) => w.views.showKind(changed),
    chartDefaults: (config, preset) => w.views.chartDefaults(config, preset),
    statesReset,
    setSpeed: (speed) => {
      w.playback.speed = speed;
      if (parts.$.speed) showSpeed(parts.$.speed, speed);
    },
    writeHash: () => w.link.write(),
    configErrors: (text) => parts.alerts.configErrors(text),
    clearConfigErrors: () => parts.alerts.clearConfigErrors(),
  });
  w.views = new Views({
    pg,
    parts: () => parts,
    experiment: w.experiment,
    loop: w.loop,
    root: () => element.shadowRoot,
    updateButton: () => w.playback.updateButton(),
  });
  w.link = new PageLink({
    enabled: () => w.attrs.url,
    validate: (json) => validateConfig(json),
    alert,
    hideAlert: () => parts.alerts.hideLoad(),
    config: () => w.experiment.config,
    view: () => parts.landscape.view,
    holding: () => parts.landscape.dragging || parts.sidebar.sliding,
    running: () => !!pg(),
    load: (json, view) => w.experiment.load(json, view),
  });
  w.self = new SelfRunning({
    element,
    get loop() { return element.hasAttribute('loop'); },
    canReplay: () => element.isConnected && !w.loop.playing && !!pg() && !pg().any_running() && parts.timeline.viewStep === null,
    play: () => w.playback.play(),
    lastSnap: () => w.loop.lastSnap,
  });
  w.ctx = makeContext({
    experiment: w.experiment,
    views: w.views,
    loop: w.loop,
    pg,
    parts: () => parts,
    mode: () => w.mode,
    attrs: () => w.attrs,
    snapshot: () => (pg() ? w.loop.snap() : null),
    writeHash: () => w.link.write(),
    setPath: (path, value) => element.set(path, value).catch((e) => parts.alerts.configErrors(String(e && e.message ? e.message : e))),
    load: (config) => element.load(config),
    dispatch: hooks.dispatch,
  });

  w.build = () => {
    if (w.attrs.speed) w.playback.speed = w.attrs.speed;
    buildParts({
      element,
      ctx: w.ctx,
      attrs: w.attrs,
      mode: w.mode,
      playback: w.playback,
      choosePreset: (id) => w.experiment.choosePreset(id),
      // Scrubbing looks back at what was recorded: the animation pauses so that the picture holds still.
      scrubbed: () => {
        if (w.loop.playing) w.playback.pause();
        w.views.render(null, false, 'scrub');
      },
      link: () => w.link.shareable(),
      hoverRun: (i) => w.views.hoverRun(i),
      config: () => w.experiment.config,
      configJson: () => w.experiment.fullJson(setConfigPath),
    }, parts);
  };

  /**
   * Builds the widget again for its attributes as they now stand (controls, locked, charts),
   * keeping the experiment, its runs and the view; `relisten(fn)` runs fn with the element's
   * listeners off.
   */
  w.rebuild = (relisten) => {
    const playing = w.loop.playing;
    const view = parts.landscape.view;
    w.playback.pause();
    relisten(() => {
      if (parts.sweepCard) parts.sweepCard.halt();
      if (parts.analysisCard) parts.analysisCard.cancel();
      attrs = null;
      stopTheme(parts.$.shell);
      element.shadowRoot.replaceChildren();
      w.build();
    });
    w.experiment.setKind(true);
    parts.landscape.view = view;
    parts.landscape.apply();
    const config = w.experiment.config;
    if (parts.searchCard) parts.searchCard.reset(config);
    if (parts.analysisCard) parts.analysisCard.render();
    parts.presetBar.detect(config);
    w.views.chartDefaults(config);
    parts.sidebar.render();
    w.views.render();
    if (playing) w.playback.play();
  };

  /** What attribute-changes.js needs of the widget (see its header). */
  w.attributeHost = (relisten) => ({
    attrs: () => {
      attrs = null;
      return w.attrs;
    },
    rebuild: () => w.rebuild(relisten),
    setSpeed: (speed) => {
      w.playback.speed = speed;
      if (parts.$.speed) showSpeed(parts.$.speed, speed);
    },
    presetSpeed: () => {
      const id = presetIdOf(w.experiment.config);
      return (id && presetById(id).speed) || null;
    },
    shell: () => parts.$.shell,
    play: () => w.playback.play(),
    playing: () => w.loop.playing,
    over: () => !w.loop.playing && !!pg() && !pg().any_running(),
    replayLater: () => w.self.replayLater(),
    switchUrl: () => {
      relisten(() => { attrs = null; });
      w.link.write();
    },
    loadSource: async (name, value, current) => {
      const chosen = await chooseExperiment({ linked: null, pending: null, sources: [{ name, value }], fallback: { config: w.experiment.config } });
      if (!current()) return null;
      if (chosen.source === 'default') return chosen.problems[0];
      const drawn = w.experiment.load(chosen.json, chosen.view, chosen.preset);
      if (chosen.preset) w.experiment.presetExtras(chosen.preset, !w.attrs.speed);
      await drawn;
      return null;
    },
    showProblems: (lines) => parts.alerts.attributesNow(lines),
  });

  w.start = () => startUp({
    linked: () => w.link.fromPage(),
    pending: () => w.pending,
    clearPending: () => { w.pending = null; },
    attrs: w.attrs,
    engine: w.engine,
    experiment: w.experiment,
    parts,
    views: w.views,
    statesReset,
    writeHash: () => w.link.writeAtStart(),
    alert,
    ready: hooks.ready,
    reducedMotion,
    play: () => w.playback.play(),
  });
  return w;
}
