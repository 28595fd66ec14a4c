import { aSignedInUser } from '../test/factories';
import { waitFor } from '../test/faults';
import { userId } from '../test/ids';
import { statementsDuring, useServer } from '../test/server';
import { activeSubscriptions, subscribe, wsClient, type Received } from './test-clients';

const api = useServer({ limits: { liveSubscriptionsPerConnection: 2000 } });

const PUBLISHED = `subscription ($where: PostWhere) { postPublished(where: $where) { id title author { id name email } } }`;

/** `n` anonymous subscribers over one connection, each with the `where` that `filterOf(i)` gives; once all are held by the server. */
async function subscribers(n: number, filterOf: (i: number) => unknown = () => null): Promise<{ all: Received[]; stop: () => Promise<void> }> {
  const client = wsClient(api.url, undefined, { lazy: false });
  const all = Array.from({ length: n }, (_, i) => subscribe('websocket', api.url, PUBLISHED, { where: filterOf(i) }, undefined, client));
  await waitFor(`${n} subscriptions`, async () => (await activeSubscriptions(api.url)) === n, 60_000);
  return {
    all,
    stop: async () => {
      all.forEach((s) => s.stop());
      await client.dispose();
      await waitFor('no subscriptions', async () => (await activeSubscriptions(api.url)) === 0, 60_000);
    },
  };
}

/**
 * The fan-out's statements for one published post: those after its mutation commits, until every subscriber has it.
 * The mutation's own statements are left out: whether it reads the session or finds it in the session cache
 * depends on how long ago the same token was last used, which says nothing about the fan-out.
 */
async function statementsOfOnePost(token: string, all: Received[], expected: (s: Received) => number): Promise<string[]> {
  return statementsOfPosts(1, token, all, expected);
}

/** The same for `count` posts created by one mutation (createPosts): their events are heard together. */
async function statementsOfPosts(count: number, token: string, all: Received[], expected: (s: Received) => number): Promise<string[]> {
  const sql = await statementsDuring(async () => {
    const posts = Array.from({ length: count }, () => ({ title: 'news', published: true }));
    const created = await api.gql(`mutation ($posts: [CreatePostInput!]!) { createPosts(input: { posts: $posts }) { posts { id } } }`, { posts }, { token });
    expect(created.errors).toBeUndefined();
    await waitFor('every payload', () => all.every((s) => s.data.length === expected(s)), 60_000);
  });
  const commit = sql.findIndex((statement) => /^COMMIT/.test(statement));
  expect(commit).toBeGreaterThanOrEqual(0);
  return sql.slice(commit + 1);
}

describe('fan-out statements per event', () => {
  it('1 and 1,000 anonymous subscribers of one document cost the same statements (the post read once, its author once)', async () => {
    const { token } = await aSignedInUser();
    const counts: number[] = [];
    for (const n of [1, 1000]) {
      const { all, stop } = await subscribers(n);
      const sql = await statementsOfOnePost(token, all, () => 1);
      expect(all.every((s) => s.data[0]!.postPublished.author.email === null)).toBe(true);
      counts.push(sql.length);
      await stop();
    }
    expect(counts[1]).toBe(counts[0]);
  });

  it('20 posts committed together cost the statements of one: their rows are read in one batch', async () => {
    const { token } = await aSignedInUser();
    const { all, stop } = await subscribers(3);
    const one = await statementsOfPosts(1, token, all, () => 1);
    const twenty = await statementsOfPosts(20, token, all, () => 21);
    expect(all.every((s) => s.data.length === 21)).toBe(true);
    expect(twenty.length).toBe(one.length);
    await stop();
  });

  it('1,000 subscribers with 150 distinct filters: the filters cost 2 statements, never one per subscriber', async () => {
    const author = await aSignedInUser();
    const baseline = await subscribers(1);
    const base = (await statementsOfOnePost(author.token, baseline.all, () => 1)).length;
    await baseline.stop();
    // Half of the filters match the author's post, half name no one.
    const { all, stop } = await subscribers(1000, (i) => ({
      authorId: { in: [userId(author.user), `unknown-${i % 150}`] },
      ...(i % 2 ? {} : { title: { equals: 'news' } }),
    }));
    const sql = await statementsOfOnePost(author.token, all, () => 1);
    expect(sql.length - base).toBe(2);
    expect(sql.filter((statement) => /EXISTS/.test(statement))).toHaveLength(2);
    await stop();
  });
});
