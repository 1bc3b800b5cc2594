// The page's side of the analyses: fetches and compiles the analysis wasm (www/pkg-lab) the first
// time a visitor runs an analysis, and runs each analysis in a Web Worker (lab-worker.js), so a
// long analysis never blocks the page. An analysis can be cancelled: its worker is terminated
// and a fresh one is started for the next. The results have the keys and values of
// `converge analyse` for the same config.
//
// analyse({ config, kind, view, until, onProgress, onPartial, signal, workers }) -> Promise<report>
//   config: the experiment as JSON text; kind: an `analysis` key ("basins", "theory", ...);
//   view: [x0, x1, y0, y1] or null; onProgress(share 0..1); onPartial(report so far, share);
//   until: for the doctor (and the rate readout, the theory), each run's step to stop at (where
//   the page's runs stand while they play), or null: to their end;
//   signal: an AbortSignal; aborting rejects with an AbortError and stops the work at once;
//   workers: how many workers share a basins grid (default: the visitor's cores). Basins run
//   as ranges of cells, one per worker, merged by a last worker in the grid's order (the
//   result is the same bit for bit whatever the number of workers).
//
// The exports that would block the page run there too, each one message answered by its text:
// pytorchScript({ config, run, signal }) -> Promise<the script of `converge pytorch`>;
// traceBytes({ config, format, steps, running, signal }) -> Promise<the trace of `converge run
//   --trace` as UTF-8 bytes (a Uint8Array), run i to steps[i] updates while running[i], else to
//   its end>.
// applyRemedy({ config, run, remedy }) -> Promise<experiment JSON text>
//   the doctor's remedy (a diagnosis's `remedy`) for run `run` applied by Rust as a new run
//   beside it (or to the whole experiment when it changes what every run shares).

import { OVERLAY_CODES } from './catalog.js';

const LAB_WASM_URL = new URL('./pkg-lab/convergence_bg.wasm', import.meta.url);
const WORKER_URL = new URL('./lab-worker.js', import.meta.url);

let compiling = null; // the compiled analysis module, shared by every worker
let idle = []; // started workers with no job
let nextId = 1;

/** The compiled analysis module (fetched and compiled once). */
function labModule() {
  if (!compiling) {
    compiling = WebAssembly.compileStreaming(fetch(LAB_WASM_URL)).catch((error) => {
      compiling = null;
      throw new Error(`the analysis engine did not load: ${error.message}`);
    });
  }
  return compiling;
}

/** An idle worker, or a new one once its engine is ready. */
async function takeWorker() {
  if (idle.length > 0) return idle.pop();
  const module = await labModule();
  const worker = new Worker(WORKER_URL, { type: 'module' });
  try {
    await new Promise((resolve, reject) => {
      const listen = (event) => {
        worker.removeEventListener('message', listen);
        if (event.data.type === 'ready') resolve();
        else reject(new Error(event.data.message));
      };
      worker.addEventListener('message', listen);
      worker.addEventListener('error', (event) => reject(new Error(event.message || 'the analysis worker failed')), { once: true });
      worker.postMessage({ type: 'start', module });
    });
  } catch (error) {
    // A worker that could not start is never used: it stops here.
    worker.terminate();
    throw error;
  }
  return worker;
}

/**
 * Runs one analysis; see the header for the arguments. Basins are split into ranges of cells
 * across `workers` workers (default: the visitor's cores) and merged into the result one pass
 * gives, bit for bit, whatever the number of workers.
 */
export async function analyse({ config, kind, view = null, until = null, onProgress = () => {}, onPartial = () => {}, signal = null, workers = null }) {
  if (kind === 'basins') return analyseBasins({ config, view, onProgress, onPartial, signal, workers });
  const done = await onWorker({ type: 'run', config, kind, view, until }, { onProgress, onPartial, signal });
  onProgress(1);
  return done.result;
}

/** Posts `message` (given a fresh id) to a worker; resolves with its 'result' message. */
async function onWorker(message, { onProgress = () => {}, onPartial = () => {}, signal = null } = {}) {
  if (signal?.aborted) throw abortError();
  const worker = await takeWorker();
  if (signal?.aborted) {
    idle.push(worker);
    throw abortError();
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const finish = (keep) => {
      worker.removeEventListener('message', listen);
      worker.removeEventListener('error', crashed);
      signal?.removeEventListener('abort', abort);
      if (keep) idle.push(worker);
      else worker.terminate();
    };
    const abort = () => {
      finish(false);
      reject(abortError());
    };
    const listen = (event) => {
      const m = event.data;
      if (m.id !== id) return;
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'partial') {
        onProgress(m.progress);
        onPartial(m.result, m.progress);
      } else if (m.type === 'result') {
        finish(true);
        resolve(m);
      } else if (m.type === 'error') {
        // A worker whose engine trapped is not reused.
        finish(!m.message.startsWith('internal error'));
        reject(new Error(m.message));
      }
    };
    // A worker that fails outside a job's own error message (its script threw) is stopped,
    // and the job rejects instead of waiting for an answer that will not come.
    const crashed = (event) => {
      finish(false);
      reject(new Error(event.message || 'the analysis worker failed'));
    };
    worker.addEventListener('message', listen);
    worker.addEventListener('error', crashed);
    signal?.addEventListener('abort', abort, { once: true });
    worker.postMessage({ ...message, id });
  });
}

