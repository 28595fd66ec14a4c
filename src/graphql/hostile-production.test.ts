import { logger } from '../logger';
import { testDb } from '../test/database';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { codeOf, sendRaw } from '../test/http';
import { useServer, type GraphQLResponse } from '../test/server';
import { dataSnapshot } from '../test/snapshot';

const production = useServer({ production: true });
const development = useServer({ production: false });

const INTROSPECTION = [`{ __schema { types { name } } }`, `{ __type(name: "User") { fields { name } } }`];
const MISSPELT = [
  { query: `{ viewr { id } }` },
  { query: `{ posts(orderBy: [{ field: TITEL }]) { totalCount } }` },
  { query: `query ($w: PostWhere) { posts(where: $w) { totalCount } }`, variables: { w: { titel: { equals: 'x' } } } },
  { query: `query ($o: [PostOrder!]) { posts(orderBy: $o) { totalCount } }`, variables: { o: [{ field: 'TITEL' }] } },
];

/** Every error of an answer, as the JSON text a client reads. */
const errorText = (res: GraphQLResponse) => JSON.stringify(res.errors);

describe('in production', () => {
  it('refuses introspection with GRAPHQL_VALIDATION_FAILED (400), and still answers __typename', async () => {
    for (const query of INTROSPECTION) {
      const res = await production.gql(query);
      expect({ status: res.status, code: res.errors![0]!.extensions.code }).toEqual({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(res.errors![0]!.message).toMatch(/introspection/i);
    }
    expect((await production.gql(`{ __typename }`)).data).toEqual({ __typename: 'Query' });
  });

  it.each(MISSPELT)('suggests no field, type or value names ("Did you mean …") for %j', async ({ query, variables }) => {
    const res = await production.gql(query, variables);
    expect(res.status).toBe(400);
    expect(res.errors!.length).toBeGreaterThan(0);
    expect(errorText(res)).not.toMatch(/did you mean/i);
  });

  it('sends no stack trace with any error (parse, validation, bad input, bad request, masked)', async () => {
    await testDb().sequelize.query('ALTER TABLE posts RENAME COLUMN title TO "secretTitle"');
    try {
      const answers = [
        await production.gql('{ viewer { id }'),
        await production.gql('{ nothing }'),
        await production.gql('{ posts(first: -1) { totalCount } }'),
        await production.gql('{ posts { nodes { title } } }'),
      ];
      const raw = await sendRaw(production.url, { body: '{"query": 1}' });
      for (const res of answers) expect(errorText(res)).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
      expect(raw.text).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
    } finally {
      await testDb().sequelize.query('ALTER TABLE posts RENAME COLUMN "secretTitle" TO title');
    }
  });

  it('masks a database failure as INTERNAL_SERVER_ERROR with a correlation id that the server log also holds', async () => {
    const author = (await aSignedInUser()).user;
    await aPublishedPost(author);
    const before = await dataSnapshot();
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    await testDb().sequelize.query('ALTER TABLE posts RENAME COLUMN title TO "secretTitle"');
    try {
      const res = await production.gql('{ posts { nodes { title } } }');
      const error = res.errors![0]!;
      expect(error).toEqual({
        message: 'Internal server error',
        locations: expect.any(Array),
        path: ['posts'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      });
      expect(errorText(res)).not.toMatch(/secretTitle|does not exist|SELECT/);
      const entry = logged.mock.calls.find(([fields]) => (fields as { correlationId?: string }).correlationId === error.extensions.correlationId);
      expect(String((entry![0] as { err: Error }).err.message)).toMatch(/title/);
    } finally {
      logged.mockRestore();
      await testDb().sequelize.query('ALTER TABLE posts RENAME COLUMN "secretTitle" TO title');
    }
    expect(await dataSnapshot()).toEqual(before);
  });
});

describe('in development', () => {
  it('answers introspection', async () => {
    for (const query of INTROSPECTION) expect((await development.gql(query)).errors).toBeUndefined();
  });

  it('suggests names of fields ("Did you mean …")', async () => {
    expect((await development.gql(MISSPELT[0]!.query)).errors![0]!.message).toMatch(/Did you mean "viewer"/);
  });

  it('sends stack traces, for debugging', async () => {
    const res = await sendRaw(development.url, { body: '{"query": 1}' });
    expect(codeOf(res)).toBe('BAD_REQUEST');
    expect(res.text).toMatch(/stacktrace/);
  });
});
