import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnProcess } from './test/spawn';
import { waitFor } from './test/faults';

const READY = 'GraphQL API ready at ';

/** Whether a process with this pid is still there. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of a process's children (Linux). */
function childrenOf(pid: number): number[] {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

describe.each(['SIGTERM', 'SIGINT'] as const)('`npm start`, sent %s itself', (signal) => {
  it('stops the server, its node process and its embedded PostgreSQL, and exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-npm-start-'));
    const dataDir = path.join(dir, 'data');
    // npm builds first (prestart), then starts the server on a free port with an embedded PostgreSQL of its own.
    const npm = spawnProcess('npm', ['start', '--silent'], {
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: undefined,
      EMBEDDED_PG_DIR: dataDir,
    });
    const started: number[] = [];
    try {
      await npm.lineMatching((line) => line.includes(READY), 150_000);
      const [server] = childrenOf(npm.child.pid!); // `exec node …`: the server is npm's own child, no shell between
      const postgres = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      started.push(server!, postgres);
      expect([alive(server!), alive(postgres)]).toEqual([true, true]);

      npm.child.kill(signal);
      await npm.exit;
      await waitFor('the server and PostgreSQL to be gone', () => !alive(server!) && !alive(postgres), 20_000);
      expect(npm.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      // Whatever this test started and left behind, by pid.
      for (const pid of [npm.child.pid!, ...started]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
