// "Embed" on the full page: a modal <dialog> (keyboard-accessible: focus moves into it, Tab
// stays inside, Escape or Close shuts it and focus returns to the Embed button) with the
// current experiment as two snippets an author pastes into an article, each with a Copy
// button:
//   element form: <script type="module" src=".../widget.js"></script>
//                 <convergence-playground controls="minimal" hash="problem=...&amp;run=..."></convergence-playground>
//   iframe form:  <iframe src=".../embed.html#problem=...&run=..." ...></iframe>
// The hash is the page's own link format (urlstate.js, written by Rust), so either form shows
// the same experiment and view box as the page. The addresses are absolute, from where
// widget.js was loaded. Text only: nothing here is inserted as HTML.
//
// new EmbedDialog(root) adds the dialog to the shadow root; open(hash) fills and shows
// it ('#'-less hash); snippets(hash) gives {element, iframe} (for tests).

import { h } from './dom.js';

/** Escapes text for an HTML attribute value in double quotes. */
function escapeAttribute(text) {
  return String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The two snippets for the experiment of `hash` (without '#'). */
export function snippets(hash) {
  const widget = new URL('./widget.js', import.meta.url).href;
  const embed = new URL('./embed.html', import.meta.url).href;
  return {
    element: `<script type="module" src="${escapeAttribute(widget)}"></script>\n<convergence-playground controls="minimal" hash="${escapeAttribute(hash)}"></convergence-playground>`,
    iframe: `<iframe src="${escapeAttribute(`${embed}#${hash}`)}" title="Convergence Playground" width="100%" height="760" loading="lazy"></iframe>`,
  };
}

export class EmbedDialog {
  #dialog;
  #fields = {};
  #notes = {};

  constructor(root) {
    const part = (key, title, help) => {
      const id = `embed-${key}`;
      this.#fields[key] = h('textarea', { id, class: `embed-code embed-${key}`, readonly: true, rows: key === 'element' ? 4 : 3, spellcheck: 'false' });
      this.#notes[key] = h('span', { class: 'copy-note', role: 'status' });
      return h('section', { class: 'embed-part' },
        h('label', { for: id }, h('strong', null, title), ' ', h('span', { class: 'note' }, help)),
        this.#fields[key],
        h('div', { class: 'embed-actions' },
          h('button', { type: 'button', class: `copy-${key}`, onclick: () => this.#copy(key) }, 'Copy'),
          this.#notes[key]));
    };
    const title = h('h2', { id: 'embed-title' }, 'Embed this experiment');
    this.#dialog = h('dialog', { class: 'embed-dialog', 'aria-labelledby': 'embed-title' },
      h('div', { class: 'embed-head' }, title,
        h('button', { type: 'button', class: 'small embed-close', 'aria-label': 'Close', onclick: () => this.#dialog.close() }, '×')),
      h('p', { class: 'note' }, 'Paste one of these into a page. Both show this experiment as it is now; the widget’s attributes (controls, charts, locked, autoplay...) are listed in the README.'),
      part('element', 'Element', '(the script once per page, then one element per widget)'),
      part('iframe', 'Frame', '(a page of its own, no script on yours)'));
    root.append(this.#dialog);
  }

  /** Fills the snippets for `hash` and opens the dialog. */
  open(hash) {
    const text = snippets(hash);
    for (const key of ['element', 'iframe']) {
      this.#fields[key].value = text[key];
      this.#notes[key].textContent = '';
    }
    if (!this.#dialog.open) this.#dialog.showModal();
    this.#fields.element.focus();
    this.#fields.element.select();
  }

  async #copy(key) {
    const field = this.#fields[key];
    try {
      await navigator.clipboard.writeText(field.value);
      this.#notes[key].textContent = 'Copied.';
    } catch {
      // No clipboard permission: the text is selected for the reader to copy.
      field.focus();
      field.select();
      this.#notes[key].textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  }
}
