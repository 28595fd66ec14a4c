import fc from 'fast-check';
import { QueryTypes } from 'sequelize';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { globalId, type NodeType } from '../ids';
import { startSession } from '../services/auth';
import { resetTables, testDb } from '../test/database';
import { comparator, matches, type OracleSpec, type Row } from '../test/list-oracle';
import { useServer } from '../test/server';

// Random data sets and random list requests; every page the server returns must equal the same
// request evaluated in TypeScript (src/test/list-oracle.ts) over the rows the data set holds.
const api = useServer();

const POSTS: OracleSpec = {
  filters: { id: 'postId', title: 'string', content: 'string', published: 'boolean', authorId: 'userId', createdAt: 'datetime', updatedAt: 'datetime' },
  columns: { ID: 'id', CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', TITLE: 'title' },
  defaultOrder: [{ field: 'CREATED_AT', direction: 'DESC' }],
};
const USERS: OracleSpec = {
  filters: { id: 'userId', name: 'string', createdAt: 'datetime' },
  columns: { ID: 'id', CREATED_AT: 'createdAt', NAME: 'name' },
  defaultOrder: [{ field: 'ID', direction: 'ASC' }],
};

// Few letters, few instants: plenty of equal keys, so tie-breaking and NULL placement are exercised.
const letter = fc.constantFrom('a', 'b', 'B', '%', '_', ' ');
const text = fc.string({ unit: letter, maxLength: 3 });
const minute = fc.integer({ min: 0, max: 4 });
const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));

const dataSet = fc.record({
  users: fc.array(fc.record({ name: fc.option(text), createdAt: minute }), { minLength: 1, maxLength: 5 }),
  posts: fc.array(
    fc.record({
      author: fc.nat(),
      title: fc.string({ unit: letter, minLength: 1, maxLength: 3 }),
      content: fc.option(text),
      published: fc.boolean(),
      deleted: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      createdAt: minute,
      updatedAt: minute,
    }),
    { maxLength: 25 },
  ),
  viewer: fc.option(fc.nat()),
});
type DataSet = typeof dataSet extends fc.Arbitrary<infer T> ? T : never;

/** Global ids of `type`, and ids that name nothing here: another type's, bare row numbers, garbage. */
const idOf = (type: NodeType) => {
  const row = fc.integer({ min: 1, max: 26 });
  return fc.oneof(
    { weight: 3, arbitrary: row.map((n) => globalId(type, n)) },
    row.map((n) => globalId(type === 'Post' ? 'User' : 'Post', n)),
    row.map(String),
    fc.constant('x'),
  );
};
const idFilter = (type: NodeType) => fc.record({ equals: idOf(type), in: fc.array(idOf(type), { maxLength: 3 }) }, { requiredKeys: [] });
const stringFilter = fc.record(
  {
    equals: text,
    in: fc.array(text, { maxLength: 3 }),
    contains: text,
    startsWith: text,
    endsWith: text,
    mode: fc.constantFrom('DEFAULT', 'INSENSITIVE'),
  },
  { requiredKeys: [] },
);
const instant = minute.map((m) => at(m).toISOString());
const dateFilter = fc.record({ equals: instant, gt: instant, gte: instant, lt: instant, lte: instant }, { requiredKeys: [] });

function whereOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const leaf = fc.oneof(...Object.entries(fields).map(([name, filter]) => filter.map((value) => ({ [name]: value }))));
  return fc.letrec<{ where: Record<string, unknown> }>((tie) => ({
    where: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'where' },
      leaf,
      fc.array(tie('where'), { maxLength: 3 }).map((items) => ({ AND: items })),
      fc.array(tie('where'), { maxLength: 3 }).map((items) => ({ OR: items })),
      tie('where').map((item) => ({ NOT: item })),
    ),
  })).where;
}

const orderBy = (fields: string[]) =>
  fc.option(
    fc.uniqueArray(fc.record({ field: fc.constantFrom(...fields), direction: fc.constantFrom('ASC', 'DESC') }), { selector: (o) => o.field, maxLength: 3 }),
  );

