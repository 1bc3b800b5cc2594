// A widget's experiment and its changes (www/experiment.js) in Node: a fake Playground that
// accepts or refuses configs as the core would, and fake parts that record what they are asked.
// It checks what the page relies on: a refused draft keeps the running experiment, a load is
// all or nothing, a label change replays the runs to where they were when that is quick, a
// preset brings its speed and plays, and the selected run stays in range.

import test from 'node:test';
import assert from 'node:assert/strict';
import { Experiment, replayable, replaySteps, REPLAY_MAX_STEPS, REPLAY_MAX_MS } from '../../www/experiment.js';
import { presetById } from '../../www/presets.js';

const landscapeConfig = (runs = 2, extra = {}) => ({
  seed: 1,
  problem: { name: 'rosenbrock' },
  runs: Array.from({ length: runs }, (_, i) => ({ label: `run${i}`, optimizer: { name: 'Adam', lr: 0.01 } })),
  stop: { max_steps: 3000 },
  ...extra,
});

/** An object whose every method records its call as `name.method`; assigned fields are kept. */
function recorder(name, log, fields = {}) {
  return new Proxy({ ...fields }, {
    get(target, key) {
      if (key in target) return target[key];
      return (...args) => { log.push(`${name}.${String(key)}`); return args[0]; };
    },
  });
}

/** The widget around an Experiment: the fake Playground, parts and host it talks to. */
function setUp({ stepCost = 0.01, reduced = false } = {}) {
  const log = [];
  const pg = {
    configs: [],
    steps: 0,
    queued: [],
    failNext: null, // an Error the next set_config throws
    set_config(json) {
      if (pg.failNext) {
        const e = pg.failNext;
        pg.failNext = null;
        throw e;
      }
      const config = JSON.parse(json);
      if (config.runs.some((r) => !(r.optimizer.lr > 0))) throw new Error('runs[0].optimizer.lr: must be > 0\nruns[1].optimizer.lr: must be > 0');
      pg.configs.push(json);
      pg.kind = config.problem.name === 'model' ? 'classification' : 'landscape';
    },
    problem_kind: () => pg.kind,
    max_step: () => pg.steps,
    queue_steps: (n) => pg.queued.push(n),
    reset: () => log.push('pg.reset'),
  };
  const landscape = recorder('landscape', log, {
    view: null,
    refuse: null, // a view box apply() refuses
    apply() {
      log.push('landscape.apply');
      if (landscape.refuse && landscape.view === landscape.refuse) throw new Error('the view box is empty');
    },
  });
  const parts = {
    landscape,
    modelView: recorder('modelView', log),
    charts: recorder('charts', log),
    timeline: recorder('timeline', log),
    runs: recorder('runs', log),
    sidebar: recorder('sidebar', log),
    presetBar: recorder('presetBar', log),
    sweepCard: recorder('sweepCard', log),
    searchCard: recorder('searchCard', log),
  };
  const loop = recorder('loop', log, { stepCost, drain: (dispatch) => { log.push(`loop.drain(${dispatch})`); return Promise.resolve(null); } });
  const host = {
    speed: null,
    errors: null,
    pg: () => pg,
    parts: () => parts,
    loop,
    maxSteps: () => (experiment.config.stop && experiment.config.stop.max_steps) || 10000,
    pause: () => log.push('pause'),
    play: () => log.push('play'),
    reducedMotion: () => reduced,
    render: () => log.push('render'),
    renderSoon: () => {
      log.push('renderSoon');
      return Promise.resolve();
    },
    drawMain: () => log.push('drawMain'),
    showKind: (changed) => log.push(`showKind(${changed})`),
    chartDefaults: () => log.push('chartDefaults'),
    statesReset: () => log.push('statesReset'),
    setSpeed: (speed) => { host.speed = speed; },
    writeHash: () => log.push('writeHash'),
    configErrors: (text) => { host.errors = text; },
    clearConfigErrors: () => { host.errors = null; },
  };
  const experiment = new Experiment(host);
  return { experiment, pg, parts, landscape, loop, host, log };
}

