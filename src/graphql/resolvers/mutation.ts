import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import { inTransaction } from '../../db/transaction';
import { Loaders } from '../../loaders';
import { logIn, logOut, signUp } from '../../services/auth';
import { countSignUp, limitLogIn } from '../../services/login-limits';
import { createPost, createPosts, deletePost, restorePost, updatePost } from '../../services/posts';
import { deleteViewer, updateViewer } from '../../services/users';
import type { MutationResolvers } from '../generated/resolvers';

type AnyResolver = (parent: unknown, args: unknown, ctx: Context, info: GraphQLResolveInfo) => unknown;

/**
 * Runs every mutation in exactly one managed transaction, then gives the request fresh loaders
 * so the payload (and later mutations in the same document) read what was committed, as the
 * viewer the mutation may have signed in.
 */
function transactional(resolvers: MutationResolvers): MutationResolvers {
  const wrapped = Object.entries(resolvers as Record<string, AnyResolver>).map(([name, resolve]) => [
    name,
    async (parent: unknown, args: unknown, ctx: Context, info: GraphQLResolveInfo) => {
      try {
        return await inTransaction(ctx.sequelize, () => {
          // An attempt retried after a deadlock must not reuse what the rolled-back one read.
          ctx.loaders = new Loaders();
          return Promise.resolve(resolve(parent, args, ctx, info));
        });
      } finally {
        ctx.loaders = new Loaders();
      }
    },
  ]);
  return Object.fromEntries(wrapped) as MutationResolvers;
}

const inTransactions = transactional({
  signUp: (_, { input }, ctx) => signUp(ctx, input),
  logIn: (_, { input }, ctx) => logIn(ctx, input),
  logOut: (_, __, ctx) => logOut(ctx),
  updateViewer: async (_, { input }, ctx) => ({ user: await updateViewer(ctx, input) }),
  deleteViewer: async (_, __, ctx) => ({ user: await deleteViewer(ctx) }),
  createPost: async (_, { input }, ctx) => ({ post: await createPost(ctx, input) }),
  createPosts: async (_, { input }, ctx) => ({ posts: await createPosts(ctx, input.posts) }),
  updatePost: async (_, { input }, ctx) => ({ post: await updatePost(ctx, input) }),
  deletePost: async (_, { input }, ctx) => ({ post: await deletePost(ctx, input.id) }),
  restorePost: async (_, { input }, ctx) => ({ post: await restorePost(ctx, input.id) }),
});

/** Runs one of the transactional resolvers above, for the limits that must count outside its transaction. */
const run = <K extends keyof typeof inTransactions>(name: K, ...[parent, args, ctx, info]: Parameters<AnyResolver>) =>
  (inTransactions[name] as AnyResolver)(parent, args, ctx, info) as Promise<never>;

export const Mutation: MutationResolvers = {
  ...inTransactions,
  // Attempts are counted before the transaction starts: a failed mutation rolls its transaction back,
  // and its attempt must still count.
  logIn: (parent, args, ctx, info) => limitLogIn(ctx, args.input.email, () => run('logIn', parent, args, ctx, info)),
  signUp: async (parent, args, ctx, info) => {
    await countSignUp(ctx);
    return run('signUp', parent, args, ctx, info);
  },
  // Setting an email tells whether it is taken, as signUp does: it counts as one (an anonymous one is refused anyway).
  updateViewer: async (parent, args, ctx, info) => {
    if (args.input.email != null && ctx.viewer) await countSignUp(ctx);
    return run('updateViewer', parent, args, ctx, info);
  },
};