const postRequest = fc.record({
  where: fc.option(
    whereOf({
      id: idFilter('Post'),
      title: stringFilter,
      content: stringFilter,
      published: fc.boolean(),
      authorId: idFilter('User'),
      createdAt: dateFilter,
      updatedAt: dateFilter,
    }),
  ),
  orderBy: orderBy(['CREATED_AT', 'UPDATED_AT', 'TITLE', 'ID']),
  size: fc.integer({ min: 1, max: 4 }),
  window: fc.tuple(fc.nat(), fc.nat()),
});
const userRequest = fc.record({
  where: fc.option(whereOf({ id: idFilter('User'), name: stringFilter, createdAt: dateFilter })),
  orderBy: orderBy(['CREATED_AT', 'NAME', 'ID']),
  size: fc.integer({ min: 1, max: 4 }),
  window: fc.tuple(fc.nat(), fc.nat()),
});
type Request = {
  where: Record<string, unknown> | null;
  orderBy: { field: string; direction: 'ASC' | 'DESC' }[] | null;
  size: number;
  /** Two positions in the list whose cursors bound a window (taken modulo its length). */
  window: [number, number];
};

interface Seeded {
  users: Row[];
  posts: Row[];
  viewerId: number | null;
  token?: string;
  textRank: Map<string, number>;
}

/** Writes the data set (ids start at 1) and ranks all its texts in the database's own collation. */
async function seed(data: DataSet): Promise<Seeded> {
  await resetTables();
  const users = await User.bulkCreate(
    data.users.map((u, i) => ({ email: `u${i}@example.com`, name: u.name, passwordHash: 'x', createdAt: at(u.createdAt), updatedAt: at(0) })),
  );
  const posts = await Post.bulkCreate(
    data.posts.map((p) => ({
      title: p.title,
      content: p.content,
      published: p.published,
      authorId: users[p.author % users.length]!.id,
      createdAt: at(p.createdAt),
      updatedAt: at(p.updatedAt),
      deletedAt: p.deleted ? at(9) : null,
    })),
  );
  const viewer = data.viewer === null ? null : users[data.viewer % users.length]!;
  return {
    users: users.map((u) => u.get({ plain: true }) as Row),
    posts: posts.map((p) => p.get({ plain: true }) as Row),
    viewerId: viewer?.id ?? null,
    token: viewer ? (await startSession(viewer.id, 3600)).token : undefined,
    textRank: await rankTexts([...data.users.map((u) => u.name), ...data.posts.map((p) => p.title)]),
  };
}

/** Each text's position in the database's collation order. */
async function rankTexts(texts: (string | null)[]): Promise<Map<string, number>> {
  const sorted = await testDb().sequelize.query<{ t: string }>('SELECT DISTINCT t FROM unnest($1::text[]) AS t ORDER BY t', {
    bind: [texts.filter((t) => t !== null)],
    type: QueryTypes.SELECT,
  });
  return new Map(sorted.map((row, i) => [row.t, i]));
}

function expectedPosts(seeded: Seeded, request: Request, authorId?: number): number[] {
  return seeded.posts
    .filter((p) => p.deletedAt === null && (p.published || p.authorId === seeded.viewerId))
    .filter((p) => authorId === undefined || p.authorId === authorId)
    .filter((p) => matches(p, request.where, POSTS))
    .sort(comparator(request.orderBy, POSTS, seeded.textRank))
    .map((p) => p.id as number);
}

