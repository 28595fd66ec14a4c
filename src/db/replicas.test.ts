import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../config';
import { createServer, type RunningServer } from '../server';
import { testDatabaseUrl } from '../test/database';
import { startPostgresProcess, type PostgresProcess } from '../test/postgres-process';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { createDatabase } from './admin';
import { connectDatabase, type Database } from './database';
import { User } from './models/user';
import { migrateUp } from './migrator';
import { inTransaction } from './transaction';
import { sendGraphQL } from '../test/server';
import { postId } from '../test/ids';
import { sessionCache } from '../services/session-cache';
import { activeSubscriptions, subscribe } from '../live/test-clients';
import { waitFor } from '../test/wait';

/**
 * A second, real PostgreSQL plays the read replica. It does not replicate: both are migrated and each
 * gets rows of its own, so an answer shows which database it was read from.
 */
let replicaServer: PostgresProcess;
let replicaDir: string;
let replicaUrl: string;
let primaryUrl: string;
let db: Database;
let running: RunningServer;

async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

async function gql(query: string, variables: Record<string, unknown> = {}, token?: string) {
  return (await sendGraphQL(running.url, { query, variables }, { token })).answer;
}

/** A user on the replica only, under an id of its own choosing (the same id as a primary's user, say). */
function aReplicaUser(id: number, name: string) {
  return sql(replicaUrl, `INSERT INTO users (id, email, name, "passwordHash", "createdAt", "updatedAt") VALUES ($1, $2, $3, 'x', now(), now())`, [
    id,
    `replica${id}@example.com`,
    name,
  ]);
}

beforeAll(async () => {
  replicaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-replica-'));
  replicaServer = await startPostgresProcess(path.join(replicaDir, 'data'));
  await createDatabase(replicaServer.url('postgres'), 'replica');
  replicaUrl = replicaServer.url('replica');
  const migrating = connectDatabase(replicaUrl, { poolMax: 1 });
  await migrateUp(migrating.sequelize);
  await migrating.close();

  // This test file's own database plays the primary. The models (and so the factories) now work through
  // this connection: writes to the primary.
  primaryUrl = testDatabaseUrl();
  db = connectDatabase(primaryUrl, { poolMax: 2, readUrls: [replicaUrl], statementTimeoutMs: 30_000 });
  const server = await createServer({ sequelize: db.sequelize, production: false, tokenTtlSeconds: 3600 });
  running = await server.listen(0, '127.0.0.1');
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await db?.close();
  await replicaServer?.stop();
  fs.rmSync(replicaDir, { recursive: true, force: true });
});

beforeEach(() => sql(replicaUrl, 'TRUNCATE users, posts, sessions RESTART IDENTITY CASCADE'));

