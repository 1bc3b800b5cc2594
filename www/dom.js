// DOM creation without innerHTML: every text goes through text nodes, textContent or value.

/**
 * h('div', {class: 'x', onclick: fn, dataset: {k: 'v'}, hidden: true}, 'text', child, [more])
 * Strings become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'class') {
        el.className = value;
      } else if (key === 'style' && typeof value === 'object') {
        Object.assign(el.style, value);
      } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'textContent') {
        el[key] = value;
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of el with the given children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A <select> from [[value, text], ...]; values are compared as JSON so null works too. */
export function select(options, current, attrs = {}) {
  const el = h('select', attrs);
  const key = JSON.stringify(current === undefined ? null : current);
  for (const opt of options) {
    if (opt.group) {
      const group = h('optgroup', { label: opt.group });
      for (const [value, text] of opt.options) group.appendChild(h('option', { value: JSON.stringify(value), selected: JSON.stringify(value) === key }, text));
      el.appendChild(group);
    } else {
      const [value, text] = opt;
      el.appendChild(h('option', { value: JSON.stringify(value), selected: JSON.stringify(value) === key }, text));
    }
  }
  return el;
}

/** The value of a select built by select(). */
export function selectValue(el) {
  try {
    return JSON.parse(el.value);
  } catch {
    return el.value;
  }
}
