import type { Sequelize } from 'sequelize';
import { connectDatabase } from '../db/database';
import { dropDatabase, recreateDatabase } from './admin';
import { TEST_ENV, urlFor } from './environment';

export const adminUrl = () => process.env[TEST_ENV.adminUrl]!;

/**
 * Runs `work` on a database of its own, dropped afterwards: empty, or a copy of the migrated template
 * (`migrated: true`). For tests that must not share the test file's database (they drop or build schemas).
 */
export async function withScratchDatabase<T>(
  label: string,
  work: (sequelize: Sequelize, url: string) => Promise<T>,
  options: { migrated?: boolean } = {},
): Promise<T> {
  const name = `content_api_scratch_${label}_${process.pid}`;
  await recreateDatabase(adminUrl(), name, options.migrated ? process.env[TEST_ENV.template] : undefined);
  const url = urlFor(adminUrl(), name);
  const scratch = connectDatabase(url, { poolMax: 4 });
  try {
    return await work(scratch.sequelize, url);
  } finally {
    await scratch.close();
    await dropDatabase(adminUrl(), name);
  }
}
