// The page's side of the analyses (www/lab.js) in Node, with a fake Worker: a worker that cannot
// start, or that fails in the middle of a job, is terminated and the call rejects with its
// message instead of waiting forever; a worker that answered is kept for the next job.

import test from 'node:test';
import assert from 'node:assert/strict';

/** Every fake worker made, in order. */
const made = [];
/** How the next workers behave: 'ready', 'refuse' (an error message at start), 'crash-start' (an error event at start), 'crash-job' (an error event during a job), 'answer'. */
let plan = [];

class FakeWorker extends EventTarget {
  constructor() {
    super();
    this.behaviour = plan.shift() || 'answer';
    this.terminated = false;
    made.push(this);
  }

  #emit(type, props) {
    setTimeout(() => this.dispatchEvent(Object.assign(new Event(type), props)), 0);
  }

  postMessage(message) {
    if (this.terminated) return;
    if (message.type === 'start') {
      if (this.behaviour === 'refuse') this.#emit('message', { data: { type: 'error', message: 'refused' } });
      else if (this.behaviour === 'crash-start') this.#emit('error', { message: 'the script threw at start' });
      else this.#emit('message', { data: { type: 'ready' } });
      return;
    }
    if (this.behaviour === 'crash-job') this.#emit('error', { message: 'the script threw in a job' });
    else this.#emit('message', { data: { type: 'result', id: message.id, result: `done ${message.kind}` } });
  }

  terminate() {
    this.terminated = true;
  }
}

globalThis.Worker = FakeWorker;
globalThis.fetch = async () => ({});
WebAssembly.compileStreaming = async () => ({});
const { analyse } = await import('../../www/lab.js');

test('a worker that cannot start is terminated and the analysis rejects with its message', async () => {
  for (const [behaviour, words] of [['refuse', /refused/], ['crash-start', /the script threw at start/]]) {
    plan = [behaviour];
    const before = made.length;
    await assert.rejects(analyse({ config: '{}', kind: 'theory' }), words);
    assert.equal(made.length, before + 1);
    assert.equal(made.at(-1).terminated, true, `${behaviour}: terminated`);
  }
});

test('a worker that fails during a job is terminated and the job rejects; one that answers is reused', async () => {
  plan = ['crash-job'];
  await assert.rejects(analyse({ config: '{}', kind: 'theory' }), /the script threw in a job/);
  const crashed = made.at(-1);
  assert.equal(crashed.terminated, true, 'the failed worker stopped');
  plan = ['answer'];
  const first = await analyse({ config: '{}', kind: 'rate' });
  assert.equal(first, 'done rate');
  const worker = made.at(-1);
  assert.notEqual(worker, crashed, 'a fresh worker, not the failed one');
  const second = await analyse({ config: '{}', kind: 'rate' });
  assert.equal(second, 'done rate');
  assert.equal(made.at(-1), worker, 'the worker that answered is reused');
  assert.equal(worker.terminated, false);
});
