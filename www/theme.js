// The widget's colour theme, from its `theme` attribute (attributes.js): 'light', 'dark', or
// 'auto' (the reader's prefers-color-scheme, followed while the widget is on the page). It sets
// the class `dark` on the widget's shell, which widget.css reads (the dark variables and
// details), and `themed` when the author chose a theme, so that the widget paints its own
// background on a page of the other scheme.
//
// It owns the one listener of each shell that follows the reader's preference: applyTheme
// replaces it (a theme changed from 'auto' to 'dark' is no longer overridden by the system), and
// stopTheme(shell) removes it (the widget leaves the page, or its shell is built again).

/** The function that stops each shell's following of the reader's preference. */
const following = new WeakMap();

/** Stops following the reader's preference for `shell` (nothing when it does not). */
export function stopTheme(shell) {
  const stop = following.get(shell);
  if (stop) stop();
  following.delete(shell);
}

export function applyTheme(shell, theme) {
  stopTheme(shell);
  shell.classList.toggle('themed', theme !== 'auto');
  if (theme !== 'auto') {
    shell.classList.toggle('dark', theme === 'dark');
    return;
  }
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const follow = () => shell.classList.toggle('dark', query.matches);
  follow();
  query.addEventListener('change', follow);
  following.set(shell, () => query.removeEventListener('change', follow));
}
