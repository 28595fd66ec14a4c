import { openConnection, sendRaw } from '../test/http';
import { useServer } from '../test/server';

const QUERY = JSON.stringify({ query: '{ __typename }' });
const from = (url: string, client: string) => sendRaw(url, { headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: QUERY });

describe('requests per client', () => {
  const api = useServer({ limits: { requestsPerClient: 3, requestWindowSeconds: 60 }, trustProxy: 'loopback' });

  it('refuses the request past the limit with 429 TOO_MANY_REQUESTS, Retry-After and a JSON body', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await from(api.url, '203.0.113.1')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await from(api.url, '203.0.113.1');
    expect(refused.status).toBe(429);
    expect(refused.json!.errors![0]!.extensions).toEqual({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: expect.any(Number) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json!.errors![0]!.extensions!.retryAfterSeconds).toBe(retryAfter);
  });

  it('counts each client on its own, by its client key (one /64 is one client)', async () => {
    for (let i = 0; i < 3; i += 1) expect((await from(api.url, `2001:db8:7:7::${i + 1}`)).status).toBe(200);
    expect((await from(api.url, '2001:db8:7:7::99')).status).toBe(429);
    expect((await from(api.url, '2001:db8:7:8::1')).status).toBe(200);
  });

  it('does not limit the health and metrics routes', async () => {
    for (let i = 0; i < 4; i += 1) await from(api.url, '203.0.113.9');
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const response = await fetch(new URL(path, api.url), { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });
});

describe('requests in flight per client', () => {
  const api = useServer({ limits: { requestsInFlightPerClient: 2 }, trustProxy: 'loopback' });

  it('refuses a request while the client has as many being served, with 429, and takes it once one is done', async () => {
    // Two requests whose bodies are still on their way: they are being served until they are answered.
    const held = await Promise.all([1, 2].map(() => openConnection(api.url)));
    for (const connection of held) {
      connection.socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.1\r\nContent-Type: application/json\r\nContent-Length: ${QUERY.length}\r\n\r\n`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await from(api.url, '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(refused.json!.errors![0]!.extensions!.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await from(api.url, '198.51.100.2')).status).toBe(200); // another client is served

    held[0]!.socket.write(QUERY);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(held[0]!.received()).toMatch(/^HTTP\/1.1 200/);
    expect((await from(api.url, '198.51.100.1')).status).toBe(200);
    for (const connection of held) connection.socket.destroy();
  });
});

describe('TRUST_PROXY as a number of hops', () => {
  const api = useServer({ limits: { requestsPerClient: 1 }, trustProxy: 1 });

  it('takes the client from X-Forwarded-For, one hop back', async () => {
    expect((await from(api.url, '192.0.2.1')).status).toBe(200);
    expect((await from(api.url, '192.0.2.2')).status).toBe(200);
    expect((await from(api.url, '192.0.2.1')).status).toBe(429);
  });
});
