import { captureLogs } from '../test/logs';
import { sendRaw } from '../test/http';
import { useServer } from '../test/server';
import { ALLOWED_HEADERS } from './cors';
import { parseOrigins } from './origins';

const preflight = (url: string, origin: string, requestHeaders = 'authorization, content-type') =>
  sendRaw(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
const post = (url: string, origin: string) =>
  sendRaw(url, { headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

describe('CORS with the development default (this machine, any port)', () => {
  const logs = captureLogs('warn');
  const api = useServer({ logger: logs.logger });

  it('answers a preflight from http://localhost:5173 with 204, the methods, the headers clients send and a max-age', async () => {
    const answer = await preflight(api.url, 'http://localhost:5173', 'authorization, content-type, apollographql-client-name, x-request-id');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(answer.headers.get('access-control-allow-headers')!.split(', ')).toEqual(ALLOWED_HEADERS);
    expect(answer.headers.get('access-control-max-age')).toBe('7200');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull(); // tokens are headers, never cookies
    expect(answer.headers.get('vary')).toMatch(/Origin/);
  });

  it('lets the page read the answer, its request id and Retry-After', async () => {
    const answer = await post(api.url, 'http://127.0.0.1:3000');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ data: { __typename: 'Query' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-request-id, retry-after');
  });

  it('gives an origin off the list no CORS headers, and logs it once, its origin cut short', async () => {
    const origin = `https://${'a'.repeat(300)}.example.com`;
    const before = logs.lines.length;
    const answer = await preflight(api.url, origin);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(answer.headers.get('access-control-allow-methods')).toBeNull();
    expect(answer.status).toBe(405);
    const logged = logs.lines.slice(before);
    expect(logged).toEqual([expect.objectContaining({ level: 40, msg: 'origin not allowed by CORS_ORIGINS', method: 'OPTIONS' })]);
    expect(logged[0]!.origin).toBe(origin.slice(0, 100));
  });

  it('keeps the JSON 405 for an OPTIONS that is no preflight, with an Origin or without', async () => {
    for (const headers of [{}, { origin: 'http://localhost:5173' }] as Record<string, string>[]) {
      const answer = await sendRaw(api.url, { method: 'OPTIONS', headers });
      expect(answer.status).toBe(405);
      expect(answer.json!.errors![0]!.extensions!.code).toBe('METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe('GET, POST');
    }
  });

  it('adds no CORS headers, and logs nothing, for the server own pages (the explorer) and for clients with no Origin', async () => {
    const before = logs.lines.length;
    const own = await post(api.url, new URL(api.url).origin);
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
    const noOrigin = await sendRaw(api.url, { body: JSON.stringify({ query: '{ __typename }' }) });
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(logs.lines.slice(before)).toEqual([]);
  });
});

describe('CORS in production', () => {
  const api = useServer({ production: true, logger: captureLogs('warn').logger });

  it('allows no other origin until CORS_ORIGINS is set, not even this machine', async () => {
    const answer = await preflight(api.url, 'http://localhost:5173');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS with a list of origins', () => {
  const api = useServer({
    corsOrigins: parseOrigins('https://app.example.com, https://*.preview.example.com, http://localhost:*'),
    logger: captureLogs('warn').logger,
  });

  it.each([
    ['https://app.example.com', true],
    ['https://pr-12.preview.example.com', true],
    ['https://preview.example.com', false],
    ['http://localhost:4321', true],
    ['http://127.0.0.1:4321', false],
    ['https://app.example.com:8443', false],
    ['http://app.example.com', false],
  ])('preflight from %s: allowed %s', async (origin, allowed) => {
    const answer = await preflight(api.url, origin);
    expect({ status: answer.status, allowOrigin: answer.headers.get('access-control-allow-origin') }).toEqual(
      allowed ? { status: 204, allowOrigin: origin } : { status: 405, allowOrigin: null },
    );
  });
});

describe('CORS_ORIGINS=*', () => {
  const api = useServer({ corsOrigins: parseOrigins('*'), production: true });

  it('allows any origin with one shared answer, "*"', async () => {
    const answer = await preflight(api.url, 'https://anyone.example.net');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect((await post(api.url, 'https://someone.example.org')).headers.get('access-control-allow-origin')).toBe('*');
  });
});
