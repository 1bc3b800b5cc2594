// The widget's colour theme, from its `theme` attribute (attributes.js): 'light', 'dark', or
// 'auto' (the reader's prefers-color-scheme, followed while the page is open). It sets the
// class `dark` on the widget's shell, which widget.css reads (the dark variables and details),
// and `themed` when the author chose a theme, so that the widget paints its own background on a
// page of the other scheme. Returns a function that stops following the reader's preference.

export function applyTheme(shell, theme) {
  shell.classList.toggle('themed', theme !== 'auto');
  if (theme !== 'auto') {
    shell.classList.toggle('dark', theme === 'dark');
    return () => {};
  }
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const follow = () => shell.classList.toggle('dark', query.matches);
  follow();
  query.addEventListener('change', follow);
  return () => query.removeEventListener('change', follow);
}
