import type { Context } from '../context';
import type { PostRow } from '../db/models/post';
import type { UserRow } from '../db/models/user';
import { AppError } from '../errors';
import { parseGlobalId, type NodeType } from '../ids';
import { visiblePost } from './posts';
import { userByRowId } from './users';

/** The most ids one `nodes` call may ask for. */
export const MAX_NODES = 100;

export type NodeRow = PostRow | UserRow;

/** Which type a row read by getNode is (posts have an author, users do not). */
export function nodeTypeOf(row: NodeRow): NodeType {
  return 'authorId' in row ? 'Post' : 'User';
}

/**
 * The object a global id names, under the same visibility rules as `post` and `user`; null for an id
 * that names nothing the viewer may see (garbage, a bare row number, someone else's draft).
 */
export function getNode(ctx: Context, id: string): Promise<NodeRow | null> {
  const named = parseGlobalId(id);
  if (named?.type === 'Post') return visiblePost(ctx, named.rowId);
  if (named?.type === 'User') return userByRowId(ctx, named.rowId);
  return Promise.resolve(null);
}

/** The objects of many global ids, in their order: all loads start in one tick, so each type costs one statement. */
export function getNodes(ctx: Context, ids: readonly string[]): Promise<(NodeRow | null)[]> {
  if (ids.length > MAX_NODES) throw AppError.badInput([{ path: ['ids'], message: `must hold at most ${MAX_NODES} ids` }]);
  return Promise.all(ids.map((id) => getNode(ctx, id)));
}
