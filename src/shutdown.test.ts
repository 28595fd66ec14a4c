import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { packageRoot } from './config';
import { Post } from './db/models/post';
import { testDatabaseUrl } from './test/database';
import { aPublishedPost, aSignedInUser } from './test/factories';
import { blockedBackends, outsideClient, waitFor } from './test/faults';

interface Served {
  child: ChildProcess;
  url: string;
  /** Log messages seen so far. */
  messages: string[];
  exit: Promise<number | null>;
}

/** Starts `src/index.ts` in its own process (ts-node, no type check) on this test file's database. */
async function startServerProcess(): Promise<Served> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(packageRoot, 'src', 'index.ts')], {
    cwd: packageRoot,
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '20000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const messages: string[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.push((JSON.parse(line) as { msg: string }).msg);
    } catch {
      messages.push(line);
    }
  });
  let url = '';
  await Promise.race([
    waitFor('the server process to listen', () => {
      const ready = messages.find((message) => message.startsWith('GraphQL API ready at '));
      if (ready) url = `http://127.0.0.1:${new URL(ready.slice('GraphQL API ready at '.length)).port}/graphql`;
      return Boolean(ready);
    }, 60_000),
    exit.then((code) => Promise.reject(new Error(`the server exited (${code}) before it listened: ${stderr.join('')} ${messages.join('\n')}`))),
  ]);
  return { child, url, messages, exit };
}

const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { title } } }`;

describe.each(['SIGTERM', 'SIGINT'] as const)('on %s the server process', (signal) => {
  it('refuses new connections, finishes the request in flight, closes the pool and exits 0', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user, { title: 'before' });
    const lockHolder = await outsideClient();
    const served = await startServerProcess();
    try {
      // A request held up inside its transaction, behind a row lock of the test's own.
      await lockHolder.query('BEGIN');
      await lockHolder.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [post.id]);
      const inFlight = fetch(served.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: UPDATE, variables: { input: { id: String(post.id), title: 'after' } } }),
      });
      inFlight.catch(() => undefined);
      await blockedBackends(lockHolder);

      served.child.kill(signal);
      await waitFor('the server to refuse new connections', () =>
        fetch(new URL('/healthz', served.url)).then(
          () => false,
          () => true,
        ),
      );
      expect(served.child.exitCode).toBeNull(); // still finishing the request in flight
      await lockHolder.query('ROLLBACK');

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ data: { updatePost: { post: { title: 'after' } } } });
      expect(await served.exit).toBe(0);
      expect(served.messages).toContain('stopped');
      expect((await Post.findByPk(post.id, { rejectOnEmpty: true })).title).toBe('after');
    } finally {
      served.child.kill('SIGKILL');
      await lockHolder.end();
    }
  });
});
