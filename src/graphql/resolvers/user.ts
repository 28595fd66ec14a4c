import type { Context } from '../../context';
import type { UserRow } from '../../db/models/user';
import type { ListArgs } from '../../lists';
import { listPostsOfAuthor } from '../../services/posts';
import { emailVisibleTo } from '../../services/users';

export const User = {
  email: (user: UserRow, _: unknown, ctx: Context) => emailVisibleTo(ctx, user),
  posts: (user: UserRow, args: ListArgs, ctx: Context) => listPostsOfAuthor(ctx, user.id, args),
};
