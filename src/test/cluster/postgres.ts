import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { embeddedPackageDir, freePort } from '../../db/embedded-postgres';
import { ENGINE_USER, ownTree, pidIn, runEngine, writeEngineFile } from './run';

/** One PostgreSQL server of the cluster, run by pg_ctl from the embedded package's binaries. */
export interface PostgresNode {
  port: number;
  dataDir: string;
  url(database: string): string;
  /** Its log (with log_statement = 'all', every statement clients sent). */
  logFile: string;
  /** The postmaster's process id (undefined while stopped). */
  pid(): number | undefined;
  /** Runs one statement on `database` over a connection of its own. */
  query<T extends pg.QueryResultRow>(sql: string, database?: string): Promise<T[]>;
  stop(): Promise<void>;
}

export const CLUSTER_DATABASE = 'content';
const SLOT = 'replica_1';

const binary = (name: string) => path.join(embeddedPackageDir(), 'native', 'bin', name);

/** A primary ready to stream its WAL to a replica, with the API's database created. */
export async function startPrimary(folder: string): Promise<PostgresNode> {
  const dataDir = path.join(folder, 'primary');
  await runEngine(binary('initdb'), ['-D', dataDir, '--auth=trust', '-U', ENGINE_USER, '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'wal_level = replica',
      'max_wal_senders = 4',
      'hot_standby = on',
      'wal_keep_size = 256MB',
      'max_connections = 200',
      // The cluster is thrown away at the end: durability against a power cut is not what it tests.
      'fsync = off',
      '',
    ].join('\n'),
  );
  const node = await startNode(dataDir, port, folder);
  await node.query(`SELECT pg_create_physical_replication_slot('${SLOT}')`);
  await node.query(`CREATE DATABASE ${CLUSTER_DATABASE}`);
  return node;
}

/**
 * A streaming replica of `primary`, made by the low-level base backup API: the copy is taken between
 * pg_backup_start and pg_backup_stop in one session, and the label that call returns goes with it.
 */
export async function startReplica(primary: PostgresNode, folder: string): Promise<PostgresNode> {
  const dataDir = path.join(folder, 'replica');
  const session = new pg.Client({ connectionString: primary.url('postgres') });
  await session.connect();
  try {
    await session.query("SELECT pg_backup_start('replica', true)");
    fs.cpSync(primary.dataDir, dataDir, { recursive: true, filter: (source) => !skippedInCopy(primary.dataDir, source) });
    const { rows } = await session.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(true)');
    fs.writeFileSync(path.join(dataDir, 'backup_label'), rows[0]!.labelfile);
  } finally {
    await session.end();
  }
  for (const dir of ['pg_wal/archive_status', 'pg_replslot']) fs.mkdirSync(path.join(dataDir, dir), { recursive: true });
  const port = await freePort();
  fs.writeFileSync(path.join(dataDir, 'standby.signal'), '');
  fs.appendFileSync(
    path.join(dataDir, 'postgresql.auto.conf'),
    `port = ${port}\nprimary_conninfo = 'host=127.0.0.1 port=${primary.port} user=${ENGINE_USER}'\nprimary_slot_name = '${SLOT}'\n`,
  );
  fs.chmodSync(dataDir, 0o700);
  await ownTree(dataDir);
  return startNode(dataDir, port, folder);
}

/** What a base backup leaves out: the running server's files, its WAL and its slots (recreated empty). */
function skippedInCopy(root: string, source: string): boolean {
  const relative = path.relative(root, source);
  if (relative === 'postmaster.pid' || relative === 'postmaster.opts') return true;
  return /^(pg_wal|pg_replslot)\/./.test(relative);
}

async function startNode(dataDir: string, port: number, folder: string): Promise<PostgresNode> {
  const log = path.join(folder, `${path.basename(dataDir)}.log`);
  writeEngineFile(log, '', 0o644);
  await runEngine(binary('pg_ctl'), ['-D', dataDir, '-l', log, '-w', '-t', '60', 'start']);
  const url = (database: string) => `postgres://${ENGINE_USER}@127.0.0.1:${port}/${database}`;
  return {
    port,
    dataDir,
    url,
    logFile: log,
    pid: () => pidIn(path.join(dataDir, 'postmaster.pid')),
    async query<T extends pg.QueryResultRow>(sql: string, database = 'postgres') {
      const client = new pg.Client({ connectionString: url(database) });
      await client.connect();
      try {
        return (await client.query<T>(sql)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) await runEngine(binary('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** Bytes of WAL the replica has received but not replayed yet, as the primary sees it (0 when caught up). */
export async function replayLagBytes(primary: PostgresNode): Promise<number> {
  const [row] = await primary.query<{ lag: string | null }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag FROM pg_stat_replication');
  return row?.lag === null || row === undefined ? Number.POSITIVE_INFINITY : Number(row.lag);
}
