import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { sendRaw, type RawResponse } from '../test/http';
import { useServer } from '../test/server';

const QUERY = '{ posts(first: 5) { nodes { title } } }';
const CREATE = 'mutation { createPost(input: { title: "sent by GET" }) { post { title } } }';
const inQueryString = (url: string, query: string) => `${url}?query=${encodeURIComponent(query)}`;
/** A GET as urql's default client sends it: no preflight header, the GraphQL-over-HTTP answer type first. */
async function get(url: string, query: string, headers: Record<string, string> = {}) {
  const accept = 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
  const answer = await sendRaw(inQueryString(url, query), { method: 'GET', headers: { accept, ...headers } });
  return { ...answer, json: JSON.parse(answer.text) as RawResponse['json'] };
}

describe('queries by GET, as standard clients send them', () => {
  const api = useServer({ getCacheMaxAgeSeconds: 30 });

  it('answers a query with no preflight header, signed in or not', async () => {
    const { user, token } = await aSignedInUser({ name: 'Reader' });
    await aPublishedPost(user, { title: 'Read by GET' });
    const anonymous = await get(api.url, QUERY);
    expect({ status: anonymous.status, json: anonymous.json }).toEqual({ status: 200, json: { data: { posts: { nodes: [{ title: 'Read by GET' }] } } } });
    const signedIn = await get(api.url, '{ viewer { name } }', { authorization: `Bearer ${token}` });
    expect(signedIn.json).toEqual({ data: { viewer: { name: 'Reader' } } });
  });

  it('refuses a mutation by GET with 405 and Allow: POST, and runs nothing', async () => {
    const { token } = await aSignedInUser();
    const answer = await get(api.url, CREATE, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('still refuses a POST a cross-site form could send, before reading its body', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const answer = await sendRaw(api.url, { headers, body: JSON.stringify({ query: CREATE }) });
      expect({ contentType, status: answer.status, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({
        contentType,
        status: 400,
        code: 'BAD_REQUEST',
      });
      expect(answer.json!.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
    }
  });

  it('lets an anonymous query that succeeded be cached a short while, for its origin and its authorization alone', async () => {
    await aUser();
    const answer = await get(api.url, QUERY);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=30');
    expect(answer.headers.get('vary')).toBe('Authorization, Origin');
  });

  it('keeps everything else out of caches: signed in, failed, by POST', async () => {
    const { token } = await aSignedInUser();
    const answers = {
      signedIn: await get(api.url, QUERY, { authorization: `Bearer ${token}` }),
      invalid: await get(api.url, '{ posts { nope } }'),
      failedInResolver: await get(api.url, '{ posts(first: 1000) { totalCount } }'),
      byPost: await sendRaw(api.url, { body: JSON.stringify({ query: QUERY }) }),
    };
    for (const [name, answer] of Object.entries(answers)) {
      expect({ name, cacheControl: answer.headers.get('cache-control') }).toEqual({ name, cacheControl: 'no-store' });
    }
    expect(answers.failedInResolver.json!.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(answers.signedIn.headers.get('vary')).toBe('Authorization, Origin');
  });
});

describe('with HTTP_GET_CACHE_MAX_AGE_SECONDS=0 (the test servers)', () => {
  const api = useServer();

  it('says no-cache for anonymous GET queries, so every cache asks again', async () => {
    const answer = await get(api.url, QUERY);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-cache');
  });
});
