import type { Config } from '../config';
import { createDatabase } from './admin';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseLocation {
  url: string;
  /** A line for the log: where the data lives and how to change it. */
  description: string;
  /** Stops what this process started (the embedded server); nothing for an external database. */
  release(): Promise<void>;
}

const EMBEDDED_DATABASE = 'content_api';

/**
 * DATABASE_URL when given; otherwise a database (`content_api` unless named) in an embedded
 * PostgreSQL whose data survives restarts.
 */
export async function locateDatabase(config: Config, log: (line: string) => void, embeddedDatabase = EMBEDDED_DATABASE): Promise<DatabaseLocation> {
  if (config.DATABASE_URL) {
    const { host, pathname } = new URL(config.DATABASE_URL);
    return { url: config.DATABASE_URL, description: `using PostgreSQL at ${host}${pathname}`, release: async () => {} };
  }
  const server = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, log);
  await createDatabase(server.url('postgres'), embeddedDatabase).catch((error: { code?: string }) => {
    if (error.code !== '42P04') throw error; // 42P04: it exists already
  });
  return {
    url: server.url(embeddedDatabase),
    description:
      `using an embedded PostgreSQL with its data in ${config.EMBEDDED_PG_DIR}; ` +
      'set DATABASE_URL=postgres://user:password@host:5432/db to use your own PostgreSQL instead',
    release: () => server.stop(),
  };
}
