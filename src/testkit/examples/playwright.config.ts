import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium) instead of a browser Playwright downloads; CHROMIUM_PATH changes it.
export default defineConfig({
  testDir: __dirname,
  testMatch: '*.e2e.ts',
  workers: 1,
  timeout: 60_000,
  reporter: 'list',
  // Traces and screenshots of failures go outside the repository.
  outputDir: path.join(os.tmpdir(), 'content-api-examples-results'),
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] },
  },
});
