import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createDatabase } from '../db/admin';
import { connectDatabase, type Database } from '../db/database';
import { migrateUp } from '../db/migrator';
import { createServer, type RunningServer } from '../server';
import { quietDroppedConnectionWarnings, waitFor } from '../test/faults';
import { startPostgresProcess, type PostgresProcess } from '../test/postgres-process';
import { sendGraphQL } from '../test/server';
import { activeSubscriptions, subscribe, wsClient, type Received } from './test-clients';

/**
 * Live data under faults and load, against a PostgreSQL of this file's own (so stopping it disturbs no other
 * test file), with the server in this process.
 */
const DATABASE = 'content_api';
let dir: string;
let postgres: PostgresProcess;
let db: Database;
let running: RunningServer;
let token: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-live-'));
  postgres = await startPostgresProcess(path.join(dir, 'data'));
  await createDatabase(postgres.url('postgres'), DATABASE);
  db = connectDatabase(postgres.url(DATABASE), { poolMax: 10 });
  await migrateUp(db.sequelize);
  const limits = { requestsPerClient: 10_000_000, requestsInFlightPerClient: 1000, liveConnectionsPerClient: 10_000 };
  const server = await createServer({ sequelize: db.sequelize, production: true, tokenTtlSeconds: 3600, limits, shutdownGraceMs: 2000 });
  running = await server.listen(0, '127.0.0.1');
  const signUp = `mutation { signUp(input: { email: "writer@example.com", password: "correct horse" }) { token } }`;
  token = (await sendGraphQL<{ signUp: { token: string } }>(running.url, { query: signUp })).answer.data!.signUp.token;
}, 120_000);
quietDroppedConnectionWarnings();

afterAll(async () => {
  await running?.stop();
  await db?.close();
  await postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const PUBLISHED = `subscription { postPublished { title author { name } } }`;
const publish = (title: string) =>
  sendGraphQL(
    running.url,
    { query: `mutation ($t: NonEmptyString!) { createPost(input: { title: $t, published: true }) { post { id } } }`, variables: { t: title } },
    { token },
  );

describe('live data under faults and load', () => {
  it('PostgreSQL restarted under live subscriptions: subscribers are told EVENTS_MISSED, and the server recovers without a restart', async () => {
    const before = [subscribe('websocket', running.url, PUBLISHED), subscribe('sse', running.url, PUBLISHED)];
    await waitFor('the subscriptions', async () => (await activeSubscriptions(running.url)) === 2);
    await postgres.stop();
    await waitFor('the gap to be told', () => before.every((s) => s.errors.length > 0), 30_000);
    for (const s of before) expect(s.errors[0]!.extensions?.code).toBe('EVENTS_MISSED');
    postgres = await startPostgresProcess(path.join(dir, 'data'), postgres.port);
    // Subscribing again, as clients told EVENTS_MISSED do, until the instance listens again.
    let after: Received | undefined;
    await waitFor(
      'a subscription to be taken again',
      async () => {
        after?.stop();
        after = subscribe('websocket', running.url, PUBLISHED);
        await sleep(200);
        return after.errors.length === 0 && (await activeSubscriptions(running.url)) === 1;
      },
      60_000,
    );
    await waitFor('a write to go through again', async () => !(await publish('after the restart')).answer.errors, 60_000);
    await waitFor('the post', () => after!.data.length >= 1, 30_000);
    expect(after!.data[0]!.postPublished.title).toBe('after the restart');
    before.forEach((s) => s.stop());
    after!.stop();
    await waitFor('no subscriptions', async () => (await activeSubscriptions(running.url)) === 0);
  });

  it('2,000 subscribers while a writer publishes 5 posts a second for 30 s: every post reaches every subscriber exactly once, memory stays flat', async () => {
    const clients = Array.from({ length: 200 }, () => wsClient(running.url, undefined, { lazy: false }));
    // Each subscriber keeps only how many posts it got in order, and what went wrong: the test holds no payloads.
    const subscribers = clients.flatMap((client) =>
      Array.from({ length: 10 }, () => {
        const tally = { inOrder: 0, wrong: [] as unknown[], stop: () => undefined as void };
        const stop = client.subscribe<{ postPublished: { title: string } }>(
          { query: PUBLISHED },
          {
            next: ({ data, errors }) => {
              if (!errors && data?.postPublished.title === `post ${tally.inOrder}`) tally.inOrder += 1;
              else tally.wrong.push(errors ?? data);
            },
            error: (error) => tally.wrong.push(error),
            complete: () => undefined,
          },
        );
        tally.stop = stop;
        return tally;
      }),
    );
    await waitFor('2,000 subscriptions', async () => (await activeSubscriptions(running.url)) === 2000, 120_000);
    const titles: string[] = [];
    const heap: number[] = [];
    // The heap is read after a full collection: what is still held, not garbage waiting its turn.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const started = Date.now();
    for (let i = 0; i < 150; i += 1) {
      // A fixed rate: the i-th post goes out at i × 200 ms.
      await sleep(Math.max(0, started + i * 200 - Date.now()));
      const title = `post ${i}`;
      const answer = await publish(title);
      expect(answer.answer.errors).toBeUndefined();
      titles.push(title);
      if (i % 25 === 24) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
    }
    await waitFor('every post everywhere', () => subscribers.every((s) => s.inOrder + s.wrong.length >= titles.length), 120_000);
    await sleep(500);
    expect(subscribers.flatMap((s) => s.wrong)).toEqual([]);
    expect(subscribers.every((s) => s.inOrder === titles.length)).toBe(true);
    // Flat: the heap (server and clients, this process) stays within 32 MB of what it was after the first 5 s.
    console.info(`heap MB every 5 s: ${heap.map((h) => Math.round(h / 1e6)).join(', ')}`);
    expect(Math.max(...heap.slice(1)) - heap[0]!).toBeLessThan(32 * 1024 * 1024);
    subscribers.forEach((s) => s.stop());
    clients.forEach((c) => void c.dispose());
  });
});
