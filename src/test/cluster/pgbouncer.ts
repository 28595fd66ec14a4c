import path from 'node:path';
import { freePort } from '../../db/embedded-postgres';
import type { PostgresNode } from './postgres';
import { acceptsConnections, endByPidFile, pidIn, ENGINE_USER, runEngine, writeEngineFile } from './run';

/** PgBouncer in transaction pooling mode in front of one PostgreSQL server. */
export interface Bouncer {
  port: number;
  url(database: string): string;
  pid(): number | undefined;
  /** Stops it (immediate shutdown: clients' connections are cut) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts PgBouncer for `server`'s `database` (Debian's `pgbouncer`; it refuses to run as root). */
export async function startBouncer(server: PostgresNode, database: string, folder: string, name: string): Promise<Bouncer> {
  const port = await freePort();
  const file = (suffix: string) => path.join(folder, `${name}.${suffix}`);
  writeEngineFile(file('users'), `"${ENGINE_USER}" ""\n`);
  writeEngineFile(file('log'), '', 0o644);
  writeEngineFile(
    file('ini'),
    [
      '[databases]',
      `${database} = host=127.0.0.1 port=${server.port} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${file('users')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      // Three instances' pools (10 each, and as many again for replicas) share these server connections.
      'default_pool_size = 20',
      `pidfile = ${file('pid')}`,
      `logfile = ${file('log')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const start = async () => {
    await runEngine('pgbouncer', ['-d', file('ini')]);
    await acceptsConnections(port);
  };
  await start();
  return {
    port,
    url: (db) => `postgres://${ENGINE_USER}@127.0.0.1:${port}/${db}`,
    pid: () => pidIn(file('pid')),
    async restart() {
      await endByPidFile(file('pid'), 'SIGTERM');
      await start();
    },
    stop: () => endByPidFile(file('pid'), 'SIGTERM'),
  };
}
