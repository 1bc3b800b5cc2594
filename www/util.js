// Small pure helpers shared by the widget's modules: copies and canonical JSON of configs, and
// numbers from snapshots as the page shows them.

export function clone(x) {
  return JSON.parse(JSON.stringify(x));
}

/** JSON with sorted keys, to compare configs. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function num(x) {
  return typeof x === 'number' ? x : Number(x); // "inf"/"nan" strings -> NaN/Infinity
}

export function exact(x) {
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(8)));
}
