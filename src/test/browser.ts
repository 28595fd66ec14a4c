import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's chromium package; CI installs it (.ci/run). Without it the browser tests fail: they must not pass unseen.
const CHROMIUM = '/usr/bin/chromium';
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

/** Launches the real Chromium, headless. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: install it with apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
