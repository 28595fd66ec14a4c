import { globalId } from '../../ids';
import { getAuthor } from '../../services/posts';
import type { PostResolvers } from '../generated/resolvers';
import { fieldNamesOf } from '../selection';

export const Post: PostResolvers = {
  id: (post) => globalId('Post', post.id),
  databaseId: (post) => post.id,
  author: (post, _, ctx, info) => {
    ctx.loaders.rememberAuthorOf(post); // when the post's own statement read it
    return getAuthor(ctx, post, fieldNamesOf(info));
  },
};
