import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser tests drive a real Chromium through playwright-core. They are the files named
 * `*.browser.test.ts`, and run with `npm run test:browser` (CI runs it after `npm test`, which leaves them out
 * so that it passes after `npm install` alone): Chromium is no npm package. Debian's `chromium` package
 * puts it at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it); CHROMIUM_PATH names
 * another one (Chrome or Chromium of any recent version). Without one the tests fail, never skip.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
/** Starting Chromium and loading pages takes a while on a busy 2-core machine. */
export const BROWSER_TIMEOUT = 120_000;

/**
 * Launches the real Chromium, headless, for a test file (`beforeAll(async () => (browser = await
 * launchBrowser()), BROWSER_TIMEOUT)`, and `browser.close()` in `afterAll`).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH to a Chrome or Chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The same launcher, under the name the first browser tests import. */
export const launchChromium = launchBrowser;
