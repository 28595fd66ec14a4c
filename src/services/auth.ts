import { createHash, randomBytes } from 'node:crypto';
import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import type { IdentityProviders } from '../identity';
import type { Context } from '../context';
import { Session } from '../db/models/session';
import { toUserRow, User, whereEmailIs, type UserRow } from '../db/models/user';
import { AppError, type FieldProblem } from '../errors';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { invalidateOnChange, sessionCache, watchUserRows } from './session-cache';
import { problemsOf } from './validation';
import { requireViewer } from './viewer';

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1000;

export interface SignUpInput {
  email: string;
  name?: string | null;
  password: string;
}
export interface LogInInput {
  email: string;
  password: string;
}
export interface AuthResult {
  token: string;
  user: UserRow;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export { toUserRow, whereEmailIs };

/** Maps a lost unique-email race (or a taken email) to CONFLICT on the email field. */
export function emailTaken(error: unknown): never {
  if (error instanceof UniqueConstraintError) {
    throw new AppError('CONFLICT', 'email: is already taken', [{ path: ['email'], message: 'is already taken' }]);
  }
  throw error;
}

/** Issues a new bearer token for the user; only its digest is stored. */
export async function startSession(userId: number, ttlSeconds: number): Promise<{ token: string; sessionId: number }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const session = await Session.create({ tokenHash: digest(token), userId, expiresAt });
  return { token, sessionId: session.id };
}

/**
 * Ends the session of a token at once, as logOut would: the next request with it is UNAUTHENTICATED.
 * False when no session has that token (already revoked, or never issued).
 */
export async function revokeToken(token: string): Promise<boolean> {
  const revoked = (await Session.destroy({ where: { tokenHash: { [Op.eq]: digest(token) } } })) > 0;
  invalidateOnChange((cache) => cache.invalidateKey(digest(token)));
  return revoked;
}

/** Makes a token's session expire now, as if its lifetime were over; false when no session has that token. */
export async function expireToken(token: string): Promise<boolean> {
  const [changed] = await Session.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { tokenHash: { [Op.eq]: digest(token) } } });
  invalidateOnChange((cache) => cache.invalidateKey(digest(token)));
  return changed > 0;
}

/** Opens a session and lets the rest of this request act as the user (their payload shows their email). */
export async function signIn(ctx: Context, user: User): Promise<AuthResult> {
  const { token, sessionId } = await startSession(user.id, ctx.tokenTtlSeconds);
  ctx.viewer = toUserRow(user);
  ctx.sessionId = sessionId;
  return { token, user: ctx.viewer };
}

/** What is wrong with a new password, under the input field `field`. */
export function passwordProblems(password: string, field: string): FieldProblem[] {
  if (password.length < PASSWORD_MIN) return [{ path: [field], message: `must be at least ${PASSWORD_MIN} characters` }];
  if (password.length > PASSWORD_MAX) return [{ path: [field], message: `must be at most ${PASSWORD_MAX} characters` }];
  return [];
}

/**
 * A new account, checked and with its password hashed, not yet saved. Reads no database, so it runs before
 * the mutation's transaction: no connection is held while the hash waits its turn or is computed.
 */
export async function prepareAccount(ctx: Context, input: SignUpInput): Promise<User> {
  const problems = passwordProblems(input.password, 'password');
  const user = User.build({ email: input.email, name: input.name ?? null, passwordHash: 'pending' });
  problems.push(...(await problemsOf(user)));
  if (problems.length) throw AppError.badInput(problems);
  user.passwordHash = await hashPassword(input.password, ctx.limits);
  return user;
}

/** Saves a prepared account and signs it in (CONFLICT when its email is taken). */
export async function signUp(ctx: Context, account: User): Promise<AuthResult> {
  await account.save().catch(emailTaken);
  return signIn(ctx, account);
}

/**
 * The user an email and password belong to. An unknown email costs the same time (a hash is checked either
 * way) and gives the same error as a wrong password. Runs before the mutation's transaction, like
 * prepareAccount, reading from the primary (a replica may not have an account made a moment ago yet);
 * attempts are counted around it (login-limits.ts: limitLogIn).
 */
export async function checkCredentials(ctx: Context, input: LogInInput): Promise<User> {
  const user = await User.scope('withPasswordHash').findOne({ where: whereEmailIs(input.email), useMaster: true });
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash), ctx.limits);
  if (!user || !matches) throw new AppError('UNAUTHENTICATED', 'the email or the password is wrong');
  return user;
}

/**
 * Revokes the token of this request at once: the rest of the request no longer acts as its user. An identity
 * provider's JWT is refused instead: only its issuer can end it (README "Signing in with your identity provider").
 */
