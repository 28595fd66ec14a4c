import { Post, type PostRow } from '../db/models/post';
import { User, type UserRow } from '../db/models/user';
import { aDeletedPost, aPublishedPost, aUser } from '../test/factories';
import { statementsDuring } from '../test/server';
import { selectByIds } from './by-id';
import { joinsOf } from './joined';

/** What Sequelize's finder answers for the same ids: selectByIds must answer exactly that. */
const found = async <Row>(model: typeof Post | typeof User, ids: number[]) =>
  (await (model as typeof Post).findAll({ where: { id: ids }, paranoid: false, raw: true })) as Row[];
const byId = <Row extends { id: number }>(rows: Row[]) => [...rows].sort((a, b) => a.id - b.id);

describe('rows by id', () => {
  it('answer as the finder does: every column it reads, soft-deleted posts too, no password hash', async () => {
    const author = await aUser({ name: 'Author' });
    const posts = [await aPublishedPost(author), await aDeletedPost(author)];
    const ids = posts.map((post) => post.id);
    expect(byId(await selectByIds<PostRow>(Post, [...ids, 999_999]))).toEqual(byId(await found<PostRow>(Post, ids)));
    const users = await selectByIds<UserRow>(User, [author.id]);
    expect(users).toEqual(await found<UserRow>(User, [author.id]));
    expect(users[0]).not.toHaveProperty('passwordHash');
  });

  it('read the rows asked with each in the same statement (a post and its author: one statement)', async () => {
    const author = await aUser({ name: 'Author' });
    const post = await aPublishedPost(author);
    const joins = joinsOf(Post, [{ name: 'author', fields: ['name'] }]);
    let rows: Record<string, unknown>[] = [];
    const sql = await statementsDuring(async () => {
      rows = await selectByIds<Record<string, unknown>>(Post, [post.id], joins);
    });
    expect(sql).toHaveLength(1);
    expect(rows[0]!.author).toEqual({ id: author.id, name: 'Author' });
  });

  it('run one text whatever the ids, which go as a parameter (so lookups take no prepared statement each, see db/prepared.ts)', async () => {
    const author = await aUser();
    const posts = [await aPublishedPost(author), await aPublishedPost(author)];
    const texts = [];
    for (const post of posts) texts.push(...(await statementsDuring(() => selectByIds(Post, [post.id]))));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toContain('$1');
  });

  it('take integers only', async () => {
    await expect(selectByIds(Post, [1, 0.5])).rejects.toThrow('ids must be integers');
    await expect(selectByIds(Post, [Number.NaN])).rejects.toThrow('ids must be integers');
  });
});
