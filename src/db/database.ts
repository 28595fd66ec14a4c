import pg from 'pg';
import { Sequelize } from 'sequelize';
import { currentRequest } from '../request-scope';
import { readFromPrimaryWhenWriting, replicationFor } from './replicas';
import { guardTransactions } from './transaction';
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
}

/** One pool for the process: opened once at start, closed once at stop. */
export function connectDatabase(url: string, options: DatabaseOptions = {}): Database {
  const replicated = (options.readUrls?.length ?? 0) > 0;
  const listeners = new Set<StatementListener>();
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
    // Scopes and finder wheres are combined with AND; the default would let one overwrite the other's keys.
    define: { freezeTableName: true, whereMergeStrategy: 'and' },
    ...(replicated && { replication: replicationFor(options.readUrls!) }),
  });
  if (replicated) readFromPrimaryWhenWriting(sequelize);
  initModels(sequelize);
  guardTransactions(sequelize);
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