/** The PyTorch script of run `run` of the experiment `config` (JSON text); see the header. */
export async function pytorchScript({ config, run, signal = null }) {
  return (await onWorker({ type: 'pytorch', config, run }, { signal })).result;
}

/** The trace as CSV or JSON in UTF-8, the runs replayed to where they stand; see the header. */
export async function traceBytes({ config, format, steps, running, signal = null }) {
  return (await onWorker({ type: 'trace', config, format, steps, running: running.map((r) => (r ? 1 : 0)) }, { signal })).result;
}

/** The experiment with the doctor's remedy applied, as JSON text; see the header. */
export async function applyRemedy({ config, run, remedy }) {
  return (await onWorker({ type: 'remedy', config, run, remedy })).result;
}

/** The number of workers a basins grid is split across by default. */
export function defaultWorkers() {
  return Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1));
}

const MAX_WORKERS = 16;

/**
 * Basins over `workers` ranges of the grid's cells, one per worker, merged in the grid's order.
 * The partial report is drawn from the ranges done so far: each cell's outcome where its range
 * reached it (the catalogue's pending cell elsewhere), the shares among the starts done.
 */
async function analyseBasins({ config, view, onProgress, onPartial, signal, workers }) {
  const count = Math.max(1, Math.floor(workers ?? defaultWorkers()));
  // The grid's size comes from Rust (the section's side, or its default), through one worker.
  const probe = await onWorker({ type: 'run', config, kind: 'basins', view, cells: [0, 0] }, { signal });
  const cells = probe.result.basins.side ** 2;
  const cuts = Array.from({ length: count + 1 }, (_, i) => Math.round((i * cells) / count));
  const ranges = cuts.slice(0, -1).map((first, i) => [first, cuts[i + 1]]).filter(([a, b]) => b > a);
  const partials = ranges.map(() => null);
  const shares = ranges.map(() => 0);
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal?.addEventListener('abort', stop, { once: true });
  const report = () => onProgress(shares.reduce((sum, s, i) => sum + s * (ranges[i][1] - ranges[i][0]), 0) / cells);
  try {
    const finished = await Promise.all(ranges.map((cellRange, i) => onWorker(
      { type: 'run', config, kind: 'basins', view, cells: cellRange },
      {
        signal: inner.signal,
        onProgress: (share) => { shares[i] = share; report(); },
        onPartial: (partial, share) => {
          shares[i] = share;
          partials[i] = partial.basins;
          onPartial({ basins: composeBasins(partials, ranges, cells) }, share);
        },
      },
    ).then((m) => {
      shares[i] = 1;
      partials[i] = m.result.basins;
      report();
      onPartial({ basins: composeBasins(partials, ranges, cells) }, 1);
      return m;
    })));
    const parts = finished.map((m) => m.ends);
    const steps = parts.reduce((sum, e) => sum + e[e.length - 1], 0);
    const ends = new Float64Array(parts.reduce((n, e) => n + e.length - 1, 0));
    let at = 0;
    for (const e of parts) {
      ends.set(e.subarray(0, e.length - 1), at);
      at += e.length - 1;
    }
    const merged = await onWorker({ type: 'merge', config, view, ends, steps }, { signal });
    onProgress(1);
    return merged.result;
  } catch (error) {
    inner.abort();
    throw signal?.aborted ? abortError() : error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * One partial basins report from the ranges' own: every range shares the first outcomes
 * (diverged, not converged, the known minima); the points a range found beyond them are listed
 * after, range by range (the final merge sorts them as one pass does).
 */
function composeBasins(partials, ranges, cells) {
  const first = partials.find(Boolean);
  if (!first) return null;
  const fixed = first.outcomes.filter((o) => o.kind === 'diverged' || o.kind === 'not_converged' || o.kind === 'known_minimum').length;
  const outcomes = first.outcomes.slice(0, fixed).map((o) => ({ ...o, count: 0 }));
  // A cell no range has reached yet is the core's pending cell.
  const grid = new Array(cells).fill(OVERLAY_CODES.pending_cell);
  let steps = 0;
  partials.forEach((p, i) => {
    if (!p) return;
    steps += p.steps;
    const remap = p.outcomes.map((o, k) => {
      if (k < fixed) {
        outcomes[k].count += o.count;
        return k;
      }
      outcomes.push({ ...o });
      return outcomes.length - 1;
    });
    p.grid.forEach((index, k) => { grid[ranges[i][0] + k] = remap[index]; });
  });
  const done = outcomes.reduce((n, o) => n + o.count, 0);
  for (const o of outcomes) o.share = o.count / Math.max(1, done);
  return { side: first.side, view: first.view, outcomes, grid, steps };
}

function abortError() {
  return new DOMException('The analysis was cancelled.', 'AbortError');
}
