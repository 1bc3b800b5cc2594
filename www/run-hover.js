// Hovering a run in the status list or the runs list: calls `onHover(i)` with the run under
// the pointer, and `onHover(null)` when the pointer leaves every run.

/** The run index an element belongs to (a status line or a runs-list entry), or null. */
function runOf(target) {
  const item = target && target.closest && target.closest('li[data-run], button[data-path$="].select"]');
  if (!item) return null;
  if (item.dataset.run !== undefined) return Number(item.dataset.run);
  const m = /^runs\[(\d+)\]\.select$/.exec(item.dataset.path || '');
  return m ? Number(m[1]) : null;
}

/** Listens on `root` (a shadow root) for the pointer entering and leaving runs. */
export function wireRunHover(root, onHover) {
  root.addEventListener('pointerover', (e) => {
    const i = runOf(e.target);
    if (i !== null) onHover(i);
  });
  root.addEventListener('pointerout', (e) => {
    if (runOf(e.target) !== null && runOf(e.relatedTarget) === null) onHover(null);
  });
}
