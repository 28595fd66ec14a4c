import { col, fn, Op, type Order, type WhereOptions } from 'sequelize';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { resolvers } from '../graphql/resolvers';
import { rowIdOf } from '../ids';
import { POST_LIST } from '../services/lists';
import type { Resolvers } from '../graphql/schema';

/**
 * The baseline the benchmark compares against: the same schema resolved the way hand-rolled Apollo +
 * Sequelize servers often are: a finder per field and per parent, model instances, no DataLoader.
 * It answers the benchmark's operations (anonymous reads: published posts) and nothing more.
 */
const newestFirst: [string, string][] = [
  ['createdAt', 'DESC'],
  ['id', 'DESC'],
];

// A connection's COUNT runs when a client selects totalCount, through the connection resolvers below.
const connection = <Row>(nodes: Row[], count: () => Promise<number>) => ({
  nodes,
  edges: nodes.map((node) => ({ cursor: '', node })),
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  totalCount: null,
  count,
});
const countOf = (parent: object) => (parent as ReturnType<typeof connection>).count();

// Typed like the real resolvers (model instances are supersets of the rows they expect).
export const naiveResolvers: Resolvers = {
  ...resolvers,
  Query: {
    post: (_, { id }) => Post.findOne({ where: { id: rowIdOf(id, 'Post') ?? 0, published: true } }),
    posts: async (_, { first, where, search }) => {
      const filter: WhereOptions = where?.title?.contains ? { title: { [Op.iLike]: `%${where.title.contains}%` } } : {};
      const listed: WhereOptions = { published: true, ...filter };
      const page = async (where: WhereOptions, order: Order) =>
        connection(await Post.findAll({ where, order, limit: first ?? undefined }), () => Post.count({ where }));
      if (search == null) return page(listed, newestFirst);
      // A search box's text, most relevant first (ties by id) among the newest matches, as the full-text
      // operation asks: first the oldest of those, then the page from it on.
      const query = fn('websearch_to_tsquery', 'english', search);
      const matching: WhereOptions = { ...listed, search: { [Op.match]: query } };
      const oldest = await Post.findOne({ where: matching, attributes: ['id'], order: [['id', 'DESC']], offset: POST_LIST.search!.window - 1 });
      return page({ ...matching, id: { [Op.gte]: oldest?.id ?? 0 } }, [
        [fn('ts_rank', col('search'), query), 'DESC'],
        ['id', 'ASC'],
      ]);
    },
    users: async (_, { first }) => connection(await User.findAll({ order: [['id', 'ASC']], limit: first ?? undefined }), () => User.count()),
  },
  Mutation: {
    createPost: (_, { input }, ctx) =>
      ctx.sequelize.transaction(async () => ({
        post: await Post.create({ title: input.title, content: input.content ?? null, published: input.published ?? false, authorId: ctx.viewer!.id }),
      })),
  },
  // Ids are the same global ids as the real server's (resolvers.User.id / Post.id).
  User: {
    ...resolvers.User,
    email: () => null,
    posts: async (user, { first }) =>
      connection(await Post.findAll({ where: { authorId: user.id, published: true }, order: newestFirst, limit: first ?? undefined }), () =>
        Post.count({ where: { authorId: user.id, published: true } }),
      ),
  },
  Post: {
    ...resolvers.Post,
    author: (post) => User.findByPk(post.authorId, { rejectOnEmpty: true }),
  },
  UserConnection: { totalCount: countOf },
  PostConnection: { totalCount: countOf },
};
