import type { Sequelize } from 'sequelize';
import { User, type UserRow } from '../db/models/user';
import { currentTransaction } from '../db/transaction';

/** Who a cached sign-in stands for: the user, and the session (built-in token) or the issuer (JWT) that vouches. */
export interface CachedSignIn {
  user: UserRow;
  sessionId: number | null;
  issuer: string | null;
}

interface Entry {
  signIn: CachedSignIn;
  /** Milliseconds (Date.now) from which the entry is no longer used. */
  until: number;
}

/**
 * The sign-ins this instance looked up lately, so that a signed-in request costs no more statements than an
 * anonymous one. Bounded by count (the least recently used goes first) and by time: an entry is used for at
 * most `timeToLiveMs` and never past its session's expiry. A change made on this instance (logOut, a deleted
 * or edited user) invalidates its entries at once; one made on another instance is seen here once the entry
 * lives out its time to live, or at once when something calls `invalidate…` for it (a notification from the
 * database). Keys are digests of tokens, or an issuer and subject: never a token itself.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Counts invalidations: a lookup that started before one must not store what it read. */
  private generation = 0;

  constructor(
    readonly maxEntries = 10_000,
    public timeToLiveMs = 1000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The sign-in cached under `key`, while it is fresh. */
  get(key: string): CachedSignIn | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (Date.now() >= entry.until) return undefined;
    this.entries.set(key, entry); // now the most recently used
    return entry.signIn;
  }

  /** The mark to pass to `set` for a lookup starting now. */
  mark(): number {
    return this.generation;
  }

  /**
   * Keeps a sign-in just read from the database, unless something was invalidated since the read began (what
   * it read may be what was just revoked). Only successful lookups are kept: a refusal is always read anew.
   */
  set(key: string, signIn: CachedSignIn, mark: number, expiresAt?: Date): void {
    if (mark !== this.generation || this.maxEntries <= 0) return;
    const until = Math.min(Date.now() + this.timeToLiveMs, expiresAt?.getTime() ?? Infinity);
    this.entries.delete(key);
    this.entries.set(key, { signIn, until });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets one key (a token's digest, when that token is revoked or expired). */
  invalidateKey(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  /** Forgets the entry of a session (revoked). */
  invalidateSession(sessionId: number): void {
    this.invalidateWhere((signIn) => signIn.sessionId === sessionId);
  }

  /** Forgets every entry of a user (signed out everywhere, deleted, or their row changed). */
  invalidateUser(userId: number): void {
    this.invalidateWhere((signIn) => signIn.user.id === userId);
  }

  /** Forgets everything (the test mode's reset puts every table back). */
  invalidateAll(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private invalidateWhere(matches: (signIn: CachedSignIn) => boolean): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) if (matches(entry.signIn)) this.entries.delete(key);
  }
}

/** This instance's cache, shared by every request it serves. */
export const sessionCache = new SessionCache();

/**
 * Runs `invalidate` now and, inside a transaction, once more when it commits: a lookup between the two would
 * read the row as it was before the change, and keep it.
 */
export function invalidateOnChange(invalidate: (cache: SessionCache) => void): void {
  invalidate(sessionCache);
  currentTransaction()?.afterCommit(() => invalidate(sessionCache));
}

const watched = new WeakSet<Sequelize>();

/**
 * Whenever a user row is saved or destroyed through the models on this instance (updateViewer, deleteViewer),
 * the cached sign-ins of that user are invalidated: they hold the row as it was.
 */
export function watchUserRows(sequelize: Sequelize): void {
  if (watched.has(sequelize)) return;
  watched.add(sequelize);
  const forget = (instance: unknown) => {
    if (instance instanceof User) invalidateOnChange((cache) => cache.invalidateUser(instance.id));
  };
  sequelize.addHook('afterSave', forget);
  sequelize.addHook('afterDestroy', forget);
}
