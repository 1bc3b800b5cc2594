// What the analysis end-to-end tests share: `converge analyse` on a config, the page's report
// as the CLI's JSON would write it, and the intervals between animation frames while work runs.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const CONVERGE = join(ROOT, 'target', 'debug', 'converge');

/** `converge analyse` on `config`, parsed. */
export function analyseWithCli(config) {
  assert.ok(existsSync(CONVERGE), `${CONVERGE} is missing: run cargo build --bin converge`);
  const file = join(mkdtempSync(join(tmpdir(), 'analyse-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return JSON.parse(execFileSync(CONVERGE, ['analyse', file], { encoding: 'utf8' }));
}

/** JSON as the CLI writes it (a non-finite number is null there). */
export const asJson = (value) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));

/** The intervals (ms) between `frames` animation frames of `page`, measured now. */
export function frameGaps(page, frames = 30) {
  return page.evaluate((n) => new Promise((resolve) => {
    const times = [];
    const tick = (t) => {
      times.push(t);
      if (times.length < n) requestAnimationFrame(tick);
      else resolve(times.slice(1).map((x, i) => x - times[i]));
    };
    requestAnimationFrame(tick);
  }), frames);
}
