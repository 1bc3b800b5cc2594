// The WebAssembly engine: loads it once for every widget on the page, and replaces it after a
// trap.
//
// A trap (a Rust panic, a stack overflow, an out-of-bounds access) leaves a wasm instance in
// an unknown state: its shadow stack pointer is not restored, and an object whose method
// panicked stays borrowed, so every later call could fail ("memory access out of bounds",
// "recursive use of an object"). So the first trap retires the instance: `call` then
// answers with a fresh instance of the same compiled module, and every widget that lived on
// the old one is told (`onRenewal`) to rebuild its experiment there.
//
// Objects made by the engine (`Playground`) are wrapped by `guard`: a call that traps is
// reported (with the panic's message when Rust panicked) and rethrown as an Error whose
// message starts with "internal error".

import init, * as firstInstance from './pkg/convergence.js';

const WASM_URL = new URL('./pkg/convergence_bg.wasm', import.meta.url);

let compiled = null; // the compiled WebAssembly.Module, shared by every instance
let current = null; // the module namespace of the instance in use
let generation = 0; // counts instances; an object remembers the generation it was made in
let loading = null;
let spare = null; // a fresh copy of the glue module, imported ahead and not yet instantiated
let copies = 1; // glue module copies imported so far (each has its own wasm memory)
let renewing = null; // an asynchronous renewal in progress (when no spare was ready)
const renewalListeners = new Set();

/** Imports one more copy of the glue module for the next renewal. */
function prepareSpare() {
  copies += 1;
  // A module URL with a query string is another module instance, with its own wasm memory.
  import(`./pkg/convergence.js?instance=${copies}`).then((copy) => { spare = copy; }, () => { spare = null; });
}

/** Loads the engine once; resolves when `call` can reach it. */
export function loadEngine() {
  if (!loading) {
    loading = (async () => {
      compiled = await WebAssembly.compileStreaming(fetch(WASM_URL));
      await init({ module_or_path: compiled });
      current = firstInstance;
      generation = 1;
      prepareSpare();
    })();
  }
  return loading;
}

/** The compiled WebAssembly.Module (after `loadEngine()`), for Web Workers to instantiate. */
export function compiledModule() {
  return compiled;
}

/** The number of the instance in use (1 for the first, more after renewals). */
export function engineGeneration() {
  return generation;
}

/** Calls `listener()` after every renewal of the engine; returns the unsubscriber. */
export function onRenewal(listener) {
  renewalListeners.add(listener);
  return () => renewalListeners.delete(listener);
}

/** True for an exception that means the instance trapped (not a validation error). */
function isTrap(error) {
  if (error instanceof WebAssembly.RuntimeError) return true;
  const message = error && error.message ? String(error.message) : '';
  return message.startsWith('recursive use of an object') || message.includes('null pointer passed to rust');
}

function switchTo(namespace) {
  current = namespace;
  generation += 1;
  for (const listener of renewalListeners) listener();
}

/**
 * Retires the instance of `fromGeneration` after a trap (once, however many objects report
 * the same trap). With a spare copy of the glue module ready, the fresh instance is made at
 * once (the compiled module is instantiated synchronously) and every widget has moved to it
 * when this returns; otherwise the renewal finishes asynchronously (see `renewal()`).
 */
function renew(fromGeneration) {
  if (fromGeneration !== generation || renewing) return;
  if (spare) {
    const fresh = spare;
    spare = null;
    fresh.initSync({ module: compiled });
    switchTo(fresh);
    prepareSpare();
    return;
  }
  renewing = (async () => {
    copies += 1;
    const fresh = await import(`./pkg/convergence.js?instance=${copies}`);
    await fresh.default({ module_or_path: compiled });
    renewing = null;
    switchTo(fresh);
    prepareSpare();
  })();
}

/** Resolves when no renewal is in progress. */
export function renewal() {
  return renewing || Promise.resolve();
}

/** True while the instance in use is retired and its successor not yet ready. */
export function isRenewing() {
  return renewing !== null;
}

/** The Error a trapped call is rethrown as, with Rust's panic message when there is one. */
function internalError(error, lastPanic) {
  const detail = lastPanic || (error && error.message ? error.message : String(error));
  const wrapped = new Error(`internal error: ${detail}`);
  wrapped.internal = true;
  return wrapped;
}

function readPanic(namespace) {
  try {
    return namespace.last_panic();
  } catch {
    return '';
  }
}

/**
 * Wraps an engine object so that a trap in any of its methods retires the instance (see the
 * header) and calls `onTrap(error)` with an Error whose message starts with "internal error",
 * which is then thrown to the caller.
 */
export function guard(object, onTrap) {
  const namespace = current;
  const madeIn = generation;
  return new Proxy(object, {
    get(target, key) {
      const value = target[key];
      if (typeof value !== 'function') return value;
      return (...args) => {
        if (madeIn !== generation || renewing) {
          throw Object.assign(new Error('internal error: the computing engine is restarting; try again'), { internal: true });
        }
        try {
          return value.apply(target, args);
        } catch (error) {
          if (!isTrap(error)) throw error;
          const wrapped = internalError(error, readPanic(namespace));
          renew(madeIn);
          onTrap(wrapped);
          throw wrapped;
        }
      };
    },
  });
}

/** Calls `fn` with the engine in use; a trap retires the instance and is thrown as an internal error. */
export function call(fn) {
  if (renewing) {
    throw Object.assign(new Error('internal error: the computing engine is restarting; try again'), { internal: true });
  }
  const namespace = current;
  const madeIn = generation;
  try {
    return fn(namespace);
  } catch (error) {
    if (!isTrap(error)) throw error;
    const wrapped = internalError(error, readPanic(namespace));
    renew(madeIn);
    throw wrapped;
  }
}

/** Checks a config (JSON text) in the engine in use: "" when valid, else every problem, one per line. */
export function validateConfig(json) {
  return call((w) => w.validate_config(json));
}
