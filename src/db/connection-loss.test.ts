import { createServer, type RunningServer } from '../server';
import { testDatabaseUrl } from '../test/database';
import { startEndingProxy, type EndingProxy } from '../test/ending-proxy';
import { sendGraphQL, TEST_CLIENT_LIMITS } from '../test/server';
import { connectDatabase, type Database } from './database';

/**
 * PostgreSQL may end a session the moment it opens (pg_terminate_backend, a restart, a pooler): its FATAL
 * can then come in the same read as the session's ReadyForQuery, before whoever opened the connection has
 * had a turn to listen for errors. It must cost the request that wanted the connection a clean 503, never
 * the process (pg emits 'error', and an 'error' event with no listener ends Node).
 */
let proxy: EndingProxy;
let db: Database;
let running: RunningServer;

beforeAll(async () => {
  proxy = await startEndingProxy(testDatabaseUrl());
  db = connectDatabase(proxy.url, { poolMax: 2, acquireTimeoutMs: 2000 });
  // Live data listens directly (as behind a pooler): only the pool's sessions go through the proxy.
  const listenUrl = testDatabaseUrl();
  const server = await createServer({ sequelize: db.sequelize, listenUrl, production: true, tokenTtlSeconds: 3600, limits: TEST_CLIENT_LIMITS });
  running = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await running.stop();
  await db.close();
  await proxy.close();
});

const COUNT = { query: '{ posts(first: 1) { totalCount } }' };

describe('a session PostgreSQL ends as it opens', () => {
  it('fails the request that wanted it cleanly, and the next connection serves', async () => {
    const { status, answer } = await sendGraphQL(running.url, COUNT);
    expect(proxy.ended).toBeGreaterThan(0);
    expect(status).toBe(503);
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });

    proxy.ending = false;
    const served = await sendGraphQL(running.url, COUNT);
    expect(served.status).toBe(200);
    expect(served.answer.data).toEqual({ posts: { totalCount: 0 } });
  });
});
