import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { testDb } from '../test/database';
import { statementsDuring, useServer, type GraphQLAnswer, type GraphQLResponse } from '../test/server';
import { postId, userId } from '../test/ids';

const api = useServer();

const POSTS = `query ($first: Int, $after: String, $last: Int, $before: String, $where: PostWhere, $orderBy: [PostOrder!]) {
  posts(first: $first, after: $after, last: $last, before: $before, where: $where, orderBy: $orderBy) {
    totalCount nodes { title } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
const USERS = `query ($first: Int, $last: Int, $where: UserWhere, $orderBy: [UserOrder!]) {
  users(first: $first, last: $last, where: $where, orderBy: $orderBy) { totalCount nodes { name } } }`;

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
const titles = (res: GraphQLAnswer) => res.data!.posts.nodes.map((p: { title: string }) => p.title);
/** The columns each SELECT of `table` returns in these statements, one SELECT a line (a window's ORDER BY is not a column). */
const columnsRead = (sql: string[], table: string) =>
  (
    sql
      .join('\n')
      .replace(/OVER \([^)]*\)/g, '')
      .match(new RegExp(`SELECT (?:(?!SELECT).)*? FROM "${table}"`, 'g')) ?? []
  ).join('\n');
const codeOf = (res: { errors?: { extensions: { code: string } }[] }) => res.errors?.[0]?.extensions.code;

async function postsTitled(...names: string[]) {
  const author = await aUser();
  for (const [i, title] of names.entries()) await aPublishedPost(author, { title, createdAt: t(i) });
  return author;
}

describe('filters', () => {
  it('matches % and _ literally in contains, startsWith and endsWith', async () => {
    await postsTitled('100% sure', '100 percent', 'snake_case', 'snakeXcase');
    expect(titles(await api.gql(POSTS, { where: { title: { contains: '0%' } } }))).toEqual(['100% sure']);
    expect(titles(await api.gql(POSTS, { where: { title: { startsWith: 'snake_' } } }))).toEqual(['snake_case']);
    expect(titles(await api.gql(POSTS, { where: { title: { endsWith: '_case' } } }))).toEqual(['snake_case']);
  });

  it('treats SQL and operator-looking values as plain strings', async () => {
    await postsTitled("' OR 1=1--", 'plain');
    for (const value of ["' OR 1=1--", '{"$gt":0}', '\\', "'; DROP TABLE posts; --"]) {
      const res = await api.gql(POSTS, { where: { title: { equals: value } } });
      expect(res.errors).toBeUndefined();
      expect(titles(res)).toEqual(value === "' OR 1=1--" ? [value] : []);
    }
    expect(titles(await api.gql(POSTS, {}))).toHaveLength(2);
  });

  it('compares case-insensitively in INSENSITIVE mode, for equals and in too', async () => {
    await postsTitled('Hello World', 'hello there', 'Goodbye');
    expect(titles(await api.gql(POSTS, { where: { title: { startsWith: 'hello' } } }))).toEqual(['hello there']);
    const insensitive = (filter: object) => api.gql(POSTS, { where: { title: { ...filter, mode: 'INSENSITIVE' } } });
    expect(titles(await insensitive({ startsWith: 'HELLO' }))).toEqual(['hello there', 'Hello World']);
    expect(titles(await insensitive({ equals: 'goodbye' }))).toEqual(['Goodbye']);
    expect(titles(await insensitive({ in: ['GOODBYE', 'hello world'] }))).toEqual(['Goodbye', 'Hello World']);
  });

  it('combines AND, OR and NOT; an empty filter inside OR matches everything, an empty OR nothing', async () => {
    await postsTitled('a1', 'a2', 'b1', 'b2');
    const where = { OR: [{ title: { startsWith: 'a' } }, { title: { equals: 'b2' } }], NOT: { title: { endsWith: '2' } } };
    expect(titles(await api.gql(POSTS, { where }))).toEqual(['a1']);
    expect(titles(await api.gql(POSTS, { where: { OR: [{}, { title: { equals: 'a1' } }] } }))).toHaveLength(4);
    expect(titles(await api.gql(POSTS, { where: { OR: [] } }))).toEqual([]);
    expect(titles(await api.gql(POSTS, { where: { AND: [] } }))).toHaveLength(4);
  });

  it('filters by id, author and date-time ranges', async () => {
    const first = await postsTitled('old', 'middle');
    const second = await aUser();
    await aPublishedPost(second, { title: 'new', createdAt: t(5) });
    expect(titles(await api.gql(POSTS, { where: { authorId: { equals: userId(second) } } }))).toEqual(['new']);
    expect(titles(await api.gql(POSTS, { where: { authorId: { in: [userId(first), 'junk'] } } }))).toEqual(['middle', 'old']);
    expect(titles(await api.gql(POSTS, { where: { id: { equals: 'not-an-id' } } }))).toEqual([]);
    const range = { createdAt: { gt: t(0).toISOString(), lte: t(5).toISOString() } };
    expect(titles(await api.gql(POSTS, { where: range }))).toEqual(['new', 'middle']);
  });

  it("never reveals someone else's drafts or deleted posts, in the list or its totalCount", async () => {
    const { user: me, token } = await aSignedInUser();
    const other = await aUser();
    await aDraft(other, { title: 'their draft' });
    await aDeletedPost(other, { title: 'their deleted' });
    await aDraft(me, { title: 'my draft' });
    const drafts = { where: { published: false } };
    const anonymous = await api.gql(POSTS, drafts);
    expect(anonymous.data!.posts).toMatchObject({ totalCount: 0, nodes: [] });
    const mine = await api.gql(POSTS, drafts, { token });
    expect(mine.data!.posts).toMatchObject({ totalCount: 1, nodes: [{ title: 'my draft' }] });
    const probe = { where: { OR: [{ title: { contains: 'their' } }, { NOT: { published: true } }] } };
    expect((await api.gql(POSTS, probe, { token })).data!.posts.totalCount).toBe(1);
  });

  it('a NOT on a nullable field keeps the rows where it is null', async () => {
    await aUser({ name: 'Ada' });
    await aUser({ name: null });
    const res = await api.gql(USERS, { where: { NOT: { name: { equals: 'Ada' } } } });
    expect(res.data!.users).toEqual({ totalCount: 1, nodes: [{ name: null }] });
    expect((await api.gql(USERS, { where: { name: { contains: '' } } })).data!.users.nodes).toEqual([{ name: 'Ada' }]);
  });

  it('refuses oversized and too deeply nested filters with BAD_USER_INPUT naming the place', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
    const tooMany = await api.gql(POSTS, { where: { title: { in: many } } });
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0]!.extensions.fields![0]!.path).toEqual(['where', 'title', 'in']);
    let deep: object = { title: { equals: 'x' } };
    for (let i = 0; i < 6; i += 1) deep = { NOT: deep };
    expect(codeOf(await api.gql(POSTS, { where: deep }))).toBe('BAD_USER_INPUT');
    const wide = (n: number) => ({ OR: Array.from({ length: n }, () => ({ published: true })) });
    expect(codeOf(await api.gql(POSTS, { where: wide(50) }))).toBeUndefined();
    expect(codeOf(await api.gql(POSTS, { where: wide(51) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(POSTS, { where: { title: { equals: 'a\u0000b' } } }))).toBe('BAD_USER_INPUT');
  });
});

describe('columns', () => {
  it('reads only the selected columns of a page, and still answers fields asked through fragments and aliases', async () => {
    const author = await aUser({ name: 'Ada' });
    await aPublishedPost(author, { title: 'one', content: 'body' });
    const query = `{ users { nodes { short: posts { nodes { title } } full: posts { edges { node { ...Full } } } } }
      posts { nodes { ... on Post { content } } } }
      fragment Full on Post { content version createdAt author { name } }`;
    let res: GraphQLResponse | undefined;
    const sql = await statementsDuring(async () => {
      res = await api.gql(query);
    });
    expect(res!.errors).toBeUndefined();
    expect(res!.data!.users.nodes[0]).toEqual({
      short: { nodes: [{ title: 'one' }] },
      full: { edges: [{ node: { content: 'body', version: 0, createdAt: expect.any(String), author: { name: 'Ada' } } }] },
    });
    expect(res!.data!.posts.nodes).toEqual([{ content: 'body' }]);
    const pages = columnsRead(sql, 'posts').split('\n');
    expect(pages.some((s) => /"title"/.test(s) && !/"content"/.test(s))).toBe(true);
  });

  it('answers every field of a listed row as a lookup by id does: nulls, drafts and microseconds too', async () => {
    const { user, token } = await aSignedInUser({ name: 'Ada' });
    const draft = await aDraft(user, { title: 'draft', content: null });
    await testDb().sequelize.query(`UPDATE posts SET "updatedAt" = '2026-01-01 00:00:00.123456+00' WHERE id = ${draft.id}`);
    await aPublishedPost(user, { title: 'here', content: 'body' });
    const POST = `id title content published version createdAt updatedAt deletedAt author { id name email createdAt updatedAt }`;
    const listed = await api.gql(`{ posts(where: { authorId: { equals: "${userId(user)}" } }) { nodes { ${POST} } } }`, {}, { token });
    const nodes = listed.data!.posts.nodes as { id: string }[];
    expect(nodes).toHaveLength(2);
    for (const node of nodes) {
      const byId = await api.gql(`query ($id: ID!) { post(id: $id) { ${POST} } }`, { id: node.id }, { token });
      expect(node).toEqual(byId.data!.post);
    }
    expect(nodes.map((node) => (node as unknown as { updatedAt: string }).updatedAt)).toContain('2026-01-01T00:00:00.123Z');
    const USER = `id name email createdAt updatedAt`;
    const users = await api.gql(`{ users(where: { id: { equals: "${userId(user)}" } }) { nodes { ${USER} } } }`, {}, { token });
    const byId = await api.gql(`{ user(id: "${userId(user)}") { ${USER} } }`, {}, { token });
    expect(users.data!.users.nodes).toEqual([byId.data!.user]);
    expect(byId.data!.user.email).toBe(user.email);
  });

  it("reads a page of users with only the columns asked, and still answers every field of the posts' authors", async () => {
    const { user, token } = await aSignedInUser({ name: 'Ada' });
    await aPublishedPost(user, { title: 'one' });
    const byId = await api.gql(`{ user(id: "${userId(user)}") { name email createdAt updatedAt } }`, {}, { token });
    let res: GraphQLResponse | undefined;
    let sql = await statementsDuring(async () => {
      res = await api.gql(`{ users { nodes { name posts { nodes { author { name email createdAt updatedAt } } } } } }`, {}, { token });
    });
    expect(res!.errors).toBeUndefined();
    expect(res!.data!.users.nodes).toEqual([{ name: 'Ada', posts: { nodes: [{ author: byId.data!.user }] } }]);
    expect(byId.data!.user.email).toBe(user.email);
    const page = sql.filter((s) => /json_agg/.test(s)); // not the batch that then reads the authors' whole rows
    expect(columnsRead(page, 'users')).toMatch(/"name"/);
    expect(columnsRead(page, 'users')).not.toMatch(/"email"/);

    sql = await statementsDuring(async () => {
      res = await api.gql(`{ users { nodes { name posts { nodes { title author { name } } } } } }`);
    });
    expect(res!.data!.users.nodes).toEqual([{ name: 'Ada', posts: { nodes: [{ title: 'one', author: { name: 'Ada' } }] } }]);
    expect(sql).toHaveLength(1); // the users page with their posts: the authors are the users already read
    expect(columnsRead(sql, 'users')).not.toMatch(/"createdAt"|"email"/);
  });

  it('reads the sort keys only for cursors, and pages the same whichever cursor field is asked', async () => {
    const ada = await postsTitled('p0', 'p1', 'p2', 'p3'); // newest first: p3 p2 p1 p0
    let sql = await statementsDuring(() => api.gql(`{ posts(first: 2) { nodes { title } } }`));
    expect(columnsRead(sql, 'posts')).not.toMatch(/"createdAt"/);

    const ofUsers = `query ($after: String) { users(where: { id: { equals: "${userId(ada)}" } }) { nodes { posts(first: 2, after: $after) {
      nodes { title } pageInfo { endCursor hasNextPage } } } } }`;
    const ofPosts = `query ($after: String) { posts(first: 2, after: $after) { nodes { title } edges { cursor } } }`;
    const first = await api.gql(ofUsers);
    expect(first.data!.users.nodes[0].posts).toMatchObject({ nodes: [{ title: 'p3' }, { title: 'p2' }], pageInfo: { hasNextPage: true } });
    const fromEdges = (await api.gql(ofPosts)).data!.posts.edges.map((e: { cursor: string }) => e.cursor);
    expect(fromEdges[1]).toBe(first.data!.users.nodes[0].posts.pageInfo.endCursor);
    sql = await statementsDuring(async () => {
      const next = await api.gql(ofUsers, { after: fromEdges[1] });
      expect(next.data!.users.nodes[0].posts).toMatchObject({ nodes: [{ title: 'p1' }, { title: 'p0' }], pageInfo: { hasNextPage: false } });
    });
    expect(columnsRead(sql, 'posts')).toMatch(/"createdAt"/);
    expect(titles(await api.gql(ofPosts, { after: fromEdges[1] }))).toEqual(['p1', 'p0']);
  });
});

describe('ordering and paging', () => {
  it('orders by several keys, with the id breaking ties', async () => {
    const author = await aUser();
    await aPublishedPost(author, { title: 'b', createdAt: t(1) });
    await aPublishedPost(author, { title: 'a', createdAt: t(2) });
    await aPublishedPost(author, { title: 'b', createdAt: t(3) });
    await aPublishedPost(author, { title: 'a', createdAt: t(2) });
    const orderBy = [
      { field: 'TITLE', direction: 'ASC' },
      { field: 'CREATED_AT', direction: 'DESC' },
    ];
    const res = await api.gql(`{ posts(orderBy: [{ field: TITLE }, { field: CREATED_AT, direction: DESC }]) { nodes { databaseId title createdAt } } }`);
    const nodes = res.data!.posts.nodes as { databaseId: number; title: string; createdAt: string }[];
    expect(nodes.map((n) => [n.title, n.createdAt])).toEqual([
      ['a', t(2).toISOString()],
      ['a', t(2).toISOString()],
      ['b', t(3).toISOString()],
      ['b', t(1).toISOString()],
    ]);
    expect(nodes[0]!.databaseId).toBeGreaterThan(nodes[1]!.databaseId); // the tie goes by id, in the last key's direction
    expect(titles(await api.gql(POSTS, { orderBy }))).toEqual(['a', 'a', 'b', 'b']);
  });

  it('pages backwards with last/before and reports both sides exactly', async () => {
    await postsTitled('p0', 'p1', 'p2', 'p3', 'p4'); // newest first: p4 p3 p2 p1 p0
    const lastTwo = await api.gql(POSTS, { last: 2 });
    expect(lastTwo.data!.posts).toMatchObject({ nodes: [{ title: 'p1' }, { title: 'p0' }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    const before = await api.gql(POSTS, { last: 2, before: lastTwo.data!.posts.pageInfo.startCursor });
    expect(before.data!.posts).toMatchObject({ nodes: [{ title: 'p3' }, { title: 'p2' }], pageInfo: { hasNextPage: true, hasPreviousPage: true } });
    const top = await api.gql(POSTS, { last: 5, before: before.data!.posts.pageInfo.startCursor });
    expect(top.data!.posts).toMatchObject({ nodes: [{ title: 'p4' }], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    const forward = await api.gql(POSTS, { first: 2, after: top.data!.posts.pageInfo.endCursor });
    expect(forward.data!.posts).toMatchObject({ nodes: [{ title: 'p3' }, { title: 'p2' }], pageInfo: { hasNextPage: true, hasPreviousPage: true } });
  });

  it('reports the same page info for a window between two cursors, whichever way it is read', async () => {
    await postsTitled('p0', 'p1', 'p2', 'p3', 'p4'); // newest first: p4 p3 p2 p1 p0
    const cursors = (await api.gql(POSTS, {})).data!.posts.edges.map((e: { cursor: string }) => e.cursor); // c4 c3 c2 c1 c0
    const window = { after: cursors[1], before: cursors[3] };
    for (const size of [{ first: 5 }, { last: 5 }]) {
      const res = await api.gql(POSTS, { ...window, ...size });
      expect(res.data!.posts).toMatchObject({ nodes: [{ title: 'p2' }], pageInfo: { hasPreviousPage: true, hasNextPage: true } });
    }
    const head = await api.gql(POSTS, { first: 5, before: cursors[3] });
    expect(head.data!.posts).toMatchObject({
      nodes: [{ title: 'p4' }, { title: 'p3' }, { title: 'p2' }],
      pageInfo: { hasPreviousPage: false, hasNextPage: true },
    });
    const tail = await api.gql(POSTS, { last: 5, after: cursors[1] });
    expect(tail.data!.posts).toMatchObject({
      nodes: [{ title: 'p2' }, { title: 'p1' }, { title: 'p0' }],
      pageInfo: { hasPreviousPage: true, hasNextPage: false },
    });
  });

  it('says there is no previous page when everything before the cursor has gone', async () => {
    await postsTitled('p0', 'p1', 'p2');
    const { user, token } = await aSignedInUser();
    const mine = await aPublishedPost(user, { title: 'mine', createdAt: t(9) });
    const page = await api.gql(POSTS, { first: 1 });
    expect(titles(page)).toEqual(['mine']);
    await api.gql(`mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id } } }`, { id: postId(mine) }, { token });
    const next = await api.gql(POSTS, { first: 1, after: page.data!.posts.pageInfo.endCursor });
    expect(next.data!.posts).toMatchObject({ nodes: [{ title: 'p2' }], pageInfo: { hasPreviousPage: false, hasNextPage: true } });
  });

  it('refuses first with last, a cursor of another order, and unknown or repeated order keys', async () => {
    await postsTitled('a', 'b');
    expect(codeOf(await api.gql(POSTS, { first: 1, last: 1 }))).toBe('BAD_USER_INPUT');
    const cursor = (await api.gql(POSTS, { first: 1 })).data!.posts.pageInfo.endCursor;
    const other = await api.gql(POSTS, { first: 1, after: cursor, orderBy: [{ field: 'TITLE' }] });
    expect(codeOf(other)).toBe('BAD_USER_INPUT');
    expect(other.errors![0]!.extensions.fields![0]!.path).toEqual(['after']);
    expect(codeOf(await api.gql(POSTS, { last: 1, before: cursor, orderBy: [{ field: 'TITLE' }] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(POSTS, { orderBy: [{ field: 'TITLE' }, { field: 'TITLE', direction: 'DESC' }] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(POSTS, { orderBy: [{ field: 'EMAIL' }] }))).toBe('BAD_USER_INPUT');
    expect(titles(await api.gql(POSTS, { orderBy: [{ field: 'TITLE', direction: null }] }))).toEqual(['a', 'b']);
    expect(codeOf(await api.gql(POSTS, { last: 101 }))).toBe('BAD_USER_INPUT');
  });

  it('orders users by name with nameless users last (ASC) or first (DESC)', async () => {
    await aUser({ name: 'Bea' });
    await aUser({ name: null });
    await aUser({ name: 'Al' });
    const names = async (direction: string) =>
      (await api.gql(USERS, { orderBy: [{ field: 'NAME', direction }] })).data!.users.nodes.map((u: { name: string | null }) => u.name);
    expect(await names('ASC')).toEqual(['Al', 'Bea', null]);
    expect(await names('DESC')).toEqual([null, 'Bea', 'Al']);
  });

  it("pages, filters and orders each user's posts", async () => {
    const ada = await postsTitled('x1', 'y1', 'x2');
    const bob = await postsTitled('x3', 'y2');
    const query = `query ($where: UserWhere) { users(where: $where) { nodes { posts(last: 1, where: { title: { startsWith: "x" } }, orderBy: [{ field: TITLE }]) {
      totalCount nodes { title } pageInfo { hasPreviousPage hasNextPage } } } } }`;
    const res = await api.gql(query, { where: { id: { in: [userId(ada), userId(bob)] } } });
    expect(res.data!.users.nodes).toEqual([
      { posts: { totalCount: 2, nodes: [{ title: 'x2' }], pageInfo: { hasPreviousPage: true, hasNextPage: false } } },
      { posts: { totalCount: 1, nodes: [{ title: 'x3' }], pageInfo: { hasPreviousPage: false, hasNextPage: false } } },
    ]);
  });

  it('counts each whole list, also where the page is empty: a user without posts, a page beyond the end', async () => {
    const ada = await postsTitled('a1', 'a2');
    const nobody = await aUser();
    const query = `query ($ids: [ID!], $after: String) { users(where: { id: { in: $ids } }, orderBy: [{ field: ID }]) {
      totalCount nodes { posts(first: 1, after: $after) { totalCount nodes { title } } } } }`;
    const ids = [userId(ada), userId(nobody)];
    const res = await api.gql(query, { ids });
    expect(res.data!.users).toEqual({
      totalCount: 2,
      nodes: [{ posts: { totalCount: 2, nodes: [{ title: 'a2' }] } }, { posts: { totalCount: 0, nodes: [] } }],
    });
    const last = (await api.gql(POSTS, { first: 2 })).data!.posts.pageInfo.endCursor;
    const beyond = await api.gql(query, { ids, after: last });
    expect(beyond.data!.users.nodes).toEqual([{ posts: { totalCount: 2, nodes: [] } }, { posts: { totalCount: 0, nodes: [] } }]);
    const none = await api.gql(POSTS, { where: { title: { equals: 'no such title' } } });
    expect(none.data!.posts).toMatchObject({ totalCount: 0, nodes: [] });
  });
});
