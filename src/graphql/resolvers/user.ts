import type { Context } from '../../context';
import type { UserRow } from '../../db/models/user';
import type { PageArgs } from '../../db/pagination';
import { listPostsOfAuthor } from '../../services/posts';
import { emailVisibleTo } from '../../services/users';

export const User = {
  email: (user: UserRow, _: unknown, ctx: Context) => emailVisibleTo(ctx, user),
  posts: (user: UserRow, args: PageArgs, ctx: Context) => listPostsOfAuthor(ctx, user.id, args),
};
