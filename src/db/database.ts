import pg from 'pg';
import { Sequelize } from 'sequelize';
import { DEFAULT_REPLICA_MAX_LAG_SECONDS, type Config } from '../config';
import { currentRequest } from '../request-scope';
import { pgModule } from './pg';
import { preparingPgModule } from './prepared';
import { keepReadsAfterWrites } from './read-your-writes';
import { ReplicaLag } from './replica-lag';
import { readFromPrimaryWhen, replicationFor } from './replicas';
import { guardTransactions, setTransactionRetries } from './transaction';
import { initModels } from './models';

/** Called with a statement's SQL and, when it has them, its parameters (Sequelize's `bind`). */
export type StatementListener = (sql: string, parameters?: readonly unknown[]) => void;

export interface Database {
  sequelize: Sequelize;
  /** Calls `listener` with every SQL statement run; returns the function that stops it. */
  onStatement(listener: StatementListener): () => void;
  /** The replicas' lag, measured every second; undefined without replicas. */
  replicaLag?: ReplicaLag;
  close(): Promise<void>;
}

const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)/;

/** BEGIN/COMMIT/ROLLBACK: not counted as a request's statements (nor in the benchmark's budgets). */
export const isTransactionControl = (sql: string) => TRANSACTION_CONTROL.test(sql);

// Keep 64-bit integers (COUNT(*) results) as numbers: counts here never reach 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export interface DatabaseOptions {
  /** Connections in the pool (and as many again in the read replicas' pool). */
  poolMax?: number;
  /** Read replicas: reads outside transactions go to them (see replicas.ts). */
  readUrls?: readonly string[];
  /** Past this lag (seconds), reads leave the replicas for the primary until they catch up (ReplicaLag). */
  replicaMaxLagSeconds?: number;
  /** For this long (seconds) after a viewer's mutation commits, their reads go to the primary (ReadYourWrites). */
  readYourWritesSeconds?: number;
  /** How long a query waits for a free connection before failing (ConnectionAcquireTimeoutError). */
  acquireTimeoutMs?: number;
  /** statement_timeout of every connection; unset or 0: PostgreSQL's default (none). */
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout of every connection; unset or 0: none. */
  idleInTransactionTimeoutMs?: number;
  /** Further attempts of a transaction that hit a serialization failure or deadlock (inTransaction). */
  transactionRetries?: number;
  /**
   * The URLs lead to a pooler in transaction mode (PgBouncer): it refuses startup parameters and hands each
   * transaction to any server connection, so none are sent and no session state is set (see sessionSettings).
   */
  transactionPooler?: boolean;
}

/** The server's pool settings from its configuration. */
export function databaseOptions(config: Config): DatabaseOptions {
  return {
    poolMax: config.DB_POOL_MAX,
    readUrls: config.DATABASE_READ_URLS,
    acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    transactionRetries: config.DB_TRANSACTION_RETRIES,
    transactionPooler: config.DB_TRANSACTION_POOLER === 'true',
    replicaMaxLagSeconds: config.DB_REPLICA_MAX_LAG_SECONDS,
    readYourWritesSeconds: config.DB_READ_YOUR_WRITES_SECONDS,
  };
}

/**
 * What every connection of the pool is set up with. Directly on PostgreSQL: the timeouts, as startup
 * parameters (pg leaves out unset or 0 ones). Through a transaction pooler: nothing; a `SET` would stay on
 * whichever server connection ran it, for other clients to inherit, so the timeouts are the role's or the
 * pooler's (`ALTER ROLE … SET statement_timeout`, PgBouncer's `connect_query`), and Sequelize's own
 * `SET client_min_messages` is left out. (Its `SET TIME ZONE` stays: PgBouncer tracks TimeZone per client
 * and sets it on each server connection it lends that client.)
 */
function sessionSettings(options: DatabaseOptions): object {
  if (options.transactionPooler) return { clientMinMessages: 'ignore' };
  return { statement_timeout: options.statementTimeoutMs, idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs };
}

/** One pool for the process: opened once at start, closed once at stop. */
export function connectDatabase(url: string, options: DatabaseOptions = {}): Database {
  const replicated = (options.readUrls?.length ?? 0) > 0;
  const listeners = new Set<StatementListener>();
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    // Named statements belong to one server connection: a transaction pooler lends another for the next.
    dialectModule: options.transactionPooler ? pgModule : preparingPgModule,
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireTimeoutMs ?? 30_000 },
    dialectOptions: sessionSettings(options),
    // Scopes and finder wheres are combined with AND; the default would let one overwrite the other's keys.
    define: { freezeTableName: true, whereMergeStrategy: 'and' },
    ...(replicated && { replication: replicationFor(options.readUrls!, sessionSettings(options)) }),
  });
  const replicaLag = replicated ? new ReplicaLag(sequelize, options.readUrls!, options.replicaMaxLagSeconds ?? DEFAULT_REPLICA_MAX_LAG_SECONDS) : undefined;
  if (replicaLag) {
    const window = options.readYourWritesSeconds ?? options.replicaMaxLagSeconds ?? DEFAULT_REPLICA_MAX_LAG_SECONDS;
    readFromPrimaryWhen(sequelize, replicaLag, keepReadsAfterWrites(sequelize, window * 1000));
    replicaLag.start();
  }
  initModels(sequelize);
  guardTransactions(sequelize);
  setTransactionRetries(sequelize, options.transactionRetries ?? 3);
  sequelize.addHook('afterQuery', (options, query) => {
    const request = currentRequest();
    if (!request && listeners.size === 0) return;
    const sql = String((query as unknown as { sql?: string }).sql ?? '');
    if (request && !isTransactionControl(sql)) request.statements += 1;
    const { bind } = options as { bind?: unknown };
    for (const listener of listeners) listener(sql, Array.isArray(bind) ? bind : undefined);
  });
  return {
    sequelize,
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replicaLag,
    async close() {
      await replicaLag?.stop();
      await sequelize.close();
    },
  };
}
