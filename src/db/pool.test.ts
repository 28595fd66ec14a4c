import type { Transaction } from 'sequelize';
import { testDb, useDatabaseOptions } from '../test/database';
import { aSignedInUser } from '../test/factories';
import { poolOf, poolSettled } from '../test/faults';
import { sendGraphQL, useServer } from '../test/server';
import { Post } from './models/post';

// A pool far smaller than the load, and a short wait for a connection.
useDatabaseOptions({ poolMax: 2, acquireTimeoutMs: 2000 });
const api = useServer();
const sequelize = () => testDb().sequelize;

const CREATE = `mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`;
const COUNT = `{ posts(first: 1) { totalCount } }`;

async function post(body: object, token?: string) {
  const { status, headers, answer } = await sendGraphQL(api.url, body, { token });
  return { status, retryAfter: headers.get('retry-after'), body: answer };
}

describe('a pool with fewer connections than requests', () => {
  it('queues the requests and answers every one', async () => {
    const { token } = await aSignedInUser();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => api.gql(CREATE, { input: { title: `queued ${i}` } }, { token })));
    expect(answers.filter((answer) => answer.status === 200 && answer.data?.createPost.post.id)).toHaveLength(40);
    expect(await Post.count()).toBe(40);
    await poolSettled(sequelize());
    expect(poolOf(sequelize()).size).toBeLessThanOrEqual(2);
  });

  it('fails a request cleanly after the bounded wait while every connection is held, then serves again', async () => {
    const { token } = await aSignedInUser();
    const held: Transaction[] = [];
    for (let i = 0; i < 2; i += 1) {
      const t = await sequelize().transaction();
      held.push(t);
    }
    try {
      expect(poolOf(sequelize()).using).toBe(2);
      // A query waits in the resolver, a signed-in request already while its token is read (the context).
      for (const [body, bearer] of [
        [{ query: COUNT }, undefined],
        [{ query: CREATE, variables: { input: { title: 'waits' } } }, token],
      ] as const) {
        const answer = await post(body, bearer);
        expect(answer.status).toBe(503);
        expect(answer.retryAfter).toBe('1');
        expect(answer.body.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      }
    } finally {
      await Promise.all(held.map((t) => t.commit()));
    }
    expect((await post({ query: COUNT })).body.data!.posts.totalCount).toBe(0);
    expect((await post({ query: CREATE, variables: { input: { title: 'served' } } }, token)).status).toBe(200);
    await poolSettled(sequelize());
    expect(poolOf(sequelize()).size).toBeLessThanOrEqual(2);
    expect(await Post.count()).toBe(1);
  });
});
