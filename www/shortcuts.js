// The keyboard shortcuts of a widget: Space plays or pauses, S takes one step, R resets. Keys
// typed into a form field belong to the field, and a key with Ctrl, Meta or Alt is the
// browser's.

function isTextTarget(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  // Text, number, checkbox, colour and range inputs: keys belong to the field.
  return tag === 'textarea' || tag === 'select' || tag === 'input' || !!target.isContentEditable;
}

/** A keydown listener calling `actions.toggle()`, `actions.step()` or `actions.reset()`. */
export function shortcuts(actions) {
  return (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTextTarget(e.composedPath()[0])) return;
    const action = { ' ': 'toggle', Spacebar: 'toggle', s: 'step', S: 'step', r: 'reset', R: 'reset' }[e.key];
    if (!action) return;
    e.preventDefault();
    actions[action]();
  };
}
