import { loadConfig } from '../config';
import { DEFAULT_LIMITS } from '../limits';
import { aSignedInUser } from '../test/factories';
import { refusedBeforeRunning } from '../test/refusals';
import { useServer } from '../test/server';
import { dataSnapshot } from '../test/snapshot';

const api = useServer();
const strict = useServer({ limits: { maxDepth: 3, maxAliases: 1, maxTokens: 30, maxDirectives: 1, maxCost: 10 } });

const nest = (levels: number) => 'users { nodes { posts { nodes { author { '.repeat(levels) + 'name' + ' } } } } }'.repeat(levels);

/** `levels` counted levels of users' posts' authors' posts…, one row each: users, posts, author, posts, … then `leaf`. */
const chain = (levels: number, leaf = 'name') => {
  const fields = Array.from({ length: levels - 1 }, (_, i) => (i === 0 ? 'users(first: 1) { nodes {' : i % 2 ? 'posts(first: 1) { nodes {' : 'author {'));
  return `{ ${fields.join(' ')} ${leaf} ${fields.map((field) => (field.includes('nodes') ? '} }' : '}')).join(' ')} }`;
};

describe('depth (counted by the types walked: fields of connections, edges and pageInfo add none)', () => {
  it(`refuses an operation nesting deeper than ${DEFAULT_LIMITS.maxDepth} levels with DEPTH_LIMIT_EXCEEDED`, async () => {
    // users posts author posts author posts author posts | title: 9 levels (nodes add none)
    const error = await refusedBeforeRunning(api, chain(9, 'title'));
    expect(error.extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 8 });
    expect(error.message).toMatch(/depth limit of 8 exceeded, found 9/);
  });

  it('counts the fields inside fragments, not the fragments', async () => {
    const query = `{ users { ...U } } fragment U on UserConnection { nodes { posts { ...P } } }
      fragment P on PostConnection { nodes { author { posts { nodes { author { posts { nodes { author { posts { edges { node { title } } } } } } } } } } } }`;
    expect((await refusedBeforeRunning(api, query)).extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED' });
    expect((await refusedBeforeRunning(api, query)).message).toMatch(/found 9/);
  });

  it('serves an operation of exactly the limit, and Relay-style edges { node } lists as deep as plain ones', async () => {
    expect((await api.gql(chain(8))).errors).toBeUndefined();
    // once refused by a limit that counted every field (9 field levels), now 5 deep: viewer posts author posts title
    const relay = `{ viewer { posts { edges { node { author { posts { edges { node { title } } } } } } pageInfo { hasNextPage } } } }`;
    const { token } = await aSignedInUser();
    expect((await api.gql(relay, {}, { token })).errors).toBeUndefined();
    const edges = `{ users(first: 1) { edges { cursor node { posts(first: 1) { edges { node { author { posts(first: 1) { edges { node {
      author { posts(first: 1) { pageInfo { hasNextPage } edges { node { author { name } } } } } } } } } } } } } } } }`;
    expect((await api.gql(edges)).errors).toBeUndefined();
  });

  it('counts the root field node as a level', async () => {
    const below = (levels: number) => chain(levels).replace('{ users(first: 1) { nodes {', '{ node(id: "x") { ... on User {');
    expect((await api.gql(below(8))).errors).toBeUndefined();
    expect((await refusedBeforeRunning(api, below(9))).extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 8 });
  });

  it('is refused in a mutation before the mutation runs', async () => {
    const { token } = await aSignedInUser();
    const before = await dataSnapshot();
    const res = await api.gql(
      `mutation { createPost(input: { title: "x" }) { post { author { posts { nodes { author { posts { nodes { author { posts { nodes { title } } } } } } } } } } } }`,
      {},
      { token },
    );
    expect({ status: res.status, code: res.errors![0]!.extensions.code }).toEqual({ status: 400, code: 'DEPTH_LIMIT_EXCEEDED' });
    expect(await dataSnapshot()).toEqual(before);
  });

  it('follows the configured limit', async () => {
    expect((await refusedBeforeRunning(strict, `{ ${nest(1)} }`)).extensions).toMatchObject({ code: 'DEPTH_LIMIT_EXCEEDED', limit: 3 });
  });

  it('does not count introspection, which the explorer nests deeply', async () => {
    const ofType = 'ofType { '.repeat(10) + 'name' + ' }'.repeat(10);
    const res = await api.gql(`{ __schema { types { fields { type { ${ofType} } } } } __type(name: "Post") { fields { type { ${ofType} } } } }`);
    expect(res.errors).toBeUndefined();
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

  it('refuses a document of as many tokens as the length limit holds (about 30 KB) the same way', async () => {
    const error = await refusedBeforeRunning(api, `{ ${'__typename '.repeat(2900)} }`);
    expect(error.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses a document as large as a body may be (99 KB) for its length, before counting its tokens', async () => {
    const error = await refusedBeforeRunning(api, `{ ${'__typename '.repeat(9000)} }`);
    expect(error.extensions.code).toBe('DOCUMENT_TOO_LONG');
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
    expect((await refusedBeforeRunning(strict, `{ a: viewer @skip(if: false) @skip(if: false) { id } }`)).extensions.code).toMatch(/DIRECTIVE_LIMIT_EXCEEDED/);
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
      LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: 5,
      LOGIN_MAX_FAILURES_PER_CLIENT: 20,
      LOGIN_MAX_FAILURES_PER_EMAIL: 100,
      LOGIN_WINDOW_SECONDS: 900,
      TRUST_PROXY: false,
    });
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).TRUST_PROXY;
    expect([trust('false'), trust('true'), trust('1'), trust('loopback, 10.0.0.0/8')]).toEqual([false, true, 1, 'loopback, 10.0.0.0/8']);
    expect(() => loadConfig({ LOGIN_WINDOW_SECONDS: '0' })).toThrow(/LOGIN_WINDOW_SECONDS/);
  });
});
