import { globalId } from '../../ids';
import { liveOf } from '../../live/subscriptions';
import type { Delivery } from '../../live/hub';
import { visiblePost } from '../../services/posts';
import { AppError } from '../../errors';
import type { Context } from '../../context';
import type { SubscriptionResolvers } from '../generated/resolvers';

/** A change as the subscriber sees it: `post` is what `post(id)` answers them now. */
async function changeOf(ctx: Context, { event }: Delivery) {
  return { kind: event.kind, id: globalId('Post', event.postId), post: await visiblePost(ctx, event.postId) };
}

export const Subscription: SubscriptionResolvers = {
  postPublished: {
    subscribe: (_, { where }, ctx) => liveOf(ctx).postPublished(where),
    resolve: async (delivery: Delivery, _: unknown, ctx: Context) =>
      (await visiblePost(ctx, delivery.event.postId)) ?? Promise.reject(new AppError('NOT_FOUND', 'the post is no longer published')),
  },
  postChanged: {
    subscribe: (_, { id }, ctx) => liveOf(ctx).postChanged(id),
    resolve: (delivery: Delivery, _: unknown, ctx: Context) => changeOf(ctx, delivery),
  },
  viewerPostsChanged: {
    subscribe: (_, __, ctx) => liveOf(ctx).viewerPostsChanged(),
    resolve: (delivery: Delivery, _: unknown, ctx: Context) => changeOf(ctx, delivery),
  },
};
