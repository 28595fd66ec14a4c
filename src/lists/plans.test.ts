import { QueryTypes } from 'sequelize';
import { OPERATIONS } from '../bench/operations';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { POST_LIST, USER_LIST } from '../services/lists';
import { whereOf } from './filter';
import { testDb } from '../test/database';
import { aPublishedPost, aUser } from '../test/factories';
import { postId } from '../test/ids';
import { statementsDuring, statementsWithParametersDuring, useServer } from '../test/server';

const api = useServer();

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * The plan PostgreSQL would choose for `sql` if scans of whole tables cost what they do on large ones
 * (`settings` off): on a few rows it rightly prefers reading them all, which says nothing of millions.
 */
async function planOf(sql: string, settings: string[] = ['enable_seqscan'], parameters: readonly unknown[] = []): Promise<PlanNode[]> {
  return testDb().sequelize.transaction(async (transaction) => {
    for (const setting of settings) await testDb().sequelize.query(`SET LOCAL ${setting} = off`, { transaction });
    const [row] = await testDb().sequelize.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, {
      type: QueryTypes.SELECT,
      transaction,
      ...(parameters.length && { bind: [...parameters] }),
    });
    return nodesOf(row!['QUERY PLAN'][0].Plan);
  });
}

/** The statements the server runs for one operation, with their parameters. */
async function statementsOf(query: string, variables: Record<string, unknown> = {}) {
  let errors: unknown;
  const statements = await statementsWithParametersDuring(async () => void ({ errors } = await api.gql(query, variables)));
  expect(errors).toBeUndefined();
  return statements;
}

async function someData() {
  const authors = [await aUser({ name: 'Ann Postgres' }), await aUser({ name: 'Bob' })];
  const posts = [];
  for (let i = 0; i < 40; i += 1) posts.push(await aPublishedPost(authors[i % 2]!, { title: `Postgres notes ${i}`, content: `about graphql ${i}` }));
  await testDb().sequelize.query('ANALYZE');
  return posts;
}

describe('query plans', () => {
  it.each(Object.entries(OPERATIONS).filter(([key]) => key !== 'createPost' && key !== 'typename'))(
    '%s: no statement scans the whole posts table',
    async (_, operation) => {
      const posts = await someData();
      const statements = await statementsOf(operation.query, { id: postId(posts[5]!), text: 'Postgres' });
      expect(statements.length).toBeGreaterThan(0);
      for (const { sql, parameters } of statements) {
        const scans = (await planOf(sql, undefined, parameters)).filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
        expect(scans).not.toContain('posts');
      }
    },
  );

  const filters = ['contains', 'startsWith', 'endsWith'].flatMap((operator) => ['DEFAULT', 'INSENSITIVE'].map((mode) => [operator, mode] as const));
  it.each(filters)('%s (%s) on titles, contents and names, as the lists write it, can use a trigram index', async (operator, mode) => {
    await someData();
    const text = { contains: 'gres', startsWith: 'Postg', endsWith: 'tes 3' }[operator];
    const lists = [
      [Post, POST_LIST, 'title', 'posts_title_trgm'],
      [Post, POST_LIST, 'content', 'posts_content_trgm'],
      [User, USER_LIST, 'name', 'users_name_trgm'],
    ] as const;
    for (const [model, list, field, index] of lists) {
      const where = whereOf({ [field]: { [operator]: text, mode } }, list.filters);
      const [sql] = await statementsDuring(() => (model as typeof Post).findAll({ where, attributes: ['id'], paranoid: false }));
      // With neither whole-table nor ordered index scans, only a bitmap scan of an index the pattern can use is left.
      const plan = await planOf(sql!, ['enable_seqscan', 'enable_indexscan']);
      expect(plan.filter((node) => node['Node Type'] === 'Bitmap Index Scan').map((node) => node['Index Name'])).toEqual([index]);
    }
  });
});
