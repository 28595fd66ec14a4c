import { sendRaw } from '../test/http';
import { useServer } from '../test/server';

const api = useServer({ explorer: true });
const at = (path: string) => new URL(path, api.url).toString();

describe('response headers', () => {
  it.each([
    ['a GraphQL answer', () => sendRaw(api.url, { body: JSON.stringify({ query: '{ __typename }' }) })],
    ['a refusal', () => sendRaw(api.url, { body: '{' })],
    ['an unknown path', () => sendRaw(at('/admin'), { method: 'GET' })],
    ['the health check', () => sendRaw(at('/healthz'), { method: 'GET' })],
  ])('%s names no software (no X-Powered-By), carries nosniff and its request id', async (_, send) => {
    const response = await send();
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('server')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves the explorer page its own content security policy', async () => {
    const page = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
