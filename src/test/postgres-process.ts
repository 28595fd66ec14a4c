import { embeddedUrl } from '../db/embedded-postgres';
import { spawnTypeScript } from './spawn';

/**
 * An embedded PostgreSQL in a process of its own, which a test can stop and start again on the same
 * port: a real database outage. (Inside Jest's module sandbox the embedded-postgres package, an ES module,
 * cannot be imported; global setup can, because it runs outside the sandbox.)
 */
export interface PostgresProcess {
  port: number;
  url(database: string): string;
  /** Stops PostgreSQL the way an administrator would (fast shutdown: sessions are terminated). */
  stop(): Promise<void>;
}

export async function startPostgresProcess(dataDir: string, port?: number): Promise<PostgresProcess> {
  const spawned = spawnTypeScript('src/test/postgres-child.ts', [dataDir, ...(port ? [String(port)] : [])]);
  const ready = JSON.parse(await spawned.lineMatching((line) => line.startsWith('{"port"'))) as { port: number };
  return {
    port: ready.port,
    url: (database) => embeddedUrl(ready.port, database),
    async stop() {
      spawned.child.kill('SIGTERM');
      await spawned.exit;
    },
  };
}