/** A widget that started with `config`, as startup.js does. */
function started(config = landscapeConfig(), options = {}) {
  const w = setUp(options);
  const json = JSON.stringify(config);
  w.pg.set_config(json);
  w.experiment.adopt(json);
  w.experiment.setKind();
  w.log.length = 0;
  return w;
}

test('replayable: a landscape up to REPLAY_MAX_STEPS, a model when its measured steps fit REPLAY_MAX_MS', () => {
  assert.equal(replayable(REPLAY_MAX_STEPS, false, null), true);
  assert.equal(replayable(REPLAY_MAX_STEPS + 1, false, 0), false);
  assert.equal(replayable(100, true, null), false, 'a model whose step cost is unknown');
  assert.equal(replayable(1000, true, (REPLAY_MAX_MS - 1) / 1000), true);
  assert.equal(replayable(1000, true, REPLAY_MAX_MS / 1000), false);
});

test('replaySteps: one more step at the step limit, where a run notices it', () => {
  assert.equal(replaySteps(500, 3000), 500);
  assert.equal(replaySteps(3000, 3000), 3001);
});

test('apply takes a valid draft: a copy of it runs, the version grows, the link and drawing follow', () => {
  const { experiment, pg, host, log } = started();
  const version = experiment.version;
  experiment.draft.runs[0].optimizer.lr = 0.5;
  assert.equal(experiment.apply('value'), true);
  assert.equal(experiment.config.runs[0].optimizer.lr, 0.5);
  assert.notEqual(experiment.config, experiment.draft, 'the running config is a copy of the draft');
  assert.equal(JSON.parse(pg.configs.at(-1)).runs[0].optimizer.lr, 0.5);
  assert.equal(experiment.version, version + 1);
  assert.equal(host.errors, null);
  for (const call of ['timeline.live', 'statesReset', 'sidebar.notify', 'presetBar.edited', 'writeHash', 'render']) {
    assert.ok(log.includes(call), `${call} after apply`);
  }
  assert.deepEqual(pg.queued, [], 'a value change restarts the runs: nothing replayed');
});

test('apply of a draft the core refuses keeps the running experiment and shows every problem', () => {
  const { experiment, pg, host, log } = started();
  const before = JSON.stringify(experiment.config);
  const version = experiment.version;
  experiment.draft.runs[1].optimizer.lr = -1;
  assert.equal(experiment.apply('value'), false);
  assert.equal(JSON.stringify(experiment.config), before);
  assert.equal(experiment.version, version);
  assert.match(host.errors, /runs\[0\]\.optimizer\.lr: must be > 0\nruns\[1\]/);
  assert.equal(pg.configs.length, 1, 'only the first config was taken');
  assert.ok(!log.includes('render') && !log.includes('writeHash'));
});

test('a label change replays a landscape to where its runs were, one step more at the limit', () => {
  const w = started();
  w.pg.steps = 1200;
  w.experiment.draft.runs[0].label = 'renamed';
  assert.equal(w.experiment.apply('cosmetic'), true);
  assert.deepEqual(w.pg.queued, [1200]);
  assert.ok(w.log.includes('loop.drain(false)'), 'replayed without firing events');

  const atLimit = started();
  atLimit.pg.steps = 3000;
  atLimit.experiment.draft.runs[0].label = 'renamed';
  atLimit.experiment.apply('cosmetic');
  assert.deepEqual(atLimit.pg.queued, [3001]);
});

test('a label change does not replay a model whose step cost is unknown, nor a run beyond the replay limit', () => {
  const model = started(landscapeConfig(1, { problem: { name: 'model' } }), { stepCost: null });
  assert.equal(model.experiment.isModel, true);
  model.pg.steps = 10;
  model.experiment.draft.runs[0].label = 'renamed';
  model.experiment.apply('cosmetic');
  assert.deepEqual(model.pg.queued, []);

  const long = started();
  long.pg.steps = REPLAY_MAX_STEPS + 1;
  long.experiment.draft.runs[0].label = 'renamed';
  long.experiment.apply('cosmetic');
  assert.deepEqual(long.pg.queued, []);
});

