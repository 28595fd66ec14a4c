import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { POST_LIST, USER_LIST } from '../services/lists';
import { testDb } from '../test/database';
import { aDraft, aPublishedPost, aUser } from '../test/factories';
import { statementsDuring } from '../test/server';
import { parseList, selectPage, selectPagesByParent } from '.';

const everything = { fields: null, cursors: false, neighbours: true, totalCount: true };

describe('page statements', () => {
  it('read every column of a row as Sequelize reads it (Dates, nulls, microseconds cut to milliseconds)', async () => {
    const author = await aUser({ name: 'Ada' });
    const draft = await aDraft(author, { title: 'draft', content: null });
    await aPublishedPost(author, { title: 'here', content: 'body' });
    await testDb().sequelize.query(`UPDATE posts SET "updatedAt" = '2026-01-01 00:00:00.123456+00' WHERE id = ${draft.id}`);
    const withoutRank = (rows: object[]) =>
      rows.map((row) => {
        const { listRank, ...columns } = row as Record<string, unknown>;
        return { ...columns, rank: typeof listRank };
      });

    const posts = parseList({}, POST_LIST, everything);
    const page = await selectPage<object>({ model: Post, scopes: [], where: posts.where }, posts);
    const [byParent] = await selectPagesByParent<object>({ model: Post, scopes: [], where: posts.where }, posts, 'authorId', [author.id]);
    const stored = await Post.findAll({
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      raw: true,
    });
    const expected = stored.map((row) => ({ ...row, rank: 'number' }));
    expect(withoutRank(page.rows)).toEqual(expected);
    expect(withoutRank(byParent!.rows)).toEqual(expected);
    expect([page.total, byParent!.total]).toEqual([2, 2]);
    expect(expected.find((row) => row.id === draft.id)!.updatedAt).toEqual(new Date('2026-01-01T00:00:00.123Z'));

    const users = parseList({}, USER_LIST, everything);
    const usersPage = await selectPage<object>({ model: User, scopes: [], where: users.where }, users);
    expect(withoutRank(usersPage.rows)).toEqual((await User.findAll({ raw: true })).map((row) => ({ ...row, rank: 'number' })));

    // A child page, read by its parents' statement as JSON by column (ranks place its rows and stay out of them).
    const postsOfUsers = { source: { model: Post, scopes: [], where: posts.where }, query: posts, parentKey: 'authorId' };
    const withPosts = await selectPage<object>({ model: User, scopes: [], where: users.where }, users, [postsOfUsers]);
    const childPage = withPosts.children[0]!.get(author.id)!;
    expect(childPage.rows).toEqual(stored);
    expect(childPage.total).toBe(2);
  });

  it('give every parent its page, an empty one too, in the order of the ids asked', async () => {
    const ada = await aUser();
    const nobody = await aUser();
    await aPublishedPost(ada, { title: 'one' });
    const request = parseList({ first: 5 }, POST_LIST, { fields: ['title'], cursors: false, neighbours: true, totalCount: true });
    const pages = await selectPagesByParent<object>({ model: Post, scopes: [], where: request.where }, request, 'authorId', [nobody.id, ada.id]);
    expect(pages.map((page) => [page.total, page.rows.map((row) => (row as { title: string }).title)])).toEqual([
      [0, []],
      [1, ['one']],
    ]);
  });

  it('of parents read one text whatever the parents, whose ids go as a parameter (see db/prepared.ts)', async () => {
    const [ada, bob] = [await aUser(), await aUser()];
    const request = parseList({ first: 5 }, POST_LIST, { fields: ['title'], cursors: false, neighbours: true, totalCount: true });
    const pagesOf = (ids: number[]) => selectPagesByParent<object>({ model: Post, scopes: [], where: request.where }, request, 'authorId', ids);
    const texts = [...(await statementsDuring(() => pagesOf([ada.id]))), ...(await statementsDuring(() => pagesOf([bob.id, ada.id])))];
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toContain('unnest($1::integer[])');
  });
});

describe('page statements under an answer budget', () => {
  /** A budget of `left` bytes that records what it was refused with. */
  const budgetOf = (left: number) => {
    const refused: number[] = [];
    return {
      refused,
      budget: {
        left: () => left,
        refuse(bytes: number): never {
          refused.push(bytes);
          throw new Error('refused');
        },
      },
    };
  };

  it('refuse with the bytes of text their pages hold, measured before they are read, and read them when they fit', async () => {
    const authors = [await aUser(), await aUser()];
    for (const [i, author] of authors.entries()) {
      await aPublishedPost(author, { title: 'é', content: 'ü'.repeat(1000 * (i + 1)) });
      await aPublishedPost(author, { title: 'x', content: null });
    }
    const request = parseList({ first: 5 }, POST_LIST, { fields: ['content'], cursors: false, neighbours: true, totalCount: false });
    const bytes = 2 * 1000 + 2 * 2000; // ü is two bytes in UTF-8
    const ids = authors.map((author) => author.id);
    const over = budgetOf(bytes - 1);
    const source = { model: Post, scopes: [], where: request.where, budget: over.budget };
    await expect(selectPagesByParent(source, request, 'authorId', ids)).rejects.toThrow('refused');
    await expect(selectPage(source, request)).rejects.toThrow('refused');
    const users = parseList({}, USER_LIST, { fields: ['name'], cursors: false, neighbours: true, totalCount: false });
    const child = { source, query: request, parentKey: 'authorId' };
    await expect(selectPage({ model: User, scopes: [], where: users.where }, users, [child])).rejects.toThrow('refused');
    expect(over.refused).toEqual([bytes, bytes, bytes]);

    const fits = { ...source, budget: budgetOf(bytes).budget };
    const pages = await selectPagesByParent<{ content: string | null }>(fits, request, 'authorId', ids);
    expect(pages.map((page) => page.rows.map((row) => row.content?.length ?? null))).toEqual([
      [null, 1000],
      [null, 2000],
    ]);
  });

  it('are not measured when what they read surely fits (titles of at most 255 characters)', async () => {
    const author = await aUser();
    await aPublishedPost(author, { title: 'one' });
    const request = parseList({ first: 100 }, POST_LIST, { fields: ['title'], cursors: false, neighbours: true, totalCount: false });
    const query = jest.spyOn(Post.sequelize!, 'query');
    const measured = async (left: number) => {
      query.mockClear();
      const found = await selectPage<{ title: string }>({ model: Post, scopes: [], where: request.where, budget: budgetOf(left).budget }, request);
      expect(found.rows.map((row) => row.title)).toEqual(['one']);
      return (query.mock.calls[0]![0] as string).includes('listMeasure');
    };
    const mostBytes = 100 * 255 * 4; // 100 titles of 255 characters of up to 4 bytes each
    expect([await measured(mostBytes), await measured(mostBytes - 1)]).toEqual([false, true]);
    query.mockRestore();
  });
});
