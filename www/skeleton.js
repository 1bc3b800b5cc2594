// The DOM skeleton of the element: its stylesheet, the alerts, a skip link to the settings, the
// preset bar with the lesson path (Previous, "lesson k of n", Next), its caption, "How to read
// this page" (how-to-read.js) and Copy link (full mode), the playback toolbar (Play, Step, Reset, speed, step counter), the
// status list, the layout of the views and cards that the other modules build (landscape, model
// view, charts, sweep, search): the picture in the first column of the top row (.viz-main), the
// status list and the first two charts in the second (.viz-side), the other charts in the row
// below, and the sidebar's panels (full mode). It holds no state: it returns the elements the
// widget and the modules fill ($.vizMain, $.vizSide and $.vizUnder: the two columns and the
// place under the picture), and wires the buttons to `actions`.
// Also the alerts' content (fillAlert) and the aria-invalid marks of the controls a problem
// names (markInvalid).
//
// buildSkeleton(root, { full, mode, speed, locked, parts, actions }) -> $:
//   mode: 'full', 'minimal' or 'none' (no playback toolbar); locked: no speed menu
//   parts: landCard, modelCard, stack, bottom, sweepCard, analysisCard, searchCard, exportMenu (elements or null)
//   actions: playPause(), step(), reset(), speed(value), preset(id), copyLink(), embed()
// $.panels maps the panel names of the `controls` attribute (attributes.js PANELS, but the
// timeline, which timeline.js builds) to their elements; showPanels($, names) shows only those.
// On a narrow screen widget.css puts Play and the picture first, the caption and the rest after.

import { h, replace, select, selectValue } from './dom.js';
import { SPEEDS } from './catalog.js';
import { PRESETS, PRESET_GROUPS, LESSONS, lessonNumber } from './presets.js';
import { speedLabel } from './pace.js';
import { buildHowToRead } from './how-to-read.js';

