import { getNode, getNodes } from '../../services/nodes';
import { getPost, listPosts } from '../../services/posts';
import { getUser, listUsers } from '../../services/users';
import type { QueryResolvers } from '../generated/resolvers';
import { childListsOf, objectFieldsUnder, selectionOf } from '../selection';

export const Query: QueryResolvers = {
  viewer: (_, __, ctx) => ctx.viewer,
  user: (_, { id }, ctx) => getUser(ctx, id),
  post: (_, { id }, ctx, info) => {
    ctx.loaders.readWithPosts(objectFieldsUnder(info)); // the author with the post, in its statement
    return getPost(ctx, id);
  },
  node: (_, { id }, ctx) => getNode(ctx, id),
  nodes: (_, { ids }, ctx) => getNodes(ctx, ids),
  users: (_, args, ctx, info) => listUsers(ctx, args, selectionOf(info), childListsOf(info, 'posts')),
  posts: (_, args, ctx, info) => listPosts(ctx, args, selectionOf(info)),
};
