// Small helpers shared by the widget's modules: copies and canonical JSON of configs, numbers
// from snapshots as the page shows them, and a function run in a task of its own (inTask).

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

/** Runs `fn` in a task of its own, posted now; resolves with what it returns, rejects with what it throws. */
export function inTask(fn) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      try {
        resolve(fn());
      } catch (e) {
        reject(e);
      }
    };
    channel.port2.postMessage(null);
  });
}
