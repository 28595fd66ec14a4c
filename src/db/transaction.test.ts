import { setTimeout as sleep } from 'node:timers/promises';
import { Post } from './models/post';
import { User } from './models/user';
import { testDb } from '../test/database';
import { aUser } from '../test/factories';
import { toAppError } from '../errors';
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
      inTransaction(sequelize(), async () => sequelize().transaction(async () => Post.create({ title: 'nested', authorId: author.id }))),
    ).rejects.toBeInstanceOf(EscapedTransactionError);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('refuses a query that passes a transaction of its own instead of the unit of work', async () => {
    const outside = await sequelize().transaction();
    try {
      await expect(inTransaction(sequelize(), () => User.count({ transaction: outside }))).rejects.toBeInstanceOf(EscapedTransactionError);
    } finally {
      await outside.rollback();
    }
  });

  it('returns every connection to the pool after refused queries', async () => {
    const pool = (sequelize().connectionManager as unknown as { pool: { using: number } }).pool;
    const author = await aUser();
    await inTransaction(sequelize(), async () => sequelize().transaction(async () => Post.create({ title: 'nested', authorId: author.id }))).catch(
      () => undefined,
    );
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

/** Lets two transactions run up to the same point before either goes on (later attempts pass at once). */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

describe('inTransaction retries', () => {
  const rename = (id: number, suffix: string) =>
    sequelize().query('UPDATE posts SET title = title || :suffix WHERE id = :id', { replacements: { id, suffix } });

  it('runs again the transaction PostgreSQL chose as the victim of a real deadlock; both writes land once', async () => {
    const author = await aUser();
    const [a, b] = await Post.bulkCreate([
      { title: 'a', authorId: author.id },
      { title: 'b', authorId: author.id },
    ]);
    const bothHoldTheirFirstLock = barrier(2);
    let attempts = 0;
    // Each locks one row, then wants the other's: PostgreSQL detects the cycle and aborts one (40P01).
    const crossing = (first: number, second: number, suffix: string) =>
      inTransaction(sequelize(), async () => {
        attempts += 1;
        await rename(first, suffix);
        await bothHoldTheirFirstLock();
        await rename(second, suffix);
      });
    await Promise.all([crossing(a!.id, b!.id, '1'), crossing(b!.id, a!.id, '2')]);
    expect(attempts).toBe(3);
    const titles = (await Post.findAll({ order: [['id', 'ASC']] })).map((post) => post.title);
    // Each row got both suffixes, once each, in the order the transactions committed.
    expect(titles.map((title) => title.slice(1).split('').sort().join(''))).toEqual(['12', '12']);
  });

  it('runs again a transaction that lost a real serialization failure (REPEATABLE READ, concurrent update)', async () => {
    const author = await aUser();
    const post = await Post.create({ title: 'p', authorId: author.id });
    const bothHaveTheirSnapshot = barrier(2);
    let attempts = 0;
    const update = (suffix: string) =>
      inTransaction(sequelize(), async () => {
        attempts += 1;
        await sequelize().query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await Post.findByPk(post.id); // takes the snapshot
        await bothHaveTheirSnapshot();
        await rename(post.id, suffix); // the second to get here fails with 40001: the row changed since its snapshot
      });
    await Promise.all([update('1'), update('2')]);
    expect(attempts).toBe(3);
    expect((await Post.findByPk(post.id, { rejectOnEmpty: true })).title).toMatch(/^p(12|21)$/);
  });

  it('gives up after the configured retries with SERVICE_UNAVAILABLE, having written nothing', async () => {
    const author = await aUser();
    let attempts = 0;
    const error = await inTransaction(sequelize(), async () => {
      attempts += 1;
      await Post.create({ title: 'never kept', authorId: author.id });
      await sequelize().query(`DO $$ BEGIN RAISE EXCEPTION 'always conflicting' USING ERRCODE = '40001'; END $$`);
    }).catch((caught: unknown) => caught);
    expect(attempts).toBe(1 + 3);
    expect(toAppError(error)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('does not run again a transaction that failed for any other reason', async () => {
    let attempts = 0;
    await expect(
      inTransaction(sequelize(), async () => {
        attempts += 1;
        await Post.create({ title: 'no such author', authorId: 999_999 });
      }),
    ).rejects.toThrow(/foreign key/);
    expect(attempts).toBe(1);
  });
});
