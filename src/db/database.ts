import pg from 'pg';
import { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { currentRequest } from '../request-scope';
import { readFromPrimaryWhenWriting, replicationFor } from './replicas';
import { guardTransactions, setTransactionRetries } from './transaction';
import { initModels } from './models';

export type StatementListener = (sql: string) => void;

export interface Database {
  sequelize: Sequelize;
  /** Calls `listener` with every SQL statement run; returns the function that stops it. */
  onStatement(listener: StatementListener): () => void;
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
  /** How long a query waits for a free connection before failing (ConnectionAcquireTimeoutError). */
  acquireTimeoutMs?: number;
  /** statement_timeout of every connection; unset or 0: PostgreSQL's default (none). */
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout of every connection; unset or 0: none. */
  idleInTransactionTimeoutMs?: number;
  /** Further attempts of a transaction that hit a serialization failure or deadlock (inTransaction). */
  transactionRetries?: number;
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
  };
}

/** One pool for the process: opened once at start, closed once at stop. */
export function connectDatabase(url: string, options: DatabaseOptions = {}): Database {
  const replicated = (options.readUrls?.length ?? 0) > 0;
  const listeners = new Set<StatementListener>();
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireTimeoutMs ?? 30_000 },
    // Sent as startup parameters, so every connection the pool opens has them (pg leaves out unset or 0 ones).
    dialectOptions: {
      statement_timeout: options.statementTimeoutMs,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs,
    },
    // Scopes and finder wheres are combined with AND; the default would let one overwrite the other's keys.
    define: { freezeTableName: true, whereMergeStrategy: 'and' },
    ...(replicated && { replication: replicationFor(options.readUrls!) }),
  });
  if (replicated) readFromPrimaryWhenWriting(sequelize);
  initModels(sequelize);
  guardTransactions(sequelize);
  setTransactionRetries(sequelize, options.transactionRetries ?? 3);
  sequelize.addHook('afterQuery', (_options, query) => {
    const request = currentRequest();
    if (!request && listeners.size === 0) return;
    const sql = String((query as unknown as { sql?: string }).sql ?? '');
    if (request && !isTransactionControl(sql)) request.statements += 1;
    for (const listener of listeners) listener(sql);
  });
  return {
    sequelize,
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => sequelize.close(),
  };
}
