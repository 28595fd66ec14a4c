import fs from 'node:fs';
import pg from 'pg';
import { LOAD_SETTINGS, startCluster, type Cluster } from '../test/cluster';
import { send, signUpAccounts, type Account } from '../test/cluster/load';
import { CLUSTER_DATABASE } from '../test/cluster/postgres';
import { waitFor } from '../test/wait';

/**
 * Mutations that lose a serialization failure are run again (src/db/transaction.ts), here on the real
 * topology: through HAProxy, two instances and PgBouncer in transaction mode. The database runs REPEATABLE
 * READ by default (an operator's choice the API must live with), so concurrent writes of one viewer really
 * conflict: each mutation's first statement updates the viewer's row (users."lastWriteAt", read-your-writes),
 * and under REPEATABLE READ a transaction that finds that row updated by one committed since its snapshot
 * fails with SQLSTATE 40001.
 */

const RETRIES = 10;
let cluster: Cluster;
let writer: Account;
let writerId: number;

beforeAll(async () => {
  cluster = await startCluster({
    instances: 2,
    env: { ...LOAD_SETTINGS, DB_TRANSACTION_RETRIES: String(RETRIES) },
    prepare: async (primary) => {
      await primary.query(`ALTER DATABASE ${CLUSTER_DATABASE} SET default_transaction_isolation = 'repeatable read'`);
    },
  });
  [writer] = (await signUpAccounts(cluster.url, 1, 'conflicting')) as [Account];
  [{ id: writerId }] = (await cluster.primary.query<{ id: number }>(`SELECT id FROM users WHERE email = '${writer.email}'`, CLUSTER_DATABASE)) as [
    { id: number },
  ];
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

const BATCH = 'mutation Batch($input: CreatePostsInput!) { createPosts(input: $input) { posts { id } } }';
const RENAME = 'mutation Rename($input: UpdatePostInput!) { updatePost(input: $input) { post { title } } }';
const batchOf = (label: string) => ({ input: { posts: [1, 2, 3].map((n) => ({ title: `${label} post ${n}`, published: true })) } });

/** A session of the test's own, straight to the primary (not through PgBouncer). */
async function direct(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: cluster.primary.url(CLUSTER_DATABASE) });
  await client.connect();
  return client;
}

const waitingOnLocks = async (watcher: pg.Client) =>
  (await watcher.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))
    .rows[0]!.n;

/** Lines of the primary's log written after `from` (its length then) that report a serialization failure. */
const serializationFailuresSince = (from: number) =>
  fs
    .readFileSync(cluster.primary.logFile, 'utf8')
    .slice(from)
    .split('\n')
    .filter((line) => line.includes('could not serialize access')).length;

test('concurrent conflicting mutations of one viewer, through PgBouncer on two instances, are retried until each commits whole and once', async () => {
  const created = await send(cluster.url, 'mutation { createPost(input: { title: "renamed", published: true }) { post { id } } }', {}, writer.token);
  const postId = (created.body?.data?.createPost as { post: { id: string } }).post.id;
  const logFrom = fs.statSync(cluster.primary.logFile).size;
  // At most one commit of each other contender (and of the blocker) can defeat a mutation's attempt, so with
  // more retries than contenders every one of them commits in the end.
  const contenders = 8;
  const [blocker, watcher] = [await direct(), await direct()];
  try {
    // Holds the viewer's row, updated, while every mutation starts its snapshot and waits for it.
    await blocker.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    await blocker.query('UPDATE users SET "lastWriteAt" = now() WHERE id = $1', [writerId]);
    const answers = Array.from({ length: contenders }, (_, i) =>
      i % 2 === 0
        ? send(cluster.url, BATCH, batchOf(`batch ${i}`), writer.token)
        : send(cluster.url, RENAME, { input: { id: postId, title: `renamed ${i}` } }, writer.token),
    );
    await waitFor('every mutation to wait for the viewer row', async () => (await waitingOnLocks(watcher)) === contenders, 60_000);
    await blocker.query('COMMIT');
    const settled = await Promise.all(answers);
    expect(settled.map((answer) => [answer.status, answer.body?.errors ?? answer.error ?? null])).toEqual(settled.map(() => [200, null]));
  } finally {
    await blocker.end();
    await watcher.end();
  }
  // Every mutation lost at least once (the blocker's commit came after its snapshot), and was run again.
  const failures = serializationFailuresSince(logFrom);
  console.log(JSON.stringify({ contenders, retriesAllowed: RETRIES, serializationFailures: failures }));
  expect(failures).toBeGreaterThanOrEqual(contenders);

  const rows = await cluster.primary.query<{ title: string }>(`SELECT title FROM posts WHERE title LIKE 'batch %' OR title LIKE 'renamed%'`, CLUSTER_DATABASE);
  const titles = rows.map((row) => row.title).sort();
  const batches = [0, 2, 4, 6].flatMap((i) => [1, 2, 3].map((n) => `batch ${i} post ${n}`));
  // Each batch stored once and whole (no attempt left a part behind, no retry wrote it twice); the renamed post is there once.
  expect(titles.filter((title) => title.startsWith('batch'))).toEqual(batches.sort());
  expect(titles.filter((title) => title.startsWith('renamed'))).toEqual([expect.stringMatching(/^renamed [1357]$/)]);
}, 120_000);

