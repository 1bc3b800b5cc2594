// Opens www/bench.html in Debian's headless Chromium and prints its JSON results.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './static-server.mjs';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
if (!existsSync(`${WWW}pkg/convergence_bg.wasm`)) throw new Error('www/pkg is missing: run make build');
const server = await startServer(WWW);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html`);
  await page.waitForFunction(() => document.getElementById('results').textContent.startsWith('{'), null, { timeout: 300000 });
  console.log(await page.textContent('#results'));
} finally {
  await browser.close();
  await server.close();
}
