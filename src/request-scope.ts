import { AsyncSlot } from './async-slot';

/**
 * What the server knows about the HTTP request the current code works for. Held in an AsyncSlot,
 * so code that has no request in hand (Sequelize hooks, the logger) can still reach it: the request
 * id goes into every log line written for the request, and every SQL statement is counted against it.
 */
export interface RequestScope {
  readonly id: string;
  /** SQL statements run for this request, BEGIN/COMMIT/ROLLBACK not counted. */
  statements: number;
  /** Read from the primary database, not a replica: set once the request is known to write. */
  readPrimary: boolean;
  /** The signed-in viewer's id, and when they last wrote (users."lastWriteAt"); null when anonymous. */
  viewerId?: number | null;
  viewerWroteAt?: Date | null;
}

const storage = new AsyncSlot<RequestScope>('request');

/** The request the calling code works for, or undefined outside any request. */
export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

/** Runs `work` (and everything it starts) as part of `scope`'s request. */
export function runInRequest<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}