export function buildSkeleton(root, { full, mode, speed, locked, parts, actions }) {
  root.append(h('link', { rel: 'stylesheet', href: new URL('./widget.css', import.meta.url).href }));

  const $ = {};
  $.loadAlert = h('div', { class: 'alert', role: 'alert', hidden: true });
  $.configAlert = h('div', { class: 'alert config-alert', role: 'alert', hidden: true });

  $.play = h('button', { type: 'button', class: 'primary play', title: 'Play / pause (Space)', onclick: () => actions.playPause() }, '▶ Play');
  $.stepBtn = h('button', { type: 'button', title: 'One step (S)', onclick: () => actions.step() }, 'Step');
  $.resetBtn = h('button', { type: 'button', title: 'Back to the start (R)', onclick: () => actions.reset() }, '↺ Reset');
  $.speed = select(SPEEDS, speed, { 'aria-label': 'Speed', title: 'Steps per animation frame' });
  showSpeed($.speed, speed);
  $.speed.addEventListener('change', () => actions.speed(selectValue($.speed)));
  $.counter = h('span', { class: 'counter', 'aria-live': 'off' }, 'step 0');

  let presetBar = null;
  if (full) {
    $.preset = h('select', { 'aria-label': 'Preset experiments', class: 'preset-select' });
    $.preset.addEventListener('change', () => actions.preset($.preset.value));
    $.prevLesson = h('button', { type: 'button', class: 'lesson-prev', 'aria-label': 'Previous lesson' }, '‹ Previous');
    $.nextLesson = h('button', { type: 'button', class: 'lesson-next', 'aria-label': 'Next lesson' }, 'Next ›');
    $.lessonCount = h('span', { class: 'lesson-count', role: 'status' });
    $.copy = h('button', { type: 'button', onclick: () => actions.copyLink() }, 'Copy link');
    $.embed = h('button', { type: 'button', class: 'embed-open', 'aria-haspopup': 'dialog', onclick: () => actions.embed() }, 'Embed');
    $.copyNote = h('span', { class: 'copy-note', role: 'status' });
    $.copyField = h('input', { type: 'text', class: 'copy-field', readonly: true, hidden: true, 'aria-label': 'Link to this experiment' });
    const howTo = buildHowToRead();
    $.howTo = howTo.panel;
    presetBar = h('div', { class: 'preset-bar' },
      h('div', { class: 'lessons', role: 'group', 'aria-label': 'Lessons' }, $.prevLesson, $.lessonCount, $.nextLesson),
      h('label', { class: 'preset-label' }, h('span', null, 'Experiment'), $.preset),
      h('span', { class: 'spacer' }),
      howTo.show, $.copy, $.embed, $.copyNote, $.copyField);
    $.caption = h('p', { class: 'caption', 'aria-live': 'polite' });
  }

  const playback = h('div', { class: 'playback', role: 'toolbar', 'aria-label': 'Playback' },
    $.play, $.stepBtn, $.resetBtn, locked ? null : h('label', { class: 'speed' }, h('span', null, 'Speed'), $.speed), $.counter);

  $.status = h('ul', { class: 'status', 'aria-label': 'Run status' });

  // The picture first, then what happened to each run and the first charts: beside it where
  // the widget is wide enough, under it in one column (widget.css). How to read comes after
  // every chart, so that it never pushes the picture, the verdicts or the charts down (a button
  // in the preset bar leads to it). Charts of the row below that fill a blank under the shorter
  // column go there (column-layout.js): after the status list's column, or into .viz-under,
  // which the grid puts under the picture but which comes after the verdicts in reading order.
  $.vizMain = h('div', { class: 'viz-main' }, parts.landCard, parts.modelCard);
  $.vizSide = h('div', { class: 'viz-side' }, $.status, parts.stack);
  $.vizUnder = h('div', { class: 'viz-under' });
  const viz = h('div', { class: 'viz' },
    h('div', { class: 'viz-top' }, $.vizMain, $.vizSide, $.vizUnder),
    parts.bottom,
    full ? $.howTo : null,
    parts.sweepCard,
    parts.analysisCard,
    parts.searchCard);

  let sidebar = null;
  const sections = {};
  if (full) {
    $.problemPanel = h('div', { class: 'panel-body' });
    $.runsList = h('ul', { class: 'runs-list' });
    $.runActions = h('div', { class: 'run-actions' });
    $.runPanel = h('div', { class: 'panel-body' });
    $.runPanelTitle = h('h2', null, 'Selected run');
    $.stopPanel = h('div', { class: 'panel-body' });
    $.runsNote = h('p', { class: 'note' }, 'Each run is one optimizer started from one point. Select a run to edit it.');
    sections.problem = h('section', { class: 'panel' }, h('h2', null, 'Problem'), $.problemPanel);
    sections.runs = h('section', { class: 'panel' }, h('h2', null, 'Runs'), $.runsNote, $.runsList, $.runActions);
    sections.run = h('section', { class: 'panel run-panel' }, $.runPanelTitle, $.runPanel);
    sections.stop = h('section', { class: 'panel' }, h('h2', null, 'Stopping criteria'), h('p', { class: 'note' }, 'Checked criteria are watched for every run; a circle on the charts marks where one fired.'), $.stopPanel);
    sidebar = h('aside', { class: 'sidebar', 'aria-label': 'Experiment settings', tabindex: '-1' },
      $.configAlert, sections.problem, sections.runs, sections.run, sections.stop);
  }

  // A skip link past the preset bar, the views and the charts to the settings (keyboard users).
  const skip = full ? h('button', {
    type: 'button',
    class: 'skip-link',
    onclick: () => {
      sidebar.scrollIntoView({ block: 'start' });
      sidebar.focus({ preventScroll: true });
    },
  }, 'Skip to the settings') : null;

  // Problems with the element's own attributes (attributes.js, sources.js), above everything.
  $.attrAlert = h('div', { class: 'alert attr-alert', role: 'alert', hidden: true });
  const topbar = mode === 'none' ? null : h('div', { class: 'topbar' }, playback, parts.exportMenu, full ? h('p', { class: 'shortcuts' }, h('kbd', null, 'Space'), ' play/pause · ', h('kbd', null, 'S'), ' step · ', h('kbd', null, 'R'), ' reset') : null);
  const shell = h('div', { class: `pg mode-${mode === 'none' ? 'minimal' : mode}${mode === 'none' ? ' mode-none' : ''}` },
    skip,
    $.attrAlert,
    $.loadAlert,
    presetBar,
    full ? $.caption : null,
    topbar,
    h('div', { class: 'main' }, viz, sidebar));
  root.append(shell);
  $.shell = shell;
  $.sidebar = sidebar;
  $.skip = skip;
  $.panels = {
    presets: [presetBar, full ? $.caption : null, full ? $.howTo : null],
    playback: [topbar],
    status: [$.status],
    charts: [parts.stack, parts.bottom],
    sweep: [parts.sweepCard],
    search: [parts.searchCard],
    analysis: [parts.analysisCard],
    ...Object.fromEntries(Object.entries(sections).map(([name, el]) => [name, [el]])),
  };

  if (full) fillPresets($.preset);
  return $;
}

