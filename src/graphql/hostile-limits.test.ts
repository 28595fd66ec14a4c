import { loadConfig } from '../config';
import { DEFAULT_LIMITS } from '../limits';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { statementsDuring, useServer, type GraphQLResponse } from '../test/server';
import { dataSnapshot } from '../test/snapshot';

const api = useServer();
const strict = useServer({ limits: { maxDepth: 3, maxAliases: 1, maxTokens: 30, maxDirectives: 1, maxCost: 10 } });

/** Sends an operation that must be refused before anything runs: no SQL at all, nothing written. */
async function refusedBeforeRunning(client: typeof api, query: string, variables?: Record<string, unknown>) {
  const before = await dataSnapshot();
  let response!: GraphQLResponse;
  const sql = await statementsDuring(async () => {
    response = await client.gql(query, variables);
  });
  expect(sql).toEqual([]);
  expect(await dataSnapshot()).toEqual(before);
  expect(response.status).toBe(400);
  expect(response.data).toBeUndefined();
  return response.errors![0]!;
}

const nest = (levels: number) => 'users { nodes { posts { nodes { author { '.repeat(levels) + 'name' + ' } } } } }'.repeat(levels);

describe('depth', () => {
  it(`refuses an operation nesting deeper than ${DEFAULT_LIMITS.maxDepth} fields with DEPTH_LIMIT_EXCEEDED`, async () => {
    // users nodes posts nodes author | posts nodes author name: 9 levels
    const error = await refusedBeforeRunning(api, `{ users { nodes { posts { nodes { author { posts { nodes { author { name } } } } } } } } }`);
    expect(error.extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 8 });
    expect(error.message).toMatch(/depth limit of 8 exceeded, found 9/);
  });

  it('counts the fields inside fragments, not the fragments', async () => {
    const query = `{ users { ...U } } fragment U on UserConnection { nodes { posts { ...P } } }
      fragment P on PostConnection { nodes { author { posts { nodes { author { name } } } } } }`;
    expect((await refusedBeforeRunning(api, query)).extensions.code).toBe('DEPTH_LIMIT_EXCEEDED');
  });

  it('serves an operation of exactly the limit', async () => {
    const res = await api.gql(`{ users { nodes { posts { nodes { author { posts { nodes { title } } } } } } } }`);
    expect(res.errors).toBeUndefined();
  });

  it('is refused in a mutation before the mutation runs', async () => {
    const { token } = await aSignedInUser();
    const before = await dataSnapshot();
    const res = await api.gql(
      `mutation { createPost(input: { title: "x" }) { post { author { posts { nodes { author { posts { nodes { title } } } } } } } } }`,
      {},
      { token },
    );
    expect({ status: res.status, code: res.errors![0]!.extensions.code }).toEqual({ status: 400, code: 'DEPTH_LIMIT_EXCEEDED' });
    expect(await dataSnapshot()).toEqual(before);
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, `{ ${nest(1)} }`)).extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 3 });
  });
});

describe('aliases', () => {
  const aliased = (n: number, field = '__typename') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  it(`refuses more than ${DEFAULT_LIMITS.maxAliases} aliases with ALIAS_LIMIT_EXCEEDED, counting __typename`, async () => {
    const error = await refusedBeforeRunning(api, aliased(16));
    expect(error.extensions).toMatchObject({ code: 'ALIAS_LIMIT_EXCEEDED', limit: 15 });
    expect((await api.gql(aliased(15))).errors).toBeUndefined();
  });

  it('counts aliases inside fragments, once for every spread', async () => {
    const fragment = `fragment F on Query { ${Array.from({ length: 8 }, (_, i) => `f${i}: viewer { id }`).join(' ')} }`;
    expect((await refusedBeforeRunning(api, `{ ...F ... on Query { ...F } } ${fragment}`)).extensions.code).toBe('ALIAS_LIMIT_EXCEEDED');
  });

  it('refuses many aliased mutations before the first one runs', async () => {
    const { token } = await aSignedInUser();
    const before = await dataSnapshot();
    const creates = Array.from({ length: 16 }, (_, i) => `c${i}: createPost(input: { title: "t${i}" }) { post { id } }`);
    const res = await api.gql(`mutation { ${creates.join(' ')} }`, {}, { token });
    expect({ status: res.status, code: res.errors![0]!.extensions.code }).toEqual({ status: 400, code: 'ALIAS_LIMIT_EXCEEDED' });
    expect(await dataSnapshot()).toEqual(before);
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, aliased(2))).extensions).toMatchObject({ code: 'ALIAS_LIMIT_EXCEEDED', limit: 1 });
  });
});

