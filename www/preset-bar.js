// The preset bar (full mode): which preset the running experiment is, or was edited from (a
// config equals a preset when their Rust hashes, which leave out every default, are equal), the
// lesson path (Previous and Next through presets.js's LESSONS, "Lesson k of n"; from a custom
// experiment Next starts at lesson 1), the preset menu and the caption with the preset's story and links to related presets, and Copy
// link (the clipboard, or a selected field to copy from where there is none).
//
// Host: choose(id) (a preset picked from the caption's links), link() (the address that opens
// the running experiment: PageLink.shareable, or null before there is one); `$` holds the
// skeleton's preset, caption, copyNote and copyField (absent in minimal mode).

import { h, replace } from './dom.js';
import { encodeConfig } from './urlstate.js';
import { PRESETS, LESSONS, presetById, lessonNumber } from './presets.js';
import { canonical } from './util.js';

const COPY_NOTE_MS = 4000;

/** A canonical key of a config: the Rust hash, which leaves out every default. */
function configKey(config) {
  try {
    return encodeConfig(JSON.stringify(config));
  } catch {
    return canonical(config);
  }
}

/**
 * Can `config` equal `preset` at all? Their hashes can only be equal when the problem's name and
 * the number of runs are (each run is one `run=` part of the hash). This cheap test spares the
 * Rust hash, which costs up to a few milliseconds per config, for every other preset.
 */
function mayEqual(config, preset) {
  const a = preset.config;
  return !!(config && config.problem && a.problem && config.problem.name === a.problem.name
    && Array.isArray(config.runs) && config.runs.length === a.runs.length);
}

/** The preset `config` equals (each preset's key from `keyOf`), or null. */
function presetEqualTo(config, keyOf) {
  const candidates = PRESETS.filter((p) => mayEqual(config, p));
  if (candidates.length === 0) return null;
  const key = configKey(config);
  return candidates.find((p) => keyOf(p) === key) || null;
}

/** The id of the preset `config` equals, or null. */
export function presetIdOf(config) {
  const preset = presetEqualTo(config, (p) => configKey(p.config));
  return preset ? preset.id : null;
}

const isModel = (c) => !!(c && c.problem && c.problem.name === 'model');

export class PresetBar {
  #host;
  #$;
  #presetId = null;
  #editedFromPreset = null;
  #presetKeys = new Map();
  #copyTimer = 0;

  constructor(host, $) {
    this.#host = host;
    this.#$ = $;
    if ($.prevLesson) $.prevLesson.addEventListener('click', () => this.#goLesson(-1));
    if ($.nextLesson) $.nextLesson.addEventListener('click', () => this.#goLesson(1));
  }

  /** The lesson of the experiment (1-based; an edited preset counts as its lesson), or 0. */
  get lesson() {
    return lessonNumber(this.#presetId || this.#editedFromPreset || '');
  }

  #goLesson(delta) {
    const k = this.lesson;
    const next = k === 0 ? (delta > 0 ? 1 : 0) : k + delta;
    if (next >= 1 && next <= LESSONS.length) this.#host.choose(LESSONS[next - 1]);
  }

  #renderLessons() {
    const $ = this.#$;
    const k = this.lesson;
    const n = LESSONS.length;
    $.lessonCount.textContent = k ? `Lesson ${k} of ${n}` : `${n} lessons`;
    $.prevLesson.disabled = k <= 1;
    $.nextLesson.disabled = k >= n;
    $.nextLesson.textContent = k ? 'Next ›' : 'Start lesson 1 ›';
    $.nextLesson.setAttribute('aria-label', k ? 'Next lesson' : 'Start lesson 1');
  }

  #presetKey(preset) {
    if (!this.#presetKeys.has(preset.id)) this.#presetKeys.set(preset.id, configKey(preset.config));
    return this.#presetKeys.get(preset.id);
  }

  /**
   * Computes every preset's key ahead, one per idle moment, so that no later detection pays for
   * them inside a task that also loads an experiment (call once the engine is loaded).
   */
  warm() {
    const idle = globalThis.requestIdleCallback || ((fn) => setTimeout(fn, 50));
    const next = (i) => {
      if (i < PRESETS.length) idle(() => {
        this.#presetKey(PRESETS[i]);
        next(i + 1);
      });
    };
    next(0);
  }

  /** The experiment is `preset` (or none). */
  set(preset) {
    this.#presetId = preset ? preset.id : null;
    this.#editedFromPreset = null;
    this.#renderCaption();
  }

  /** Finds the preset the experiment equals, if any. */
  detect(config) {
    this.set(presetEqualTo(config, (p) => this.#presetKey(p)));
  }

  /** A new experiment was loaded: it is `preset`, or whatever preset it equals. */
  loaded(config, preset) {
    this.#presetId = null;
    this.#editedFromPreset = null;
    if (preset) this.set(preset);
    else this.detect(config);
  }

  /** The experiment was edited in the panels: still the preset, edited from it, or another. */
  edited(config) {
    if (this.#presetId === null && this.#editedFromPreset === null) {
      this.detect(config);
      return;
    }
    const key = configKey(config);
    const id = this.#presetId || this.#editedFromPreset;
    const preset = presetById(id);
    if (preset && isModel(preset.config) !== isModel(config)) {
      // Another kind of problem: the preset's story no longer applies.
      this.#presetId = null;
      this.#editedFromPreset = null;
      this.detect(config);
      return;
    }
    if (preset && this.#presetKey(preset) === key) {
      this.#presetId = id;
      this.#editedFromPreset = null;
    } else if (this.#presetId) {
      this.#editedFromPreset = this.#presetId;
      this.#presetId = null;
    }
    this.#renderCaption();
  }

  #renderCaption() {
    const $ = this.#$;
    if (!$.preset) return;
    $.preset.value = this.#presetId || '';
    this.#renderLessons();
    const preset = presetById(this.#presetId || this.#editedFromPreset);
    const cap = $.caption;
    if (!preset) {
      replace(cap, h('span', { class: 'muted' }, 'Pick an experiment above, or change anything in the panels: every change restarts the runs and is saved in the link.'));
      return;
    }
    const links = (preset.links || []).map(([id, text]) => h('button', {
      type: 'button', class: 'small link preset-link', dataset: { preset: id }, onclick: () => this.#host.choose(id),
    }, `→ ${text}`));
    replace(cap,
      this.#editedFromPreset ? h('span', { class: 'edited' }, `Changed from “${preset.title}”. `) : null,
      preset.caption,
      links.length ? h('span', { class: 'preset-links' }, ' ', links) : null);
  }

  async copyLink() {
    const url = this.#host.link();
    if (!url) return;
    const $ = this.#$;
    const note = $.copyNote;
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      $.copyField.hidden = true;
      note.textContent = 'Link copied.';
    } catch {
      const field = $.copyField;
      field.value = url;
      field.hidden = false;
      field.focus();
      field.select();
      note.textContent = 'Press Ctrl+C (⌘C) to copy:';
    }
    clearTimeout(this.#copyTimer);
    this.#copyTimer = setTimeout(() => { note.textContent = ''; }, COPY_NOTE_MS);
  }
}
