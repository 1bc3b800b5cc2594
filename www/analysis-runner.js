// Runs the engine's long analyses (Playground::advance_analysis: critical points, basins)
// between frames, as the complexity sweep does: each frame gives them ANALYSIS_FRAME_MS with a
// budget of optimizer steps that doubles while a call is quick and halves when one is slow, so
// that no main-thread task comes near 100 ms. One runner per widget: starting again cancels the
// run before.

export const ANALYSIS_FRAME_MS = 8;
const FIRST_BUDGET = 256;
const MAX_BUDGET = 1 << 22;

export class AnalysisRunner {
  #run = null; // {cancelled, budget}

  /** Is an analysis running? */
  get running() {
    return this.#run !== null;
  }

  /**
   * Advances `pg`'s analyses to their end, calling `progress(share)` after each frame; resolves
   * with true when done, false when cancelled (or replaced by another run).
   */
  run(pg, progress) {
    this.cancel();
    const run = { cancelled: false, budget: FIRST_BUDGET };
    this.#run = run;
    return new Promise((resolve, reject) => {
      const frame = () => {
        if (run.cancelled) { resolve(false); return; }
        let share = 0;
        try {
          const t0 = performance.now();
          do {
            const c0 = performance.now();
            share = pg.advance_analysis(run.budget);
            const dt = performance.now() - c0;
            if (dt < ANALYSIS_FRAME_MS / 4 && run.budget < MAX_BUDGET) run.budget *= 2;
            else if (dt > ANALYSIS_FRAME_MS && run.budget > 1) run.budget = Math.max(1, Math.floor(run.budget / 2));
          } while (share < 1 && performance.now() - t0 < ANALYSIS_FRAME_MS * 0.75);
        } catch (e) {
          if (this.#run === run) this.#run = null;
          reject(e);
          return;
        }
        progress(share);
        if (share >= 1) {
          if (this.#run === run) this.#run = null;
          resolve(true);
        } else {
          requestAnimationFrame(frame);
        }
      };
      requestAnimationFrame(frame);
    });
  }

  /** Stops the running analysis after its current chunk. */
  cancel() {
    if (this.#run) this.#run.cancelled = true;
    this.#run = null;
  }
}
