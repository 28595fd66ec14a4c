import { aPublishedPost, aSignedInUser } from '../test/factories';
import { refusedBeforeRunning } from '../test/refusals';
import { useServer } from '../test/server';

const api = useServer();
const strict = useServer({ limits: { maxCost: 10 } });

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

describe('operations this path does not serve', () => {
  it('refuses any subscription document sent as a plain request with BAD_REQUEST, before it is validated', async () => {
    // A field the schema lacks, and a root @skip on a variable left undefined: graphql-js 16 throws on the
    // latter while validating, which would otherwise be a 500.
    for (const document of [`subscription { viewer { id } }`, `subscription { postPublished @skip(if: $v) { id } }`]) {
      const error = await refusedBeforeRunning(api, document);
      expect({ document, code: error.extensions.code }).toEqual({ document, code: 'BAD_REQUEST' });
    }
  });

  it('refuses a subscription sent as a plain request with BAD_REQUEST, naming the live transports', async () => {
    const error = await refusedBeforeRunning(api, `subscription { postPublished { id } }`);
    expect(error.extensions.code).toBe('BAD_REQUEST');
    expect(error.extensions.transports).toEqual(['graphql-transport-ws', 'graphql-sse']);
  });
});
