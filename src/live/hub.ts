import { GraphQLError } from 'graphql';
import { QueryTypes, type Sequelize, type WhereOptions } from 'sequelize';
import type { Context } from '../context';
import type { PostRow } from '../db/models/post';
import type { UserRow } from '../db/models/user';
import { Loaders } from '../loaders';
import type { Logger } from '../logger';
import type { LiveMetrics } from '../observe/metrics';
import { runInRequest } from '../request-scope';
import { isPublic, seesChange } from '../services/posts';
import type { PostEvent } from './announce';
import { Feed } from './feed';
import { matchingFilters } from './filters';

export type LiveField = 'postPublished' | 'postChanged' | 'viewerPostsChanged';

/**
 * Runs `work` reading from the primary: an event announces a commit there, which a replica may not have
 * replayed yet (read there, the post would be missing and its event lost without a word).
 */
export function onThePrimary<T>(work: () => T): T {
  return runInRequest({ id: 'live', statements: 0, readPrimary: true }, work);
}

/** What a subscriber receives for one event: the event, and the loaders its payload is read with. */
export interface Delivery {
  event: PostEvent;
  loaders: Loaders;
  receivedAt: number;
}

/** A subscription's own context: the subscriber's viewer, and when their token runs out (JWTs; null: the session says). */
export interface LiveContext extends Context {
  live: Hub;
  expiresAt: number | null;
}

interface Subscriber {
  field: LiveField;
  ctx: LiveContext;
  feed: Feed<Delivery>;
  /** postPublished: its `where` (null: none) and the key that tells equal filters apart. */
  filter?: { key: string; where: WhereOptions } | null;
}

/** How the live data ends a subscription: an `error` message whose extensions.code says why. */
export const liveError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });
const eventsMissed = () => liveError('EVENTS_MISSED', 'live data was interrupted and events may have been missed: subscribe again and refetch');
const signedOut = () => liveError('UNAUTHENTICATED', 'the token of this subscription is no longer valid (signed out, expired or deleted); sign in again');

/** Events waiting for the fan-out: past this many the instance has fallen behind, and says so as a gap. */
const MAX_PENDING_EVENTS = 10_000;

/** Events fanned out together: their rows read by one statement per kind, however many there are. */
const EVENTS_PER_BATCH = 100;

interface Heard {
  event: PostEvent;
  receivedAt: number;
}

/** What an event's fan-out reads: its post (null: gone for good), the post's author, the filters it matches. */
interface Rows {
  post: PostRow | null;
  author: UserRow | null;
  matched: Set<string>;
}

const PUBLISHING = new Set(['CREATED', 'PUBLISHED', 'RESTORED']);

/** Keeps what a push is still doing (subscribers sharing one answer share one promise, kept once). */
const collect = (sending: Set<Promise<void>>, pushed: Promise<void> | void) => pushed && sending.add(pushed);

/**
 * Every live subscription of this instance, indexed by what an event can reach, and the fan-out of each
 * event to them. Per event the post and its author are read once for all subscribers, `where` filters are
 * evaluated by the database (src/live/filters.ts), and what each subscriber sees is decided by the
 * services' own rules with their own viewer; subscribers with one viewer (all anonymous ones) share loaders.
 */
export class Hub {
  private readonly all = new Set<Subscriber>();
  private readonly published = new Set<Subscriber>();
  private readonly byPost = new Map<number, Set<Subscriber>>();
  private readonly byAuthor = new Map<number, Set<Subscriber>>();
  private chain: Promise<void> = Promise.resolve();
  private readonly waiting: Heard[] = [];
  private draining = false;

  constructor(
    private readonly limits: { liveQueuedEvents: number },
    private readonly metrics: LiveMetrics,
    private readonly logger: Logger,
  ) {}

