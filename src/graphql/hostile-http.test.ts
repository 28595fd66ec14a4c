import zlib from 'node:zlib';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { codeOf, sendRaw, type RawResponse } from '../test/http';
import { useServer } from '../test/server';
import { dataSnapshot } from '../test/snapshot';

const api = useServer();

const JSON_TYPE = { 'content-type': 'application/json' };
const CREATE = 'mutation { createPost(input: { title: "written by a hostile request" }) { post { id } } }';
let token: string;
let before: Awaited<ReturnType<typeof dataSnapshot>>;

beforeEach(async () => {
  const signedIn = await aSignedInUser();
  token = signedIn.token;
  await aPublishedPost(signedIn.user);
  before = await dataSnapshot();
});

/** A refusal is JSON in the GraphQL shape, with this status and code, and the data did not change. */
async function expectRefused(response: RawResponse, status: number, code: string) {
  expect({ status: response.status, code: codeOf(response) }).toEqual({ status, code });
  expect(response.contentType).toMatch(/^application\/json/);
  expect(response.text).not.toMatch(/<html|<!DOCTYPE/i);
  expect(await dataSnapshot()).toEqual(before);
}

const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  sendRaw(api.url, { body, headers: { ...JSON_TYPE, authorization: `Bearer ${token}`, ...headers } });

describe('malformed bodies: 400 BAD_REQUEST in JSON, never an HTML page', () => {
  it.each([
    ['malformed JSON', '{"query": "mutation { createPost'],
    ['a JSON string', JSON.stringify(CREATE)],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['an empty body', ''],
    ['an empty object (no query)', '{}'],
    ['variables but no query', JSON.stringify({ variables: { a: 1 } })],
    ['an empty query', JSON.stringify({ query: '' })],
    ['query as a number', JSON.stringify({ query: 5 })],
    ['query as an array', JSON.stringify({ query: [CREATE] })],
    ['query as an object', JSON.stringify({ query: { text: CREATE } })],
    ['variables as a string', JSON.stringify({ query: CREATE, variables: '{}' })],
    ['variables as an array', JSON.stringify({ query: CREATE, variables: [1] })],
    ['operationName as a number', JSON.stringify({ query: CREATE, operationName: 1 })],
    ['extensions as a string', JSON.stringify({ query: CREATE, extensions: 'x' })],
    ['a batch (batching is off)', JSON.stringify([{ query: CREATE }, { query: CREATE }])],
  ])('%s', async (_, body) => {
    await expectRefused(await post(body), 400, 'BAD_REQUEST');
  });

  it.each([
    ['a query', '{ posts { totalCount } }'],
    ['a mutation', CREATE],
  ])('an operationName that names no operation of %s: 400 in JSON, nothing run', async (_, query) => {
    const response = await post(JSON.stringify({ query, operationName: 'Nope' }));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/Unknown operation named \\"Nope\\"/);
    expect(await dataSnapshot()).toEqual(before);
  });

  it('a body whose JSON nests thousands of levels deep (it would overflow the stack of variable coercion)', async () => {
    const deep = '{"NOT":'.repeat(10_000) + '{}' + '}'.repeat(10_000);
    const body = `{"query":"query ($w: PostWhere) { posts(where: $w) { totalCount } }","variables":{"w":${deep}}}`;
    const response = await post(body);
    await expectRefused(response, 400, 'BAD_REQUEST');
    expect(response.json!.errors![0]!.message).toMatch(/nests deeper than 32 levels/);
  });
});

describe('sizes, charsets and encodings', () => {
  it('refuses a body over 100 KB with 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ query: CREATE, variables: { padding: 'x'.repeat(101 * 1024) } });
    await expectRefused(await post(body), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a small gzip body that inflates past the limit (a decompression bomb) with 413', async () => {
    const body = zlib.gzipSync(JSON.stringify({ query: CREATE, variables: { padding: 'x'.repeat(5_000_000) } }));
    expect(body.length).toBeLessThan(10_000);
    await expectRefused(await post(body, { 'content-encoding': 'gzip' }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('still reads a gzip body within the limit', async () => {
    const response = await post(zlib.gzipSync(JSON.stringify({ query: '{ viewer { id } }' })), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.json!.data).toEqual({ viewer: { id: expect.any(String) } });
  });

  it.each(['latin1', 'utf-16', 'UTF-32', 'iso-8859-1'])('refuses charset=%s with 415 UNSUPPORTED_MEDIA_TYPE', async (charset) => {
    const body = JSON.stringify({ query: CREATE });
    await expectRefused(await post(body, { 'content-type': `application/json; charset=${charset}` }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts charset=utf-8 in any case', async () => {
    const response = await post(JSON.stringify({ query: '{ viewer { id } }' }), { 'content-type': 'application/json; charset=UTF-8' });
    expect(response.status).toBe(200);
  });

  it('refuses a body that claims gzip but is not with 400 BAD_REQUEST', async () => {
    await expectRefused(await post(JSON.stringify({ query: CREATE }), { 'content-encoding': 'gzip' }), 400, 'BAD_REQUEST');
  });

  it.each(['compress', 'zstd', 'x-unknown'])('refuses content-encoding %s with 415', async (encoding) => {
    await expectRefused(await post(JSON.stringify({ query: CREATE }), { 'content-encoding': encoding }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('methods and paths', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])('refuses %s with 405 METHOD_NOT_ALLOWED and Allow: GET, POST', async (method) => {
    const response = await sendRaw(api.url, {
      method,
      headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: CREATE }),
    });
    await expectRefused(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.get('allow')).toBe('GET, POST');
  });

  it('answers an unknown path with 404 NOT_FOUND in JSON', async () => {
    await expectRefused(await sendRaw(new URL('/admin', api.url).toString(), { method: 'GET' }), 404, 'NOT_FOUND');
  });
});

describe('cross-site request forgery (Apollo csrfPrevention)', () => {
  const inQueryString = (query: string) => `${api.url}?query=${encodeURIComponent(query)}`;

  it('refuses a mutation sent by GET, even with the preflight header (405, Allow: POST)', async () => {
    const response = await sendRaw(inQueryString(CREATE), {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    await expectRefused(response, 405, 'BAD_REQUEST');
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('serves a query by GET with a preflight header', async () => {
    const response = await sendRaw(inQueryString('{ viewer { id } }'), {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, 'x-apollo-operation-name': 'Viewer' },
    });
    expect(response.status).toBe(200);
    expect(response.json!.data).toEqual({ viewer: { id: expect.any(String) } });
  });

  it.each([
    ['text/plain', JSON.stringify({ query: CREATE })],
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent(CREATE)}`],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${CREATE}\r\n--x--`],
  ])('refuses a POST of %s without a preflight header (what an HTML form can send)', async (contentType, body) => {
    const response = await post(body, { 'content-type': contentType });
    await expectRefused(response, 400, 'BAD_REQUEST');
    expect(response.json!.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses a POST with no content type at all', async () => {
    const response = await sendRaw(api.url, { headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CREATE }) });
    await expectRefused(response, 400, 'BAD_REQUEST');
  });
});
