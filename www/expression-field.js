// The form field of a typed function f(x, y) (the `custom` landscape's `f`). The text is never
// evaluated here: Rust parses it (src/problem/expression/). While the visitor types, the field
// asks the engine to validate the function alone and shows Rust's message, which names the
// character where the text goes wrong, next to the field. The function is applied when the field
// is left (change); a bad one is refused by the core, the running experiment is kept and the
// text stays in the field to be fixed.

import { h } from './dom.js';
import { validateConfig } from './wasm.js';

const CHECK_DELAY_MS = 150;

/** Rust's words about `text` as the function of a landscape: "" when it is a valid function. */
function expressionProblem(text, path) {
  const probe = { problem: { name: 'custom', f: text }, runs: [{ label: 'probe', optimizer: { name: 'SGD' } }] };
  let message;
  try {
    message = validateConfig(JSON.stringify(probe));
  } catch (e) {
    return e && e.message ? e.message : String(e);
  }
  const prefix = 'problem.f: ';
  return message.split('\n').filter(Boolean)
    .map((line) => (line.startsWith(prefix) ? line.slice(prefix.length) : line.replace(/^problem\./, `${path}.`)))
    .join('\n');
}

/**
 * The field for `spec` (type "expression") of `obj` at config path `path.key`; `done()` applies
 * the draft (returns true when the core took it).
 */
export function expressionField(spec, obj, path, id, done) {
  const fpath = `${path}.${spec.key}`;
  const errorId = `${id}-error`;
  const value = typeof obj[spec.key] === 'string' ? obj[spec.key] : (spec.initial || '');
  const input = h('textarea', {
    id, rows: 2, value, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
    dataset: { path: fpath }, 'aria-describedby': errorId,
  });
  const error = h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' });
  const check = () => {
    const problem = expressionProblem(input.value, path);
    error.textContent = problem;
    error.hidden = problem === '';
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return problem === '';
  };
  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_DELAY_MS);
  });
  input.addEventListener('change', () => {
    clearTimeout(timer);
    obj[spec.key] = input.value;
    check();
    done();
  });
  check();
  return h('div', { class: 'field field-expression', title: spec.help || null },
    h('label', { for: id }, spec.label || spec.key), input, error);
}
