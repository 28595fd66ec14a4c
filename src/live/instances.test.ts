import { connectDatabase, type Database } from '../db/database';
import { createServer, type RunningServer } from '../server';
import { aSignedInUser } from '../test/factories';
import { testDatabaseUrl } from '../test/database';
import { waitFor } from '../test/faults';
import { sendGraphQL, TEST_CLIENT_LIMITS } from '../test/server';
import { activeSubscriptions, subscribe, wsClient } from './test-clients';

const PUBLISHED = `subscription { postPublished { title } }`;

/** A server instance with a pool of its own over the test database, as a second process would have. */
async function anInstance(): Promise<{ db: Database; running: RunningServer }> {
  const db = connectDatabase(testDatabaseUrl(), { poolMax: 3 });
  const server = await createServer({ sequelize: db.sequelize, production: false, tokenTtlSeconds: 3600, limits: TEST_CLIENT_LIMITS, shutdownGraceMs: 2000 });
  return { db, running: await server.listen(0, '127.0.0.1') };
}

async function stopInstance(instance: { db: Database; running: RunningServer }): Promise<void> {
  await instance.running.stop();
  await instance.db.close();
}

const publish = (url: string, token: string, title: string) =>
  sendGraphQL(
    url,
    { query: `mutation ($title: NonEmptyString!) { createPost(input: { title: $title, published: true }) { post { id } } }`, variables: { title } },
    { token },
  );

describe('live data across instances', () => {
  it('writes through one instance reach the subscribers of both, each event once', async () => {
    const a = await anInstance();
    const b = await anInstance();
    try {
      const { token } = await aSignedInUser();
      const onA = subscribe('websocket', a.running.url, PUBLISHED);
      const onB = subscribe('websocket', b.running.url, PUBLISHED);
      const sseOnB = subscribe('sse', b.running.url, PUBLISHED);
      await waitFor('the subscriptions', async () => (await activeSubscriptions(a.running.url)) === 1 && (await activeSubscriptions(b.running.url)) === 2);
      const titles = Array.from({ length: 10 }, (_, i) => `post ${i}`);
      for (const [i, title] of titles.entries()) await publish(i % 2 ? b.running.url : a.running.url, token, title);
      await waitFor('every post everywhere', () => [onA, onB, sseOnB].every((s) => s.data.length >= titles.length));
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const s of [onA, onB, sseOnB]) expect(s.data.map((d) => d.postPublished.title)).toEqual(titles);
      [onA, onB, sseOnB].forEach((s) => s.stop());
    } finally {
      await stopInstance(a);
      await stopInstance(b);
    }
  });

  it('stopping an instance closes its WebSockets with 1012, and the client reconnects to another instance', async () => {
    const a = await anInstance();
    const b = await anInstance();
    const { token } = await aSignedInUser();
    // A client that, like one behind a load balancer, reaches whichever instance is up.
    let current = a.running.url;
    const client = wsClient(() => current, undefined, { retryAttempts: 5 });
    const closes: number[] = [];
    client.on('closed', (event) => closes.push((event as { code: number }).code));
    try {
      const received = subscribe('websocket', a.running.url, PUBLISHED, {}, undefined, client);
      await waitFor('the subscription on a', async () => (await activeSubscriptions(a.running.url)) === 1);
      current = b.running.url;
      await stopInstance(a);
      await waitFor('the subscription again, on b', async () => (await activeSubscriptions(b.running.url)) === 1);
      expect(closes).toEqual([1012]);
      await publish(b.running.url, token, 'after the restart');
      await waitFor('the post', () => received.data.length === 1);
      expect(received.errors).toEqual([]);
      received.stop();
    } finally {
      await client.dispose();
      await stopInstance(b);
    }
  });
});