  /** A feed of `field`'s events for the subscriber of `ctx`, indexed under `key` (a post id, an author id). */
  subscribe(field: LiveField, ctx: LiveContext, options: { key?: number; filter?: Subscriber['filter'] }): Feed<Delivery> {
    const index = field === 'postPublished' ? this.published : this.setOf(field === 'postChanged' ? this.byPost : this.byAuthor, options.key!);
    const subscriber: Subscriber = {
      field,
      ctx,
      filter: options.filter,
      feed: new Feed<Delivery>(
        this.limits.liveQueuedEvents,
        () => {
          index.delete(subscriber);
          this.all.delete(subscriber);
          this.metrics.subscriptions.dec({ field });
          this.logger.info({ field, viewer: ctx.viewer?.id ?? null, client: ctx.clientAddress }, 'subscription ended');
        },
        () => {
          this.metrics.slowConsumers.inc();
          return liveError('SLOW_CONSUMER', 'this subscription fell too far behind its events and was ended; subscribe again and refetch');
        },
      ),
    };
    index.add(subscriber);
    this.all.add(subscriber);
    this.metrics.subscriptions.inc({ field });
    this.logger.info({ field, viewer: ctx.viewer?.id ?? null, client: ctx.clientAddress }, 'subscription started');
    return subscriber.feed;
  }

  private setOf(map: Map<number, Set<Subscriber>>, key: number): Set<Subscriber> {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    // An emptied set is dropped on the next event that finds it empty (see targetsOf).
    return set;
  }

  /** A payload went out, `ms` after its change was heard. */
  delivered(ms: number): void {
    this.metrics.eventsDelivered.inc();
    this.metrics.deliverySeconds.observe(ms / 1000);
  }

  get size(): number {
    return this.all.size;
  }

  /** A committed change: fanned out after the ones before it, so each subscriber gets a post's changes in commit order. */
  onEvent(event: PostEvent, receivedAt: number): void {
    this.metrics.eventsReceived.inc();
    if (this.waiting.length >= MAX_PENDING_EVENTS) return this.onGap();
    this.waiting.push({ event, receivedAt });
    if (!this.draining) {
      this.draining = true;
      this.chain = this.drain();
    }
  }

