import type { Context } from '../context';
import { AppError } from '../errors';
import { logger } from '../logger';
import { countAndExtend, countAttempt, counterKey, giveBackAttempt, hasCounted, type Counter } from './attempt-counts';

/** Emails count whatever their case. */
const normalized = (email: string) => email.trim().toLowerCase();

/** Successful logIns of an email from a client: while counted, the client is one its owner uses. */
const knownClientKey = (ctx: Context, email: string) => counterKey('signedIn', normalized(email), ctx.clientAddress);

/**
 * What a logIn attempt counts against (README "Signing in"): its email from its client, so that guessing
 * one account from one place stops soon while the account's owner elsewhere is not locked out; its client,
 * whatever the emails; and its email from everywhere, with a limit high enough that only guessing spread
 * over many addresses reaches it. That last one would lock the owner out too: a client the email has
 * signed in from lately is left out of it.
 */
async function logInCounters(ctx: Context, email: string): Promise<{ pair: Counter; all: Counter[] }> {
  const { loginFailuresPerEmailAndClient, loginFailuresPerClient, loginFailuresPerEmail } = ctx.limits;
  const pair = { key: counterKey('logIn', normalized(email), ctx.clientAddress), limit: loginFailuresPerEmailAndClient };
  const client = { key: counterKey('logIn', '', ctx.clientAddress), limit: loginFailuresPerClient };
  if (await hasCounted(ctx.sequelize, knownClientKey(ctx, email))) return { pair, all: [pair, client] };
  const account = { key: counterKey('logIn', normalized(email), ''), limit: loginFailuresPerEmail };
  return { pair, all: [pair, client, account] };
}

/** Only a wrong email or password is a failure; a refusal for any other reason (a busy server…) is not. */
const isFailure = (error: unknown) => error instanceof AppError && error.code === 'UNAUTHENTICATED';

/** Whatever went wrong giving an attempt back, the attempt already happened: its answer stands. */
const quietly = (work: Promise<void>) => work.catch((err: unknown) => logger.warn({ err }, 'a logIn attempt could not be given back or remembered'));

/**
 * Runs one logIn attempt (`logIn`: the password check, then the session in a transaction of its own) under
 * the sign-in limits. The attempt is counted before the password is checked, so attempts sent at once are
 * counted exactly, and outside the mutation's transaction, so a failure stays counted when that transaction
 * rolls back. It is given back unless it failed: only failures count, and a success also forgives its
 * email's failures from its client, and makes the client a known one for the email.
 */
export async function limitLogIn<T>(ctx: Context, email: string, logIn: () => Promise<T>): Promise<T> {
  const { pair, all } = await logInCounters(ctx, email);
  await countAttempt(ctx.sequelize, all, ctx.limits.loginWindowSeconds, 'too many failed sign-in attempts');
  let signedIn: T;
  try {
    signedIn = await logIn();
  } catch (error) {
    if (!isFailure(error)) await quietly(giveBackAttempt(ctx.sequelize, all));
    throw error;
  }
  await quietly(giveBackAttempt(ctx.sequelize, all, [pair]));
  await quietly(countAndExtend(ctx.sequelize, knownClientKey(ctx, email), ctx.limits.loginKnownClientDays * 24 * 3600));
  return signedIn;
}

/**
 * Counts a signUp (or an email change) from the client, before its transaction: every one that runs counts,
 * whatever its outcome, as each can create an account or tell whether an email is registered.
 */
export async function countSignUp(ctx: Context): Promise<void> {
  const client = { key: counterKey('signUp', ctx.clientAddress), limit: ctx.limits.signUpsPerClient };
  await countAttempt(ctx.sequelize, [client], ctx.limits.signUpWindowSeconds, 'too many sign-ups or email changes from this address');
}