test('load is all or nothing: a view box the landscape refuses leaves the running experiment as it was', () => {
  const { experiment, pg, landscape } = started(landscapeConfig(3));
  landscape.view = [-2, 2, -1, 3];
  experiment.select(2);
  const before = JSON.stringify(experiment.config);
  landscape.refuse = [0, 0, 0, 0];
  assert.throws(() => experiment.load(JSON.stringify(landscapeConfig(1, { seed: 9 })), landscape.refuse), /view box is empty/);
  assert.equal(JSON.stringify(experiment.config), before);
  assert.equal(pg.configs.at(-1), before, 'the engine runs the previous config again');
  assert.equal(experiment.selected, 2);
  assert.deepEqual(landscape.view, [-2, 2, -1, 3]);
  assert.equal(JSON.stringify(experiment.draft), before, 'the draft is the running experiment');
});

test('load of a valid config: the first run is selected, the draft follows, the preset bar is told', () => {
  const { experiment, log } = started(landscapeConfig(3));
  experiment.select(2);
  log.length = 0;
  const next = landscapeConfig(2, { seed: 4 });
  experiment.load(JSON.stringify(next), null);
  assert.deepEqual(experiment.config, next);
  assert.deepEqual(experiment.draft, next);
  assert.equal(experiment.selected, 0);
  assert.equal(log[0], 'pause', 'the animation pauses first');
  for (const call of ['presetBar.loaded', 'writeHash', 'sidebar.render', 'renderSoon']) assert.ok(log.includes(call), call);
  assert.ok(!log.includes('render'), 'the views are drawn in a task of their own, not during the load');
});

test('an internal error during a load is not rolled back on the engine that failed', () => {
  const { experiment, pg } = started();
  pg.failNext = Object.assign(new Error('internal error: boom'), { internal: true });
  const configs = pg.configs.length;
  assert.throws(() => experiment.load(JSON.stringify(landscapeConfig(1)), null), /internal error/);
  assert.equal(pg.configs.length, configs, 'no second call into the failed engine');
});

test('a preset loads its config, brings its speed and plays, unless the reader asked for reduced motion', () => {
  const preset = presetById('bowl');
  const w = started();
  w.experiment.choosePreset('bowl');
  assert.deepEqual(w.experiment.config, preset.config);
  assert.equal(w.host.speed, preset.speed);
  assert.ok(w.log.includes('presetBar.loaded') && w.log.includes('charts.draw'));
  assert.equal(w.log.at(-1), 'play');

  const still = started(landscapeConfig(), { reduced: true });
  still.experiment.choosePreset('bowl');
  assert.ok(!still.log.includes('play'));

  const unknown = started();
  const before = JSON.stringify(unknown.experiment.config);
  unknown.experiment.choosePreset('no-such-preset');
  assert.equal(JSON.stringify(unknown.experiment.config), before);
  assert.deepEqual(unknown.log, ['presetBar.set']);
});

test('a preset\'s speed can be kept out (the author\'s speed attribute holds at start-up)', () => {
  const w = started();
  w.experiment.presetExtras(presetById('lr'), false);
  assert.equal(w.host.speed, null);
});

test('select ignores a run that does not exist; a config with fewer runs keeps the selection in range', () => {
  const { experiment, log } = started(landscapeConfig(3));
  experiment.select(5);
  experiment.select(-1);
  assert.equal(experiment.selected, 0);
  assert.deepEqual(log, []);
  experiment.select(2);
  assert.equal(experiment.selected, 2);
  assert.ok(log.includes('sidebar.renderRun') && log.includes('drawMain'));
  experiment.draft.runs.splice(1, 2);
  experiment.apply('structure');
  assert.equal(experiment.selected, 0);
});

test('the kind of problem comes from the core; showKind is told when it changes', () => {
  const { experiment, log } = started();
  assert.equal(experiment.kind, 'landscape');
  experiment.load(JSON.stringify(landscapeConfig(1, { problem: { name: 'model' } })), null);
  assert.equal(experiment.kind, 'classification');
  assert.ok(log.includes('showKind(true)'));
});

test('restart resets the runs and grows the version', () => {
  const { experiment, log } = started();
  const version = experiment.version;
  experiment.restart();
  assert.equal(experiment.version, version + 1);
  assert.deepEqual(log, ['timeline.live', 'loop.cancelDrain', 'pg.reset', 'statesReset', 'render']);
});
