import { AsyncLocalStorage } from 'node:async_hooks';

/** What every slot holds in the current async context, each under its own key. */
type Frame = Readonly<Record<symbol, unknown>>;

/**
 * The process's one AsyncLocalStorage. On Node 20, while any AsyncLocalStorage is in use, a hook runs for every
 * promise the process creates and copies onto it the store of each storage in use: slots that share one storage
 * cost one copy, where separate storages (the request, Sequelize's transaction, the mutation's unit of work) cost
 * one each. A `{ __typename }` request makes about 74 promises (README, Performance).
 */
const storage = new AsyncLocalStorage<Frame>();

/**
 * One value carried through async calls, as an AsyncLocalStorage of its own would carry it (`run`, `getStore`),
 * kept in the shared storage's frame beside the other slots' values.
 */
export class AsyncSlot<T> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol(name);
  }

  /** The value `run` gave the calling code (or the code that started it), if any. */
  getStore(): T | undefined {
    return storage.getStore()?.[this.key] as T | undefined;
  }

  /** Runs `work`, and everything it starts, with this slot holding `value`; the other slots keep theirs. */
  run<R>(value: T, work: () => R): R {
    return storage.run({ ...storage.getStore(), [this.key]: value }, work);
  }
}
