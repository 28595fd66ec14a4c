import fc from 'fast-check';
import { requestBodies } from '../test/graphql-arbitraries';
import { useServer } from '../test/server';

const api = useServer();
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

/** What GraphQL over HTTP promises whatever was sent: JSON with `data` or `errors`, and never a server error. */
function expectGraphQLAnswer(status: number, contentType: string, text: string) {
  expect(status).toBeLessThan(500);
  expect(contentType).toMatch(/^application\/(graphql-response\+)?json/);
  const body = JSON.parse(text) as { data?: unknown; errors?: { message: unknown; extensions?: { code?: unknown } }[] };
  expect('data' in body || 'errors' in body).toBe(true);
  for (const error of body.errors ?? []) {
    expect(typeof error.message).toBe('string');
    expect(typeof error.extensions?.code).toBe('string');
    expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  }
}

it(`answers ${RUNS} generated documents and variables with valid GraphQL-over-HTTP JSON, never a 5xx`, async () => {
  await fc.assert(
    fc.asyncProperty(requestBodies, fc.boolean(), async (body, asGet) => {
      const query = (body as { query?: unknown } | null)?.query;
      const response =
        asGet && typeof query === 'string'
          ? await fetch(`${api.url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true' } })
          : await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expectGraphQLAnswer(response.status, response.headers.get('content-type') ?? '', await response.text());
    }),
    // The first failure is reported as it is: shrinking re-sends requests for a long time.
    { numRuns: RUNS, endOnFailure: true },
  );
  const after = await api.gql('{ __typename }');
  expect({ status: after.status, data: after.data }).toEqual({ status: 200, data: { __typename: 'Query' } });
});
