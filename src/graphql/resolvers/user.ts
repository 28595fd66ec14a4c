import { globalId } from '../../ids';
import { listPostsOfAuthor } from '../../services/posts';
import { emailVisibleTo } from '../../services/users';
import type { UserResolvers } from '../generated/resolvers';
import { selectionOf } from '../selection';

export const User: UserResolvers = {
  id: (user) => globalId('User', user.id),
  databaseId: (user) => user.id,
  email: (user, _, ctx) => emailVisibleTo(ctx, user),
  posts: (user, args, ctx, info) => listPostsOfAuthor(ctx, user.id, args, selectionOf(info)),
};
