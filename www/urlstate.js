// The experiment in the URL hash. The config codec is these two functions only, so that the
// Rust codec (encode_hash / decode_hash, once src/web.rs exports them) is a one-line swap.
//
// Format: #config=<JSON, percent-encoded but keeping {}[]:, readable>[&view=x0,x1,y0,y1]
// The view box is not part of the experiment config (the Rust config rejects unknown fields),
// so it travels as its own parameter.

/** The hash for a config object (or JSON text) and an optional view box [x0, x1, y0, y1]. */
export function toHash(config, view) {
  const json = typeof config === 'string' ? config : JSON.stringify(config);
  let hash = '#config=' + readableEncode(json);
  if (Array.isArray(view) && view.length === 4 && view.every(Number.isFinite)) {
    hash += '&view=' + view.map((v) => Number(v.toPrecision(6))).join(',');
  }
  return hash;
}

/**
 * Reads a hash. Returns null when there is no experiment in it, else {config, view} where
 * config is JSON text (validated later by the Rust core) and view is [x0, x1, y0, y1] or null.
 * Throws an Error saying why when the hash cannot be read.
 */
export function fromHash(hash) {
  const text = (hash || '').replace(/^#/, '');
  if (!text) return null;
  const params = new Map();
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    params.set(key, eq < 0 ? '' : part.slice(eq + 1));
  }
  if (!params.has('config')) {
    throw new Error('the link has a "#" part but no "config=" in it');
  }
  let json;
  try {
    json = decodeURIComponent(params.get('config'));
  } catch {
    throw new Error('the config in the link is not correctly percent-encoded (was the link cut short?)');
  }
  try {
    JSON.parse(json);
  } catch (e) {
    throw new Error(`the config in the link is not valid JSON (${e.message}); was the link cut short?`);
  }
  let view = null;
  if (params.has('view')) {
    const v = params.get('view').split(',').map(Number);
    if (v.length === 4 && v.every(Number.isFinite) && v[1] > v[0] && v[3] > v[2]) view = v;
  }
  return { config: json, view };
}

// encodeURIComponent, then un-escape the JSON punctuation that is legal in a URL fragment so
// the hash stays readable; decodeURIComponent reads both forms.
function readableEncode(json) {
  return encodeURIComponent(json).replace(/%(7B|7D|5B|5D|3A|2C)/g, (m) => decodeURIComponent(m));
}
