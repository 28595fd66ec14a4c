import type { Context } from '../../context';
import type { PostRow } from '../../db/models/post';

export const Post = {
  author: (post: PostRow, _: unknown, ctx: Context) => ctx.loaders.user(post.authorId),
};
