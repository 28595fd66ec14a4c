import { Op, type WhereOptions } from 'sequelize';
import type { Context } from '../context';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { resolvers } from '../graphql/resolvers';

/**
 * The baseline the benchmark compares against: the same schema resolved the way hand-rolled Apollo +
 * Sequelize servers often are: a finder per field and per parent, model instances, no DataLoader.
 * It answers the benchmark's operations (anonymous reads: published posts) and nothing more.
 */
interface Args {
  id?: string;
  first?: number;
  where?: { title?: { contains?: string } };
  input?: { title: string; content?: string | null; published?: boolean | null };
}

const newestFirst: [string, string][] = [['createdAt', 'DESC'], ['id', 'DESC']];

const connection = <Row>(nodes: Row[], totalCount: () => Promise<number>) => ({
  nodes,
  edges: nodes.map((node) => ({ cursor: '', node })),
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  totalCount,
});

export const naiveResolvers = {
  ...resolvers,
  Query: {
    post: (_: unknown, { id }: Args) => Post.findOne({ where: { id: Number(id), published: true } }),
    posts: async (_: unknown, { first, where }: Args) => {
      const filter: WhereOptions = where?.title?.contains ? { title: { [Op.iLike]: `%${where.title.contains}%` } } : {};
      return connection(await Post.findAll({ where: { published: true, ...filter }, order: newestFirst, limit: first }), () =>
        Post.count({ where: { published: true, ...filter } }),
      );
    },
    users: async (_: unknown, { first }: Args) => connection(await User.findAll({ order: [['id', 'ASC']], limit: first }), () => User.count()),
  },
  Mutation: {
    createPost: (_: unknown, { input }: Args, ctx: Context) =>
      ctx.sequelize.transaction(async () => ({
        post: await Post.create({ title: input!.title, content: input!.content ?? null, published: input!.published ?? false, authorId: ctx.viewer!.id }),
      })),
  },
  User: {
    email: () => null,
    posts: async (user: User, { first }: Args) =>
      connection(await Post.findAll({ where: { authorId: user.id, published: true }, order: newestFirst, limit: first }), () =>
        Post.count({ where: { authorId: user.id, published: true } }),
      ),
  },
  Post: {
    author: (post: Post) => User.findByPk(post.authorId),
  },
};
