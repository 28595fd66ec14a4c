import { setTimeout as sleep } from 'node:timers/promises';
import { Post } from './models/post';
import { User } from './models/user';
import { testDb } from '../test/database';
import { aUser } from '../test/factories';
import { EscapedTransactionError, inTransaction } from './transaction';

const sequelize = () => testDb().sequelize;

describe('inTransaction', () => {
  it('binds a query that forgot { transaction } to the running transaction, so a rollback undoes it', async () => {
    const author = await aUser();
    await expect(
      inTransaction(sequelize(), async () => {
        await Post.create({ title: 'written without { transaction }', authorId: author.id });
        throw new Error('failure injected midway');
      }),
    ).rejects.toThrow('failure injected midway');
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('refuses the write of a branch still running after its transaction rolled back (sequelize#8978)', async () => {
    const author = await aUser();
    let lateWrite: Promise<unknown> | undefined;
    await expect(
      inTransaction(sequelize(), async () => {
        lateWrite = (async () => {
          await sleep(50); // still running when the transaction is already rolled back
          return Post.create({ title: 'orphan', authorId: author.id });
        })();
        throw new Error('failure injected midway');
      }),
    ).rejects.toThrow('failure injected midway');
    await expect(lateWrite).rejects.toBeInstanceOf(EscapedTransactionError);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('refuses a nested sequelize.transaction() that would open a second connection and commit on its own', async () => {
    const author = await aUser();
    await expect(
      inTransaction(sequelize(), async () =>
        sequelize().transaction(async () => Post.create({ title: 'nested', authorId: author.id })),
      ),
    ).rejects.toBeInstanceOf(EscapedTransactionError);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('refuses a query that passes a transaction of its own instead of the unit of work', async () => {
    const outside = await sequelize().transaction();
    try {
      await expect(
        inTransaction(sequelize(), () => User.count({ transaction: outside })),
      ).rejects.toBeInstanceOf(EscapedTransactionError);
    } finally {
      await outside.rollback();
    }
  });

  it('returns every connection to the pool after refused queries', async () => {
    const pool = (sequelize().connectionManager as unknown as { pool: { using: number } }).pool;
    const author = await aUser();
    await inTransaction(sequelize(), async () =>
      sequelize().transaction(async () => Post.create({ title: 'nested', authorId: author.id })),
    ).catch(() => undefined);
    await sleep(20);
    expect(pool.using).toBe(0);
  });

  it('commits all the work when nothing fails', async () => {
    const author = await aUser();
    await inTransaction(sequelize(), async () => {
      await Post.create({ title: 'one', authorId: author.id });
      await Post.create({ title: 'two', authorId: author.id });
    });
    expect(await Post.count()).toBe(2);
  });
});
