// The attributes of <convergence-playground>: their names, their allowed values and how they
// are read. This small table owns only the widget's own UI words (control modes, panels,
// themes, the picture's height range); what the experiment is made of stays with Rust: a
// `config`, `src` or `hash` is checked by the core (validate_config, decode_hash), a `preset` id
// by presets.js, a chart name by charts.js (CHART_NAMES) and a speed by pace.js.
//
//   attribute  values                                   default
//   config     experiment JSON                          -
//   hash       the page's link format, problem=...&run=... (decoded by Rust, as converge run --url)
//   src        URL of an experiment JSON file (fetched)
//   preset     a preset id of presets.js (the lessons)
//   controls   none | minimal | full | a comma list of PANELS   full
//   charts     a comma list of CHART_NAMES, in the order shown    the mode's own charts
//   autoplay   (boolean) play once ready (not under prefers-reduced-motion)
//   loop       (boolean) restart LOOP_PAUSE_MS after every run has stopped
//   speed      steps per frame as the speed menu writes it ('1/12', '10', 'max')
//   height     the picture's size in CSS px, HEIGHT_PX[0] to HEIGHT_PX[1]          420
//   theme      light | dark | auto (the reader's preference)                       auto
//   locked     (boolean) only play, step, reset and the timeline: no editing, no exports
//   url        (boolean) read and write the page's hash (index.html has it)
//   no-url     deprecated: the default now; it switches `url` off where both are given
//
// Experiment sources, first one given wins: the page's hash (only with `url`, when it holds an
// experiment), a config given to el.load() before the element was connected, then SOURCES in
// order (config, hash, src, preset), then the default preset. A source with problems is
// reported (attribute, value, every problem) and the next one given is taken.
//
// The widget reads them when it is connected and again after every change (attribute-changes.js
// applies it: a new experiment for a source, the widget built again for controls, locked, charts).
// readAttributes(el) never throws: every problem is a line of `problems`, naming
// the attribute and the value, and that attribute takes its default.

import { CHART_NAMES } from './charts.js';
import { stepsPerFrame } from './pace.js';

/** The control modes of `controls`. */
const CONTROL_MODES = ['none', 'minimal', 'full'];

/** The panels `controls` may list, named after the skeleton's parts (skeleton.js). */
export const PANELS = ['presets', 'playback', 'status', 'timeline', 'charts', 'sweep', 'search', 'analysis', 'problem', 'runs', 'run', 'stop'];

/** The themes of `theme`. */
const THEMES = ['light', 'dark', 'auto'];

/** The picture's size (`height`), in CSS pixels: [smallest, largest]. */
const HEIGHT_PX = [150, 1200];

/** The experiment sources in their order of precedence. */
export const SOURCES = ['config', 'hash', 'src', 'preset'];

/** Pause between the end of every run and the restart of `loop`, in milliseconds. */
export const LOOP_PAUSE_MS = 1200;

/** The attributes the element watches (attributeChangedCallback): every one, applied when it changes (attribute-changes.js). */
export const OBSERVED = ['config', ...SOURCES.slice(1), 'controls', 'charts', 'autoplay', 'loop', 'speed', 'height', 'theme', 'locked', 'url', 'no-url'];

const quote = (name, value) => `${name}="${value}"`;
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Reads every attribute of `el`: {mode ('none'|'minimal'|'full'), panels (Set or null: all),
 * charts (chart kinds in order, or null), autoplay, loop, speed (text or null), height (px or
 * null), theme, locked, url, sources ([{name, value}] in precedence order), problems ([line])}.
 */
export function readAttributes(el) {
  const problems = [];
  const get = (name) => (el.hasAttribute(name) ? el.getAttribute(name) : null);

  let mode = 'full';
  let panels = null;
  const controls = get('controls');
  if (controls !== null) {
    const value = controls.trim();
    if (CONTROL_MODES.includes(value)) {
      mode = value;
    } else {
      const names = list(value);
      const unknown = names.filter((n) => !PANELS.includes(n));
      if (names.length && !unknown.length) {
        mode = 'full';
        panels = new Set(names);
      } else {
        problems.push(`${quote('controls', controls)}: must be ${CONTROL_MODES.join(', ')} or a comma list of the panels ${PANELS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}; full is used`);
      }
    }
  }

  let charts = null;
  const chartsText = get('charts');
  if (chartsText !== null) {
    const names = list(chartsText);
    const unknown = names.filter((n) => !(n in CHART_NAMES));
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (!names.length || unknown.length || twice.length) {
      const why = unknown.length ? `unknown: ${unknown.join(', ')}` : twice.length ? `given twice: ${twice.join(', ')}` : 'empty';
      problems.push(`${quote('charts', chartsText)}: must be a comma list of ${Object.keys(CHART_NAMES).join(', ')} (${why}); the mode's own charts are shown`);
    } else {
      charts = names.map((n) => CHART_NAMES[n]);
    }
  }

  let speed = null;
  const speedText = get('speed');
  if (speedText !== null) {
    const value = speedText.trim();
    if (Number.isNaN(stepsPerFrame(value))) problems.push(`${quote('speed', speedText)}: must be a number of steps per frame (10, 1.5), a fraction (1/12), a ramp (1/2..5@200: 1/2 until step 200, then 5) or max; the experiment's own speed is used`);
    else speed = value;
  }

  let height = null;
  const heightText = get('height');
  if (heightText !== null) {
    const value = Number(heightText.trim().replace(/px$/, ''));
    if (heightText.trim() !== '' && Number.isFinite(value) && value >= HEIGHT_PX[0] && value <= HEIGHT_PX[1]) height = value;
    else problems.push(`${quote('height', heightText)}: must be a number of CSS pixels from ${HEIGHT_PX[0]} to ${HEIGHT_PX[1]}; the picture keeps its own size`);
  }

  let theme = 'auto';
  const themeText = get('theme');
  if (themeText !== null) {
    if (THEMES.includes(themeText.trim())) theme = themeText.trim();
    else problems.push(`${quote('theme', themeText)}: must be ${THEMES.join(', ')}; auto is used`);
  }

  const sources = SOURCES.filter((name) => el.hasAttribute(name)).map((name) => ({ name, value: el.getAttribute(name) }));

  return {
    mode,
    panels,
    charts,
    autoplay: el.hasAttribute('autoplay'),
    loop: el.hasAttribute('loop'),
    speed,
    height,
    theme,
    locked: el.hasAttribute('locked'),
    url: el.hasAttribute('url') && !el.hasAttribute('no-url'),
    sources,
    problems,
  };
}
