// The example article's own script (article.html): under every figure it shows the HTML that
// makes the figure's widget, written out from the live element's attributes at load time, so
// the documentation cannot drift from the widgets; and it gives every code block of the
// article a Copy button. It never inserts text as HTML: snippets go in through textContent.

import { h } from './dom.js';

/**
 * One attribute as it is written in HTML: double quotes, or single ones when the value holds a
 * double quote (a JSON config), and `&` (and the quote, when both kinds occur) as references.
 */
function attributeSource(name, value) {
  if (value === '') return name;
  const text = value.replaceAll('&', '&amp;');
  if (!text.includes('"')) return `${name}="${text}"`;
  if (!text.includes("'")) return `${name}='${text}'`;
  return `${name}="${text.replaceAll('"', '&quot;')}"`;
}

/** The markup of a `<convergence-playground>` element: its attributes, in their order. */
function widgetSnippet(el) {
  const tag = el.localName;
  const attributes = [...el.attributes].map(({ name, value }) => attributeSource(name, value));
  return `<${tag} ${attributes.join(' ')}></${tag}>`;
}

/** Copies `text` and says so in `note`, or says how to copy by hand when the browser refuses. */
async function copy(text, note, code) {
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = 'Copied';
  } catch {
    // Select the code so that the reader's own copy shortcut takes it.
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    note.textContent = 'Copying was refused: the code is selected, copy it with your keyboard';
  }
}

/** Wraps a `<pre><code>` block in a bar with its language and a Copy button. */
function addCopyButton(pre, label) {
  const code = pre.querySelector('code');
  const note = h('span', { class: 'copy-note', role: 'status' });
  const button = h('button', { type: 'button', class: 'copy' }, 'Copy');
  button.setAttribute('aria-label', `Copy the ${label}`);
  button.addEventListener('click', () => copy(code.textContent, note, code));
  const bar = h('div', { class: 'snippet-bar' }, h('span', { class: 'snippet-label' }, label), note, button);
  const box = h('div', { class: 'snippet' });
  pre.replaceWith(box);
  box.append(bar, pre);
}

/** Writes each figure's widget markup under it, then gives every code block a Copy button. */
function start() {
  for (const figure of document.querySelectorAll('figure.demo')) {
    const widget = figure.querySelector('convergence-playground');
    if (!widget) continue;
    const pre = h('pre', { class: 'widget-source' }, h('code', null, widgetSnippet(widget)));
    figure.append(pre);
    addCopyButton(pre, `HTML of figure ${figure.dataset.figure}`);
  }
  for (const pre of document.querySelectorAll('pre.static-source')) {
    addCopyButton(pre, pre.dataset.label || 'code');
  }
}

start();
