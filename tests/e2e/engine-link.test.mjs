// One widget's link to the engine and its recovery from traps (www/engine-link.js) in Node,
// with a fake engine that behaves like wasm.js: a trap retires the instance, either at once (a
// spare instance was ready: the renewal listeners run before the trap is reported) or later (the
// renewal is a Promise), and every widget on the old instance moves to the new one.

import test from 'node:test';
import assert from 'node:assert/strict';
import { EngineLink, TRAP_TITLE, RENEWED_TITLE, RESTART_FAILED_TITLE } from '../../www/engine-link.js';

/** A fake of wasm.js: Playgrounds remember their config and the instance they were made in. */
function fakeEngine() {
  const engine = {
    gen: 1,
    renewing: null, // {promise, finish} while an asynchronous renewal runs
    listeners: new Set(),
    refuse: false, // the next Playground is refused (a config the fresh engine rejects)
    made: [],
    traps: [], // onTrap callbacks of the guarded objects, in order
    call: (fn) => fn({
      Playground: function Playground(json) {
        if (engine.refuse) throw new Error('refused by the engine');
        this.json = json;
        this.gen = engine.gen;
        engine.made.push(this);
      },
    }),
    guard: (object, onTrap) => {
      engine.traps.push(onTrap);
      return object;
    },
    generation: () => engine.gen,
    isRenewing: () => engine.renewing !== null,
    renewal: () => (engine.renewing ? engine.renewing.promise : Promise.resolve()),
    onRenewal: (listener) => {
      engine.listeners.add(listener);
      return () => engine.listeners.delete(listener);
    },
    /** A renewal finishing: the fresh instance is in use and every listener is told. */
    switchTo() {
      engine.gen += 1;
      for (const listener of engine.listeners) listener();
    },
    /** The last guarded object traps; `spare`: the fresh instance is made at once. */
    trap(spare) {
      const error = Object.assign(new Error('internal error: boom'), { internal: true });
      if (spare) {
        engine.switchTo();
      } else {
        let finish;
        const promise = new Promise((resolve) => { finish = resolve; });
        engine.renewing = { promise, finish };
      }
      engine.traps[engine.traps.length - 1](error);
      return error;
    },
    /** The asynchronous renewal ends. */
    async finishRenewal() {
      const { finish } = engine.renewing;
      engine.renewing = null;
      engine.switchTo();
      finish();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return engine;
}

/** A host that records what the link asks of it. */
function fakeHost(config = { seed: 1 }) {
  const host = {
    config: () => host.current,
    current: config,
    log: [],
    alerts: [],
    stop: () => host.log.push('stop'),
    dropped: (error) => host.log.push(`dropped: ${error.message}`),
    restored: () => host.log.push('restored'),
    alert: (title, lines) => host.alerts.push({ title, lines }),
  };
  return host;
}

test('open makes a guarded Playground of the config in the engine in use', () => {
  const engine = fakeEngine();
  const link = new EngineLink(engine, fakeHost());
  assert.equal(link.pg, null);
  const pg = link.open('{"seed":2}');
  assert.equal(link.pg, pg);
  assert.equal(pg.json, '{"seed":2}');
  assert.equal(engine.traps.length, 1, 'the Playground is guarded');
});

test('a trap while the engine renews asynchronously: dropped, reported, restored on the fresh engine', async () => {
  const engine = fakeEngine();
  const host = fakeHost({ seed: 7 });
  const link = new EngineLink(engine, host);
  link.watch(true);
  link.open('{"seed":1}');
  engine.trap(false);
  assert.equal(link.pg, null, 'the Playground of the retired engine is forgotten');
  assert.deepEqual(host.log, ['dropped: internal error: boom', 'stop']);
  assert.deepEqual(host.alerts, [{ title: TRAP_TITLE, lines: ['internal error: boom'] }]);
  await engine.finishRenewal();
  assert.ok(link.pg, 'a fresh Playground');
  assert.equal(link.pg.gen, 2, 'made in the fresh engine');
  assert.equal(link.pg.json, '{"seed":7}', 'from the last working experiment');
  assert.deepEqual(host.log.slice(2), ['restored']);
  assert.equal(host.alerts.length, 1, 'the renewal this widget caused is not reported twice');
});

test('a trap with a spare engine ready: the widget moves at once and says what happened', () => {
  const engine = fakeEngine();
  const host = fakeHost({ seed: 3 });
  const link = new EngineLink(engine, host);
  link.watch(true);
  link.open('{"seed":1}');
  engine.trap(true);
  assert.equal(link.pg.gen, 2);
  assert.equal(link.pg.json, '{"seed":3}');
  assert.deepEqual(host.log, ['dropped: internal error: the computing engine was restarted', 'restored', 'stop']);
  // The trap's own message is the last word in the alert.
  assert.deepEqual(host.alerts.map((a) => a.title), [RENEWED_TITLE, TRAP_TITLE]);
});

test('a renewal caused by another widget moves this one; a renewal it already follows does nothing', () => {
  const engine = fakeEngine();
  const host = fakeHost();
  const link = new EngineLink(engine, host);
  link.watch(true);
  link.open('{"seed":1}');
  engine.switchTo();
  assert.equal(link.pg.gen, 2);
  assert.deepEqual(host.alerts.map((a) => a.title), [RENEWED_TITLE]);
  const before = host.log.length;
  for (const listener of engine.listeners) listener(); // the same generation: nothing to do
  assert.equal(host.log.length, before);
});

test('without watch (a disconnected widget) renewals are not followed', () => {
  const engine = fakeEngine();
  const host = fakeHost();
  const link = new EngineLink(engine, host);
  link.watch(true);
  link.watch(false);
  assert.equal(engine.listeners.size, 0);
  link.open('{"seed":1}');
  engine.switchTo();
  assert.equal(link.pg.gen, 1, 'still the old Playground');
  assert.deepEqual(host.log, []);
  // Connected again: the renewal it missed moves it to the fresh engine at once.
  link.watch(true);
  assert.equal(link.pg.gen, 2, 'a Playground of the fresh engine');
  assert.deepEqual(host.log, ['dropped: internal error: the computing engine was restarted', 'restored']);
  assert.deepEqual(host.alerts.map((a) => a.title), [RENEWED_TITLE]);
  // Watching again while it already follows the engine changes nothing.
  link.watch(true);
  assert.equal(engine.made.length, 2);
});

test('a restart that fails leaves no Playground and says so', async () => {
  const engine = fakeEngine();
  const host = fakeHost();
  const link = new EngineLink(engine, host);
  link.open('{"seed":1}');
  engine.trap(false);
  engine.refuse = true;
  await engine.finishRenewal();
  assert.equal(link.pg, null);
  assert.deepEqual(host.alerts.at(-1), { title: RESTART_FAILED_TITLE, lines: ['refused by the engine'] });
  assert.ok(!host.log.includes('restored'));
});

test('no experiment yet: nothing to restore', async () => {
  const engine = fakeEngine();
  const host = fakeHost(null);
  const link = new EngineLink(engine, host);
  link.open('{"seed":1}');
  engine.trap(false);
  await engine.finishRenewal();
  assert.equal(link.pg, null);
  assert.equal(engine.made.length, 1);
});
