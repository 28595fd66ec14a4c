import { openConnection, trickle } from '../test/http';
import { useServer } from '../test/server';

// Short bounds, so each test takes about a second; the defaults are 10 s, 30 s, 65 s and 1000.
const HEADERS_MS = 500;
const REQUEST_MS = 1200;
const KEEP_ALIVE_MS = 300;
/** Node checks the timeouts about once a second here (and adds a second to the keep-alive timeout). */
const SLACK_MS = 1500;

const api = useServer({ limits: { headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS } });

const host = () => new URL(api.url).host;
const post = (body: string, contentLength = body.length) =>
  `POST /graphql HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n${body}`;

describe('slow clients', () => {
  it('closes a connection that trickles its headers a byte at a time', async () => {
    const connection = await openConnection(api.url);
    void trickle(connection, post('{"query":"{ __typename }"}'), 50);
    expect(await connection.closed).toBeLessThan(HEADERS_MS + SLACK_MS);
  });

  it('closes a connection that sends nothing at all', async () => {
    const connection = await openConnection(api.url);
    expect(await connection.closed).toBeLessThan(HEADERS_MS + SLACK_MS);
    expect(connection.received()).not.toContain('200 OK');
  });

  it('closes a connection that sends its headers at once, then trickles its body', async () => {
    const connection = await openConnection(api.url);
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(200) } });
    connection.socket.write(post('', body.length));
    void trickle(connection, body, 20);
    const closedAfter = await connection.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(HEADERS_MS); // headers were on time: the request bound cut it
    expect(closedAfter).toBeLessThan(REQUEST_MS + SLACK_MS);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, not before', async () => {
    const connection = await openConnection(api.url);
    connection.socket.write(post('{"query":"{ __typename }"}'));
    const closedAfter = await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1.1 200/);
    expect(closedAfter).toBeGreaterThanOrEqual(KEEP_ALIVE_MS);
    expect(closedAfter).toBeLessThan(KEEP_ALIVE_MS + SLACK_MS);
  });

  it('answers a client that is slow but within the bounds', async () => {
    const connection = await openConnection(api.url);
    await trickle(connection, post('{"query":"{ __typename }"}'), 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connection.received()).toMatch(/^HTTP\/1.1 200[\s\S]*"__typename":"Query"/);
    connection.socket.destroy();
  });
});

describe('the cap on open connections', () => {
  const capped = useServer({ limits: { maxConnections: 3 } });

  it('closes connections past the cap as they arrive, and takes new ones once others closed', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openConnection(capped.url)));
    const refused = await openConnection(capped.url);
    expect(await refused.closed).toBeLessThan(1000);
    expect(refused.received()).toBe('');
    expect(open.map((connection) => connection.isClosed())).toEqual([false, false, false]);

    open[0]!.socket.destroy();
    await open[0]!.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await openConnection(capped.url);
    next.socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\nConnection: close\r\n\r\n{"query":"{ __typename }"}`,
    );
    await next.closed;
    expect(next.received()).toMatch(/^HTTP\/1.1 200[\s\S]*"__typename":"Query"/);
    for (const connection of open) connection.socket.destroy();
  });
});
