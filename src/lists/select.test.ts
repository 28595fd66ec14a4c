import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { POST_LIST, USER_LIST } from '../services/lists';
import { testDb } from '../test/database';
import { aDraft, aPublishedPost, aUser } from '../test/factories';
import { parseList, selectPage, selectPagesByParent } from '.';

const everything = { fields: null, cursors: false, totalCount: true };

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
  });

  it('give every parent its page, an empty one too, in the order of the ids asked', async () => {
    const ada = await aUser();
    const nobody = await aUser();
    await aPublishedPost(ada, { title: 'one' });
    const request = parseList({ first: 5 }, POST_LIST, { fields: ['title'], cursors: false, totalCount: true });
    const pages = await selectPagesByParent<object>({ model: Post, scopes: [], where: request.where }, request, 'authorId', [nobody.id, ada.id]);
    expect(pages.map((page) => [page.total, page.rows.map((row) => (row as { title: string }).title)])).toEqual([
      [0, []],
      [1, ['one']],
    ]);
  });
});
