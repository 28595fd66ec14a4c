import { globalId } from '../ids';

/** The global id a client sees of a post row (as `Post.id` answers it). */
export const postId = (post: { id: number }): string => globalId('Post', post.id);

/** The global id a client sees of a user row (as `User.id` answers it). */
export const userId = (user: { id: number }): string => globalId('User', user.id);
