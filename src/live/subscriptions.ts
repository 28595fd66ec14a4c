import type { Context } from '../context';
import { AppError, shown } from '../errors';
import { rowIdOf } from '../ids';
import { whereOf } from '../lists/filter';
import { POST_LIST } from '../services/lists';
import { requireViewer } from '../services/viewer';
import type { Hub, LiveContext } from './hub';

/** Whether the instance hears changes now (its LISTEN connection is up). */
export interface Hearing {
  connected: boolean;
}

/** The live data a subscription's context reaches: its fields' sources. */
export function liveOf(ctx: Context) {
  const live = (ctx as Partial<LiveContext>).live;
  if (!live) throw new AppError('BAD_USER_INPUT', 'subscriptions are served over WebSocket (/graphql) or Server-Sent Events (/graphql/stream)');
  const liveCtx = ctx as LiveContext;
  return {
    /** Posts becoming public, narrowed by the same filter as `posts` (checked now: a bad one is refused at once). */
    postPublished: (where: unknown) => {
      const filter = where == null ? null : { key: JSON.stringify(where), where: whereOf(where, POST_LIST.filters) };
      return live.subscribe('postPublished', liveCtx, { filter });
    },
    postChanged: (id: string) => {
      const postId = rowIdOf(id, 'Post');
      if (postId === null) throw AppError.badInput([{ path: ['id'], message: `${shown(id)} is not the id of a post` }]);
      return live.subscribe('postChanged', liveCtx, { key: postId });
    },
    viewerPostsChanged: () => live.subscribe('viewerPostsChanged', liveCtx, { key: requireViewer(ctx).id }),
  };
}

export type { Hub };
