import pg from 'pg';
import { createLogger } from '../logger';
import { dropDatabase, recreateDatabase } from '../test/admin';
import { TEST_ENV, urlFor } from '../test/environment';
import { MISCOUNTED_AUTHORS } from '../test/post-counts';
import { sendGraphQL, useServer } from '../test/server';
import { DEFAULT_FIXTURES } from './fixtures';
import { startTestMode, type TestMode } from './mode';

const adminUrl = () => process.env[TEST_ENV.adminUrl]!;
const database = `content_api_testkit_mode_${process.pid}`;
const quiet = createLogger({ level: 'silent' });
let mode: TestMode;
const resets: string[] = [];

beforeAll(async () => {
  await recreateDatabase(adminUrl(), database);
  const env = { ...process.env, DATABASE_URL: urlFor(adminUrl(), database) };
  mode = await startTestMode({ fixtures: DEFAULT_FIXTURES, volume: null, port: 0, host: '127.0.0.1', mayWipe: false, env, logger: quiet });
  mode.onReset((reason) => void resets.push(reason));
});

afterAll(async () => {
  await mode?.stop();
  await dropDatabase(adminUrl(), database);
});

const testkit = (route: string) => mode.url.replace(/\/graphql$/, `/testkit/${route}`);

async function post(route: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(testkit(route), {
    method: 'POST',
    ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const tokenFor = async (user: string) => (await post('tokens', { user })).json.token as string;
const gql = (query: string, variables: object = {}, token?: string) => sendGraphQL(mode.url, { query, variables }, { token }).then(({ answer }) => answer);

/** Every row of every table and where every sequence stands, read outside the server. */
async function dump(): Promise<unknown> {
  const client = new pg.Client(urlFor(adminUrl(), database));
  await client.connect();
  try {
    const tables: Record<string, unknown> = {};
    for (const table of ['users', 'posts', 'sessions', 'attempt_counts', 'identities']) {
      tables[table] = (await client.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows;
    }
    for (const sequence of ['users_id_seq', 'posts_id_seq', 'sessions_id_seq', 'identities_id_seq']) {
      tables[sequence] = (await client.query(`SELECT last_value, is_called FROM "${sequence}"`)).rows[0];
    }
    return tables;
  } finally {
    await client.end();
  }
}

/** The users whose kept post counts differ from their posts (see MISCOUNTED_AUTHORS). */
async function miscountedAuthors(): Promise<unknown[]> {
  const client = new pg.Client(urlFor(adminUrl(), database));
  await client.connect();
  try {
    const { rows } = await client.query(MISCOUNTED_AUTHORS);
    return rows;
  } finally {
    await client.end();
  }
}

describe('the test mode', () => {
  it('lists the fixtures by key, with the ids the API uses', async () => {
    const fixtures = (await (await fetch(testkit('fixtures'))).json()) as { users: Record<string, { id: string }>; posts: Record<string, { id: string }> };
    expect(Object.keys(fixtures.users)).toEqual(['ada', 'grace', 'linus']);
    const { data } = await gql('query ($id: ID!) { post(id: $id) { title createdAt author { id name } } }', { id: fixtures.posts.adaWelcome!.id });
    expect(data).toEqual({
      post: { title: 'Welcome to the test API', createdAt: '2026-02-01T10:00:00.000Z', author: { id: fixtures.users.ada!.id, name: 'Ada Lovelace' } },
    });
  });

  it('loads drafts, published and soft-deleted posts as the file says, each seen as the API shows it', async () => {
    const anonymous = await gql('{ posts(first: 20) { totalCount nodes { title } } }');
    expect(anonymous.data?.posts.totalCount).toBe(3);
    const ada = await gql('{ viewer { name } posts(first: 20) { totalCount } }', {}, await tokenFor('ada'));
    expect(ada.data).toEqual({ viewer: { name: 'Ada Lovelace' }, posts: { totalCount: 4 } }); // her draft too, not the deleted one
  });

  it('signs in a user without a password by a token minted for its key', async () => {
    expect((await gql('{ viewer { email } }', {}, await tokenFor('linus'))).data).toEqual({ viewer: { email: 'linus@example.com' } });
    const logIn = await gql('mutation { logIn(input: { email: "ada@example.com", password: "ada-password" }) { user { name } } }');
    expect(logIn.data).toEqual({ logIn: { user: { name: 'Ada Lovelace' } } });
  });

  it('refuses a token for a key no fixture has, naming the users it knows', async () => {
    expect(await post('tokens', { user: 'nobody' })).toEqual({
      status: 404,
      json: { errors: [{ message: 'no fixture user "nobody"; the users are: ada, grace, linus', extensions: { code: 'NOT_FOUND' } }] },
    });
    expect((await post('tokens', { user: 'ada', expiresInSeconds: 0 })).status).toBe(400);
  });

  it('makes a token expire, or revokes it, so tests reach UNAUTHENTICATED', async () => {
    for (const action of ['expire', 'revoke']) {
      const token = await tokenFor('grace');
      expect((await gql('{ viewer { name } }', {}, token)).data).toEqual({ viewer: { name: 'Grace Hopper' } });
      expect((await post(`tokens/${action}`, { token })).status).toBe(200);
      expect((await gql('{ viewer { name } }', {}, token)).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('a reset puts back exactly the fixtures, ids, timestamps and sequences included, and voids earlier tokens', async () => {
    await post('reset');
    const before = await dump();
    const ada = await tokenFor('ada');
    const fixtures = (await (await fetch(testkit('fixtures'))).json()) as { posts: Record<string, { id: string }> };
    const changes = [
      await gql('mutation { createPost(input: { title: "New" }) { post { id } } }', {}, ada),
      await gql('mutation ($id: ID!) { updatePost(input: { id: $id, title: "Changed" }) { post { id } } }', { id: fixtures.posts.adaWelcome!.id }, ada),
      await gql('mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id } } }', { id: fixtures.posts.adaNotes!.id }, ada),
      await gql('mutation ($id: ID!) { restorePost(input: { id: $id }) { post { id } } }', { id: fixtures.posts.adaDeleted!.id }, ada),
      await gql('mutation { updateViewer(input: { name: "Ada King" }) { user { name } } }', {}, ada),
      await gql('mutation { signUp(input: { email: "new@example.com", password: "new-password" }) { token } }'),
      await gql('mutation { deleteViewer { user { id } } }', {}, await tokenFor('grace')), // her posts go with her (a cascade)
    ];
    expect(changes.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    // A failed logIn is counted (attempt_counts).
    await gql('mutation { logIn(input: { email: "ada@example.com", password: "wrong-password" }) { token } }');
    expect(await dump()).not.toEqual(before);

    const reset = await post('reset');
    expect(reset.json).toMatchObject({ reset: true });
    expect(await dump()).toEqual(before);
    // The counts kept of each author's posts went back with the rows, not counted once more as they went in.
    expect(await miscountedAuthors()).toEqual([]);
    expect((await gql('{ viewer { name } }', {}, ada)).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const again = await gql('mutation { createPost(input: { title: "New" }) { post { databaseId } } }', {}, await tokenFor('ada'));
    expect(again.data).toEqual({ createPost: { post: { databaseId: 7 } } }); // the sequence was put back too
  });

  it('tells the reset listeners, with a reason', async () => {
    resets.length = 0;
    await post('reset');
    expect(resets).toEqual(['the test API was reset to its fixtures']);
  });
});

describe('outside the test mode', () => {
  const api = useServer();

  it('the test routes do not exist', async () => {
    for (const route of ['reset', 'tokens', 'tokens/expire', 'tokens/revoke']) {
      const response = await fetch(api.url.replace(/\/graphql$/, `/testkit/${route}`), { method: 'POST' });
      expect(response.status).toBe(404);
    }
    expect((await fetch(api.url.replace(/\/graphql$/, '/testkit/fixtures'))).status).toBe(404);
  });
});
