import { AsyncLocalStorage } from 'node:async_hooks';
import { AsyncSlot } from '../async-slot';
import { backOff } from 'exponential-backoff';
import { Sequelize, type Transaction } from 'sequelize';
import { faultOf } from './faults';
import { readYourWritesOf } from './read-your-writes';

/**
 * Binds Sequelize's CLS to an AsyncSlot: any query made while a managed transaction runs,
 * even one that forgot `{ transaction }`, joins that transaction.
 */
const clsStorage = new AsyncSlot<Map<string, unknown>>('sequelize');
Sequelize.useCLS({
  run(fn: (store: Map<string, unknown>) => unknown) {
    const store = new Map<string, unknown>();
    return clsStorage.run(store, () => fn(store));
  },
  bind<F>(fn: F) {
    return AsyncLocalStorage.bind(fn as never) as F;
  },
  get: (key: string) => clsStorage.getStore()?.get(key),
  set: (key: string, value: unknown) => clsStorage.getStore()?.set(key, value),
});

/** The managed transaction the calling code runs in, while it runs (the CLS entry bound above), if any. */
export function currentTransaction(): Transaction | undefined {
  return clsStorage.getStore()?.get('transaction') as Transaction | undefined;
}

/**
 * The transaction of the unit of work (one mutation) the current code runs in. Unlike Sequelize's
 * CLS entry, it is never cleared when the transaction ends, so late work of that unit is caught.
 */
const unitStorage = new AsyncSlot<Transaction>('unit of work');

export class EscapedTransactionError extends Error {
  constructor(reason: string) {
    super(`a query tried to escape its mutation's transaction: ${reason}`);
    this.name = 'EscapedTransactionError';
  }
}

/**
 * Lifts, for the rest of the current transaction, the timeouts the pool sets on every connection for requests:
 * a migration (building an index, waiting for another server's) or a bulk seed may take far longer.
 */
export async function liftTimeouts(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0');
}

const retriesOf = new WeakMap<Sequelize, number>();

/** How many more times inTransaction runs a unit of work that lost a serialization failure or a deadlock. */
export function setTransactionRetries(sequelize: Sequelize, retries: number): void {
  retriesOf.set(sequelize, retries);
}

/** Backoff between attempts: doubling from 20 ms up to 500 ms, each delay drawn at random below it (full jitter). */
const BACKOFF = { startingDelay: 20, timeMultiple: 2, maxDelay: 500, jitter: 'full' } as const;

/**
 * Runs `work` in one managed transaction: commit on success, rollback on any error.
 * Sequelize 6 would let a query that outlives the transaction (an unawaited branch) or that opens a
 * second transaction commit on its own (sequelize#8978); `guardTransactions` refuses both.
 * A serialization failure or deadlock (SQLSTATE 40001, 40P01) means PostgreSQL rolled the whole attempt
 * back, so `work` runs again from the start, a bounded number of times; any other error ends it.
 */
export async function inTransaction<T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>): Promise<T> {
  const readYourWrites = readYourWritesOf(sequelize);
  let writer: number | null = null;
  const result = await backOff(
    () =>
      sequelize.transaction((t) =>
        unitStorage.run(t, async () => {
          // With read replicas: the viewer's write is known to every instance once this commits.
          writer = (await readYourWrites?.markWrite(sequelize, t)) ?? null;
          return work(t);
        }),
      ),
    {
      ...BACKOFF,
      numOfAttempts: 1 + (retriesOf.get(sequelize) ?? 0),
      retry: (error) => faultOf(error) === 'conflict',
    },
  );
  if (writer !== null) readYourWrites?.noteWrite(writer);
  return result;
}

interface QueryOptions {
  transaction?: Transaction | null;
  completesTransaction?: boolean;
}

/** Installs the check that makes any query inside a unit of work use that unit's live transaction. */
export function guardTransactions(sequelize: Sequelize): void {
  sequelize.addHook('beforeQuery', (options: QueryOptions) => {
    // Sequelize marks an ended transaction with `finished` ('commit' or 'rollback'); its types leave it out.
    const unit: (Transaction & { finished?: string }) | undefined = unitStorage.getStore();
    if (!unit) return;
    // COMMIT/ROLLBACK of a transaction whose start was refused must still run to free its connection.
    if (options.completesTransaction) return;
    if (unit.finished) throw new EscapedTransactionError(`its transaction has ended (${unit.finished})`);
    if (options.transaction !== unit) throw new EscapedTransactionError('it is not bound to the mutation transaction');
  });
}
