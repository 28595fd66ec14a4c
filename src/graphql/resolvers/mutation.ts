import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import { inTransaction } from '../../db/transaction';
import { Loaders } from '../../loaders';
import { checkCredentials, logOut, prepareAccount, signIn, signUp } from '../../services/auth';
import { changePassword, checkPasswordChange, logOutEverywhere, passwordOwner } from '../../services/auth';
import { countSignUp, limitLogIn } from '../../services/login-limits';
import { createPost, createPosts, deletePost, restorePost, updatePost } from '../../services/posts';
import { deleteViewer, updateViewer } from '../../services/users';
import type { MutationResolvers } from '../generated/resolvers';

type AnyResolver = (parent: unknown, args: unknown, ctx: Context, info: GraphQLResolveInfo) => unknown;

/**
 * Runs a mutation's work in exactly one managed transaction, then gives the request fresh loaders so the
 * payload (and later mutations in the same document) read what was committed, as the viewer the mutation
 * may have signed in.
 */
async function asMutation<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await inTransaction(ctx.sequelize, () => {
      // An attempt retried after a deadlock must not reuse what the rolled-back one read.
      ctx.loaders = new Loaders();
      return work();
    });
  } finally {
    ctx.loaders = new Loaders();
  }
}

/** Every resolver given, run as a mutation (asMutation). */
function transactional(resolvers: MutationResolvers): MutationResolvers {
  const wrapped = Object.entries(resolvers as Record<string, AnyResolver>).map(([name, resolve]) => [
    name,
    (parent: unknown, args: unknown, ctx: Context, info: GraphQLResolveInfo) => asMutation(ctx, () => Promise.resolve(resolve(parent, args, ctx, info))),
  ]);
  return Object.fromEntries(wrapped) as MutationResolvers;
}

export const Mutation: MutationResolvers = {
  ...transactional({
    logOut: (_, __, ctx) => logOut(ctx),
    deleteViewer: async (_, __, ctx) => ({ user: await deleteViewer(ctx) }),
    createPost: async (_, { input }, ctx) => ({ post: await createPost(ctx, input) }),
    createPosts: async (_, { input }, ctx) => ({ posts: await createPosts(ctx, input.posts) }),
    updatePost: async (_, { input }, ctx) => ({ post: await updatePost(ctx, input) }),
    deletePost: async (_, { input }, ctx) => ({ post: await deletePost(ctx, input.id) }),
    restorePost: async (_, { input }, ctx) => ({ post: await restorePost(ctx, input.id) }),
  }),
  // Attempts are counted, and passwords hashed or checked, before the transaction starts: a failed mutation
  // rolls its transaction back and its attempt must still count, and no connection waits on a hash.
  signUp: async (_, { input }, ctx) => {
    await countSignUp(ctx);
    const account = await prepareAccount(ctx, input);
    return asMutation(ctx, () => signUp(ctx, account));
  },
  logIn: (_, { input }, ctx) =>
    limitLogIn(ctx, input.email, async () => {
      const user = await checkCredentials(ctx, input);
      return asMutation(ctx, () => signIn(ctx, user));
    }),
  // Setting an email tells whether it is taken, as signUp does: it counts as one (an anonymous one is refused anyway).
  updateViewer: async (_, { input }, ctx) => {
    if (input.email != null && ctx.viewer) await countSignUp(ctx);
    return asMutation(ctx, async () => ({ user: await updateViewer(ctx, input) }));
  },
  // The current password is checked under the logIn limits (its guesses count as failed logIns), before the transaction.
  changePassword: (_, { input }, ctx) =>
    limitLogIn(ctx, passwordOwner(ctx), async () => {
      const passwordHash = await checkPasswordChange(ctx, input);
      return asMutation(ctx, () => changePassword(ctx, passwordHash));
    }),
  logOutEverywhere: (_, __, ctx) => asMutation(ctx, () => logOutEverywhere(ctx)),
};