test('a mutation that loses every attempt ends with a clean, retryable SERVICE_UNAVAILABLE and writes nothing', async () => {
  const admin = await direct();
  try {
    // Raised by PostgreSQL at the batch's second post, the first one written: every attempt has a part to roll back.
    await admin.query(`
      CREATE SEQUENCE attempts;
      CREATE FUNCTION always_conflicting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.title = 'losing post 2' THEN PERFORM nextval('attempts'); RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END IF;
        RETURN NEW; END $$;
      CREATE TRIGGER always_conflicting BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION always_conflicting();`);
    const answer = await send(cluster.url, BATCH, batchOf('losing'), writer.token);
    expect(answer.status).toBe(503);
    expect(answer.body?.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(Number((await admin.query<{ last: string }>('SELECT last_value AS last FROM attempts')).rows[0]!.last)).toBe(1 + RETRIES);
    expect((await admin.query(`SELECT 1 FROM posts WHERE title LIKE 'losing%'`)).rowCount).toBe(0);
  } finally {
    await admin.query('DROP TRIGGER IF EXISTS always_conflicting ON posts; DROP FUNCTION IF EXISTS always_conflicting(); DROP SEQUENCE IF EXISTS attempts;');
    await admin.end();
  }
});

/** What a server connection carries from one transaction to the next: what the API must never leave behind. */
const SESSION_STATE = `SELECT pg_backend_pid() AS pid,
  current_setting('statement_timeout') AS statement_timeout,
  current_setting('lock_timeout') AS lock_timeout,
  current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout,
  current_setting('default_transaction_isolation') AS default_transaction_isolation,
  current_setting('default_transaction_read_only') AS default_transaction_read_only,
  current_setting('synchronous_commit') AS synchronous_commit,
  current_setting('search_path') AS search_path,
  current_setting('client_min_messages') AS client_min_messages,
  current_setting('work_mem') AS work_mem,
  (SELECT count(*)::int FROM pg_prepared_statements) AS prepared_statements,
  (SELECT count(*)::int FROM pg_listening_channels()) AS listening,
  (SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS advisory_locks,
  (SELECT count(*)::int FROM pg_class WHERE relpersistence = 't') AS temporary_tables`;

/**
 * The session state of `count` server connections of the primary's PgBouncer: as many clients at once, each
 * inside a transaction, hold as many different server connections (PgBouncer lends the last used first).
 */
async function serverSessions(count: number): Promise<Record<string, unknown>[]> {
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString: cluster.bouncers.primary.url(CLUSTER_DATABASE), application_name: 'probe' });
      await client.connect();
      return client;
    }),
  );
  try {
    return await Promise.all(
      clients.map(async (client) => {
        await client.query('BEGIN');
        return (await client.query<Record<string, unknown>>(SESSION_STATE)).rows[0]!;
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.query('ROLLBACK').then(() => client.end())));
  }
}

const PROBES = 16;

test("after the retries, the server connections PgBouncer lends carry none of the API's session state", async () => {
  const baseline = await direct();
  const expected = { ...(await baseline.query<Record<string, unknown>>(SESSION_STATE)).rows[0]!, pid: undefined };
  await baseline.end();
  const states = await serverSessions(PROBES);
  expect(new Set(states.map((state) => state.pid)).size).toBe(PROBES);
  // Each as a fresh session of the role on the database has it (ALTER DATABASE … SET included).
  for (const state of states) expect({ ...state, pid: undefined }).toEqual(expected);
});

test('the check sees a SET that a client leaves behind (why the API sends none through PgBouncer)', async () => {
  const careless = new pg.Client({ connectionString: cluster.bouncers.primary.url(CLUSTER_DATABASE) });
  await careless.connect();
  try {
    await careless.query("SET work_mem = '7MB'");
    expect((await serverSessions(PROBES)).filter((state) => state.work_mem === '7MB')).toHaveLength(1);
  } finally {
    await careless.end();
  }
});
