import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { testDb } from '../test/database';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { blockedBackends, outsideClient, poolSettled, quietDroppedConnectionWarnings } from '../test/faults';
import { useServer } from '../test/server';

const api = useServer();
quietDroppedConnectionWarnings();
const DELETE_VIEWER = `mutation { deleteViewer { user { id } } }`;

/**
 * A viewer with three posts, and a deleteViewer of theirs stopped halfway: it has deleted the posts (in its
 * transaction) and waits to take away their count from the user row (the posts' trigger), which an outside
 * client holds a share lock on.
 */
async function deletionStoppedHalfway(send: (token: string) => Promise<unknown>) {
  const { user, token } = await aSignedInUser();
  for (let i = 0; i < 3; i += 1) await aPublishedPost(user);
  const lockHolder = await outsideClient();
  await lockHolder.query('BEGIN');
  await lockHolder.query('SELECT 1 FROM users WHERE id = $1 FOR SHARE', [user.id]);
  const answer = send(token);
  answer.catch(() => undefined); // awaited by the test; a failure before that must not crash the run
  const [backend] = await blockedBackends(lockHolder);
  expect(backend!.query).toMatch(/^DELETE FROM posts/);
  const release = async () => {
    await lockHolder.query('ROLLBACK');
    await lockHolder.end();
  };
  return { backend: backend!, answer, lockHolder, release };
}

/** Rows of the viewer's account left: all of them or none, never some. */
async function accountRows() {
  return { users: await User.count(), posts: await Post.count({ paranoid: false }) };
}

describe('a mutation interrupted halfway', () => {
  it('whose database session is terminated (pg_terminate_backend) answers SERVICE_UNAVAILABLE and writes nothing', async () => {
    const stopped = await deletionStoppedHalfway((token) => api.gql(DELETE_VIEWER, {}, { token }));
    let answer;
    try {
      await stopped.lockHolder.query('SELECT pg_terminate_backend($1)', [stopped.backend.pid]);
      answer = (await stopped.answer) as Awaited<ReturnType<typeof api.gql>>;
    } finally {
      await stopped.release();
    }
    expect(answer.status).toBe(503);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(await accountRows()).toEqual({ users: 1, posts: 3 });
    // The pool dropped the dead connection and serves on.
    await poolSettled(testDb().sequelize);
    expect(await api.gql(`{ posts { totalCount } }`)).toMatchObject({ status: 200, data: { posts: { totalCount: 3 } } });
  });

  it('whose client disconnects leaves the whole write or nothing, and the server serves on', async () => {
    const abort = new AbortController();
    const stopped = await deletionStoppedHalfway((token) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: DELETE_VIEWER }),
        signal: abort.signal,
      }).catch((error: unknown) => error),
    );
    abort.abort();
    expect(await stopped.answer).toMatchObject({ name: 'AbortError' });
    await stopped.release();
    await poolSettled(testDb().sequelize);
    expect([
      { users: 1, posts: 3 },
      { users: 0, posts: 0 },
    ]).toContainEqual(await accountRows());
    expect(await api.gql(`{ posts { totalCount } }`)).toMatchObject({ status: 200 });
  });
});