export async function logOut(ctx: Context): Promise<boolean> {
  requireViewer(ctx);
  refuseIssuerToken(ctx);
  const sessionId = ctx.sessionId;
  if (sessionId !== null) {
    await Session.destroy({ where: { id: { [Op.eq]: sessionId } } });
    invalidateOnChange((cache) => cache.invalidateSession(sessionId));
  }
  signOut(ctx);
  return true;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/** The key the viewer's password checks are counted under, as logIn counts its email's (login-limits.ts). */
export function passwordOwner(ctx: Context): string {
  const viewer = requireViewer(ctx);
  return viewer.email ?? `user ${viewer.id}`;
}

/**
 * The hash of the viewer's new password, once the current one is right. Like checkCredentials, it runs before
 * the mutation's transaction under the logIn limits; a wrong current password, or none (a user of an identity
 * provider), is UNAUTHENTICATED, as for logIn.
 */
export async function checkPasswordChange(ctx: Context, input: ChangePasswordInput): Promise<string> {
  const viewer = requireViewer(ctx);
  const problems = passwordProblems(input.newPassword, 'newPassword');
  if (problems.length) throw AppError.badInput(problems);
  const user = await User.scope('withPasswordHash').findByPk(viewer.id, { useMaster: true });
  const matches = await verifyPassword(input.currentPassword, user?.passwordHash ?? (await decoyHash), ctx.limits);
  if (!user?.passwordHash || !matches) throw new AppError('UNAUTHENTICATED', 'the current password is wrong');
  return hashPassword(input.newPassword, ctx.limits);
}

/** Saves the viewer's new password and revokes the account's other sessions: whoever knew the old one is out. */
export async function changePassword(ctx: Context, passwordHash: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  await User.update({ passwordHash }, { where: { id: { [Op.eq]: viewer.id } } });
  const others = ctx.sessionId === null ? {} : { id: { [Op.ne]: ctx.sessionId } };
  await Session.destroy({ where: { userId: { [Op.eq]: viewer.id }, ...others } });
  // The user's other sessions are gone; this one is read again once, at no cost to correctness.
  invalidateOnChange((cache) => cache.invalidateUser(viewer.id));
  return true;
}

/** Revokes every session of the viewer, this request's included: the rest of the request acts as no one. */
export async function logOutEverywhere(ctx: Context): Promise<boolean> {
  const viewer = requireViewer(ctx);
  refuseIssuerToken(ctx);
  await Session.destroy({ where: { userId: { [Op.eq]: viewer.id } } });
  invalidateOnChange((cache) => cache.invalidateUser(viewer.id));
  signOut(ctx);
  return true;
}

/** A JWT is its issuer's: this API cannot end it (README "Signing in with your identity provider"). */
function refuseIssuerToken(ctx: Context): void {
  if (ctx.issuer === null) return;
  throw new AppError(
    'FORBIDDEN',
    "this request is signed in with an identity provider's token, which only that provider can end: sign out there and discard the token",
    undefined,
    { reason: 'ISSUER_TOKEN' },
  );
}

/** From here on the request is anonymous (its session was revoked, or its user deleted). */
export function signOut(ctx: Context): void {
  ctx.viewer = null;
  ctx.sessionId = null;
  ctx.issuer = null;
}

/** A bearer token: a built-in session's (43 characters, no dots) or an issuer's JWT (three parts, up to a few kilobytes). */
const BEARER = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/;
const SESSION_TOKEN = /^[A-Za-z0-9_-]{1,200}$/;
/** The signature part may be empty (`alg: none`): the verifier refuses it with its reason. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Who a request's token signs in: the user, and the session (built-in token) or the issuer (JWT) that vouches. */
export interface Authenticated {
  user: UserRow;
  sessionId: number | null;
  issuer: string | null;
}

/**
 * The user a bearer token belongs to; null without a token; UNAUTHENTICATED for a bad one. Its shape tells a
 * JWT from a session token before any database read; either costs one SQL statement once the user exists,
 * and none while its sign-in is in this instance's cache (session-cache.ts: at most a second).
 */
export async function authenticate(
  authorization: string | undefined,
  sequelize: Sequelize,
  identityProviders: IdentityProviders,
): Promise<Authenticated | null> {
  if (!authorization) return null;
  // Before the cache can hold any user of this database, edits to user rows must reach it.
  watchUserRows(sequelize);
  const token = BEARER.exec(authorization)?.[1];
  if (token && JWT.test(token)) return { ...(await identityProviders.authenticate(sequelize, token)), sessionId: null };
  if (!token || !SESSION_TOKEN.test(token)) throw new AppError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  // Looked up by the token's digest: the stored value is useless to whoever reads the table (or the cache).
  const key = digest(token);
  const cached = sessionCache.get(key);
  if (cached) return { ...cached };
  const mark = sessionCache.mark();
  const session = await Session.findOne({
    where: { tokenHash: { [Op.eq]: key }, expiresAt: { [Op.gt]: new Date() } },
    include: [{ model: User, as: 'user' }],
    // From the primary even with read replicas: a token just issued or revoked may not have reached them.
    useMaster: true,
  });
  if (!session?.user) throw new AppError('UNAUTHENTICATED', 'the token is invalid, expired or revoked; sign in again');
  const signedIn = { user: toUserRow(session.user), sessionId: session.id, issuer: null };
  sessionCache.set(key, signedIn, mark, session.expiresAt);
  return { ...signedIn };
}
