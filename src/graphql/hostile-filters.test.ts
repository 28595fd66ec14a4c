import { aPublishedPost, aUser } from '../test/factories';
import { useServer, type TestClient } from '../test/server';

const development = useServer();
const production = useServer({ production: true });

const POSTS = `query ($where: PostWhere, $after: String) { posts(where: $where, after: $after) { totalCount nodes { id } } }`;
const USERS = `query ($where: UserWhere) { users(where: $where) { totalCount } }`;

/** The answer is BAD_USER_INPUT (200) naming `path`, in development and in production alike. */
async function expectBadInput(query: string, variables: Record<string, unknown>, path: (string | number)[]) {
  for (const client of [development, production] as TestClient[]) {
    const res = await client.gql(query, variables);
    expect({ status: res.status, code: res.errors?.[0]?.extensions.code, data: res.data }).toEqual({ status: 200, code: 'BAD_USER_INPUT', data: null });
    expect(res.errors![0]!.extensions.fields!.map((field) => field.path)).toEqual([path]);
  }
}

beforeEach(async () => {
  await aPublishedPost(await aUser({ name: 'Ada' }), { title: 't'.repeat(255) });
});

describe('filter strings', () => {
  const LONG = 'x'.repeat(256);

  it.each([
    ['contains', { content: { contains: LONG } }, ['where', 'content', 'contains']],
    ['startsWith', { title: { startsWith: LONG } }, ['where', 'title', 'startsWith']],
    ['endsWith', { title: { endsWith: LONG, mode: 'INSENSITIVE' } }, ['where', 'title', 'endsWith']],
    ['equals', { title: { equals: LONG } }, ['where', 'title', 'equals']],
    ['an in value', { title: { in: ['short', LONG] } }, ['where', 'title', 'in', 1]],
    ['one nested in AND/OR/NOT', { OR: [{ published: true }, { NOT: { content: { contains: LONG } } }] }, ['where', 'OR', 1, 'NOT', 'content', 'contains']],
  ])('over 255 characters are BAD_USER_INPUT naming the argument: %s', async (_, where, path) => {
    await expectBadInput(POSTS, { where }, path);
  });

  it('on users too', async () => {
    await expectBadInput(USERS, { where: { name: { contains: LONG } } }, ['where', 'name', 'contains']);
  });

  it('of 255 characters still match (the longest title, exactly)', async () => {
    const res = await development.gql(POSTS, { where: { title: { equals: 't'.repeat(255) } } });
    expect(res.data?.posts.totalCount).toBe(1);
  });
});

describe('dates PostgreSQL cannot be sent', () => {
  it.each(['0000-01-01T00:00:00Z', '0000-12-31T23:59:59.999Z'])('%s in a createdAt filter is BAD_USER_INPUT naming it', async (date) => {
    await expectBadInput(POSTS, { where: { createdAt: { gt: date } } }, ['where', 'createdAt', 'gt']);
    await expectBadInput(USERS, { where: { createdAt: { lte: date } } }, ['where', 'createdAt', 'lte']);
  });

  it.each(['-271821-04-20T00:00:00.000Z', '0000-06-01T00:00:00.000Z', '-004713-11-24T00:00:00.000Z'])(
    'a forged cursor holding %s is BAD_USER_INPUT naming `after`',
    async (date) => {
      const after = Buffer.from(JSON.stringify(['createdAt DESC,id DESC', date, 1])).toString('base64url');
      await expectBadInput(POSTS, { after }, ['after']);
    },
  );

  it('the first instant of year 1 and the last JavaScript can hold still work', async () => {
    for (const date of ['0001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']) {
      const after = Buffer.from(JSON.stringify(['createdAt DESC,id DESC', date, 1])).toString('base64url');
      expect((await production.gql(POSTS, { after })).errors).toBeUndefined();
    }
    expect((await production.gql(POSTS, { where: { createdAt: { gte: '0001-01-01T00:00:00Z' } } })).data?.posts.totalCount).toBe(1);
  });
});
