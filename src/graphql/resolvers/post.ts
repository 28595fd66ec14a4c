import { getAuthor } from '../../services/posts';
import type { PostResolvers } from '../generated/resolvers';
import { fieldNamesOf } from '../selection';

export const Post: PostResolvers = {
  author: (post, _, ctx, info) => getAuthor(ctx, post, fieldNamesOf(info)),
};