interface PageAnswer {
  ids: number[];
  cursors: string[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
type FetchPage = (page: { first?: number; after?: string | null; last?: number; before?: string | null }) => Promise<PageAnswer>;

/**
 * Walks the whole list forwards, then backwards, checking every page and its page info against
 * `expected`; then reads pages bounded by the cursors at the request's two window positions.
 */
async function walkBothWays(fetchPage: FetchPage, expected: number[], request: Pick<Request, 'size' | 'window'>): Promise<void> {
  const { size } = request;
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let start = 0; ; start += size) {
    const page = await fetchPage({ first: size, after: cursor });
    expect(page.totalCount).toBe(expected.length);
    expect(page.ids).toEqual(expected.slice(start, start + size));
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: start > 0, hasNextPage: start + size < expected.length });
    cursors.push(...page.cursors);
    if (!page.pageInfo.hasNextPage) break;
    cursor = page.pageInfo.endCursor;
  }
  cursor = null;
  for (let end = expected.length; ; end -= size) {
    const page = await fetchPage({ last: size, before: cursor });
    expect(page.ids).toEqual(expected.slice(Math.max(0, end - size), end));
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: end - size > 0, hasNextPage: end < expected.length });
    if (!page.pageInfo.hasPreviousPage) break;
    cursor = page.pageInfo.startCursor;
  }
  if (expected.length === 0) return;
  // Rows strictly between positions i and j (none when i = j); the rows at i and j lie before and after the page.
  const [i, j] = request.window.map((n) => n % expected.length).sort((a, b) => a - b) as [number, number];
  const [after, before] = [cursors[i], cursors[j]];
  const cases: [Parameters<FetchPage>[0], number[], PageAnswer['pageInfo'] | object][] = [
    [{ first: size, after, before }, expected.slice(i + 1, Math.min(j, i + 1 + size)), { hasPreviousPage: true, hasNextPage: true }],
    [{ last: size, after, before }, expected.slice(Math.max(i + 1, j - size), j), { hasPreviousPage: true, hasNextPage: true }],
    [{ first: size, before }, expected.slice(0, Math.min(j, size)), { hasPreviousPage: false, hasNextPage: true }],
    [{ last: size, after }, expected.slice(Math.max(i + 1, expected.length - size)), { hasPreviousPage: true, hasNextPage: false }],
  ];
  for (const [args, ids, pageInfo] of cases) {
    const page = await fetchPage(args);
    expect({ args, ids: page.ids, pageInfo: page.pageInfo }).toMatchObject({ args, ids, pageInfo });
  }
}

