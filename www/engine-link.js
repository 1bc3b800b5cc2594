// One widget's link to the WebAssembly engine, and its recovery from traps. wasm.js owns the
// engine itself (one for the page, replaced by a fresh instance after a trap); this module owns
// the widget's side of it: its Playground, the engine instance that Playground lives in, and what
// happens when a call traps (a bug: a Rust panic). The trap is reported, the animation stops,
// and once the engine is renewed the last working experiment starts again on the fresh
// instance. A renewal caused by another widget on the page moves this one too. It never touches
// the DOM: tests/e2e/engine-link.test.mjs runs it in Node with a fake engine.
//
// Engine contract (wasm.js in the page): call(fn), guard(object, onTrap), generation(),
// isRenewing(), renewal() (a Promise that resolves when no renewal is in progress),
// onRenewal(listener) -> unsubscribe.
// Host contract: config() (the last working experiment as an object, or null), stop() (the
// animation stops and the Play button says so), dropped(error) (the Playground is gone: a
// pending el.step(n) rejects with `error`), restored() (the experiment runs again on a fresh
// Playground: forget the old snapshot and redraw), alert(title, lines).

const message = (e) => String(e && e.message ? e.message : e);

export const TRAP_TITLE = 'Internal error: the computing engine failed. It was restarted with the last working experiment.';
export const RENEWED_TITLE = 'The computing engine was restarted after an internal error on this page; this experiment started again.';
export const RESTART_FAILED_TITLE = 'The playground could not restart after an internal error.';

export class EngineLink {
  #engine;
  #host;
  #pg = null;
  #generation = 0; // the engine instance #pg lives in
  #unsubscribe = null;

  constructor(engine, host) {
    this.#engine = engine;
    this.#host = host;
  }

  /** The widget's Playground (guarded against traps), or null. */
  get pg() {
    return this.#pg;
  }

  /**
   * Follows the engine's renewals (on connection), or stops following them (on disconnection).
   * A widget connected again after a renewal it missed moves to the fresh engine at once.
   */
  watch(on) {
    if (on && !this.#unsubscribe) {
      this.#unsubscribe = this.#engine.onRenewal(() => this.#onRenewal());
      if (!this.#engine.isRenewing()) this.#onRenewal();
    }
    if (!on && this.#unsubscribe) {
      this.#unsubscribe();
      this.#unsubscribe = null;
    }
  }

  /** Makes the Playground of a validated config (JSON text); throws when the engine refuses it. */
  open(json) {
    this.#pg = this.#make(json);
    return this.#pg;
  }

  /** A Playground in the engine in use, guarded against traps (see wasm.js). */
  #make(json) {
    const pg = this.#engine.call((w) => new w.Playground(json));
    this.#generation = this.#engine.generation();
    return this.#engine.guard(pg, (error) => this.#onTrap(error));
  }

  /** The engine trapped in one of this widget's calls: say so; the experiment restarts on a fresh one. */
  #onTrap(error) {
    const engine = this.#engine;
    if (this.#pg && (engine.isRenewing() || this.#generation !== engine.generation())) this.#drop(error);
    this.#host.stop();
    this.#host.alert(TRAP_TITLE, [error.message]);
    if (!this.#pg) engine.renewal().then(() => this.#restore());
  }

  /** The engine was renewed after a trap (here or in another widget): move to the fresh one. */
  #onRenewal() {
    if (!this.#pg || this.#generation === this.#engine.generation()) return;
    this.#drop(new Error('internal error: the computing engine was restarted'));
    this.#host.alert(RENEWED_TITLE, []);
    this.#restore();
  }

  /** Forgets the Playground of a retired engine (a pending step(n) rejects with `error`). */
  #drop(error) {
    this.#pg = null;
    this.#host.dropped(error);
  }

  /** Rebuilds the last working experiment on the engine in use. */
  #restore() {
    const config = this.#host.config();
    if (this.#pg || !config) return;
    try {
      this.#pg = this.#make(JSON.stringify(config));
      this.#host.restored();
    } catch (e) {
      this.#pg = null;
      this.#host.alert(RESTART_FAILED_TITLE, [message(e)]);
    }
  }
}
