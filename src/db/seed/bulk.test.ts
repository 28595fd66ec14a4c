import { Post } from '../models/post';
import { User } from '../models/user';
import { useServer } from '../../test/server';
import { seedUsersAndPosts } from './bulk';

useServer(); // a database of this file's own

const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
const user = (i: number) => ({ email: `  seeded${i}@example.com `, name: i === 0 ? null : `Seeded ${i}`, passwordHash: '-', createdAt: at, updatedAt: at });

describe('the bulk seeding path', () => {
  it('writes every row as the model would, in order, through its setters', async () => {
    const { userIds, postIds } = await seedUsersAndPosts(
      { users: 3, posts: 5 },
      {
        user,
        post: (i, ids) => ({
          title: `Title ${i}`,
          content: i % 2 ? null : `it's "quoted", {braced} \\ ${i}`,
          published: i > 0,
          authorId: ids[i % 3]!,
          createdAt: at,
          updatedAt: at,
        }),
      },
    );
    const users = await User.findAll({ order: [['id', 'ASC']], raw: true });
    expect(users.map((u) => u.id)).toEqual(userIds);
    expect(users.map((u) => [u.email, u.name, u.createdAt.getTime()])).toEqual([0, 1, 2].map((i) => [`seeded${i}@example.com`, user(i).name, at.getTime()]));
    const posts = await Post.findAll({ order: [['id', 'ASC']], raw: true });
    expect(posts.map((p) => p.id)).toEqual(postIds);
    expect(posts.map((p) => [p.title, p.content, p.published, p.authorId, p.version, p.deletedAt])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`Title ${i}`, i % 2 ? null : `it's "quoted", {braced} \\ ${i}`, i > 0, userIds[i % 3], 0, null]),
    );
    // Each author's posts, counted once at the end (posts not deleted, published ones); counted as usual after it.
    const counts = async () => (await User.unscoped().findAll({ order: [['id', 'ASC']] })).map((u) => [u.postCount, u.publishedPostCount]);
    expect(await counts()).toEqual([
      [2, 1],
      [2, 2],
      [1, 1],
    ]);
    await Post.create({ title: 'after', published: true, authorId: userIds[2]! });
    expect((await counts())[2]).toEqual([2, 2]);
  });

  it("refuses a row its model refuses, naming it, before writing that row's chunk", async () => {
    const seeding = seedUsersAndPosts(
      { users: 1, posts: 3 },
      { user, post: (i, ids) => ({ title: i === 2 ? 'x'.repeat(256) : 'ok', published: true, authorId: ids[0]!, createdAt: at, updatedAt: at }) },
    );
    await expect(seeding).rejects.toThrow(/seed row 2 of Post is invalid: .*at most 255 characters/);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });
});
