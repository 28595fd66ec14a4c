import { QueryTypes } from 'sequelize';
import { Post } from '../db/models/post';
import { POST_LIST } from '../services/lists';
import { testDb } from '../test/database';
import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { userId } from '../test/ids';
import { statementsDuring, useServer, type GraphQLResponse } from '../test/server';

const api = useServer();

const titlesOf = (answer: GraphQLResponse) => (answer.data!.posts.nodes as { title: string }[]).map((n) => n.title);
const SEARCH = `query ($search: String, $orderBy: [PostOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  posts(search: $search, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { title } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const search = (text: string, more: Record<string, unknown> = {}, token?: string) => api.gql(SEARCH, { search: text, ...more }, { token });

describe('posts(search:) with English stemming', () => {
  it('finds other forms of a word, ignores stop words, and reads phrases, exclusions and or', async () => {
    const author = await aUser();
    for (const [title, content] of [
      ['Posting daily', 'He runs the race'],
      ['A new post', 'about running shoes'],
      ['Shoes for running', 'slowly'],
      ['Race report', 'the shoes were new'],
    ]) {
      await aPublishedPost(author, { title, content });
    }
    const sorted = async (text: string) => titlesOf(await search(text)).sort();
    expect(await sorted('posts')).toEqual(['A new post', 'Posting daily']);
    expect(await sorted('RAN')).toEqual([]); // the stemmer knows suffixes, not irregular forms
    expect(await sorted('run')).toEqual(['A new post', 'Posting daily', 'Shoes for running']);
    expect(await sorted('"running shoes"')).toEqual(['A new post']);
    expect(await sorted('shoes -race')).toEqual(['A new post', 'Shoes for running']);
    expect(await sorted('daily or report')).toEqual(['Posting daily', 'Race report']);
    // Words the search drops (stop words, punctuation, blanks) leave a text that matches nothing.
    expect(await sorted('the')).toEqual([]);
    expect(await sorted('  ')).toEqual([]);
    await aPublishedPost(author, { title: 'Compilers: software for everyone' });
    await aPublishedPost(author, { title: 'Compiler bugs I met' });
    expect(await sorted('software or compilers -"compiler bugs"')).toEqual(['Compilers: software for everyone']);
    // Quotes and backslashes are text like any other.
    expect(await sorted(`it's \\"new' "`)).toEqual(['A new post', 'Race report']);
    const byRelevance = await search(`it's \\"new' "`, { orderBy: [{ field: 'RELEVANCE' }] });
    expect(titlesOf(byRelevance)).toEqual(['A new post', 'Race report']); // the title's "new" first
  });

  it('shows only what the viewer may see, and what the author lists under User.posts', async () => {
    const { user, token } = await aSignedInUser();
    const other = await aUser();
    await aPublishedPost(other, { title: 'Public kite' });
    await aDraft(other, { title: "Other's kite draft" });
    await aDraft(user, { title: 'My kite draft' });
    await aDeletedPost(user, { title: 'Deleted kite' });
    expect(titlesOf(await search('kite')).sort()).toEqual(['Public kite']);
    expect(titlesOf(await search('kite', {}, token)).sort()).toEqual(['My kite draft', 'Public kite']);
    const byAuthor = await api.gql(`{ users(orderBy: [{ field: ID }]) { nodes { posts(search: "kites") { nodes { title } } } } }`, {}, { token });
    expect(byAuthor.data!.users.nodes.map((u: { posts: { nodes: { title: string }[] } }) => u.posts.nodes.map((p) => p.title))).toEqual([
      ['My kite draft'],
      ['Public kite'],
    ]);
  });
});

