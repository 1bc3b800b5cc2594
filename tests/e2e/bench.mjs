// Opens www/bench.html in Debian's headless Chromium and prints its JSON results.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS, WWW } from './harness.mjs';
import { startServer } from './static-server.mjs';

if (!existsSync(join(WWW, 'pkg', 'convergence_bg.wasm'))) throw new Error('www/pkg is missing: run make build');
const server = await startServer(WWW);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench.html`);
  await page.waitForFunction(() => document.getElementById('results').textContent.startsWith('{'), null, { timeout: 300000 });
  console.log(await page.textContent('#results'));
} finally {
  await browser.close();
  await server.close();
}
