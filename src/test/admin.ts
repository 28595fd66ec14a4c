import { createDatabase, dropDatabase } from '../db/admin';

export { dropDatabase };

/** Creates `name` (dropping an old one) as a copy of `template`, or empty. */
export async function recreateDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await dropDatabase(adminUrl, name);
  await createDatabase(adminUrl, name, template);
}
