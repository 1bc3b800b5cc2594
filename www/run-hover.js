// Hovering or focusing a run in the status list or the runs list: calls `onHover(i)` with the
// run under the pointer or holding the keyboard focus (a run's button reached with Tab, or
// tapped on a phone, where no pointer hovers), and `onHover(null)` when both leave every run.

/** The run index an element belongs to (a status line or a runs-list entry), or null. */
function runOf(target) {
  const item = target && target.closest && target.closest('li[data-run], button[data-path$="].select"]');
  if (!item) return null;
  if (item.dataset.run !== undefined) return Number(item.dataset.run);
  const m = /^runs\[(\d+)\]\.select$/.exec(item.dataset.path || '');
  return m ? Number(m[1]) : null;
}

/** Listens on `root` (a shadow root) for the pointer and the focus entering and leaving runs. */
export function wireRunHover(root, onHover) {
  const enter = (e) => {
    const i = runOf(e.target);
    if (i !== null) onHover(i);
  };
  // The pointer leaving every run hands the front back to the focused run, if any.
  const leave = (e) => {
    if (runOf(e.target) === null || runOf(e.relatedTarget) !== null) return;
    onHover(e.type === 'pointerout' ? runOf(root.activeElement) : null);
  };
  root.addEventListener('pointerover', enter);
  root.addEventListener('pointerout', leave);
  root.addEventListener('focusin', enter);
  root.addEventListener('focusout', leave);
}
