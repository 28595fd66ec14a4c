import { Post } from './db/models/post';
import { toAppError } from './errors';
import { testDb } from './test/database';
import { aDraft, aUser } from './test/factories';

describe('toAppError', () => {
  it('turns a lost optimistic-lock race (row changed between read and save) into CONFLICT', async () => {
    const post = await Post.findByPk((await aDraft(await aUser())).id, { rejectOnEmpty: true });
    // Another writer commits a change after this instance was read.
    await testDb().sequelize.query('UPDATE posts SET version = version + 1 WHERE id = :id', { replacements: { id: post.id } });
    post.title = 'stale write';
    const error = await post.save().catch((e: unknown) => e);
    expect(toAppError(error)?.code).toBe('CONFLICT');
    expect((await Post.findByPk(post.id))!.title).not.toBe('stale write');
  });

  it('leaves unknown errors unknown, so they are masked', () => {
    expect(toAppError(new Error('relation "x" does not exist'))).toBeNull();
  });
});
