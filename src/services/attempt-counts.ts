import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AppError } from '../errors';

// Hand-written rather than rate-limiter-flexible's RateLimiterPostgres: that one counts one key per statement,
// so counting an attempt on several keys all or none (a refused attempt must count against no one) would take
// compensating rewards that other attempts could see in between; and it reckons expiry by each instance's clock.

/** One count of attempts (an email's failed logIns, a client's signUps…) and how many its window allows. */
export interface Counter {
  key: string;
  limit: number;
}

/** A counter's key: a digest of what is counted, so the table says how often, never who. */
export const counterKey = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/**
 * Counts one attempt on each key, starting a new window where the old one is over. Keys are locked in
 * sorted order, so attempts at once cannot deadlock; the locks last until the counting transaction ends.
 */
const COUNT = `
INSERT INTO attempt_counts AS c (key, attempts, "windowEnd")
SELECT key, 1, now() + make_interval(secs => $2) FROM unnest($1::varchar[]) AS key ORDER BY key
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN c."windowEnd" <= now() THEN 1 ELSE c.attempts + 1 END,
  "windowEnd" = CASE WHEN c."windowEnd" <= now() THEN excluded."windowEnd" ELSE c."windowEnd" END
RETURNING key, attempts, ceil(extract(epoch FROM c."windowEnd" - now()))::int AS "retryAfter"`;

/** Takes an attempt back from each key (to zero for the keys in $2), locking them in the same order as COUNT. */
const GIVE_BACK = `
UPDATE attempt_counts AS c SET attempts = CASE WHEN c.key = ANY($2::varchar[]) THEN 0 ELSE c.attempts - 1 END
FROM (SELECT key FROM attempt_counts WHERE key = ANY($1::varchar[]) AND attempts > 0 AND "windowEnd" > now() ORDER BY key FOR UPDATE) AS locked
WHERE c.key = locked.key`;

/** Counts one on a key with a window starting now, whatever was counted before (e.g. the last success). */
const COUNT_AND_EXTEND = `
INSERT INTO attempt_counts AS c (key, attempts, "windowEnd") VALUES ($1, 1, now() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET attempts = c.attempts + 1, "windowEnd" = excluded."windowEnd"`;

/** Forgets counters whose window has passed, a bounded batch at a time, never waiting for a locked one. */
const FORGET_EXPIRED = `
DELETE FROM attempt_counts WHERE key IN (
  SELECT key FROM attempt_counts WHERE "windowEnd" <= now() ORDER BY "windowEnd" LIMIT 100 FOR UPDATE SKIP LOCKED
)`;

interface Counted {
  key: string;
  attempts: number;
  retryAfter: number;
}

/**
 * Counts one attempt on every counter, or on none: when any of them has used up its window, nothing is
 * counted and the attempt is refused with TOO_MANY_REQUESTS and `retryAfterSeconds`. A refused attempt
 * so counts against no one, and attempts sent at once are counted exactly (the counters stay locked until
 * the check is done). Its own short transaction, never a mutation's: it must be called outside one, and
 * what it counts stays counted whatever the mutation does next.
 */
export async function countAttempt(sequelize: Sequelize, counters: Counter[], windowSeconds: number, refusal: string): Promise<void> {
  const limitOf = new Map(counters.map((counter) => [counter.key, counter.limit]));
  await sequelize.transaction(async (transaction) => {
    const counted = await sequelize.query<Counted>(COUNT, { type: QueryTypes.SELECT, bind: [[...limitOf.keys()], windowSeconds], transaction });
    const over = counted.filter((row) => row.attempts > limitOf.get(row.key)!);
    if (over.length === 0) return;
    const retryAfterSeconds = Math.max(1, ...over.map((row) => row.retryAfter));
    // Thrown inside the transaction, which rolls this attempt back from every counter.
    throw new AppError('TOO_MANY_REQUESTS', `${refusal}; try again in ${retryAfterSeconds} seconds`, undefined, { retryAfterSeconds });
  });
  await sequelize.query(FORGET_EXPIRED, { transaction: null });
}

/** Takes a counted attempt back from the counters, and empties those in `reset` (outside any mutation's transaction). */
export async function giveBackAttempt(sequelize: Sequelize, counters: Counter[], reset: Counter[] = []): Promise<void> {
  await sequelize.query(GIVE_BACK, { bind: [counters.map((c) => c.key), reset.map((c) => c.key)], transaction: null });
}

/** Counts one on `key` and makes its window start anew (outside any mutation's transaction). */
export async function countAndExtend(sequelize: Sequelize, key: string, windowSeconds: number): Promise<void> {
  await sequelize.query(COUNT_AND_EXTEND, { bind: [key, windowSeconds], transaction: null });
}

/** Whether anything is counted on `key` in a window that is not over. */
export async function hasCounted(sequelize: Sequelize, key: string): Promise<boolean> {
  const found = await sequelize.query('SELECT 1 FROM attempt_counts WHERE key = $1 AND attempts > 0 AND "windowEnd" > now()', {
    type: QueryTypes.SELECT,
    bind: [key],
    transaction: null,
    // From the primary even with read replicas: the count may have been made a moment ago.
    useMaster: true,
  });
  return found.length > 0;
}
