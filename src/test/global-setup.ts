import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase } from '../db/database';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded-postgres';
import { migrateUp } from '../db/migrator';
import { recreateDatabase } from './admin';
import { TEST_ENV, urlFor } from './environment';

declare global {
  // Kept for global teardown, which runs in this same process.
  var embeddedTestServer: { server: EmbeddedServer; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-test-'));
    const server = await startEmbeddedPostgres(path.join(dir, 'data'));
    globalThis.embeddedTestServer = { server, dir };
    adminUrl = server.url('postgres');
  }
  const template = `content_api_test_template_${process.pid}`;
  await recreateDatabase(adminUrl, template);
  const db = connectDatabase(urlFor(adminUrl, template), { poolMax: 2 });
  try {
    await migrateUp(db.sequelize);
  } finally {
    await db.close();
  }
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
}
