import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { testDatabaseUrl } from './database';
import { waitFor } from './wait';

export { waitFor };

/**
 * Sequelize tells the console each time it drops a connection that died under a COMMIT or ROLLBACK: what
 * the fault tests cause on purpose. This keeps those lines out of the test output; anything else still shows.
 */
export function quietDroppedConnectionWarnings(): void {
  const warn = console.warn.bind(console);
  beforeAll(() => {
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!/^(Rolling back|Committing) transaction .* failed with error/.test(String(args[0]))) warn(...args);
    });
  });
  afterAll(() => jest.restoreAllMocks());
}

/** The pool's own counters: connections lent out, open in all, and requests waiting for one. */
export function poolOf(sequelize: Sequelize): { using: number; size: number; waiting: number } {
  return (sequelize.connectionManager as unknown as { pool: { using: number; size: number; waiting: number } }).pool;
}

/** Waits until the pool has every connection back (a request's work may end after its answer). */
export function poolSettled(sequelize: Sequelize): Promise<void> {
  return waitFor('the pool to get every connection back', () => poolOf(sequelize).using === 0 && poolOf(sequelize).waiting === 0);
}

/**
 * A connection of the test's own, outside the server's pool and without its timeouts: it plays another
 * client of the database (holding locks, watching pg_stat_activity, terminating sessions).
 */
export async function outsideClient(): Promise<pg.Client> {
  const client = new pg.Client(testDatabaseUrl());
  await client.connect();
  return client;
}

export interface Backend {
  pid: number;
  /** The statement it runs (or waits to run). */
  query: string;
}

/** Backends of this database (other than `client`'s) waiting for a lock: requests stuck behind the test's lock. */
export async function backendsWaitingForLock(client: pg.Client): Promise<Backend[]> {
  // Inside a transaction (the client may hold the lock) PostgreSQL would show the first snapshot again.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<Backend>(
    `SELECT pid, query FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
  );
  return rows;
}

/** Waits until exactly `count` requests are blocked behind a lock of the test; returns their backends. */
export async function blockedBackends(client: pg.Client, count = 1): Promise<Backend[]> {
  let backends: Backend[] = [];
  await waitFor(`${count} backend(s) to wait for the test's lock`, async () => {
    backends = await backendsWaitingForLock(client);
    return backends.length === count;
  });
  return backends;
}