describe('tokens', () => {
  it(`refuses a document of more than ${DEFAULT_LIMITS.maxTokens} tokens as a parse error (400), not a 500`, async () => {
    const fields = Array.from({ length: 1000 }, () => 'viewer { id }').join(' '); // 4 tokens each
    const error = await refusedBeforeRunning(api, `{ ${fields} }`);
    expect(error.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(error.message).toMatch(/2000 tokens/);
  });

  it('refuses a document as large as a body may be (99 KB) the same way', async () => {
    const error = await refusedBeforeRunning(api, `{ ${'__typename '.repeat(9000)} }`);
    expect(error.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('still reports a syntax error in a small document as GRAPHQL_PARSE_FAILED', async () => {
    expect((await refusedBeforeRunning(api, '{ viewer { id }')).extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, `{ ${'__typename '.repeat(30)} }`)).extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('directives', () => {
  const withDirectives = (n: number) => `{ viewer ${'@include(if: true) '.repeat(n)} { id } }`;

  it(`refuses more than ${DEFAULT_LIMITS.maxDirectives} directives with DIRECTIVE_LIMIT_EXCEEDED`, async () => {
    const error = await refusedBeforeRunning(api, withDirectives(21));
    expect(error.extensions).toMatchObject({ code: 'DIRECTIVE_LIMIT_EXCEEDED', limit: 20 });
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, `{ a: viewer @skip(if: false) @skip(if: false) { id } }`)).extensions.code).toMatch(
      /DIRECTIVE_LIMIT_EXCEEDED/,
    );
  });
});

describe('cost (objects an answer can hold, page sizes multiplied out)', () => {
  const BOMB = `query ($n: Int, $m: Int) { users(first: $n) { nodes { posts(first: $m) { nodes { author {
    posts(first: 100) { nodes { title } } } } } } } }`;

  it('refuses users(100) > posts(100) > author > posts(100) before any SQL runs, with COST_LIMIT_EXCEEDED', async () => {
    const error = await refusedBeforeRunning(
      api,
      `{ users(first: 100) { nodes { posts(first: 100) { nodes { author { posts(first: 100) { nodes { title } } } } } } } }`,
    );
    // users: 1 + 100 × (nodes 1 + posts 1 + 100 × (nodes 1 + author 1 + posts 1 + 100 × nodes 1))
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', limit: 25_000, cost: 1_030_201 });
  });

  it('counts page sizes given through variables', async () => {
    const error = await refusedBeforeRunning(api, BOMB, { n: 100, m: 100 });
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 1_030_201 });
  });

  it('counts a variable left out at its default value, and a page size left out as 20', async () => {
    const withDefaults = BOMB.replace('$n: Int', '$n: Int = 100');
    expect((await refusedBeforeRunning(api, withDefaults, { m: 100 })).extensions.cost).toBe(1_030_201);
    // users: 1 + 20 × (2 + 100 × (3 + 100))
    expect((await refusedBeforeRunning(api, BOMB, { m: 100 })).extensions.cost).toBe(206_041);
  });

  it('serves the same document with small pages', async () => {
    const author = (await aSignedInUser()).user;
    await aPublishedPost(author);
    const res = await api.gql(BOMB, { n: 10, m: 10 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.users.nodes).toHaveLength(1);
  });

  it('leaves page sizes beyond 100 to the list check (BAD_USER_INPUT naming first), not to the cost', async () => {
    const res = await api.gql(`{ posts(first: 1000000) { nodes { title } } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['first'] }] });
  });

  it('prices a fragment at every spread, and prices a deep chain of fragments without walking it again', async () => {
    const chain = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const query = `{ ...F0 } ${chain} fragment F30 on Query { posts(first: 1) { nodes { title } } }`;
    // 2^30 spreads of a cost-2 fragment: refused, and priced in time for the test to end
    expect((await refusedBeforeRunning(api, query)).extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 2 ** 31 });
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, `{ posts(first: 10) { nodes { title } } }`)).extensions).toMatchObject({
      code: 'COST_LIMIT_EXCEEDED',
      limit: 10,
      cost: 11,
    });
  });
});

describe('operations this API does not have', () => {
  it('refuses a subscription with GRAPHQL_VALIDATION_FAILED, not an internal error', async () => {
    const error = await refusedBeforeRunning(api, `subscription { viewer { id } }`);
    expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toBe('this API has no subscription operations');
  });
});

describe('configuration', () => {
  it('reads every operation limit from the environment, with the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      GRAPHQL_MAX_DEPTH: 8,
      GRAPHQL_MAX_ALIASES: 15,
      GRAPHQL_MAX_TOKENS: 2000,
      GRAPHQL_MAX_DIRECTIVES: 20,
      GRAPHQL_MAX_COST: 25_000,
    });
    expect(loadConfig({ GRAPHQL_MAX_DEPTH: '12', GRAPHQL_MAX_COST: '1000' })).toMatchObject({ GRAPHQL_MAX_DEPTH: 12, GRAPHQL_MAX_COST: 1000 });
    expect(() => loadConfig({ GRAPHQL_MAX_ALIASES: 'many' })).toThrow(/GRAPHQL_MAX_ALIASES/);
  });

  it('reads the logIn limits and whom to trust about X-Forwarded-For (no one by default)', () => {
    expect(loadConfig({})).toMatchObject({
      LOGIN_MAX_ATTEMPTS_PER_EMAIL: 5,
      LOGIN_MAX_ATTEMPTS_PER_CLIENT: 20,
      LOGIN_WINDOW_SECONDS: 900,
      TRUST_PROXY: false,
    });
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    expect([trust('false'), trust('true'), trust('1'), trust('loopback, 10.0.0.0/8')]).toEqual([false, true, 1, 'loopback, 10.0.0.0/8']);
    expect(() => loadConfig({ LOGIN_WINDOW_SECONDS: '0' })).toThrow(/LOGIN_WINDOW_SECONDS/);
  });
});
