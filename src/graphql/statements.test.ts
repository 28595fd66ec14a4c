import { OPERATIONS } from '../bench/operations';
import { Post } from '../db/models/post';
import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { statementsDuring, useServer, type GraphQLAnswer } from '../test/server';
import type { UserRow } from '../db/models/user';
import { postId, userId } from '../test/ids';
import { sessionCache } from '../services/session-cache';

const api = useServer();

// A signed-in request reads its session once, then finds it cached (session-cache.ts). These counts are of
// the cached case; a time to live far beyond any test keeps them so on a busy machine.
const TIME_TO_LIVE_MS = sessionCache.timeToLiveMs;
beforeAll(() => {
  sessionCache.timeToLiveMs = 60_000;
});
afterAll(() => {
  sessionCache.timeToLiveMs = TIME_TO_LIVE_MS;
});

/** A signed-in user whose session is already cached. */
async function aCachedSignIn() {
  const signedIn = await aSignedInUser();
  expect((await api.gql(`{ viewer { id } }`, {}, { token: signedIn.token })).status).toBe(200);
  return signedIn;
}

/** N authors with three published posts each. */
async function authorsWithPosts(n: number): Promise<UserRow[]> {
  const authors: UserRow[] = [];
  for (let i = 0; i < n; i += 1) authors.push(await aUser());
  await Post.bulkCreate(authors.flatMap((a) => [1, 2, 3].map((k) => ({ title: `t${k}`, published: true, authorId: a.id }))));
  return authors;
}

async function statementsFor(query: string, variables: Record<string, unknown> = {}, token?: string) {
  let errors: unknown;
  const sql = await statementsDuring(async () => {
    errors = (await api.gql(query, variables, { token })).errors;
  });
  expect(errors).toBeUndefined();
  return sql;
}

const FEED = `query ($n: Int) { posts(first: $n) { nodes { title author { name } } } }`;
const NESTED = `query ($n: Int) { users(first: $n) { nodes { name posts(first: 10) { totalCount nodes { title author { name } } } } } }`;

