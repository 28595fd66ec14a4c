import type { Context } from '../../context';
import { inTransaction } from '../../db/transaction';
import { Loaders } from '../../loaders';
import { logIn, logOut, signUp, type LogInInput, type SignUpInput } from '../../services/auth';
import { admitLogIn } from '../../services/login-limits';
import {
  createPost,
  createPosts,
  deletePost,
  restorePost,
  updatePost,
  type PostInput,
  type UpdatePostInput,
} from '../../services/posts';
import { deleteViewer, updateViewer, type UpdateViewerInput } from '../../services/users';

type Resolver = (parent: unknown, args: never, ctx: Context) => Promise<unknown>;

/**
 * Runs every mutation in exactly one managed transaction, then gives the request fresh loaders
 * so the payload (and later mutations in the same document) read what was committed, as the
 * viewer the mutation may have signed in.
 */
function transactional<R extends Record<string, Resolver>>(resolvers: R): R {
  const wrapped = Object.entries(resolvers).map(([name, resolve]) => [
    name,
    async (parent: unknown, args: never, ctx: Context) => {
      try {
        return await inTransaction(ctx.sequelize, () => resolve(parent, args, ctx));
      } finally {
        ctx.loaders = new Loaders();
      }
    },
  ]);
  return Object.fromEntries(wrapped) as R;
}

type Input<T> = { input: T };

const inTransactions = transactional({
  signUp: async (_: unknown, { input }: Input<SignUpInput>, ctx: Context) => signUp(ctx, input),
  logIn: async (_: unknown, { input }: Input<LogInInput>, ctx: Context) => logIn(ctx, input),
  logOut: async (_: unknown, __: never, ctx: Context) => logOut(ctx),
  updateViewer: async (_: unknown, { input }: Input<UpdateViewerInput>, ctx: Context) => ({
    user: await updateViewer(ctx, input),
  }),
  deleteViewer: async (_: unknown, __: never, ctx: Context) => ({ user: await deleteViewer(ctx) }),
  createPost: async (_: unknown, { input }: Input<PostInput>, ctx: Context) => ({ post: await createPost(ctx, input) }),
  createPosts: async (_: unknown, { input }: Input<{ posts: PostInput[] }>, ctx: Context) => ({
    posts: await createPosts(ctx, input.posts),
  }),
  updatePost: async (_: unknown, { input }: Input<UpdatePostInput>, ctx: Context) => ({ post: await updatePost(ctx, input) }),
  deletePost: async (_: unknown, { input }: Input<{ id: string }>, ctx: Context) => ({ post: await deletePost(ctx, input.id) }),
  restorePost: async (_: unknown, { input }: Input<{ id: string }>, ctx: Context) => ({
    post: await restorePost(ctx, input.id),
  }),
});

export const Mutation = {
  ...inTransactions,
  // The attempt is counted before the transaction starts: a failed logIn rolls its transaction back.
  logIn: async (parent: unknown, args: Input<LogInInput>, ctx: Context) => {
    await admitLogIn(ctx, args.input.email);
    return inTransactions.logIn(parent, args, ctx);
  },
};