const CONNECTION = `totalCount nodes { databaseId } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const PAGE_ARGS = `first: $first, after: $after, last: $last, before: $before, where: $where, orderBy: $orderBy`;
const PAGE_VARS = `$first: Int, $after: String, $last: Int, $before: String`;

interface ConnectionAnswer {
  totalCount: number;
  nodes: { databaseId: number }[];
  edges: { cursor: string }[];
  pageInfo: PageAnswer['pageInfo'];
}

function answerOf(connection: ConnectionAnswer): PageAnswer {
  const { totalCount, pageInfo } = connection;
  return { ids: connection.nodes.map((n) => n.databaseId), cursors: connection.edges.map((e) => e.cursor), totalCount, pageInfo };
}

async function ask(query: string, variables: Record<string, unknown>, token?: string) {
  const res = await api.gql(query, variables, { token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

describe('lists agree with the same request evaluated in TypeScript', () => {
  it('posts: every page, both ways, for random data, filters, orders and viewers', async () => {
    const query = `query (${PAGE_VARS}, $where: PostWhere, $orderBy: [PostOrder!]) { posts(${PAGE_ARGS}) { ${CONNECTION} } }`;
    await fc.assert(
      fc.asyncProperty(dataSet, postRequest, async (data, request) => {
        const seeded = await seed(data);
        const vars = { where: request.where, orderBy: request.orderBy };
        const fetchPage: FetchPage = async (page) => answerOf((await ask(query, { ...vars, ...page }, seeded.token)).posts);
        await walkBothWays(fetchPage, expectedPosts(seeded, request), request);
      }),
      { numRuns: 60 },
    );
  });

  it('users: every page, both ways, for random data, filters and orders', async () => {
    const query = `query (${PAGE_VARS}, $where: UserWhere, $orderBy: [UserOrder!]) { users(${PAGE_ARGS}) { ${CONNECTION} } }`;
    await fc.assert(
      fc.asyncProperty(dataSet, userRequest, async (data, request) => {
        const seeded = await seed(data);
        const expected = seeded.users
          .filter((u) => matches(u, request.where, USERS))
          .sort(comparator(request.orderBy, USERS, seeded.textRank))
          .map((u) => u.id as number);
        const fetchPage: FetchPage = async (page) => answerOf((await ask(query, { where: request.where, orderBy: request.orderBy, ...page })).users);
        await walkBothWays(fetchPage, expected, request);
      }),
      { numRuns: 40 },
    );
  });

  it("User.posts: each author's first and last pages in one request, and a walk through one author's list", async () => {
    const nested = `query ($size: Int, $where: PostWhere, $orderBy: [PostOrder!]) { users(first: 100) { nodes { databaseId
      first: posts(first: $size, where: $where, orderBy: $orderBy) { ${CONNECTION} }
      last: posts(last: $size, where: $where, orderBy: $orderBy) { ${CONNECTION} }
      firstNodes: posts(first: $size, where: $where, orderBy: $orderBy) { nodes { databaseId } }
      lastNodes: posts(last: $size, where: $where, orderBy: $orderBy) { nodes { databaseId } } } } }`;
    const one = `query ($id: ID!, ${PAGE_VARS}, $where: PostWhere, $orderBy: [PostOrder!]) { user(id: $id) { posts(${PAGE_ARGS}) { ${CONNECTION} } } }`;
    await fc.assert(
      fc.asyncProperty(dataSet, postRequest, async (data, request) => {
        const seeded = await seed(data);
        const vars = { where: request.where, orderBy: request.orderBy };
        const { users } = await ask(nested, { ...vars, size: request.size }, seeded.token);
        for (const user of users.nodes) {
          const expected = expectedPosts(seeded, request, user.databaseId);
          const firstPage = answerOf(user.first);
          expect(firstPage).toMatchObject({ totalCount: expected.length, ids: expected.slice(0, request.size) });
          expect(firstPage.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: expected.length > request.size });
          const lastPage = answerOf(user.last);
          expect(lastPage.ids).toEqual(expected.slice(Math.max(0, expected.length - request.size)));
          expect(lastPage.pageInfo).toMatchObject({ hasPreviousPage: expected.length > request.size, hasNextPage: false });
          // Without pageInfo no neighbour is read, and the pages come back without ranks (in scan order).
          expect(user.firstNodes.nodes.map((node: { databaseId: number }) => node.databaseId)).toEqual(firstPage.ids);
          expect(user.lastNodes.nodes.map((node: { databaseId: number }) => node.databaseId)).toEqual(lastPage.ids);
        }
        const author = seeded.users[0]!.id as number;
        const fetchPage: FetchPage = async (page) => answerOf((await ask(one, { id: globalId('User', author), ...vars, ...page }, seeded.token)).user.posts);
        await walkBothWays(fetchPage, expectedPosts(seeded, request, author), request);
      }),
      { numRuns: 40 },
    );
  });
});

describe('walking a list while rows are inserted', () => {
  it('visits every row that was there before exactly once, in order, forwards and backwards', async () => {
    const query = `query (${PAGE_VARS}, $orderBy: [PostOrder!]) { posts(${PAGE_ARGS.replace(', where: $where', '')}) { ${CONNECTION} } }`;
    const insert = fc.record({ title: fc.string({ unit: letter, minLength: 1, maxLength: 3 }), createdAt: minute, updatedAt: minute });
    await fc.assert(
      fc.asyncProperty(dataSet, postRequest, fc.array(insert, { minLength: 40, maxLength: 40 }), fc.boolean(), async (data, request, inserts, backward) => {
        const seeded = await seed(data);
        const before = expectedPosts(seeded, { ...request, where: null });
        const authorId = seeded.users[0]!.id as number;
        const visited: number[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < 100; i += 1) {
          const rows = inserts
            .slice(2 * i, 2 * i + 2)
            .map((row) => ({ ...row, createdAt: at(row.createdAt), updatedAt: at(row.updatedAt), published: true, authorId }));
          const page = backward ? { last: request.size, before: cursor } : { first: request.size, after: cursor };
          const [answer] = await Promise.all([ask(query, { orderBy: request.orderBy, ...page }, seeded.token), Post.bulkCreate(rows)]);
          const { ids, pageInfo } = answerOf(answer.posts);
          visited.push(...(backward ? ids.reverse() : ids));
          if (!(backward ? pageInfo.hasPreviousPage : pageInfo.hasNextPage)) break;
          cursor = backward ? pageInfo.startCursor : pageInfo.endCursor;
        }
        expect(new Set(visited).size).toBe(visited.length);
        expect(visited).toEqual(expect.arrayContaining(before));
        const all = (await Post.findAll({ raw: true })) as unknown as Row[];
        const byId = new Map(all.map((row) => [row.id as number, row]));
        const compare = comparator(request.orderBy, POSTS, await rankTexts(all.map((row) => row.title as string)));
        for (let i = 1; i < visited.length; i += 1) {
          const order = compare(byId.get(visited[i - 1]!)!, byId.get(visited[i]!)!);
          expect(backward ? order > 0 : order < 0).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });
});
