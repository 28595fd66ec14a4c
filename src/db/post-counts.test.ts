import { QueryTypes } from 'sequelize';
import { Post } from './models/post';
import { User } from './models/user';
import { testDb } from '../test/database';
import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { statementsDuring, useServer } from '../test/server';
import { userId } from '../test/ids';
import { MISCOUNTED_AUTHORS } from '../test/post-counts';

const api = useServer();

async function expectCountsKept(): Promise<void> {
  expect(await testDb().sequelize.query(MISCOUNTED_AUTHORS, { type: QueryTypes.SELECT })).toEqual([]);
}

describe("each author's post counts, kept by the database", () => {
  it('follow every write of posts, whatever makes it: finders, bulk inserts, soft and hard deletes, restores, SQL by hand', async () => {
    const ada = await aUser();
    const grace = await aUser();
    await aPublishedPost(ada);
    await aDraft(ada);
    await aDeletedPost(grace);
    await expectCountsKept();
    expect((await User.unscoped().findByPk(ada.id))!.get({ plain: true })).toMatchObject({ postCount: 2, publishedPostCount: 1 });

    // Several authors in one statement, deleted rows among them.
    const at = { createdAt: new Date(), updatedAt: new Date() };
    await Post.bulkCreate(
      [
        { title: 'a', published: true, authorId: ada.id, ...at },
        { title: 'b', published: false, authorId: grace.id, ...at },
        { title: 'c', published: true, authorId: grace.id, deletedAt: new Date(), ...at },
      ],
      { validate: true },
    );
    await expectCountsKept();

    const draft = await Post.findOne({ where: { authorId: ada.id, published: false }, rejectOnEmpty: true });
    await draft.update({ published: true });
    await expectCountsKept();
    await draft.destroy(); // soft
    await expectCountsKept();
    await draft.restore();
    await expectCountsKept();
    await draft.destroy({ force: true });
    await expectCountsKept();
    await Post.update({ title: 'retitled' }, { where: { authorId: ada.id } }); // no count changes
    await testDb().sequelize.query(`UPDATE posts SET "authorId" = ${grace.id} WHERE "authorId" = ${ada.id}`);
    await expectCountsKept();
    await testDb().sequelize.query('UPDATE posts SET published = NOT published, "deletedAt" = CASE WHEN id % 2 = 0 THEN now() END');
    await expectCountsKept();
    await User.destroy({ where: { id: grace.id } }); // her posts go with her (ON DELETE CASCADE)
    await expectCountsKept();
    const left = await User.unscoped().findAll();
    expect(left.map((user) => [user.id, user.postCount, user.publishedPostCount])).toEqual([[ada.id, 0, 0]]);
  });

  it("give each author's posts' totalCount, as each viewer sees them, without counting the posts", async () => {
    const { user: ada, token } = await aSignedInUser();
    const grace = await aUser();
    await aPublishedPost(ada);
    await aDraft(ada);
    await aDeletedPost(ada);
    await aPublishedPost(grace);
    const query = `{ users(first: 10) { nodes { posts(first: 1) { totalCount } } } }`;
    const totals = async (viewer?: string) =>
      (await api.gql(query, {}, { token: viewer })).data!.users.nodes.map((user: { posts: { totalCount: number } }) => user.posts.totalCount);
    expect(await totals()).toEqual([1, 1]);
    expect(await totals(token)).toEqual([2, 1]); // Ada sees her draft
    const one = `query ($id: ID!) { user(id: $id) { posts { totalCount } } }`;
    expect((await api.gql(one, { id: userId(ada) }, { token })).data!.user.posts.totalCount).toBe(2);

    // The statements read the kept counts and count no post; a filtered list is counted as it asks.
    const statements = await statementsDuring(() => api.gql(query));
    expect(statements.join('\n')).toContain('"publishedPostCount"');
    expect(statements.join('\n')).not.toMatch(/count\(\*\)/);
    const filtered = `{ users(first: 10) { nodes { posts(where: { title: { contains: "Post" } }) { totalCount } } } }`;
    expect((await api.gql(filtered)).data!.users.nodes.map((user: { posts: { totalCount: number } }) => user.posts.totalCount)).toEqual([1, 1]);
  });
});
