// The experiment in the URL hash, through the Rust codec (src/urlstate.rs, exported by
// src/web.rs as encode_hash / decode_hash): a readable hash such as
//   #problem=rosenbrock&run=adam:Adam(lr=0.01)@-1.5,2!1f77b4&stop=max_steps:3000&seed=1
// The landscape view box is not part of the experiment config, so it travels as one more
// part, `view=x0,x1,y0,y1`, which is taken out before the rest goes to the Rust decoder.
// Links in the first format of the page, `#config=<percent-encoded JSON>`, are still read.
//
// The engine must be loaded (await loadEngine(), wasm.js) before these are called.

import { call } from './wasm.js';

/** The hash (with '#') for a valid config (object or JSON text) and an optional view box. */
export function toHash(config, view) {
  const json = typeof config === 'string' ? config : JSON.stringify(config);
  let hash = `#${call((w) => w.encode_hash(json))}`;
  if (Array.isArray(view) && view.length === 4 && view.every(Number.isFinite)) {
    hash += `&view=${view.map((v) => Number(v.toPrecision(6))).join(',')}`;
  }
  return hash;
}

/**
 * Reads a hash (with or without '#'). Returns null when it holds no experiment, else
 * {config, view}: config is validated JSON text, view is [x0, x1, y0, y1] or null.
 * Throws an Error whose message says why the hash cannot be used (every problem, one per line).
 */
export function fromHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  if (!text) return null;
  let view = null;
  const rest = [];
  for (const part of text.split('&')) {
    if (part.startsWith('view=')) {
      const v = part.slice(5).split(',').map(Number);
      if (v.length === 4 && v.every(Number.isFinite) && v[1] > v[0] && v[3] > v[2]) view = v;
    } else if (part) {
      rest.push(part);
    }
  }
  if (rest.length === 1 && rest[0].startsWith('config=')) return { config: legacyJson(rest[0].slice(7)), view };
  try {
    return { config: call((w) => w.decode_hash(rest.join('&'))), view };
  } catch (e) {
    throw new Error(e && e.message ? e.message : String(e));
  }
}

function legacyJson(encoded) {
  let json;
  try {
    json = decodeURIComponent(encoded);
  } catch {
    throw new Error('the config in the link is not correctly percent-encoded (was the link cut short?)');
  }
  try {
    JSON.parse(json);
  } catch (e) {
    throw new Error(`the config in the link is not valid JSON (${e.message}); was the link cut short?`);
  }
  return json;
}
