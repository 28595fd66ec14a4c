import fs from 'node:fs';
import { dropDatabase } from './admin';
import { TEST_ENV } from './environment';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[TEST_ENV.adminUrl];
  const template = process.env[TEST_ENV.template];
  if (adminUrl && template) await dropDatabase(adminUrl, template);
  const embedded = globalThis.embeddedTestServer;
  if (embedded) {
    await embedded.server.stop();
    fs.rmSync(embedded.dir, { recursive: true, force: true });
  }
}
