import { getAuthor } from '../../services/posts';
import type { PostResolvers } from '../generated/resolvers';

export const Post: PostResolvers = {
  author: (post, _, ctx) => getAuthor(ctx, post),
};
