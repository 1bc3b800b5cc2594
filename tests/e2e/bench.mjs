// Opens www/bench.html in Debian's headless Chromium and prints its JSON results.
import { chromium } from 'playwright-core';
import { startServer, CHROMIUM_ARGS } from './server.mjs';

const server = await startServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench.html`);
  await page.waitForFunction(() => document.getElementById('results').textContent.startsWith('{'), null, { timeout: 300000 });
  console.log(await page.textContent('#results'));
} finally {
  await browser.close();
  server.close();
}
