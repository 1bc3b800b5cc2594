// The experiment in the URL hash, through the Rust codec (src/config/urlstate.rs, exported by
// src/web.rs as encode_hash / decode_hash): a readable hash such as
//   #problem=rosenbrock&run=adam:Adam(lr=0.01)@-1.5,2!1f77b4&stop=max_steps:3000&seed=1&view=-2,2,-1,3
// The landscape's view box is part of the experiment (`view`), so Rust writes and reads its
// `view=` part like every other: a link has one view box at most, whatever set it. Links in the
// first format of the page, `#config=<percent-encoded JSON>`, are still read (by Rust too).
//
// The engine must be loaded (await loadEngine(), wasm.js) before these are called.

import { call } from './wasm.js';

// The last config text encoded and its hash: a load asks for the same config's hash twice (the
// link it writes and the preset it is), and encoding costs up to a few milliseconds.
let lastEncoded = { json: null, hash: null };

/** The hash (without '#') of a valid config given as JSON text; throws on an invalid one. */
export function encodeConfig(json) {
  if (lastEncoded.json !== json) {
    const hash = call((w) => w.encode_hash(json));
    lastEncoded = { json, hash };
  }
  return lastEncoded.hash;
}

/** The hash (with '#') for a valid config (object or JSON text) shown with the view box `view`
 * ([x0, x1, y0, y1], or null for the config's own). */
export function toHash(config, view) {
  const object = typeof config === 'string' ? JSON.parse(config) : config;
  const shown = Array.isArray(view) && view.length === 4 ? { ...object, view: { x: [view[0], view[1]], y: [view[2], view[3]] } } : object;
  return `#${encodeConfig(JSON.stringify(shown))}`;
}

/**
 * Reads a hash (with or without '#'). Returns null when it holds no experiment, else
 * {config, view}: config is validated JSON text, view is [x0, x1, y0, y1] (the config's view
 * box) or null. Throws an Error whose message says why the hash cannot be used (every
 * problem, one per line).
 */
export function fromHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  if (!text) return null;
  let config;
  try {
    config = call((w) => w.decode_hash(text));
  } catch (e) {
    throw new Error(e && e.message ? e.message : String(e));
  }
  const box = JSON.parse(config).view;
  return { config, view: box ? [box.x[0], box.x[1], box.y[0], box.y[1]] : null };
}
