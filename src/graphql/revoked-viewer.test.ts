import { QueryTypes } from 'sequelize';
import { Post } from '../db/models/post';
import { Session } from '../db/models/session';
import { User } from '../db/models/user';
import { testDb } from '../test/database';
import { aSignedInUser } from '../test/factories';
import { useServer, type GraphQLResponse } from '../test/server';
import { userId } from '../test/ids';

const api = useServer();

const pathsAndCodes = (res: GraphQLResponse) => res.errors?.map((e) => [e.path?.[0], e.extensions.code]);

describe('the rest of a document after its viewer is gone', () => {
  it('after `a: logOut`, acts as no one: `b: createPost` is UNAUTHENTICATED and writes nothing', async () => {
    const { token } = await aSignedInUser();
    const res = await api.gql(`mutation { a: logOut b: createPost(input: { title: "x" }) { post { id } } }`, {}, { token });
    expect(pathsAndCodes(res)).toEqual([['b', 'UNAUTHENTICATED']]);
    expect(await Session.count()).toBe(0);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('after `a: deleteViewer`, `b: createPost` is UNAUTHENTICATED, not an internal error', async () => {
    const { token } = await aSignedInUser();
    const res = await api.gql(`mutation { a: deleteViewer { user { id } } b: createPost(input: { title: "x" }) { post { id } } }`, {}, { token });
    expect(pathsAndCodes(res)).toEqual([['b', 'UNAUTHENTICATED']]);
    expect(await User.count()).toBe(0);
    expect(await Post.count({ paranoid: false })).toBe(0);
  });

  it('after `a: logOut`, a later `b: logIn` acts as the user it signs in', async () => {
    const { user, token } = await aSignedInUser({ email: 'ada@example.com' });
    const res = await api.gql(
      `mutation { a: logOut b: logIn(input: { email: "ada@example.com", password: "correct horse battery" }) { user { id email } } }`,
      {},
      { token },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.b.user).toEqual({ id: userId(user), email: 'ada@example.com' });
  });
});

describe('a viewer deleted by another request while this one writes', () => {
  it('gets a client error, not an internal one, when the account is gone before the post is written', async () => {
    const { user, token } = await aSignedInUser();
    const sequelize = testDb().sequelize;
    // Another request's deleteViewer, caught between this request's sign-in check and its INSERT:
    // the user row is locked, so the INSERT (which checks its author) waits for the deletion to commit.
    const deletion = await sequelize.transaction();
    let answer: Promise<GraphQLResponse> | undefined;
    try {
      await sequelize.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', { bind: [user.id], transaction: deletion });
      answer = api.gql(`mutation { createPost(input: { title: "x" }) { post { id } } }`, {}, { token });
      await waitForALockWait();
      await sequelize.query('DELETE FROM users WHERE id = $1', { bind: [user.id], transaction: deletion });
      await deletion.commit();
    } catch (error) {
      await deletion.rollback();
      throw error;
    }
    const res = await answer;
    expect(res.errors![0]!.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(await Post.count({ paranoid: false })).toBe(0);
  });
});

/** Resolves once some statement of this database is waiting for a lock. */
async function waitForALockWait(): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const [row] = await testDb().sequelize.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      { type: QueryTypes.SELECT },
    );
    if (row!.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no statement waited for the lock');
}
