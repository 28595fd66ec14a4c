import { connectDatabase, type Database } from '../db/database';
import { dropDatabase, recreateDatabase } from './admin';
import { TEST_ENV, urlFor } from './environment';

let current: Database | undefined;
const adminUrl = () => process.env[TEST_ENV.adminUrl]!;
const name = `content_api_test_${process.env.JEST_WORKER_ID ?? '1'}_${process.pid}`;

/** This test file's own migrated database (a clone of the template made in global setup). */
export function testDb(): Database {
  if (!current) throw new Error('the test database is not open yet (use it inside tests or hooks)');
  return current;
}

/** Empties every table, so each test starts from nothing. */
export async function resetTables(): Promise<void> {
  await testDb().sequelize.query('TRUNCATE users, posts, sessions, login_attempts RESTART IDENTITY CASCADE');
}

beforeAll(async () => {
  await recreateDatabase(adminUrl(), name, process.env[TEST_ENV.template]);
  current = connectDatabase(urlFor(adminUrl(), name), { poolMax: 5 });
});

beforeEach(resetTables);

afterAll(async () => {
  await current?.close();
  current = undefined;
  await dropDatabase(adminUrl(), name);
});
