import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Transaction } from 'sequelize';
import { createDatabase } from './db/admin';
import { connectDatabase, type Database, type DatabaseOptions } from './db/database';
import { migrateUp } from './db/migrator';
import { createServer, type RunningServer } from './server';
import { poolOf, poolSettled, quietDroppedConnectionWarnings, waitFor } from './test/faults';
import { startPostgresProcess, type PostgresProcess } from './test/postgres-process';
import { expectWholeBatches, retryableFailures, startWriters, type Tally } from './test/writers';
import { sendGraphQL } from './test/server';

/**
 * The fault suite: real faults under real load, against a PostgreSQL of this file's own (so stopping it
 * disturbs no other test). Every answer must be a success or a clean retryable 503, every acknowledged
 * write must be in the database, and no write may be there in part. An unhandled rejection or uncaught
 * exception in the server (it runs in this process) fails the running test: Jest reports it there.
 */
const DATABASE = 'content_api';
let dir: string;
let postgres: PostgresProcess;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-faults-'));
  postgres = await startPostgresProcess(path.join(dir, 'data'));
  await createDatabase(postgres.url('postgres'), DATABASE);
}, 120_000);
quietDroppedConnectionWarnings();

afterAll(async () => {
  await postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Served {
  db: Database;
  url: string;
  running: RunningServer;
  tokens: string[];
  /** A connection of the test's own, to the maintenance database, for checks and for terminating sessions. */
  admin: pg.Client;
}

/** A migrated, emptied database, a server over it with these pool settings, and three signed-up users. */
async function serve(options: DatabaseOptions): Promise<Served> {
  const db = connectDatabase(postgres.url(DATABASE), options);
  await migrateUp(db.sequelize);
  await db.sequelize.query('TRUNCATE users, posts, sessions RESTART IDENTITY CASCADE');
  // The writers come from one loopback address, one client to the per-client limits: allow them all they send.
  const limits = { requestsPerClient: 10_000_000, requestsInFlightPerClient: 1000 };
  const server = await createServer({ sequelize: db.sequelize, production: true, tokenTtlSeconds: 3600, limits });
  const running = await server.listen(0, '127.0.0.1');
  const tokens: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const query = `mutation { signUp(input: { email: "writer${i}@example.com", password: "correct horse" }) { token } }`;
    tokens.push((await sendGraphQL<{ signUp: { token: string } }>(running.url, { query })).answer.data!.signUp.token);
  }
  const admin = new pg.Client(postgres.url(DATABASE));
  await admin.connect();
  return { db, url: running.url, running, tokens, admin };
}

async function close(served: Served): Promise<void> {
  await served.admin.end();
  await served.running.stop();
  await served.db.close();
}

const acknowledgedAtLeast = (tally: Tally, n: number) => () => tally.acknowledged.length >= n;
const failedAtLeast = (tally: Tally, n: number) => () => retryableFailures(tally) >= n;

async function readiness(url: string): Promise<number> {
  return (await fetch(new URL('/readyz', url))).status;
}

/** What every fault test requires once the load has stopped. */
async function expectCleanOutcome(served: Served, tally: Tally): Promise<void> {
  console.info(`${expect.getState().currentTestName}: ${tally.acknowledged.length} batches acknowledged, clean failures ${JSON.stringify(tally.retryable)}`);
  expect(tally.unexpected).toEqual([]);
  await poolSettled(served.db.sequelize);
  await expectWholeBatches(served.admin, tally);
}

describe('under load', () => {
  it('PostgreSQL restarting: requests fail cleanly, /readyz says not ready, then the server recovers by itself', async () => {
    const served = await serve({ poolMax: 4, acquireTimeoutMs: 1000, statementTimeoutMs: 5000 });
    const load = startWriters(served.url, served.tokens, 8);
    try {
      await waitFor('writes before the outage', acknowledgedAtLeast(load.tally, 30));
      await served.admin.end(); // the admin connection would die with the server too
      await postgres.stop();
      await waitFor('/readyz to report the outage', async () => (await readiness(served.url)) === 503);
      const failed = retryableFailures(load.tally);
      await waitFor('requests to fail during the outage', failedAtLeast(load.tally, failed + 20));

      postgres = await startPostgresProcess(path.join(dir, 'data'), postgres.port);
      await waitFor('/readyz to report ready again', async () => (await readiness(served.url)) === 200, 60_000);
      const acknowledged = load.tally.acknowledged.length;
      await waitFor('writes after the restart', acknowledgedAtLeast(load.tally, acknowledged + 30), 60_000);
    } finally {
      await load.stop();
      served.admin = new pg.Client(postgres.url(DATABASE));
      await served.admin.connect();
    }
    expect(Object.keys(load.tally.retryable)).toContain('SERVICE_UNAVAILABLE');
    await expectCleanOutcome(served, load.tally);
    await close(served);
  });

  it('the pool exhausted: requests wait, then fail cleanly after the bounded wait, and no connection leaks', async () => {
    const served = await serve({ poolMax: 2, acquireTimeoutMs: 300 });
    const load = startWriters(served.url, served.tokens, 16);
    const held: Transaction[] = [];
    try {
      await waitFor('writes with the pool shared', acknowledgedAtLeast(load.tally, 30));
      // The test takes both connections (waiting its turn like any request) and keeps them a while.
      await waitFor('the test to hold every connection', async () => {
        const t = await served.db.sequelize.transaction().catch(() => null);
        if (t) held.push(t);
        return held.length === 2;
      });
      const failed = retryableFailures(load.tally);
      await waitFor('requests to give up waiting', failedAtLeast(load.tally, failed + 20));
      await Promise.all(held.splice(0).map((t) => t.commit()));
      const acknowledged = load.tally.acknowledged.length;
      await waitFor('writes once the connections are back', acknowledgedAtLeast(load.tally, acknowledged + 30));
    } finally {
      await Promise.all(held.map((t) => t.rollback()));
      await load.stop();
    }
    expect(load.tally.retryable.SERVICE_UNAVAILABLE).toBeGreaterThan(0);
    await expectCleanOutcome(served, load.tally);
    expect(poolOf(served.db.sequelize).size).toBeLessThanOrEqual(2);
    await close(served);
  });

  it('sessions terminated mid-transaction (pg_terminate_backend): acknowledged writes all there, none in part', async () => {
    const served = await serve({ poolMax: 4, acquireTimeoutMs: 1000 });
    const load = startWriters(served.url, served.tokens, 8);
    let terminated = 0;
    try {
      await waitFor('writes before the terminations', acknowledgedAtLeast(load.tally, 30));
      // Sessions of the server that are inside a transaction (between BEGIN and COMMIT, or in a statement).
      await waitFor(
        '30 sessions terminated mid-transaction',
        async () => {
          const { rows } = await served.admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
          );
          terminated += rows.length;
          return terminated >= 30;
        },
        60_000,
      );
      const acknowledged = load.tally.acknowledged.length;
      await waitFor('writes after the terminations', acknowledgedAtLeast(load.tally, acknowledged + 30));
    } finally {
      await load.stop();
    }
    expect(load.tally.retryable.SERVICE_UNAVAILABLE).toBeGreaterThan(0);
    await expectCleanOutcome(served, load.tally);
    await close(served);
  });
});
