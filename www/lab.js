// The page's side of the analyses: fetches and compiles the analysis wasm (www/pkg-lab) the first
// time a visitor runs an analysis, and runs each analysis in a Web Worker (lab-worker.js), so a
// long analysis never blocks the page. An analysis can be cancelled: its worker is terminated
// and a fresh one is started for the next. The results have the keys and values of
// `converge analyse` for the same config.
//
// analyse({ config, kind, view, onProgress, onPartial, signal }) -> Promise<report>
//   config: the experiment as JSON text; kind: an `analysis` key ("basins", "theory", ...);
//   view: [x0, x1, y0, y1] or null; onProgress(share 0..1); onPartial(report so far, share);
//   signal: an AbortSignal; aborting rejects with an AbortError and stops the work at once.
//
// The exports that would block the page run there too, each one message answered by its text:
// pytorchScript({ config, run, signal }) -> Promise<the script of `converge pytorch`>;
// traceBytes({ config, format, steps, running, signal }) -> Promise<the trace of `converge run
//   --trace` as UTF-8 bytes (a Uint8Array), run i to steps[i] updates while running[i], else to
//   its end>.
// applyRemedy({ config, run, remedy }) -> Promise<experiment JSON text>
//   the doctor's remedy (a diagnosis's `remedy`) for run `run` applied by Rust as a new run
//   beside it (or to the whole experiment when it changes what every run shares).

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
  return worker;
}

/** Runs one analysis in a worker; see the header for the arguments. */
export function analyse({ config, kind, view = null, onProgress = () => {}, onPartial = () => {}, signal = null }) {
  return ask({ type: 'run', config, kind, view }, { onProgress, onPartial, signal });
}

/** The experiment with the doctor's remedy applied, as JSON text; see the header. */
export function applyRemedy({ config, run, remedy }) {
  return ask({ type: 'remedy', config, run, remedy }, {});
}

/**
 * Sends `message` to an idle worker and resolves with its one result (progress and partial
 * results on the way for an analysis); `signal` cancels it by terminating the worker.
 */
async function ask(message, { onProgress = () => {}, onPartial = () => {}, signal = null }) {
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
        onProgress(1);
        resolve(m.result);
      } else if (m.type === 'error') {
        // A worker whose engine trapped is not reused.
        finish(!m.message.startsWith('internal error'));
        reject(new Error(m.message));
      }
    };
    worker.addEventListener('message', listen);
    signal?.addEventListener('abort', abort, { once: true });
    worker.postMessage({ ...message, id });
  });
}

/** The PyTorch script of run `run` of the experiment `config` (JSON text); see the header. */
export function pytorchScript({ config, run, signal = null }) {
  return ask({ type: 'pytorch', config, run }, { signal });
}

/** The trace as CSV or JSON in UTF-8, the runs replayed to where they stand; see the header. */
export function traceBytes({ config, format, steps, running, signal = null }) {
  return ask({ type: 'trace', config, format, steps, running: running.map((r) => (r ? 1 : 0)) }, { signal });
}

function abortError() {
  return new DOMException('The analysis was cancelled.', 'AbortError');
}
