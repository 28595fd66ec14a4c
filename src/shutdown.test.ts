import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedUrl } from './db/embedded-postgres';
import { testDatabaseUrl } from './test/database';
import { aPublishedPost, aSignedInUser, aUser } from './test/factories';
import { blockedBackends, outsideClient, waitFor } from './test/faults';
import { spawnTypeScript, type Spawned } from './test/spawn';
import { openConnection, readSlowly } from './test/http';
import { sendGraphQL } from './test/server';
import { globalId } from './ids';

interface Served extends Spawned {
  url: string;
  /** Log messages seen so far. */
  messages(): string[];
}

const READY = 'GraphQL API ready at ';

/** Starts `src/index.ts` in its own process with `env` over the test's own, on a loopback port. */
async function startServerProcess(env: Record<string, string | undefined>): Promise<Served> {
  const spawned = spawnTypeScript('src/index.ts', [], { HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production', LOG_LEVEL: 'info', ...env });
  const messages = () => spawned.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  const ready = (JSON.parse(await spawned.lineMatching((line) => line.includes(READY))) as { msg: string }).msg;
  return { ...spawned, messages, url: `http://127.0.0.1:${new URL(ready.slice(READY.length)).port}/graphql` };
}

const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { title } } }`;

/**
 * Sends `signal` while an updatePost waits inside its transaction behind a row lock of `lockHolder`, then
 * checks the server refuses new connections, answers that request in full, and exits 0.
 */
async function signalDuringRequest(served: Served, lockHolder: pg.Client, signal: NodeJS.Signals, token: string, postId: number) {
  await lockHolder.query('BEGIN');
  await lockHolder.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [postId]);
  const inFlight = fetch(served.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: UPDATE, variables: { input: { id: globalId('Post', postId), title: 'after' } } }),
  });
  inFlight.catch(() => undefined);
  await blockedBackends(lockHolder);

  served.child.kill(signal);
  const refused = () =>
    fetch(new URL('/healthz', served.url)).then(
      () => false,
      () => true,
    );
  await waitFor('the server to refuse new connections', refused);
  expect(served.child.exitCode).toBeNull(); // still finishing the request in flight
  await lockHolder.query('ROLLBACK');

  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual({ data: { updatePost: { post: { title: 'after' } } } });
  expect(await served.exit).toBe(0);
  expect(served.messages()).toContain('stopped');
}

describe.each(['SIGTERM', 'SIGINT'] as const)('on %s the server process', (signal) => {
  it('refuses new connections, finishes the request in flight, closes the pool and exits 0', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user, { title: 'before' });
    const lockHolder = await outsideClient();
    const served = await startServerProcess({ DATABASE_URL: testDatabaseUrl(), SHUTDOWN_GRACE_MS: '20000' });
    try {
      await signalDuringRequest(served, lockHolder, signal, token, post.id);
      const { rows } = await lockHolder.query('SELECT title FROM posts WHERE id = $1', [post.id]);
      expect(rows).toEqual([{ title: 'after' }]);
    } finally {
      served.child.kill('SIGKILL');
      await lockHolder.end();
    }
  });
});

describe('with its embedded PostgreSQL, on SIGTERM the server process', () => {
  it('finishes the request in flight before it stops the database, then exits 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-shutdown-'));
    const dataDir = path.join(dir, 'data');
    const served = await startServerProcess({ DATABASE_URL: undefined, EMBEDDED_PG_DIR: dataDir });
    const pgPort = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3];
    const lockHolder = new pg.Client(embeddedUrl(Number(pgPort), 'content_api'));
    lockHolder.on('error', () => undefined); // the server stops the database under this connection, as it should
    try {
      await lockHolder.connect();
      const gql = async (query: string, token?: string) => (await sendGraphQL(served.url, { query }, { token })).answer.data!;
      const { token } = (await gql(`mutation { signUp(input: { email: "ada@example.com", password: "correct horse" }) { token } }`)).signUp;
      const { databaseId } = (await gql(`mutation { createPost(input: { title: "before" }) { post { databaseId } } }`, token)).createPost.post;
      await signalDuringRequest(served, lockHolder, 'SIGTERM', token, Number(databaseId));
      // The database was stopped after the request finished, by the server itself.
      expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    } finally {
      served.child.kill('SIGKILL');
      await lockHolder.end().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('on SIGTERM with a large answer being read slowly, the server process', () => {
  it('writes the whole answer before it exits 0, and logs it as ok', async () => {
    const author = await aUser();
    for (let i = 0; i < 100; i += 1) await aPublishedPost(author, { content: `${i} `.padEnd(45_000, 'x') });
    const served = await startServerProcess({ DATABASE_URL: testDatabaseUrl(), SHUTDOWN_GRACE_MS: '20000' });
    try {
      // About 9 MB: more than the kernel's buffers on loopback hold, so most of it waits in the server.
      const body = JSON.stringify({ query: '{ a: posts(first: 100) { nodes { content } } b: posts(first: 100) { nodes { content } } }' });
      const connection = await openConnection(served.url);
      connection.socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      await new Promise<void>((resolve) => connection.socket.once('data', () => resolve()));
      connection.socket.pause();
      served.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await readSlowly(connection, 5);

      const raw = connection.received();
      const length = Number(/content-length: (\d+)/i.exec(raw)?.[1]);
      const answer = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      expect(length).toBeGreaterThan(8_000_000);
      expect(answer.length).toBe(length);
      expect((JSON.parse(answer) as { data: { b: { nodes: unknown[] } } }).data.b.nodes).toHaveLength(100);
      expect(await served.exit).toBe(0);
      const logged = served.lines.map((line) => JSON.parse(line) as { msg: string; outcome?: string }).filter((line) => line.msg === 'graphql request');
      expect(logged.map((line) => line.outcome)).toEqual(['ok']);
    } finally {
      served.child.kill('SIGKILL');
    }
  });
});
