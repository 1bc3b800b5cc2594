// The keyboard shortcuts of a widget: Space plays or pauses, S takes one step, R resets. Keys
// typed into a form field belong to the field, Space on a focused button, link, disclosure or
// other control presses that control, and a key with Ctrl, Meta or Alt is the browser's.

function isTextTarget(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  // Text, number, checkbox, colour and range inputs: keys belong to the field.
  return tag === 'textarea' || tag === 'select' || tag === 'input' || !!target.isContentEditable;
}

// Roles whose element Space activates.
const SPACE_ROLES = new Set(['button', 'checkbox', 'radio', 'switch', 'tab', 'menuitem', 'option', 'link']);

/** Does Space belong to the focused element (a button, a summary, a link, a control by role)? */
function ownsSpace(target) {
  if (!target || !target.tagName) return false;
  const tag = target.tagName.toLowerCase();
  if (tag === 'button' || tag === 'summary' || (tag === 'a' && target.hasAttribute('href'))) return true;
  return SPACE_ROLES.has(target.getAttribute('role'));
}

/** A keydown listener calling `actions.toggle()`, `actions.step()` or `actions.reset()`. */
export function shortcuts(actions) {
  return (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTextTarget(e.composedPath()[0])) return;
    const action = { ' ': 'toggle', Spacebar: 'toggle', s: 'step', S: 'step', r: 'reset', R: 'reset' }[e.key];
    if (!action || (action === 'toggle' && ownsSpace(e.composedPath()[0]))) return;
    e.preventDefault();
    actions[action]();
  };
}
