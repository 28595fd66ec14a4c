import WebSocket from 'ws';
import { aSignedInUser } from '../test/factories';
import { waitFor } from '../test/faults';
import { useServer } from '../test/server';
import { activeSubscriptions, subscribe, wsClient } from './test-clients';

const api = useServer({
  limits: {
    liveSubscriptionsPerConnection: 2,
    liveConnectionsPerClient: 3,
    liveConnectionInitTimeoutMs: 300,
    liveQueuedEvents: 2,
    liveSendBufferBytes: 64 * 1024,
  },
  corsOrigins: { any: false, patterns: [] },
});
const PUBLISHED = `subscription { postPublished { title content } }`;
const wsUrl = () => api.url.replace(/^http/, 'ws');

/** How a raw WebSocket to the server ends: its close code, or the HTTP status of a refused upgrade. */
function outcome(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.on('unexpected-response', (_request, response) => resolve(`HTTP ${response.statusCode}`));
    socket.on('close', (code) => resolve(`close ${code}`));
    socket.on('error', () => undefined);
  });
}

describe('live connection limits', () => {
  it('a connection may hold a bounded number of subscriptions (TOO_MANY_SUBSCRIPTIONS)', async () => {
    const client = wsClient(api.url);
    const subs = [1, 2, 3].map(() => subscribe('websocket', api.url, PUBLISHED, {}, undefined, client));
    await waitFor('the refusal', () => subs[2]!.errors.length > 0);
    expect(subs[2]!.errors[0]!.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    subs.forEach((s) => s.stop());
    await client.dispose();
  });

  it('a client may hold a bounded number of live connections (HTTP 429 on the next upgrade)', async () => {
    const sockets = [1, 2, 3].map(() => new WebSocket(wsUrl(), 'graphql-transport-ws'));
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('open', resolve))));
    const fourth = new WebSocket(wsUrl(), 'graphql-transport-ws');
    expect(await outcome(fourth)).toBe('HTTP 429');
    sockets.forEach((s) => s.close());
  });

  it('a socket that never sends connection_init is closed with 4408', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    expect(await outcome(socket)).toBe('close 4408');
  });

  it('an upgrade from a page of an origin CORS does not allow is refused with 403', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
    expect(await outcome(socket)).toBe('HTTP 403');
  });

  it("an upgrade from a page of the server's own origin (the explorer) is let in, whatever CORS allows", async () => {
    const own = new URL(api.url).origin;
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws', { headers: { origin: own } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.close();
  });

  it('a subscriber whose events pile up past the bound is ended with SLOW_CONSUMER, not buffered without end', async () => {
    const { token } = await aSignedInUser();
    // A raw socket that subscribes and then stops reading: the server's writes back up.
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const acknowledged = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await acknowledged;
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PUBLISHED } }));
    await waitFor('the subscription', async () => (await activeSubscriptions(api.url)) === 1);
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const content = 'x'.repeat(90_000);
    // More than loopback's socket buffers hold (several megabytes each way), a few at a time, until it is dropped.
    const publish = () =>
      api.gql(`mutation ($c: String) { createPost(input: { title: "big", content: $c, published: true }) { post { id } } }`, { c: content }, { token });
    for (let i = 0; i < 60 && (await activeSubscriptions(api.url)) === 1; i += 1) await Promise.all([publish(), publish(), publish(), publish(), publish()]);
    await waitFor('the subscriber to be dropped', async () => (await activeSubscriptions(api.url)) === 0);
    const metrics = await (await fetch(new URL('/metrics', api.url))).text();
    expect(metrics).toMatch(/^live_slow_consumers_dropped_total [1-9]/m);
    socket.terminate();
  });
});
