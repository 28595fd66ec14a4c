import { createHash } from 'node:crypto';
import { Op, QueryTypes } from 'sequelize';
import type { Context } from '../context';
import { LoginAttempt } from '../db/models/login-attempt';
import { AppError } from '../errors';

/** Counter keys are digests: the table says how often, never who. Emails count whatever their case. */
const keyOf = (kind: 'email' | 'client', value: string) =>
  createHash('sha256')
    .update(`${kind}:${kind === 'email' ? value.trim().toLowerCase() : value}`)
    .digest('hex');

interface Counted {
  key: string;
  attempts: number;
  retryAfter: number;
}

/**
 * One statement: forgets counters whose window has passed, then counts this attempt for the email and
 * for the client, starting a new window where the old one is over. Keys are locked in sorted order, so
 * two attempts at once cannot deadlock.
 */
const COUNT_ATTEMPT = `
WITH expired AS (
  DELETE FROM login_attempts WHERE "windowStart" <= now() - make_interval(secs => :window) AND key NOT IN (:keys)
)
INSERT INTO login_attempts AS a (key, attempts, "windowStart")
SELECT key, 1, now() FROM unnest(ARRAY[:keys]::varchar[]) AS key ORDER BY key
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN a."windowStart" <= now() - make_interval(secs => :window) THEN 1 ELSE a.attempts + 1 END,
  "windowStart" = CASE WHEN a."windowStart" <= now() - make_interval(secs => :window) THEN now() ELSE a."windowStart" END
RETURNING key, attempts, ceil(extract(epoch FROM a."windowStart" + make_interval(secs => :window) - now()))::int AS "retryAfter"`;

/**
 * Counts a logIn attempt for `email` and for the client, before the password is checked, and refuses it
 * with TOO_MANY_REQUESTS once either has used up its attempts for the window. Runs outside the
 * mutation's transaction: a failed logIn rolls that back, and its attempt must still count.
 */
export async function admitLogIn(ctx: Context, email: string): Promise<void> {
  const { loginAttemptsPerEmail, loginAttemptsPerClient, loginWindowSeconds } = ctx.limits;
  const emailKey = keyOf('email', email);
  const limitOf = (key: string) => (key === emailKey ? loginAttemptsPerEmail : loginAttemptsPerClient);
  const counted = await ctx.sequelize.query<Counted>(COUNT_ATTEMPT, {
    type: QueryTypes.SELECT,
    replacements: { window: loginWindowSeconds, keys: [emailKey, keyOf('client', ctx.clientAddress)] },
  });
  const exceeded = counted.filter((row) => row.attempts > limitOf(row.key));
  if (exceeded.length === 0) return;
  const retryAfterSeconds = Math.max(1, ...exceeded.map((row) => row.retryAfter));
  throw new AppError('TOO_MANY_REQUESTS', `too many sign-in attempts; try again in ${retryAfterSeconds} seconds`, undefined, {
    retryAfterSeconds,
  });
}

/** After a successful logIn, the account's earlier failures are forgiven (the client's count stays). */
export async function forgetLoginFailures(email: string): Promise<void> {
  await LoginAttempt.destroy({ where: { key: { [Op.eq]: keyOf('email', email) } } });
}
