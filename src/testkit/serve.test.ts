import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { packageRoot } from '../config';
import { waitFor } from '../test/faults';
import { spawnTypeScript } from '../test/spawn';
import { startTestApi, type TestApi } from './client';

// The test mode from its TypeScript source (the README's command runs the build of the same file).
const SERVE = [process.execPath, '-r', 'ts-node/register/transpile-only', path.join(packageRoot, 'src', 'testkit', 'serve.ts')];
const START_TIMEOUT = 180_000;

// The servers these tests start are the test mode as a frontend team runs it: each on an embedded PostgreSQL
// of its own. With DATABASE_URL (the suite run against another PostgreSQL) they would all share that database.
// (Jest gives each test file its own copy of process.env: children get it only when it is passed to them.)
delete process.env.DATABASE_URL;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The embedded PostgreSQL a test-mode server started (its child), and the folder it keeps its data in. */
function postgresOf(serverPid: number): { pid: number; folder: string } {
  const children = fs
    .readdirSync(`/proc/${serverPid}/task`)
    .flatMap((task) => fs.readFileSync(`/proc/${serverPid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  for (const pid of children) {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const dataDir = args[args.indexOf('-D') + 1];
    if (args.includes('-D') && dataDir) return { pid, folder: path.dirname(dataDir) };
  }
  throw new Error(`no PostgreSQL among the children of ${serverPid}`);
}

const gone = (pids: number[], folder: string) =>
  waitFor('the server, its PostgreSQL and its folder to be gone', () => pids.every((pid) => !alive(pid)) && !fs.existsSync(folder), 30_000);

describe('startTestApi()', () => {
  it(
    'runs several test-mode servers at once, each on its own port and folder, and stop() leaves nothing behind',
    async () => {
      const apis: TestApi[] = await Promise.all([startTestApi({ command: SERVE }), startTestApi({ command: SERVE })]);
      try {
        const [one, two] = apis.map((api) => ({ api, postgres: postgresOf(api.pid) }));
        expect(one!.api.port).not.toBe(two!.api.port);
        expect(one!.postgres.folder).not.toBe(two!.postgres.folder);
        expect(one!.postgres.folder.startsWith(os.tmpdir())).toBe(true);

        // Each its own database: a post made on one is not on the other, and a reset of one leaves the other be.
        const token = await one!.api.tokenFor('ada');
        const created = await fetch(one!.api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: 'mutation { createPost(input: { title: "Only here", published: true }) { post { databaseId } } }' }),
        });
        expect(await created.json()).toEqual({ data: { createPost: { post: { databaseId: 7 } } } });
        const count = async (api: TestApi) => {
          const response = await fetch(api.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ posts { totalCount } }' }),
          });
          return ((await response.json()) as { data: { posts: { totalCount: number } } }).data.posts.totalCount;
        };
        expect([await count(one!.api), await count(two!.api)]).toEqual([4, 3]);
        await two!.api.reset();
        expect([await count(one!.api), await count(two!.api)]).toEqual([4, 3]);
        await one!.api.reset();
        expect([await count(one!.api), await count(two!.api)]).toEqual([3, 3]);
        await expect(one!.api.revokeToken(token)).rejects.toThrow('no session has this token');

        await Promise.all(apis.map((api) => api.stop()));
        await gone([one!.api.pid, one!.postgres.pid, two!.api.pid, two!.postgres.pid], one!.postgres.folder);
        expect(fs.existsSync(two!.postgres.folder)).toBe(false);
      } finally {
        for (const api of apis) if (alive(api.pid)) process.kill(api.pid, 'SIGKILL');
      }
    },
    2 * START_TIMEOUT,
  );
});

describe('the test-mode command', () => {
  it(
    'says where it listens in one JSON line on stdout and in --port-file, then serves /readyz; SIGTERM stops it all',
    async () => {
      const portFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-port-file-')), 'port');
      const server = spawnTypeScript('src/testkit/serve.ts', ['--port-file', portFile]);
      try {
        const ready = JSON.parse(await server.lineMatching((line) => line.startsWith('{'), START_TIMEOUT)) as Record<string, unknown>;
        expect(ready).toEqual({
          ready: true,
          url: `http://127.0.0.1:${String(ready.port)}/graphql`,
          port: expect.any(Number),
          testkit: `http://127.0.0.1:${String(ready.port)}/testkit`,
          pid: server.child.pid,
        });
        expect(server.lines).toHaveLength(1); // the log goes to stderr
        expect(fs.readFileSync(portFile, 'utf8')).toBe(`${String(ready.port)}\n`);
        expect((await fetch(`http://127.0.0.1:${String(ready.port)}/readyz`)).status).toBe(200);
        const postgres = postgresOf(server.child.pid!);

        server.child.kill('SIGTERM');
        expect(await server.exit).toBe(0);
        await gone([postgres.pid], postgres.folder);
        expect(fs.existsSync(portFile)).toBe(false);
      } finally {
        if (alive(server.child.pid!)) server.child.kill('SIGKILL');
        fs.rmSync(path.dirname(portFile), { recursive: true, force: true });
      }
    },
    START_TIMEOUT,
  );

  it(
    'stops, its PostgreSQL and folder included, when the process that started it is killed with SIGKILL',
    async () => {
      // A parent that starts the test mode and is then killed without a chance to clean up, as a test runner can be.
      const parentScript = `require('node:child_process').spawn(${JSON.stringify(SERVE[0])}, ${JSON.stringify(SERVE.slice(1))}, { stdio: ['ignore', 'inherit', 'ignore'] }); setInterval(() => {}, 1000);`;
      const parent = spawn(process.execPath, ['-e', parentScript], { cwd: packageRoot, env: process.env, stdio: ['ignore', 'pipe', 'ignore'] });
      let serverPid = 0;
      try {
        const line = await new Promise<string>((resolve, reject) => {
          readline.createInterface({ input: parent.stdout }).on('line', resolve);
          parent.once('exit', () => reject(new Error('the parent exited')));
          setTimeout(() => reject(new Error('no ready line')), START_TIMEOUT).unref();
        });
        serverPid = (JSON.parse(line) as { pid: number }).pid;
        const postgres = postgresOf(serverPid);

        parent.kill('SIGKILL');
        await gone([serverPid, postgres.pid], postgres.folder);
      } finally {
        if (alive(parent.pid!)) parent.kill('SIGKILL');
        if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
      }
    },
    START_TIMEOUT,
  );

  it(
    'refuses NODE_ENV=production, saying why, and starts nothing',
    async () => {
      const server = spawnTypeScript('src/testkit/serve.ts', [], { NODE_ENV: 'production' });
      let stderr = '';
      server.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await server.exit).toBe(1);
      expect(stderr).toContain('test mode could not start: the test mode does not run with NODE_ENV=production');
    },
    START_TIMEOUT,
  );
});