describe('SQL statements per request', () => {
  it.each([1, 50])('posts(first: %i) with authors: 1 statement (the page with its authors), no COUNT', async (n) => {
    await authorsWithPosts(20);
    const sql = await statementsFor(FEED, { n });
    expect(sql).toHaveLength(1);
    expect(sql.join('\n')).not.toMatch(/count\(/i);
  });

  it.each([1, 20])('users(first: %i) with a page of posts and totalCount each: 1 statement whatever the number of users', async (n) => {
    await authorsWithPosts(20);
    const sql = await statementsFor(NESTED, { n });
    // the users page with every user's posts page and its count (LATERAL joins), the count the one kept on
    // the user's row, not a COUNT of their posts; the posts' authors are the users of the page, already read
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/LATERAL/);
    expect(sql[0]).toMatch(/"publishedPostCount"/);
    expect(sql[0]).not.toMatch(/count\(/i);
  });

  it('users whose posts are asked through edges, fragments and variables: still 1 statement, the same answer as one user at a time', async () => {
    const authors = await authorsWithPosts(3);
    const query = `query ($first: Int, $where: PostWhere) { users { edges { node { id ...Posts } } } }
      fragment Posts on User { posts(first: $first, where: $where) { totalCount edges { cursor node { title } } pageInfo { hasNextPage } } }`;
    const variables = { first: 2, where: { title: { in: ['t1', 't3'] } } };
    let answer: GraphQLAnswer | undefined;
    const sql = await statementsDuring(async () => {
      answer = await api.gql(query, variables);
    });
    expect(answer!.errors).toBeUndefined();
    expect(sql).toHaveLength(1);
    for (const [i, author] of authors.entries()) {
      const alone = await api.gql(
        `query ($id: ID!, $first: Int, $where: PostWhere) { user(id: $id) { id ...Posts } } ${query.slice(query.indexOf('fragment'))}`,
        {
          ...variables,
          id: userId(author),
        },
      );
      expect(answer!.data!.users.edges[i].node).toEqual(alone.data!.user);
    }
  });

  it('users with lists of posts that read different fields, one ranked by relevance: 1 statement, each list as it answers alone', async () => {
    const authors = await authorsWithPosts(3);
    await Post.update({ content: 'graphql cursors' }, { where: { title: 't2' } });
    const lists = `ranked: posts(search: "graphql", orderBy: [{ field: RELEVANCE }]) { edges { cursor node { title content } } }
      newest: posts(first: 2, orderBy: [{ field: CREATED_AT, direction: DESC }]) { totalCount edges { cursor node { id createdAt } } pageInfo { hasNextPage } }`;
    let answer: GraphQLAnswer | undefined;
    const sql = await statementsDuring(async () => {
      answer = await api.gql(`{ users { nodes { id ${lists} } } }`);
    });
    expect(answer!.errors).toBeUndefined();
    expect(sql).toHaveLength(1);
    for (const [i, author] of authors.entries()) {
      const alone = await api.gql(`query ($id: ID!) { user(id: $id) { id ${lists} } }`, { id: userId(author) });
      expect(alone.data!.user.ranked.edges).toHaveLength(1);
      expect(answer!.data!.users.nodes[i]).toEqual(alone.data!.user);
    }
  });

  it('users with counted lists of posts that hold no row of the page: each total as it answers alone, a user without posts too', async () => {
    const authors = [...(await authorsWithPosts(2)), await aUser()];
    // Past every post: each author's page is empty but for the row behind its start.
    const after = (await api.gql(`{ posts(last: 1, orderBy: [{ field: TITLE }]) { pageInfo { endCursor } } }`)).data!.posts.pageInfo.endCursor;
    const list = `posts(first: 2, after: $after, orderBy: [{ field: TITLE }]) { totalCount nodes { title } pageInfo { hasPreviousPage hasNextPage } }`;
    let answer: GraphQLAnswer | undefined;
    const sql = await statementsDuring(async () => {
      answer = await api.gql(`query ($after: String) { users { nodes { id ${list} } } }`, { after });
    });
    expect(answer!.errors).toBeUndefined();
    expect(sql).toHaveLength(1);
    const nodes = answer!.data!.users.nodes as { posts: { totalCount: number } }[];
    expect(nodes.map((node) => node.posts.totalCount)).toEqual([3, 3, 0]);
    for (const [i, author] of authors.entries()) {
      const alone = await api.gql(`query ($id: ID!, $after: String) { user(id: $id) { id ${list} } }`, { id: userId(author), after });
      expect(nodes[i]).toEqual(alone.data!.user);
    }
  });

  it.each([1, 20])('users(first: %i) with two filtered, ordered lists of posts each, one paged backwards, signed in: 1 statement, whatever N', async (n) => {
    const authors = await authorsWithPosts(20);
    const { token } = await aCachedSignIn();
    const before = (await api.gql(`{ posts(first: 1, orderBy: [{ field: TITLE }]) { pageInfo { endCursor } } }`)).data!.posts.pageInfo.endCursor;
    const query = `query ($n: Int, $ids: [ID!], $before: String) {
      users(first: $n, where: { id: { in: $ids } }, orderBy: [{ field: NAME, direction: DESC }]) { nodes {
        newest: posts(last: 2, where: { title: { contains: "T", mode: INSENSITIVE } }, orderBy: [{ field: TITLE }]) { totalCount nodes { title } }
        older: posts(last: 2, before: $before, orderBy: [{ field: TITLE }]) { nodes { title } pageInfo { hasNextPage } } } } }`;
    const sql = await statementsFor(query, { n, ids: authors.map((a) => userId(a)), before }, token);
    // the users page with both nested lists (one of them counting); the viewer is cached
    expect(sql).toHaveLength(1);
    expect(sql[0]!.match(/json_build_array\(json_agg\(/g)).toHaveLength(2);
    expect(sql[0]!.match(/count\(/gi)).toHaveLength(1);
  });

  it('a filtered, ordered page of posts with authors: 1 statement', async () => {
    await authorsWithPosts(5);
    const query = `{ posts(first: 20, where: { title: { contains: "t", mode: INSENSITIVE }, published: true }, orderBy: [{ field: CREATED_AT, direction: DESC }]) {
      nodes { title author { name } } } }`;
    expect(await statementsFor(query)).toHaveLength(1);
  });

  it('counts nothing when totalCount is not selected', async () => {
    await authorsWithPosts(3);
    const sql = await statementsFor(`{ users { nodes { posts { nodes { title } } } } }`);
    expect(sql).toHaveLength(1);
    expect(sql.join('\n')).not.toMatch(/count\(/i);
  });

  it('reads no row beyond a page unless hasNextPage or hasPreviousPage is selected, and then answers them exactly', async () => {
    await authorsWithPosts(2);
    const after = (await api.gql(`{ posts(first: 1, orderBy: [{ field: TITLE }]) { pageInfo { endCursor } } }`)).data!.posts.pageInfo.endCursor;
    const page = `posts(first: 2, after: $after, orderBy: [{ field: TITLE }])`;
    const [plain] = await statementsFor(`query ($after: String) { ${page} { nodes { title } pageInfo { endCursor } } }`, { after });
    expect(plain).toMatch(/LIMIT 2\b/);
    expect(plain).not.toMatch(/LIMIT 3\b|UNION ALL/);
    let answer: GraphQLAnswer | undefined;
    const [flagged] = await statementsDuring(async () => {
      answer = await api.gql(`query ($after: String) { ${page} { nodes { title } pageInfo { hasNextPage hasPreviousPage } } }`, { after });
    });
    expect(flagged).toMatch(/LIMIT 3\b/);
    expect(answer!.data!.posts.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true });
  });

  it('post(id) with its author: 1 statement, signed in or not; one more for the viewer when its session is not cached', async () => {
    const [author] = await authorsWithPosts(1);
    const post = await aPublishedPost(author!);
    const query = `query ($id: ID!) { post(id: $id) { title author { id name } } }`;
    expect(await statementsFor(query, { id: postId(post) })).toHaveLength(1);
    const { token } = await aSignedInUser();
    expect(await statementsFor(query, { id: postId(post) }, token)).toHaveLength(2);
    expect(await statementsFor(query, { id: postId(post) }, token)).toHaveLength(1);
  });

  it('the author read with a post answers another field of the request only when it holds what that field selects', async () => {
    const { user, token } = await aCachedSignIn();
    const post = await aPublishedPost(user);
    const query = `query ($id: ID!) { post(id: $id) { author { name } } node(id: $id) { ... on Post { author { name email } } } }`;
    const sql = await statementsFor(query, { id: postId(post) }, token);
    // the post with its author's name, then the author whole for the email (the viewer is cached)
    expect(sql).toHaveLength(2);
    const answer = await api.gql(query, { id: postId(post) }, { token });
    expect(answer.data).toEqual({ post: { author: { name: user.name } }, node: { author: { name: user.name, email: user.email } } });
  });

  it("post(id) with its author and the author's posts: 2 statements, signed in or not (the session cached)", async () => {
    const [author] = await authorsWithPosts(1);
    const post = await aPublishedPost(author!);
    const query = `query ($id: ID!) { post(id: $id) { title author { name posts(first: 5) { nodes { title } } } } }`;
    expect(await statementsFor(query, { id: postId(post) })).toHaveLength(2);
    const { token } = await aCachedSignIn();
    expect(await statementsFor(query, { id: postId(post) }, token)).toHaveLength(2);
  });

  it('createPosts of 100 rows: one INSERT inside one transaction', async () => {
    const { token } = await aSignedInUser();
    const posts = Array.from({ length: 100 }, (_, i) => ({ title: `p${i}` }));
    const sql = await statementsFor(`mutation ($posts: [CreatePostInput!]!) { createPosts(input: { posts: $posts }) { posts { id } } }`, { posts }, token);
    expect(sql.filter((s) => /^INSERT/.test(s))).toHaveLength(1);
    expect(sql.filter((s) => /^(START TRANSACTION|BEGIN)/.test(s))).toHaveLength(1);
    expect(sql.filter((s) => /^COMMIT/.test(s))).toHaveLength(1);
  });
});

describe('the benchmark operations stay within their statement budgets', () => {
  // 't1' is a title the data has, for the filtered page and the full-text search alike.
  const variables = { text: 't1', input: { title: 'benchmarked', published: true } };
  it.each(Object.values(OPERATIONS))('$name: $budget statements, however much data', async (operation) => {
    // The benchmark sends each token many times a second: its session is cached.
    const { token } = await aCachedSignIn();
    const counts: number[] = [];
    for (const authors of [2, 30]) {
      const [author] = await authorsWithPosts(authors);
      const post = await aPublishedPost(author!);
      const sql = await statementsFor(operation.query, { ...variables, id: postId(post) }, operation.signedIn ? token : undefined);
      const queries = sql.filter((s) => !/^(START TRANSACTION|BEGIN|COMMIT)/.test(s));
      expect(queries.length).toBeLessThanOrEqual(operation.budget);
      if (!operation.query.includes('totalCount')) expect(queries.join('\n')).not.toMatch(/count\(/i);
      counts.push(queries.length);
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
