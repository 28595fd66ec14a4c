import { QueryTypes } from 'sequelize';
import { toAppError } from '../errors';
import { testDb, useDatabaseOptions } from '../test/database';
import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { outsideClient, poolOf, poolSettled, quietDroppedConnectionWarnings, waitFor } from '../test/faults';
import { useServer } from '../test/server';
import { Post } from './models/post';
import { inTransaction } from './transaction';
import { postId } from '../test/ids';

// Short timeouts, so the tests wait little; the outside client that holds locks has none.
useDatabaseOptions({ poolMax: 3, statementTimeoutMs: 1000, idleInTransactionTimeoutMs: 500 });
const api = useServer();
quietDroppedConnectionWarnings();
const sequelize = () => testDb().sequelize;

const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { title version } } }`;

describe('statement and idle-in-transaction timeouts', () => {
  it('are set on every connection the pool opens', async () => {
    // Three transactions at once hold the pool's three connections, so each SHOW runs on its own one.
    const settings = await Promise.all(
      [1, 2, 3].map(() =>
        inTransaction(sequelize(), async () => {
          const [row] = await sequelize().query<{ statement: string; idle: string }>(
            `SELECT current_setting('statement_timeout') AS statement,
                    current_setting('idle_in_transaction_session_timeout') AS idle, pg_sleep(0.05)`,
            { type: QueryTypes.SELECT },
          );
          return row;
        }),
      ),
    );
    expect(settings).toEqual([1, 2, 3].map(() => ({ statement: '1s', idle: '500ms', pg_sleep: '' })));
    expect(poolOf(sequelize()).size).toBe(3);
  });

  it('cancel a mutation stuck behind a lock: TIMEOUT, nothing written, connection returned', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user, { title: 'original' });
    const other = await outsideClient();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [post.id]);
      const res = await api.gql(UPDATE, { input: { id: postId(post), title: 'changed' } }, { token });
      expect(res.status).toBe(503);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'TIMEOUT', retryable: true });
      // The client learns what happened, not the database's text.
      expect(res.errors?.[0]?.message).not.toMatch(/statement timeout|UPDATE|posts/);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    await poolSettled(sequelize());
    const after = await Post.findByPk(post.id, { rejectOnEmpty: true });
    expect([after.title, after.version]).toEqual(['original', post.version]);
    // The connection the cancelled statement ran on serves the next request.
    const retried = await api.gql(UPDATE, { input: { id: postId(post), title: 'changed' } }, { token });
    expect(retried.data?.updatePost.post.title).toBe('changed');
  });

  it('roll back what a transaction wrote before its slow statement', async () => {
    const author = await aUser();
    const error = await inTransaction(sequelize(), async () => {
      await Post.create({ title: 'written before the slow statement', authorId: author.id });
      await sequelize().query('SELECT pg_sleep(3)');
    }).catch((caught: unknown) => caught);
    expect(toAppError(error)?.code).toBe('TIMEOUT');
    expect(await Post.count({ paranoid: false })).toBe(0);
    await poolSettled(sequelize());
  });

  it('end a session left idle inside a transaction, releasing its locks; the pool replaces the connection', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user);
    // A transaction someone opened, locked a row in, and forgot (a bug, a stuck client).
    const abandoned = await sequelize().transaction();
    await Post.findByPk(post.id, { transaction: abandoned, lock: true });
    const [{ pid }] = (await sequelize().query('SELECT pg_backend_pid() AS pid', {
      transaction: abandoned,
      type: QueryTypes.SELECT,
    })) as [{ pid: number }];
    const other = await outsideClient();
    try {
      await waitFor('PostgreSQL to end the idle transaction', async () => {
        const { rowCount } = await other.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
        return rowCount === 0;
      });
    } finally {
      await other.end();
    }
    const res = await api.gql(UPDATE, { input: { id: postId(post), title: 'no longer blocked' } }, { token });
    expect(res.data?.updatePost.post.title).toBe('no longer blocked');
    // Ending the abandoned transaction now fails cleanly (its session is gone) and gives its slot back.
    const rollback = await abandoned.rollback().catch((caught: unknown) => caught);
    expect(toAppError(rollback)?.code).toBe('SERVICE_UNAVAILABLE');
    await poolSettled(sequelize());
    expect(await Post.count()).toBe(1);
  });
});
