// A Web Worker that runs one analysis at a time for the page (lab.js): it instantiates the
// analysis wasm (www/pkg-lab, src/web/lab.rs) from the compiled module the page sends, then
// advances a LabJob in chunks of optimizer steps, each chunk sized to take about CHUNK_MS. Between
// chunks it reports its progress, and about every PARTIAL_MS the results so far, so that the page
// can draw a basin map or a sweep while it fills in. A job is cancelled by terminating the
// worker (lab.js), so the worker never needs to poll for messages.
//
// Messages in: {type: 'start', module}, then {type: 'run', id, config, kind, view, cells, until}
// (cells: [first, end] of a basins grid, or absent; until: where the page's runs stand, for the
// doctor while they play, or absent) or {type: 'merge', id, config, view, ends, steps}.
// Messages out: {type: 'ready'}, {type: 'progress', id, progress},
// {type: 'partial', id, progress, result}, {type: 'result', id, result, ends?}, {type: 'error', id, message}.
// A basins range's result carries its `ends` (LabJob.ends(): three numbers per start, then its
// updates), which lab.js concatenates in the grid's order and sends back as one 'merge'.
//
// It also does the page's exports that would block it: {type: 'pytorch', id, config, run} (the
// script of `converge pytorch`) and {type: 'trace', id, config, format, steps, running} (the
// trace of `converge run --trace` up to where the page's runs stand, as UTF-8 bytes), and
// applies the doctor's remedies ({type: 'remedy', id, config, run, remedy}: the new experiment,
// computed in Rust by `apply_remedy`), each answered by one 'result' or 'error'.

import init, { LabJob, apply_remedy, last_panic, pytorch_script, trace } from './pkg-lab/convergence.js';

const CHUNK_MS = 40;
const PARTIAL_MS = 300;

/** Runs the job to its end, posting progress and partial results. */
function run({ id, config, kind, view, cells, until }) {
  const job = new LabJob(config, kind, view ?? undefined, cells ?? undefined);
  if (until) job.stop_at(until);
  let budget = 64;
  let lastPartial = performance.now();
  for (;;) {
    const start = performance.now();
    const done = job.advance(budget);
    const took = performance.now() - start;
    if (done) break;
    // Doubles while a chunk is quick, halves when one overruns: chunks stay near CHUNK_MS.
    if (took < CHUNK_MS / 2) budget *= 2;
    else if (took > CHUNK_MS * 2) budget = Math.max(1, Math.floor(budget / 2));
    const now = performance.now();
    if (now - lastPartial >= PARTIAL_MS) {
      lastPartial = now;
      self.postMessage({ type: 'partial', id, progress: job.progress(), result: job.result() });
    } else {
      self.postMessage({ type: 'progress', id, progress: job.progress() });
    }
  }
  if (cells) {
    const ends = job.ends();
    self.postMessage({ type: 'result', id, result: job.result(), ends }, [ends.buffer]);
  } else {
    self.postMessage({ type: 'result', id, result: job.result() });
  }
  job.free();
}

/** The whole basins grid from every range's ends, in the grid's order (LabJob.merge_basins). */
function merge({ id, config, view, ends, steps }) {
  const job = new LabJob(config, 'basins', view ?? undefined, [0, 0]);
  const result = job.merge_basins(ends, steps);
  job.free();
  self.postMessage({ type: 'result', id, result });
}

self.addEventListener('message', async (event) => {
  const message = event.data;
  try {
    if (message.type === 'start') {
      await init({ module_or_path: message.module });
      self.postMessage({ type: 'ready' });
    } else if (message.type === 'run') {
      run(message);
    } else if (message.type === 'merge') {
      merge(message);
    } else if (message.type === 'pytorch') {
      self.postMessage({ type: 'result', id: message.id, result: pytorch_script(message.config, message.run) });
    } else if (message.type === 'trace') {
      // As UTF-8 bytes, moved rather than copied: the page wraps them in a Blob without work.
      const result = new TextEncoder().encode(trace(message.config, message.format, message.steps, message.running));
      self.postMessage({ type: 'result', id: message.id, result }, [result.buffer]);
    } else if (message.type === 'remedy') {
      const result = apply_remedy(message.config, message.run, JSON.stringify(message.remedy));
      self.postMessage({ type: 'result', id: message.id, result });
    }
  } catch (error) {
    const panic = safePanic();
    const text = String(error && error.message ? error.message : error);
    self.postMessage({ type: 'error', id: message.id, message: panic ? `internal error: ${panic}` : text });
  }
});

/** The last Rust panic's message, or "" (also when the instance cannot answer any more). */
function safePanic() {
  try {
    return last_panic();
  } catch {
    return '';
  }
}
