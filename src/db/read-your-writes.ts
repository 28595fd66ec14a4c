import type { Sequelize, Transaction } from 'sequelize';
import { currentRequest, type RequestScope } from '../request-scope';

/**
 * Read-your-writes with read replicas: for `windowMs` after a signed-in viewer's mutation commits, their reads
 * go to the primary, whichever instance serves them. Known to every instance through the viewer's own row
 * (`users."lastWriteAt"`, set inside the mutation's transaction and read with the session the request looks up
 * anyway), and, sooner than a cached session would tell, through what this instance heard: its own commits, and
 * the changes other instances announce over LISTEN (src/live). Anonymous reads may lag (README "Deploying at scale").
 */
export class ReadYourWrites {
  /** When this instance last saw each user write, oldest first (a Map keeps insertion order). */
  private readonly heard = new Map<number, number>();

  constructor(readonly windowMs: number) {}

  /** This instance saw `userId` write: its own mutation committed, or another instance announced one. */
  noteWrite(userId: number, at = Date.now()): void {
    this.heard.delete(userId);
    this.heard.set(userId, at);
    for (const [id, when] of this.heard) {
      if (at - when < this.windowMs) break;
      this.heard.delete(id); // past the window: of no more use
    }
  }

  /** Whether the request's viewer wrote within the window, so that a replica may not show it yet. */
  wroteLately(scope: RequestScope, now = Date.now()): boolean {
    if (scope.viewerId == null) return false;
    const lastWrite = Math.max(scope.viewerWroteAt?.getTime() ?? 0, this.heard.get(scope.viewerId) ?? 0);
    return now - lastWrite < this.windowMs;
  }

  /** Inside a mutation's transaction: records that its viewer writes (the first statement, so locks come in one order). */
  async markWrite(sequelize: Sequelize, transaction: Transaction): Promise<number | null> {
    const viewerId = currentRequest()?.viewerId;
    if (viewerId == null) return null;
    await sequelize.query('UPDATE users SET "lastWriteAt" = now() WHERE id = :viewerId', { replacements: { viewerId }, transaction });
    return viewerId;
  }
}

const perDatabase = new WeakMap<Sequelize, ReadYourWrites>();

/** Turns read-your-writes on for a database with read replicas. */
export function keepReadsAfterWrites(sequelize: Sequelize, windowMs: number): ReadYourWrites {
  const policy = new ReadYourWrites(windowMs);
  perDatabase.set(sequelize, policy);
  return policy;
}

/** The policy of a database with read replicas; undefined without replicas (every read is the primary's). */
export function readYourWritesOf(sequelize: Sequelize): ReadYourWrites | undefined {
  return perDatabase.get(sequelize);
}
