import { connectDatabase, type Database, type DatabaseOptions } from '../db/database';
import { sessionCache } from '../services/session-cache';
import { dropDatabase, recreateDatabase } from './admin';
import { TEST_ENV, urlFor } from './environment';

let current: Database | undefined;
let options: DatabaseOptions = { poolMax: 5 };
const adminUrl = () => process.env[TEST_ENV.adminUrl]!;
const name = `content_api_test_${process.env.JEST_WORKER_ID ?? '1'}_${process.pid}`;

/** Opens this test file's database with these pool settings (call it at the top of the file). */
export function useDatabaseOptions(overrides: DatabaseOptions): void {
  options = { ...options, ...overrides };
}

/** The URL of this test file's database, for connections of a test's own outside the pool. */
export function testDatabaseUrl(): string {
  return urlFor(adminUrl(), name);
}

/** This test file's own migrated database (a clone of the template made in global setup). */
export function testDb(): Database {
  if (!current) throw new Error('the test database is not open yet (use it inside tests or hooks)');
  return current;
}

/** Empties every table, so each test starts from nothing. */
export async function resetTables(): Promise<void> {
  await testDb().sequelize.query('TRUNCATE users, posts, sessions, attempt_counts RESTART IDENTITY CASCADE');
  // Sessions and users just removed must not live on in this process's cache.
  sessionCache.invalidateAll();
}

beforeAll(async () => {
  await recreateDatabase(adminUrl(), name, process.env[TEST_ENV.template]);
  current = connectDatabase(testDatabaseUrl(), options);
});

beforeEach(resetTables);

afterAll(async () => {
  await current?.close();
  current = undefined;
  await dropDatabase(adminUrl(), name);
});