/**
 * Shows only the panels named in `names` (a Set of attributes.js PANELS; the timeline is the
 * widget's); the settings column goes when none of its panels is shown.
 */
export function showPanels($, names) {
  for (const [name, els] of Object.entries($.panels)) {
    for (const el of els) if (el) el.hidden = !names.has(name);
  }
  if ($.sidebar) {
    const any = ['problem', 'runs', 'run', 'stop'].some((n) => names.has(n));
    $.sidebar.hidden = !any;
    if ($.skip) $.skip.hidden = !any;
    $.shell.classList.toggle('no-sidebar', !any);
  }
}

/** The preset menu: the lessons in their order, numbered, under their groups' titles. */
function fillPresets(sel) {
  sel.replaceChildren(h('option', { value: '' }, 'Custom experiment'));
  const inOrder = LESSONS.map((id) => PRESETS.find((p) => p.id === id)).filter(Boolean);
  const rest = PRESETS.filter((p) => !LESSONS.includes(p.id));
  for (const [group, title] of PRESET_GROUPS) {
    const og = h('optgroup', { label: title });
    for (const p of [...inOrder, ...rest].filter((q) => (q.group || 'landscape') === group)) {
      const n = lessonNumber(p.id);
      og.appendChild(h('option', { value: p.id }, n ? `${n}. ${p.title}` : p.title));
    }
    sel.appendChild(og);
  }
}

/** Shows `speed` in the speed menu, adding it (in words) when it is not one of SPEEDS. */
export function showSpeed(sel, speed) {
  const value = JSON.stringify(speed);
  if (![...sel.options].some((o) => o.value === value)) {
    sel.appendChild(h('option', { value }, speedLabel(speed)));
  }
  sel.value = value;
}

/** Fills an alert with a title and one item per line (and a Dismiss button), and shows it. */
export function fillAlert(el, title, lines, dismissible) {
  replace(el,
    h('strong', null, title),
    h('ul', null, lines.filter(Boolean).map((l) => h('li', null, l))),
    dismissible ? h('button', { type: 'button', class: 'small close', 'aria-label': 'Dismiss', onclick: () => { el.hidden = true; } }, '×') : null);
  el.hidden = false;
}

/**
 * Marks every control of `root` whose data-path a problem line names as aria-invalid: the
 * control of that path, of a path inside it, and the controls inside a nested part that has
 * the problem as a whole (`problem.model` marks the model's controls; a problem of a whole
 * top-level part, such as `runs`, marks none of them).
 */
export function markInvalid(root, lines) {
  const paths = lines.map((l) => {
    const i = l.indexOf(': ');
    return i > 0 ? l.slice(0, i) : '';
  }).filter(Boolean);
  for (const el of root.querySelectorAll('[data-path]')) {
    const p = el.dataset.path;
    const bad = paths.some((q) => q === p || q.startsWith(`${p}[`) || q.startsWith(`${p}.`) || p.startsWith(`${q}[`)
      || (q.includes('.') && p.startsWith(`${q}.`)));
    if (bad) el.setAttribute('aria-invalid', 'true');
    else el.removeAttribute('aria-invalid');
  }
}