describe('orderBy RELEVANCE', () => {
  it('puts title matches above content matches, breaks ties by id, and pages both ways with stable cursors', async () => {
    const author = await aUser();
    await aPublishedPost(author, { title: 'one', content: 'garden' });
    await aPublishedPost(author, { title: 'garden two', content: 'x' });
    await aPublishedPost(author, { title: 'three', content: 'garden' });
    await aPublishedPost(author, { title: 'garden four', content: 'x' });
    await aPublishedPost(author, { title: 'five', content: 'nothing' });
    const orderBy = [{ field: 'RELEVANCE' }];
    const all = titlesOf(await search('garden', { orderBy, first: 10 }));
    expect(all).toEqual(['garden two', 'garden four', 'one', 'three']);
    expect(titlesOf(await search('garden', { orderBy: [{ field: 'RELEVANCE', direction: 'DESC' }] }))).toEqual([...all].reverse());

    const forwards: string[] = [];
    let after: string | null = null;
    for (let page = await search('garden', { orderBy, first: 1 }); ; page = await search('garden', { orderBy, first: 1, after })) {
      expect(page.errors).toBeUndefined();
      forwards.push(...titlesOf(page));
      if (!page.data!.posts.pageInfo.hasNextPage) break;
      after = page.data!.posts.pageInfo.endCursor;
    }
    expect(forwards).toEqual(all);
    const backwards = await search('garden', { orderBy, last: 2, before: after });
    expect(titlesOf(backwards)).toEqual(all.slice(0, 2)); // `after` is the cursor of the third
    expect(backwards.data!.posts.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it("orders each author's posts by relevance, in a page of users and under one user", async () => {
    const [ann, bob] = [await aUser(), await aUser()];
    await aPublishedPost(ann, { title: 'one', content: 'kite' });
    await aPublishedPost(ann, { title: 'kite two', content: 'x' });
    await aPublishedPost(bob, { title: 'kite three', content: 'x' });
    await aPublishedPost(bob, { title: 'four', content: 'kites' });
    const posts = `posts(search: "kite", orderBy: [{ field: RELEVANCE }], first: 1) { nodes { title } pageInfo { hasNextPage } }`;
    const all = await api.gql(`{ users(orderBy: [{ field: ID }]) { nodes { ${posts} } } }`);
    expect(all.errors).toBeUndefined();
    expect(all.data!.users.nodes.map((u: { posts: { nodes: { title: string }[] } }) => u.posts.nodes[0]!.title)).toEqual(['kite two', 'kite three']);
    const one = await api.gql(`query ($id: ID!) { user(id: $id) { ${posts} } }`, { id: userId(bob) });
    expect(one.errors).toBeUndefined();
    expect(one.data!.user.posts).toEqual({ nodes: [{ title: 'kite three' }], pageInfo: { hasNextPage: true } });
  });

  it("continues an author's posts by relevance from a cursor read in a page of users", async () => {
    const author = await aUser();
    // The same text ranks the same: the order between them is their ids', which only an exact relevance in the cursor keeps.
    const [older, newer] = [
      await aPublishedPost(author, { title: 'kite', content: 'kites' }),
      await aPublishedPost(author, { title: 'kite', content: 'kites' }),
    ];
    const ranked = `posts(search: "kite", orderBy: [{ field: RELEVANCE }], first: 1, after: $after) { nodes { databaseId } pageInfo { endCursor } }`;
    const page = await api.gql(`query ($after: String) { users { nodes { ${ranked} } } }`, { after: null });
    expect(page.errors).toBeUndefined();
    const [first] = page.data!.users.nodes as { posts: { nodes: { databaseId: number }[]; pageInfo: { endCursor: string } } }[];
    expect(first!.posts.nodes).toEqual([{ databaseId: older.id }]);
    const next = await api.gql(`query ($id: ID!, $after: String) { user(id: $id) { ${ranked} } }`, {
      id: userId(author),
      after: first!.posts.pageInfo.endCursor,
    });
    expect(next.errors).toBeUndefined();
    expect(next.data!.user.posts.nodes).toEqual([{ databaseId: newer.id }]);
  });

  it('reads a search text that looks like SQL as words', async () => {
    const author = await aUser();
    await aPublishedPost(author, { title: 'Posts as rows', content: 'from the table' });
    for (const text of ['posts FROM "posts" AS "Post"', `rows') AS "Post" --`]) {
      const answer = await search(text, { orderBy: [{ field: 'RELEVANCE' }] });
      expect(answer.errors).toBeUndefined();
      expect(titlesOf(answer)).toEqual(['Posts as rows']);
    }
  });

  it('reads each page, counted and with cursors, in one statement', async () => {
    const author = await aUser();
    for (let i = 0; i < 5; i += 1) await aPublishedPost(author, { title: `garden ${i}`, content: i % 2 ? 'garden' : 'x' });
    let answer: Awaited<ReturnType<typeof search>> | undefined;
    const sql = await statementsDuring(async () => void (answer = await search('garden', { orderBy: [{ field: 'RELEVANCE' }], first: 2 })));
    expect(answer!.errors).toBeUndefined();
    expect(answer!.data!.posts.totalCount).toBe(5);
    expect(sql).toHaveLength(1);
    const next = await statementsDuring(() => search('garden', { orderBy: [{ field: 'RELEVANCE' }], first: 2, after: answer!.data!.posts.pageInfo.endCursor }));
    expect(next).toHaveLength(1);
  });

  it('can find the matches through the GIN index of the search column', async () => {
    const author = await aUser();
    const titles = Array.from({ length: 300 }, (_, i) => `note ${i % 100 === 0 ? 'garden' : 'kitchen'} ${i}`);
    await Post.bulkCreate(titles.map((title) => ({ title, published: true, authorId: author.id })));
    await testDb().sequelize.query('ANALYZE posts');
    const [statement] = await statementsDuring(() => search('garden', { orderBy: [{ field: 'RELEVANCE' }], first: 2 }));
    // Whole-table and ordered index scans off, as on a table too large for them: what is left is a bitmap scan.
    const plan = await testDb().sequelize.transaction(async (transaction) => {
      for (const setting of ['enable_seqscan', 'enable_indexscan']) await testDb().sequelize.query(`SET LOCAL ${setting} = off`, { transaction });
      const rows = await testDb().sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement}`, { type: QueryTypes.SELECT, transaction });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Bitmap Index Scan on posts_search/);
    expect(plan).not.toMatch(/Seq Scan on posts/);
  });
});

describe('orderBy RELEVANCE over many matches', () => {
  const WINDOW = POST_LIST.search!.window;

  it(`ranks the ${WINDOW} newest matches the viewer may see, counts those, and leaves other orders whole`, async () => {
    const { user: other, token } = await aSignedInUser();
    const author = await aUser();
    const note = (title: string, content: string, published = true, authorId = author.id) => ({ title, content, published, authorId });
    // The two oldest matches have the word in their titles, the most relevant of all; the newest are drafts of another user.
    await Post.bulkCreate([
      note('kite old one', 'x'),
      note('kite old two', 'x'),
      ...Array.from({ length: WINDOW }, (_, i) => note(`note ${i}`, i === 5 ? 'kite and kite' : 'kite')),
      ...['kite draft 0', 'kite draft 1', 'kite draft 2'].map((title) => note(title, 'x', false, other.id)),
    ]);
    const orderBy = [{ field: 'RELEVANCE' }];
    const anonymous = await search('kite', { orderBy, first: 2 });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data!.posts.totalCount).toBe(WINDOW); // not the old ones, not the drafts
    expect(titlesOf(anonymous)).toEqual(['note 5', 'note 0']);

    const theirs = await search('kite', { orderBy, first: 4 }, token);
    expect(theirs.data!.posts.totalCount).toBe(WINDOW); // the drafts take the place of the three oldest notes
    expect(titlesOf(theirs)).toEqual(['kite draft 0', 'kite draft 1', 'kite draft 2', 'note 5']);

    // The window is of the list asked for: a filter reaches the old posts, and so does every other order.
    const filtered = await api.gql(
      `{ posts(search: "kite", where: { title: { startsWith: "kite old" } }, orderBy: [{ field: RELEVANCE }]) { totalCount nodes { title } } }`,
    );
    expect(filtered.data!.posts).toEqual({ totalCount: 2, nodes: [{ title: 'kite old one' }, { title: 'kite old two' }] });
    const oldestFirst = await search('kite', { orderBy: [{ field: 'ID' }], first: 1 });
    expect(oldestFirst.data!.posts.totalCount).toBe(WINDOW + 2);
    expect(titlesOf(oldestFirst)).toEqual(['kite old one']);
  });
});

describe('bad searches', () => {
  it.each([
    ['RELEVANCE without a search', { search: null, orderBy: [{ field: 'TITLE' }, { field: 'RELEVANCE' }] }, ['orderBy', 1]],
    ['a search longer than 255 characters', { search: 'a'.repeat(256) }, ['search']],
    ['a NUL character', { search: 'a\0b' }, ['search']],
  ])('refuses %s with BAD_USER_INPUT', async (_, variables, path) => {
    const answer = await api.gql(SEARCH, variables);
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path }] });
  });
});