  /**
   * Fans out the events heard, in batches: when a busy database makes each read wait for a connection, the
   * events that came meanwhile are read together, so the fan-out keeps up with the writes instead of queueing
   * a few statements per event behind every request.
   */
  private async drain(): Promise<void> {
    // Notifications that arrived together (one transaction's, one network read's) make one batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, EVENTS_PER_BATCH);
      await onThePrimary(() => this.fanOut(batch)).catch((error: unknown) => {
        // The rows could not be read (the database is away): the subscribers they concerned missed them.
        this.logger.warn({ err: error, events: batch.map((heard) => heard.event) }, 'live: events could not be delivered');
        for (const { event } of batch) for (const subscriber of this.targetsOf(event)) subscriber.feed.fail(eventsMissed());
      });
    }
    this.draining = false;
  }

  /** Events may have been lost: every subscription ends with EVENTS_MISSED, so clients resubscribe and refetch. */
  onGap(): void {
    for (const subscriber of [...this.all]) subscriber.feed.fail(eventsMissed());
  }

  /** Ends every subscription with an error of `code` (the test mode's reset: what they followed is gone). */
  endAll(code: string, message: string): void {
    for (const subscriber of [...this.all]) subscriber.feed.fail(liveError(code, message));
  }

  /** Resolves once the events received so far are fanned out. */
  settled(): Promise<void> {
    return this.chain;
  }

  private targetsOf(event: PostEvent): Subscriber[] {
    const targets = [...(this.byPost.get(event.postId) ?? []), ...(this.byAuthor.get(event.authorId) ?? [])];
    if (PUBLISHING.has(event.kind) && event.isPublic) targets.push(...this.published);
    for (const [map, key] of [
      [this.byPost, event.postId],
      [this.byAuthor, event.authorId],
    ] as const)
      if (map.get(key)?.size === 0) map.delete(key);
    return targets;
  }

  /** One batch: the posts of its events read by one statement, their authors by one, the filters alongside; then each event in order. */
  private async fanOut(batch: Heard[]): Promise<void> {
    const work = batch.map((heard) => ({ ...heard, targets: this.targetsOf(heard.event) })).filter((w) => w.targets.length > 0);
    if (work.length === 0) return;
    const shared = new Loaders();
    // Every event's reads start in one tick, so DataLoader makes one statement of the posts, then one of the authors.
    const rows = await Promise.all(
      work.map(async (w) => {
        const post = await shared.postById.load(w.event.postId);
        const author = post ? await shared.userById.load(post.authorId) : null;
        return { post, author, matched: await this.filtersMatching(w.targets, post) };
      }),
    );
    // Feeds with a consumer send from deliver: each event is out before the next one goes, so every
    // subscriber still gets a post's changes in commit order.
    for (const [i, w] of work.entries()) await this.deliver(w, rows[i]!);
  }

  /** The distinct `where` filters of the postPublished subscribers among `targets` that the post matches. */
  private filtersMatching(targets: Subscriber[], post: PostRow | null): Promise<Set<string>> {
    const filters = new Map(targets.flatMap((t) => (t.field === 'postPublished' && t.filter ? [[t.filter.key, t.filter.where] as const] : [])));
    return post && filters.size ? matchingFilters(post.id, filters) : Promise.resolve(new Set<string>());
  }

  /** One event to its subscribers, with the rows read for it: each viewer's loaders hold what that viewer may see. */
  private async deliver({ event, receivedAt, targets }: Heard & { targets: Subscriber[] }, { post, author, matched }: Rows): Promise<void> {
    const byViewer = new Map<number | undefined, Loaders>();
    const loadersOf = (viewerId: number | undefined) => {
      let loaders = byViewer.get(viewerId);
      if (!loaders) {
        byViewer.set(viewerId, (loaders = new Loaders()));
        if (post) loaders.postById.prime(post.id, post);
        if (author) loaders.rememberUsers([author]);
      }
      return loaders;
    };
    // A post removed for good (its author's account was deleted) reaches those following it while everyone could
    // see it: they learn that it is gone (post: null), the same answer whoever they are.
    const wants = (target: Subscriber) =>
      !post
        ? target.field === 'postChanged' && event.kind === 'DELETED' && event.isPublic
        : target.field === 'postPublished'
          ? isPublic(post) && (!target.filter || matched.has(target.filter.key))
          : target.field === 'viewerPostsChanged' || seesChange(target.ctx, event.kind, post);
    const sending = new Set<Promise<void>>();
    for (const target of targets) {
      if (!target.feed.open || !wants(target)) continue;
      collect(sending, target.feed.push({ event, loaders: loadersOf(post ? target.ctx.viewer?.id : undefined), receivedAt }));
    }
    await Promise.all(sending);
  }

  /**
   * Ends the subscriptions of viewers signed out since they subscribed: sessions revoked or expired, accounts
   * deleted, JWTs past their expiry. One statement for all the viewers of the instance.
   */
  async recheckViewers(sequelize: Sequelize): Promise<void> {
    const signedIn = [...this.all].filter((s) => s.ctx.viewer);
    if (signedIn.length === 0) return;
    const now = Date.now();
    const sessions = [...new Set(signedIn.flatMap((s) => (s.ctx.sessionId === null ? [] : [s.ctx.sessionId])))];
    const users = [...new Set(signedIn.flatMap((s) => (s.ctx.sessionId === null ? [s.ctx.viewer!.id] : [])))];
    const [found] = await sequelize.query<{ sessions: number[]; users: number[] }>(
      `SELECT ARRAY(SELECT id FROM sessions WHERE id = ANY(ARRAY[:sessions]::int[]) AND "expiresAt" > now()) AS sessions,
              ARRAY(SELECT id FROM users WHERE id = ANY(ARRAY[:users]::int[])) AS users`,
      { type: QueryTypes.SELECT, replacements: { sessions: sessions.length ? sessions : [0], users: users.length ? users : [0] } },
    );
    const liveSessions = new Set(found?.sessions ?? []);
    const liveUsers = new Set(found?.users ?? []);
    for (const s of signedIn) {
      const valid =
        s.ctx.sessionId === null ? liveUsers.has(s.ctx.viewer!.id) && (s.ctx.expiresAt === null || s.ctx.expiresAt > now) : liveSessions.has(s.ctx.sessionId);
      if (!valid) s.feed.fail(signedOut());
    }
  }
}