describe('read replicas (DATABASE_READ_URLS)', () => {
  it('answers a query from the replica', async () => {
    await aSignedInUser({ name: 'Primary Ada' });
    await aReplicaUser(1, 'Replica Bob');
    const { data } = await gql(`{ users { nodes { name } } }`);
    expect(data!.users.nodes).toEqual([{ name: 'Replica Bob' }]);
  });

  it("sets the replica's connections up like the primary's: the same statement timeout", async () => {
    const show = async (useMaster: boolean) =>
      (await db.sequelize.query<{ statement_timeout: string }>('SHOW statement_timeout', { type: QueryTypes.SELECT, useMaster }))[0]!.statement_timeout;
    expect([await show(false), await show(true)]).toEqual(['30s', '30s']);
  });

  it('sends a read outside a transaction to the replica and one inside a transaction to the primary', async () => {
    const { user } = await aSignedInUser({ name: 'Primary Ada' });
    await aReplicaUser(user.id, 'Replica Ada');
    expect((await User.findByPk(user.id))?.name).toBe('Replica Ada');
    expect(await inTransaction(db.sequelize, async () => (await User.findByPk(user.id))?.name)).toBe('Primary Ada');
  });

  it('reads the bearer token from the primary, where a new session is written first', async () => {
    const { token } = await aSignedInUser({ name: 'Primary Ada' });
    const { data, errors } = await gql(`{ viewer { name } }`, {}, token);
    expect(errors).toBeUndefined();
    expect(data!.viewer).toEqual({ name: 'Primary Ada' });
  });

  it('runs a mutation on the primary: its reads, its write, and the payload read after the commit', async () => {
    const { user, token } = await aSignedInUser({ name: 'Primary Ada' });
    const post = await aPublishedPost(user, { title: 'Primary title' });
    await aReplicaUser(user.id, 'Replica Ada');
    // The replica's copy of the post is at another version: read there, the update would be a CONFLICT.
    await sql(
      replicaUrl,
      `INSERT INTO posts (id, title, content, published, version, "authorId", "createdAt", "updatedAt") VALUES ($1, 'Replica title', 'old', true, 5, $2, now(), now())`,
      [post.id, user.id],
    );

    const { data, errors } = await gql(
      `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { title content version author { name } } } }`,
      { input: { id: postId(post), expectedVersion: 0, content: 'edited' } },
      token,
    );

    expect(errors).toBeUndefined();
    expect(data!.updatePost.post).toEqual({ title: 'Primary title', content: 'edited', version: 1, author: { name: 'Primary Ada' } });
    const [primary, replica] = await Promise.all(
      [primaryUrl, replicaUrl].map((url) => sql(url, 'SELECT content, version FROM posts WHERE id = $1', [post.id])),
    );
    expect(primary!.rows).toEqual([{ content: 'edited', version: 1 }]);
    expect(replica!.rows).toEqual([{ content: 'old', version: 5 }]);
  });

  it("sends a viewer's reads to the primary for a while after their own write, and no one else's", async () => {
    const { user: writer, token: writerToken } = await aSignedInUser({ name: 'Writer' });
    const { user: reader, token: readerToken } = await aSignedInUser({ name: 'Reader' });
    for (const user of [writer, reader]) await aReplicaUser(user.id, `Replica ${user.name}`);
    const created = await gql(`mutation { createPost(input: { title: "Mine", published: true }) { post { id } } }`, {}, writerToken);
    expect(created.errors).toBeUndefined();
    const feed = `{ posts(first: 5) { nodes { title } } }`;
    // The writer sees their post (read from the primary); the reader and anonymous clients read the replica,
    // which has not got it.
    expect((await gql(feed, {}, writerToken)).data!.posts.nodes).toEqual([{ title: 'Mine' }]);
    expect((await gql(feed, {}, readerToken)).data!.posts.nodes).toEqual([]);
    expect((await gql(feed)).data!.posts.nodes).toEqual([]);
    // The write is on the viewer's row, for every instance: its time, read with the session, decides.
    const [row] = (await sql(primaryUrl, 'SELECT "lastWriteAt" FROM users WHERE id = $1', [writer.id])).rows as { lastWriteAt: Date | null }[];
    expect(row!.lastWriteAt).toBeInstanceOf(Date);
    expect((await sql(primaryUrl, 'SELECT "lastWriteAt" FROM users WHERE id = $1', [reader.id])).rows).toEqual([{ lastWriteAt: null }]);
  });

  it('reads from the primary for a viewer another instance saw write, and from the replica once the window is over', async () => {
    // Ids start again at 1 in every test, and this instance remembers for a while who wrote here (the test
    // above): this viewer's id must be one no earlier writer had.
    for (const name of ['Someone', 'Someone else']) await aSignedInUser({ name });
    const { user, token } = await aSignedInUser({ name: 'Elsewhere' });
    await aReplicaUser(user.id, 'Replica Elsewhere');
    await sql(
      primaryUrl,
      `INSERT INTO posts (title, content, published, version, "authorId", "createdAt", "updatedAt") VALUES ('Written elsewhere', '', true, 0, $1, now(), now())`,
      [user.id],
    );
    const feed = `{ posts(first: 5) { nodes { title } } }`;
    await sql(primaryUrl, `UPDATE users SET "lastWriteAt" = now() WHERE id = $1`, [user.id]);
    expect((await gql(feed, {}, token)).data!.posts.nodes).toEqual([{ title: 'Written elsewhere' }]);
    await sql(primaryUrl, `UPDATE users SET "lastWriteAt" = now() - interval '1 hour' WHERE id = $1`, [user.id]);
    sessionCache.invalidateAll();
    expect((await gql(feed, {}, token)).data!.posts.nodes).toEqual([]);
  });

  it('delivers live data read from the primary: a replica that has not replayed the post yet drops no event', async () => {
    const { token } = await aSignedInUser({ name: 'Writer' });
    const received = subscribe('websocket', running.url, 'subscription { postPublished { title author { name posts(first: 1) { nodes { title } } } } }');
    try {
      await waitFor('the subscription', async () => (await activeSubscriptions(running.url)) === 1);
      // The replica never gets this post: read there, the event would find no row and be lost.
      const created = await gql(`mutation { createPost(input: { title: "Fresh", published: true }) { post { id } } }`, {}, token);
      expect(created.errors).toBeUndefined();
      await waitFor('the event', () => received.data.length + received.errors.length > 0);
      expect(received.errors).toEqual([]);
      // The payload's further reads (the author's posts) come from the primary too.
      expect(received.data).toEqual([{ postPublished: { title: 'Fresh', author: { name: 'Writer', posts: { nodes: [{ title: 'Fresh' }] } } } }]);
    } finally {
      received.stop();
    }
  });

  it('reports the primary and the replica pools in /metrics', async () => {
    await gql(`{ users { nodes { name } } }`);
    const text = await (await fetch(new URL('/metrics', running.url))).text();
    expect(text).toMatch(/^db_pool_max\{pool="primary"\} 2$/m);
    expect(text).toMatch(/^db_pool_max\{pool="replica"\} 2$/m);
    expect(text).toMatch(/^db_pool_size\{pool="replica"\} [1-9]/m);
  });
});

describe('DATABASE_READ_URLS', () => {
  it('is a comma-separated list of URLs, empty when unset', () => {
    expect(loadConfig({}).DATABASE_READ_URLS).toEqual([]);
    expect(loadConfig({ DATABASE_READ_URLS: 'postgres://a:b@r1:5432/db?sslmode=require, postgres://a:b@r2/db' }).DATABASE_READ_URLS).toEqual([
      'postgres://a:b@r1:5432/db?sslmode=require',
      'postgres://a:b@r2/db',
    ]);
  });

  it('stops the start with the variable named when an entry is not a URL', () => {
    expect(() => loadConfig({ DATABASE_READ_URLS: 'postgres://r1/db,replica-two' })).toThrow(/DATABASE_READ_URLS/);
  });
});
