import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import type { ListArgs } from '../../lists';
import { getPost, listPosts } from '../../services/posts';
import { getUser, listUsers } from '../../services/users';
import { selectionOf } from '../selection';

export const Query = {
  viewer: (_: unknown, __: unknown, ctx: Context) => ctx.viewer,
  user: (_: unknown, { id }: { id: string }, ctx: Context) => getUser(ctx, id),
  post: (_: unknown, { id }: { id: string }, ctx: Context) => getPost(ctx, id),
  users: (_: unknown, args: ListArgs, ctx: Context, info: GraphQLResolveInfo) => listUsers(ctx, args, selectionOf(info)),
  posts: (_: unknown, args: ListArgs, ctx: Context, info: GraphQLResolveInfo) => listPosts(ctx, args, selectionOf(info)),
};
