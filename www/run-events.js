// The runs' ending events: remembers each run's last state and, when a snapshot shows a run
// that converged, early-stopped, diverged or stopped, dispatches the event named by its state
// (`converged`, `early_stopped`, `diverged`, `stopped`; bubbling, composed) with the run's
// label, step, criterion or reason and where it ended.

export class RunEvents {
  #states = [];

  /** Forgets what was seen: the runs start from `snap` (or from nothing). */
  reset(snap) {
    this.#states = snap ? snap.runs.map((r) => r.status.state) : [];
  }

  /** Notes the runs' states in `snap`; dispatches on `target` when `dispatch`. True if any changed. */
  update(snap, dispatch, target) {
    let changed = false;
    snap.runs.forEach((run, i) => {
      const state = run.status.state;
      if (state === this.#states[i]) return;
      this.#states[i] = state;
      changed = true;
      if (!dispatch || state === 'running') return;
      const detail = state === 'converged' || state === 'early_stopped'
        ? { label: run.label, step: run.status.at_step, criterion: run.status.criterion, end: run.end }
        : { label: run.label, step: run.status.at_step, reason: run.status.criterion, end: run.end };
      target.dispatchEvent(new CustomEvent(state, { bubbles: true, composed: true, detail }));
    });
    return changed;
  }
}
