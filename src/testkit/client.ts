/**
 * startTestApi(): runs the content API's test mode for a test suite and talks to it. One file with no
 * dependency beyond Node 20 (child_process, readline, fetch): copy it into a frontend repository, or import it
 * from a checkout of the API (README "Testing your frontend against it").
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface TestApiOptions {
  /** A checkout of the API, built (`npm ci && npm run build`); default CONTENT_API_DIR, else the folder above this file's `src/`. */
  apiDir?: string;
  /** The command that starts the test mode, instead of `node <apiDir>/dist/src/testkit/serve.js`. */
  command?: string[];
  /** A fixture file (default: the API's default fixtures). */
  fixtures?: string;
  /** Generated users and posts on top of the fixtures: the same seed, the same rows. */
  seed?: number;
  users?: number;
  posts?: number;
  /** Extra environment for the server (e.g. DATABASE_URL of a database it may wipe). */
  env?: Record<string, string | undefined>;
  /** How long to wait for the server to say it is ready (default 120 s: PostgreSQL starts from nothing). */
  readyTimeoutMs?: number;
}

export interface FixtureIds {
  users: Record<string, { id: string; databaseId: number; email: string | null }>;
  posts: Record<string, { id: string; databaseId: number }>;
}

export interface TestApi {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:41234/graphql. */
  url: string;
  port: number;
  /** The server's process id. */
  pid: number;
  /** Back to exactly the fixtures (ids, timestamps, sequences); tokens minted before are void. */
  reset(): Promise<void>;
  /** A bearer token for the fixture user with this key (no password needed). */
  tokenFor(user: string, options?: { expiresInSeconds?: number }): Promise<string>;
  /** Makes a token expired now, or revokes it: the API then answers UNAUTHENTICATED to it. */
  expireToken(token: string): Promise<void>;
  revokeToken(token: string): Promise<void>;
  /** The global ids of the fixtures, by key. */
  fixtures(): Promise<FixtureIds>;
  /** Stops the server and its database; nothing is left running. */
  stop(): Promise<void>;
}

function defaultApiDir(): string {
  if (process.env.CONTENT_API_DIR) return process.env.CONTENT_API_DIR;
  // This file sits in <api>/src/testkit or, built, in <api>/dist/src/testkit.
  const up = path.basename(path.resolve(__dirname, '..', '..')) === 'dist' ? 3 : 2;
  return path.resolve(__dirname, ...Array<string>(up).fill('..'));
}

function flags(options: TestApiOptions): string[] {
  const args = options.fixtures ? ['--fixtures', path.resolve(options.fixtures)] : [];
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.users !== undefined) args.push('--users', String(options.users));
  if (options.posts !== undefined) args.push('--posts', String(options.posts));
  return args;
}

/** Starts the test mode as a child process, waits for its ready line, and gives back its URL and helpers. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const apiDir = options.apiDir ?? defaultApiDir();
  const [command, ...commandArgs] = options.command ?? [process.execPath, path.join(apiDir, 'dist', 'src', 'testkit', 'serve.js')];
  const child = spawn(command!, [...commandArgs, ...flags(options)], {
    cwd: apiDir,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let timer: NodeJS.Timeout | undefined;
  const ready = await new Promise<{ url: string; port: number; testkit: string; pid: number }>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the test API did not get ready in time:\n${log}`)), options.readyTimeoutMs ?? 120_000);
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { ready?: boolean; url: string; port: number; testkit: string; pid: number };
        if (message.ready) resolve(message);
      } catch {
        // not the ready line
      }
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`the test API exited (${code}) before it was ready:\n${log}`)));
  })
    .finally(() => clearTimeout(timer))
    .catch((error: Error) => {
      child.kill('SIGKILL');
      throw error;
    });

  async function call<T>(route: string, body?: object): Promise<T> {
    const response = await fetch(`${ready.testkit}/${route}`, {
      method: body === undefined && route === 'fixtures' ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as T & { errors?: { message: string }[] };
    if (!response.ok) throw new Error(`test API ${route}: ${answer.errors?.[0]?.message ?? response.status}`);
    return answer;
  }

  return {
    url: ready.url,
    port: ready.port,
    pid: ready.pid,
    reset: () => call('reset'),
    tokenFor: async (user, tokenOptions = {}) => (await call<{ token: string }>('tokens', { user, ...tokenOptions })).token,
    expireToken: (token) => call('tokens/expire', { token }),
    revokeToken: (token) => call('tokens/revoke', { token }),
    fixtures: () => call<FixtureIds>('fixtures'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
