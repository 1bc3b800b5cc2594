// Shared set-up of the end-to-end tests: Debian's Chromium driven by playwright-core, a static
// server for www/, and a page opener that collects every console error, failed request and
// dialog. A missing browser or a missing www/pkg is a failure, never a skip.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './static-server.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WWW = join(ROOT, 'www');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');
export const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Starts the browser and the server before the calling file's tests and stops them after.
 * Returns `{ browser, server, openPage }`; `browser` and `server` are set once the tests run.
 */
export function useBrowser() {
  const harness = { browser: null, server: null };
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (make browser)`);
    assert.ok(existsSync(join(WWW, 'pkg', 'convergence.js')) && existsSync(join(WWW, 'pkg', 'convergence_bg.wasm')),
      'www/pkg is missing: run `make build` first');
    const { chromium } = await import('playwright-core');
    harness.browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    harness.server = await startServer(WWW);
  });
  after(async () => {
    await harness.browser?.close();
    await harness.server?.close();
  });
  /** Opens the page (optionally with a hash) and waits for el.ready; collects every error. */
  harness.openPage = async (hash = '', { width = 1280, height = 900, path = '', base = null, before: setUp = null } = {}) => {
    const page = await harness.browser.newPage({ viewport: { width, height } });
    if (setUp) await setUp(page);
    const errors = [];
    const dialogs = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // A request the page's own navigation cancelled (a reload while the favicon loads) is not a
    // failure of the page; every other failed request is.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await page.goto((base || harness.server.url) + path + hash);
    await page.evaluate(() => customElements.whenDefined('convergence-playground'));
    await page.evaluate(() => document.querySelector('convergence-playground').ready);
    return { page, errors, dialogs };
  };
  return harness;
}

/** The visible alert messages of the widget. */
export async function alertText(page, selector = '[role="alert"]') {
  return page.evaluate((sel) => {
    const root = document.querySelector('convergence-playground').shadowRoot;
    return [...root.querySelectorAll(sel)].filter((a) => !a.hidden).map((a) => a.textContent).join('\n');
  }, selector);
}

/** The text of every run's status line. */
export async function statusLines(page) {
  return page.evaluate(() => [...document.querySelector('convergence-playground').shadowRoot.querySelectorAll('.status li')].map((li) => li.textContent));
}
