import type { Sequelize } from 'sequelize';

/** The PostgreSQL channel every instance listens on for changes to posts. */
export const POST_CHANNEL = 'post_changes';

export type PostChangeKind = 'CREATED' | 'UPDATED' | 'PUBLISHED' | 'UNPUBLISHED' | 'DELETED' | 'RESTORED';

/** A change as announced: ids and the kind only (a NOTIFY payload holds at most 8,000 bytes); rows are read when delivering. */
export interface PostEvent {
  kind: PostChangeKind;
  postId: number;
  authorId: number;
  /** Whether the post was visible to everyone once the change committed (the row read later may have moved on). */
  isPublic: boolean;
}

/**
 * Announces changes inside the current transaction: PostgreSQL delivers a NOTIFY at commit, in commit order,
 * and drops it on rollback, so no instance hears of a write that did not happen. One statement for all of them.
 */
export async function announce(sequelize: Sequelize, events: readonly PostEvent[]): Promise<void> {
  if (events.length === 0) return;
  const payloads = events.map((event) => JSON.stringify([event.kind, event.postId, event.authorId, event.isPublic]));
  await sequelize.query(`SELECT pg_notify('${POST_CHANNEL}', payload) FROM unnest(ARRAY[:payloads]::text[]) AS payload`, {
    replacements: { payloads },
  });
}

const KINDS = new Set<string>(['CREATED', 'UPDATED', 'PUBLISHED', 'UNPUBLISHED', 'DELETED', 'RESTORED']);

/** The event a notification carries, or null for a payload this version does not read. */
export function eventOf(payload: string | undefined): PostEvent | null {
  try {
    const [kind, postId, authorId, isPublic] = JSON.parse(payload ?? '') as unknown[];
    if (typeof kind !== 'string' || !KINDS.has(kind) || !Number.isInteger(postId) || !Number.isInteger(authorId)) return null;
    return { kind: kind as PostChangeKind, postId: postId as number, authorId: authorId as number, isPublic: isPublic === true };
  } catch {
    return null;
  }
}
