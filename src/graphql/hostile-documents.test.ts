import { createHash } from 'node:crypto';
import { parse } from 'graphql';
import { logger } from '../logger';
import { DEFAULT_LIMITS } from '../limits';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { sendRaw } from '../test/http';
import { sendGraphQL, statementsDuring, useServer } from '../test/server';
import { BYTES_PER_CHARACTER, documentStore, documentWeight } from './documents';

const api = useServer();
const production = useServer({ production: true });
const strict = useServer({ limits: { maxDocumentLength: 100 } });

/** A document that is mostly comment, exactly `length` characters long. */
const commented = (length: number, prefix = '') => {
  const start = `{ viewer { id } } #${prefix}`;
  return start + 'x'.repeat(length - start.length);
};

describe('the length of a document', () => {
  it(`refuses one over ${DEFAULT_LIMITS.maxDocumentLength} characters, comments included, with 400 DOCUMENT_TOO_LONG before any SQL`, async () => {
    const { token } = await aSignedInUser();
    let status = 0;
    let errors: unknown;
    const sql = await statementsDuring(async () => {
      ({ status, errors } = await api.gql(commented(DEFAULT_LIMITS.maxDocumentLength + 1), {}, { token }));
    });
    expect({ status, errors }).toMatchObject({
      status: 400,
      errors: [
        {
          message: `the document is ${DEFAULT_LIMITS.maxDocumentLength + 1} characters long, more than the limit of ${DEFAULT_LIMITS.maxDocumentLength}`,
          extensions: { code: 'DOCUMENT_TOO_LONG', limit: DEFAULT_LIMITS.maxDocumentLength },
        },
      ],
    });
    expect(sql).toEqual([]); // not even the token was looked up
  });

  it('serves one of exactly the limit', async () => {
    const res = await api.gql(commented(DEFAULT_LIMITS.maxDocumentLength));
    expect({ status: res.status, data: res.data, errors: res.errors }).toEqual({ status: 200, data: { viewer: null }, errors: undefined });
  });

  it('follows the configured limit, for GET too', async () => {
    expect((await strict.gql(commented(101))).errors![0]!.extensions.code).toBe('DOCUMENT_TOO_LONG');
    const url = `${strict.url}?query=${encodeURIComponent(commented(101))}`;
    const res = await sendRaw(url, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    expect({ status: res.status, code: res.json?.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'DOCUMENT_TOO_LONG' });
    expect((await strict.gql(commented(100))).data).toEqual({ viewer: null });
  });
});

describe('the store of parsed documents', () => {
  it(`weighs a document by its text: ${BYTES_PER_CHARACTER} bytes a character`, () => {
    expect(documentWeight(parse(commented(1000)))).toBe(1000 * BYTES_PER_CHARACTER);
  });

  it('keeps no more documents than its megabytes hold, however small their trees', async () => {
    const store = documentStore({ documentCacheMb: 1 })!;
    // Each weighs 10,000 × 128 bytes ≈ 1.2 MB... too much for 1 MB alone; 2,000 characters weigh 256 KB.
    for (let i = 0; i < 20; i += 1) await store.set(`k${i}`, parse(commented(2000, String(i))));
    expect(store.keys().length).toBe(4);
    expect(documentStore({ documentCacheMb: 0 })).toBeNull();
  });
});

describe('a persisted query whose hash does not match its text', () => {
  it('is 400 BAD_REQUEST, not an unexpected error (nothing logged as such)', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      for (const client of [api, production]) {
        const wrong = createHash('sha256').update('{ something else }').digest('hex');
        const { status, answer } = await sendGraphQL(client.url, {
          query: '{ viewer { id } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: wrong } },
        });
        expect({ status, code: answer.errors?.[0]?.extensions.code, message: answer.errors?.[0]?.message }).toEqual({
          status: 400,
          code: 'BAD_REQUEST',
          message: 'provided sha does not match query',
        });
      }
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it('while a matching one still registers and is served by its hash alone', async () => {
    const query = '{ viewer { id } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persistedQuery = { version: 1, sha256Hash };
    expect((await sendGraphQL(api.url, { query, extensions: { persistedQuery } })).answer).toEqual({ data: { viewer: null } });
    expect((await sendGraphQL(api.url, { extensions: { persistedQuery } })).answer).toEqual({ data: { viewer: null } });
  });
});

describe('values the client sent, in error messages', () => {
  const LONG_ID = '9'.repeat(90_000);

  it('are cut short in our own messages (a 90,000-character id)', async () => {
    const { user, token } = await aSignedInUser();
    await aPublishedPost(user);
    for (const client of [api, production]) {
      const res = await client.gql(`mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id } } }`, { id: LONG_ID }, { token });
      const error = res.errors![0]!;
      expect(error.extensions.code).toBe('NOT_FOUND');
      expect(error.message).toBe(`no post ${'9'.repeat(64)}…`);
      expect(JSON.stringify(res).length).toBeLessThan(2_000);
    }
  });

  it("are cut short in graphql-js's variable messages, and their field problems", async () => {
    for (const client of [api, production]) {
      const res = await client.gql(`query ($first: Int) { posts(first: $first) { totalCount } }`, { first: LONG_ID });
      const error = res.errors![0]!;
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toBe(`Variable "$first" got invalid value "${'9'.repeat(64)}…"; Int cannot represent non-integer value: "${'9'.repeat(64)}…"`);
      expect(error.extensions.fields).toEqual([{ path: ['first'], message: `Int cannot represent non-integer value: "${'9'.repeat(64)}…"` }]);
      expect(JSON.stringify(res).length).toBeLessThan(client === production ? 1_000 : 10_000);
    }
  });
});
