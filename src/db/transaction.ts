import { AsyncLocalStorage } from 'node:async_hooks';
import { Sequelize, type Transaction } from 'sequelize';

/**
 * Binds Sequelize's CLS to AsyncLocalStorage: any query made while a managed transaction runs,
 * even one that forgot `{ transaction }`, joins that transaction.
 */
const clsStorage = new AsyncLocalStorage<Map<string, unknown>>();
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

/**
 * The transaction of the unit of work (one mutation) the current code runs in. Unlike Sequelize's
 * CLS entry, it is never cleared when the transaction ends, so late work of that unit is caught.
 */
const unitStorage = new AsyncLocalStorage<Transaction>();

export class EscapedTransactionError extends Error {
  constructor(reason: string) {
    super(`a query tried to escape its mutation's transaction: ${reason}`);
    this.name = 'EscapedTransactionError';
  }
}

/**
 * Runs `work` in one managed transaction: commit on success, rollback on any error.
 * Sequelize 6 would let a query that outlives the transaction (an unawaited branch) or that opens a
 * second transaction commit on its own (sequelize#8978); `guardTransactions` refuses both.
 */
export function inTransaction<T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction((t) => unitStorage.run(t, () => work(t)));
}

interface QueryOptions {
  transaction?: Transaction | null;
  completesTransaction?: boolean;
}

/** Installs the check that makes any query inside a unit of work use that unit's live transaction. */
export function guardTransactions(sequelize: Sequelize): void {
  sequelize.addHook('beforeQuery', (options: QueryOptions) => {
    const unit = unitStorage.getStore() as (Transaction & { finished?: string }) | undefined;
    if (!unit) return;
    // COMMIT/ROLLBACK of a transaction whose start was refused must still run to free its connection.
    if (options.completesTransaction) return;
    if (unit.finished) throw new EscapedTransactionError(`its transaction has ended (${unit.finished})`);
    if (options.transaction !== unit) throw new EscapedTransactionError('it is not bound to the mutation transaction');
  });
}
