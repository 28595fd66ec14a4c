import { aSignedInUser } from '../test/factories';
import { outsideClient, waitFor } from '../test/faults';
import { useServer } from '../test/server';
import { activeSubscriptions, subscribe, type Transport } from './test-clients';

const api = useServer();
const PUBLISHED = `subscription { postPublished { title } }`;

describe.each<Transport>(['websocket', 'sse'])('the LISTEN connection lost (%s)', (transport) => {
  it('ends every live subscription with EVENTS_MISSED, reconnects by itself, and new subscriptions get events again', async () => {
    const { token } = await aSignedInUser();
    const before = subscribe(transport, api.url, PUBLISHED);
    await waitFor('the subscription', async () => (await activeSubscriptions(api.url)) === 1);
    const admin = await outsideClient();
    try {
      // What a PostgreSQL restart or a network cut does to the instance's LISTEN session.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'content-api live' AND datname = current_database()`);
      await waitFor('the gap to be told', () => before.errors.length > 0);
      expect(before.errors[0]!.extensions?.code).toBe('EVENTS_MISSED');
      await waitFor('listening again', async () => {
        const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'content-api live' AND datname = current_database()`);
        return rows.length === 1;
      });
    } finally {
      await admin.end();
    }
    const after = subscribe(transport, api.url, PUBLISHED);
    await waitFor('the new subscription', async () => (await activeSubscriptions(api.url)) === 1);
    await api.gql(`mutation { createPost(input: { title: "after", published: true }) { post { id } } }`, {}, { token });
    await waitFor('the post', () => after.data.length === 1);
    expect(after.data[0]).toEqual({ postPublished: { title: 'after' } });
    before.stop();
    after.stop();
  });
});
