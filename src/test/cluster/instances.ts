import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../config';
import { freePort } from '../../db/embedded-postgres';
import { endProcess, pidIn } from './run';
import { spawnProcess, type Spawned } from '../spawn';
import { waitFor } from '../wait';

/** One API process of the cluster, started from the build (`npm run build`) as `npm start` runs it. */
export interface Instance {
  port: number;
  /** The running process's id (undefined while it is down). */
  pid(): number | undefined;
  /** Output lines so far (JSON log lines). */
  lines(): string[];
  /** Ends it with SIGKILL: requests in flight are lost, as when a machine dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it is ready. */
  start(): Promise<void>;
  /** Ends it with SIGTERM (graceful: in-flight requests finish). */
  stop(): Promise<void>;
}

/** Resolves once the instance's /readyz says it can serve (migrated, database reachable). */
async function ready(port: number): Promise<void> {
  await waitFor(
    `the instance on port ${port} to be ready`,
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
    60_000,
  );
}

const START_ATTEMPTS = 5;

/** Starts an API instance with `env` (its database URLs and settings); resolves once it listens. */
export async function startInstance(env: Record<string, string>, pidFile?: string): Promise<Instance> {
  const port = await freePort();
  let spawned: Spawned | undefined;
  const attempt = async () => {
    spawned = spawnProcess(process.execPath, [path.join(packageRoot, 'dist', 'src', 'index.js')], {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    });
    // Where the cluster's reaper finds it (src/test/cluster/reaper.ts), for as long as it runs.
    const { pid } = spawned.child;
    if (pidFile && pid !== undefined) {
      fs.writeFileSync(pidFile, `${pid}\n`);
      void spawned.exit.then(() => pidIn(pidFile) === pid && fs.rmSync(pidFile, { force: true }));
    }
    try {
      await Promise.race([
        ready(port),
        spawned.exit.then((code) => Promise.reject(new Error(`the instance exited (${code}): ${spawned!.lines.slice(-5).join('\n')}`))),
      ]);
    } catch (error) {
      await end('SIGKILL');
      throw error;
    }
  };
  // As an orchestrator's restart policy would: an instance that cannot start (its database away for a
  // moment, PgBouncer restarting) exits, and is started again a second later, a few times.
  const start = async () => {
    for (let tries = 1; ; tries += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (tries === START_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    const child = spawned?.child;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await Promise.all([spawned!.exit, endProcess(child.pid, signal)]);
  };
  await start();
  return {
    port,
    pid: () => (spawned?.child.exitCode === null && spawned.child.signalCode === null ? spawned.child.pid : undefined),
    lines: () => spawned?.lines ?? [],
    kill: () => end('SIGKILL'),
    start,
    stop: () => end('SIGTERM'),
  };
}
