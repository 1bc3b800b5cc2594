// Where a widget's experiment comes from at start-up (the order is documented in
// attributes.js): the page's hash (widgets with `url`), a config given to el.load() before the
// element was connected, then the attributes `config`, `hash`, `src` and `preset` in that order,
// then the default preset. Each source is checked by the Rust core (validate_config, and
// decode_hash for `hash` as `converge run --url` reads a link); a source with problems adds a
// line naming the attribute and its value, with every problem, and the next source is taken.
//
// chooseExperiment({ linked, pending, sources, fallback }) -> Promise of {json, view, preset,
// source, problems}: `linked` is the page's hash already read ({json, view} or null), `pending`
// the config of an early el.load() (or null), `sources` [{name, value}] from readAttributes,
// `fallback` the default preset. `preset` is the preset object when one was chosen (its extras:
// speed, log scales), `view` a view box [x0, x1, y0, y1] or null.

import { validateConfig } from './wasm.js';
import { fromHash } from './urlstate.js';
import { presetById, PRESETS } from './presets.js';

const message = (e) => String(e && e.message ? e.message : e);
const shortValue = (value) => (value.length > 80 ? `${value.slice(0, 77)}...` : value);

/** Reads one source; resolves to {json, view, preset} or throws an Error with every problem. */
async function read(name, value) {
  if (name === 'preset') {
    const preset = presetById(value.trim());
    if (!preset) throw new Error(`no preset has this id (ids: ${PRESETS.map((p) => p.id).join(', ')})`);
    return { json: JSON.stringify(preset.config), view: null, preset };
  }
  if (name === 'hash') {
    const parsed = fromHash(value.trim());
    if (!parsed) throw new Error('the link holds no experiment');
    const msg = validateConfig(parsed.config);
    if (msg) throw new Error(msg);
    return { json: parsed.config, view: parsed.view, preset: null };
  }
  let json = value;
  if (name === 'src') {
    let response;
    try {
      response = await fetch(new URL(value.trim(), document.baseURI));
    } catch (e) {
      throw new Error(`could not be fetched (${message(e)})`);
    }
    if (!response.ok) throw new Error(`could not be fetched (HTTP ${response.status})`);
    json = await response.text();
  }
  const msg = validateConfig(json);
  if (msg) throw new Error(msg);
  return { json, view: null, preset: null };
}

/** The experiment to start with, and the problems of the sources passed over. */
export async function chooseExperiment({ linked, pending, sources, fallback }) {
  const problems = [];
  if (linked) return { ...linked, preset: null, source: 'url', problems };
  if (pending !== null) return { json: pending, view: null, preset: null, source: 'load', problems };
  for (const { name, value } of sources) {
    try {
      const chosen = await read(name, value);
      return { ...chosen, source: name, problems };
    } catch (e) {
      const lines = message(e).split('\n').filter(Boolean);
      problems.push(`${name}="${shortValue(value)}": ${lines.join('; ')}`);
    }
  }
  return { json: JSON.stringify(fallback.config), view: null, preset: fallback, source: 'default', problems };
}
