import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import type { UserRow } from '../../db/models/user';
import type { ListArgs } from '../../lists';
import { listPostsOfAuthor } from '../../services/posts';
import { emailVisibleTo } from '../../services/users';
import { selectionOf } from '../selection';

export const User = {
  email: (user: UserRow, _: unknown, ctx: Context) => emailVisibleTo(ctx, user),
  posts: (user: UserRow, args: ListArgs, ctx: Context, info: GraphQLResolveInfo) =>
    listPostsOfAuthor(ctx, user.id, args, selectionOf(info)),
};
