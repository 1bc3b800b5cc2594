// "How to read this page" (full mode): what the picture shows, what the lines and marks mean and
// the ways a run can end, in a panel a reader can hide. Hiding it is remembered in localStorage
// (HOWTO_KEY), so it stays hidden on the next visit. The panel comes after every chart, below
// the first screen on most windows, so a button in the preset bar is always there: it shows the
// panel (again) and scrolls it into view.
// Where storage is unavailable (a sandboxed frame, privacy settings) the panel simply starts open.

import { h } from './dom.js';

const HOWTO_KEY = 'convergence-playground:how-to-read-hidden';

function storedHidden() {
  try {
    return window.localStorage.getItem(HOWTO_KEY) === '1';
  } catch {
    return false;
  }
}

function storeHidden(hidden) {
  try {
    if (hidden) window.localStorage.setItem(HOWTO_KEY, '1');
    else window.localStorage.removeItem(HOWTO_KEY);
  } catch {
    // Not remembered: the panel shows again on the next visit, which is harmless.
  }
}

const part = (title, ...paragraphs) => h('section', { class: 'howto-part' },
  h('h3', null, title), paragraphs.map((p) => h('p', null, p)));

/** The panel and the button that shows it and takes the reader there; both wired. */
export function buildHowToRead() {
  const heading = h('h2', { id: 'howto-title' }, 'How to read this page');
  const panel = h('section', { class: 'howto', 'aria-labelledby': 'howto-title' });
  const show = h('button', { type: 'button', class: 'small howto-show', 'aria-expanded': 'false' }, 'How to read this page');
  const setHidden = (hidden, remember) => {
    panel.hidden = hidden;
    show.setAttribute('aria-expanded', String(!hidden));
    if (remember) storeHidden(hidden);
  };
  const hide = h('button', { type: 'button', class: 'small howto-hide' }, 'Got it, hide this');
  hide.addEventListener('click', () => {
    setHidden(true, true);
    show.focus();
  });
  show.addEventListener('click', () => {
    setHidden(false, true);
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    panel.scrollIntoView({ block: 'start', behavior: still ? 'auto' : 'smooth' });
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  });
  panel.append(
    h('div', { class: 'howto-head' }, heading, hide),
    h('div', { class: 'howto-parts' },
      part('The picture',
        'On a loss landscape, the square map shows the loss f(x, y) over two parameters: brighter is higher, darker is lower, grey where f has no value (log x for x < 0, say), and the thin lines join points of equal loss. On a model trained on data, it shows the data and the selected run’s decision boundary or fitted curve.',
        'The charts beside it draw each run’s loss, gradient norm and learning rate against the step.',
        'The timeline under the picture takes the picture and the charts back to any recorded step without re-running anything; its small marks, in each run’s colour, show where a test fired or a run diverged or stopped (hover one, or drag the timeline onto it, for its words).'),
      part('Lines and marks',
        'Each run is one optimizer from one start, in its own colour. Its path runs from its start, a hollow marker in the run’s own shape (circle, square, triangle, diamond), to where it is now, the same shape filled; a marker that would hide another is moved aside on a thin line from its true place. A ring with a cross-hair marks a global minimum, a plain ring a local one, and ✕ a run that blew up.',
        'In the charts, dashed lines are the tolerances of the stopping criteria, and a circle marks the step where one fired.'),
      part('How a run ends',
        'Converged: a stopping criterion fired (the loss stopped falling, the steps or the gradient became tiny, or a target loss was reached). A run can converge to a local minimum or a saddle: each test only looks nearby.',
        'Early-stopped: the validation loss stopped improving, so training ended, usually with the best step’s weights restored. It guards against overfitting; it is not convergence.',
        'Diverged: the loss blew up or stopped being a number. Stopped: the run used all its steps, or stalled without leaving its start. Running: none of these yet.',
        'The marks: ✓ converged at a minimum (the global one on a landscape), an amber ✓ at a local minimum only, ⚠ a test fired away from a minimum (or a model that overfits), ↺ early-stopped, ! stopped, ✗ diverged.')));
  setHidden(storedHidden(), false);
  return { panel, show };
}
