import { aPublishedPost, aSignedInUser, PASSWORD } from '../test/factories';
import { useServer, type GraphQLResponse } from '../test/server';
import { dataSnapshot } from '../test/snapshot';
import { postId } from '../test/ids';

const api = useServer();

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token } }`;
const UPDATE_VIEWER = `mutation ($input: UpdateViewerInput!) { updateViewer(input: $input) { user { id } } }`;
const CREATE = `mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`;
const CREATE_MANY = `mutation ($input: CreatePostsInput!) { createPosts(input: $input) { posts { id } } }`;
const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { id } } }`;
const POSTS = `query ($first: Int, $last: Int, $where: PostWhere, $orderBy: [PostOrder!]) {
  posts(first: $first, last: $last, where: $where, orderBy: $orderBy) { totalCount } }`;
const USERS_POSTS = `query ($first: Int) { users { nodes { posts(first: $first) { totalCount } } } }`;

/** What PostgreSQL or Sequelize would say if a bad value reached them. */
const DATABASE_TEXT = /Sequelize|invalid byte sequence|value too long|character varying|violates|syntax error at|0x00|relation "/i;

let token: string;
let existingPostId: string;
beforeEach(async () => {
  const signedIn = await aSignedInUser({ email: 'ada@example.com' });
  token = signedIn.token;
  existingPostId = postId(await aPublishedPost(signedIn.user));
});

/** The answer is BAD_USER_INPUT naming `path`, speaks no database language, and nothing was written. */
async function expectBadInput(query: string, variables: Record<string, unknown>, path: (string | number)[]) {
  const before = await dataSnapshot();
  const res: GraphQLResponse = await api.gql(query, variables, { token });
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(res.errors![0]!.extensions.fields!.map((f) => f.path)).toContainEqual(path);
  expect(JSON.stringify(res.errors)).not.toMatch(DATABASE_TEXT);
  expect(await dataSnapshot()).toEqual(before);
}

const NUL = 'a\u0000b';
const LONG = 'x'.repeat(90 * 1024); // as long as fits in a 100 KB body

describe('NUL characters (PostgreSQL refuses them in text)', () => {
  it.each([
    ['signUp name', SIGN_UP, { input: { email: 'new@example.com', name: NUL, password: 'long enough' } }, ['name']],
    ['signUp email', SIGN_UP, { input: { email: `new${NUL}@example.com`, password: 'long enough' } }, ['email']],
    ['updateViewer name', UPDATE_VIEWER, { input: { name: NUL } }, ['name']],
    ['createPost title', CREATE, { input: { title: NUL } }, ['title']],
    ['createPost content', CREATE, { input: { title: 'fine', content: NUL } }, ['content']],
    ['createPosts title of row 1', CREATE_MANY, { input: { posts: [{ title: 'fine' }, { title: NUL }] } }, ['posts', 1, 'title']],
    ['a title filter', POSTS, { where: { title: { contains: NUL } } }, ['where', 'title', 'contains']],
  ])('in %s', async (_, query, variables, path) => {
    await expectBadInput(query, variables, path);
  });

  it('in updatePost title and content', async () => {
    await expectBadInput(UPDATE, { input: { id: existingPostId, title: NUL } }, ['title']);
    await expectBadInput(UPDATE, { input: { id: existingPostId, content: NUL } }, ['content']);
  });
});

describe('over-long strings', () => {
  it.each([
    ['signUp name (100 at most)', SIGN_UP, { input: { email: 'new@example.com', name: 'n'.repeat(101), password: 'long enough' } }, ['name']],
    ['signUp name of 90 KB', SIGN_UP, { input: { email: 'new@example.com', name: LONG, password: 'long enough' } }, ['name']],
    ['signUp password (1000 at most)', SIGN_UP, { input: { email: 'new@example.com', password: 'p'.repeat(1001) } }, ['password']],
    ['updateViewer name', UPDATE_VIEWER, { input: { name: LONG } }, ['name']],
    ['createPost title (255 at most)', CREATE, { input: { title: 't'.repeat(256) } }, ['title']],
    ['createPost title of 90 KB', CREATE, { input: { title: LONG } }, ['title']],
  ])('%s', async (_, query, variables, path) => {
    await expectBadInput(query, variables, path);
  });

  it('refuses a 1 MB string before reading it: 413, the body limit', async () => {
    const before = await dataSnapshot();
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: CREATE, variables: { input: { title: 'x'.repeat(1024 * 1024) } } }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await dataSnapshot()).toEqual(before);
  });
});

describe('invalid emails', () => {
  it.each(['not-an-email', 'a@', '@example.com', 'a b@example.com', '<script>@example.com'])('%s, in signUp, updateViewer and logIn', async (email) => {
    await expectBadInput(SIGN_UP, { input: { email, password: 'long enough' } }, ['email']);
    await expectBadInput(UPDATE_VIEWER, { input: { email } }, ['email']);
    await expectBadInput(LOG_IN, { input: { email, password: PASSWORD } }, ['email']);
  });

  it('one longer than 254 characters, in signUp and updateViewer (logIn just finds no such account)', async () => {
    const email = `${'x'.repeat(250)}@example.com`;
    await expectBadInput(SIGN_UP, { input: { email, password: 'long enough' } }, ['email']);
    await expectBadInput(UPDATE_VIEWER, { input: { email } }, ['email']);
    expect((await api.gql(LOG_IN, { input: { email, password: PASSWORD } })).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('keys that are not fields of the input', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'bogus'])('%s in an input, a filter and an order', async (key) => {
    // JSON.parse keeps "__proto__" as an own key: what a hostile client's JSON really holds.
    const withKey = (value: object) => JSON.parse(JSON.stringify(value).replace('{', `{"${key}":{"polluted":true},`)) as object;
    await expectBadInput(CREATE, { input: withKey({ title: 'fine' }) }, [key]);
    await expectBadInput(SIGN_UP, { input: withKey({ email: 'new@example.com', password: 'long enough' }) }, [key]);
    await expectBadInput(POSTS, { where: withKey({ published: true }) }, ['where', key]);
    await expectBadInput(POSTS, { orderBy: [withKey({ field: 'TITLE' })] }, ['orderBy', 0, key]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('page sizes', () => {
  it.each([
    [{ first: -1 }, ['first']],
    [{ first: 101 }, ['first']],
    [{ last: -5 }, ['last']],
    [{ last: 1_000_000 }, ['last']],
    [{ first: 2 ** 31 }, ['first']], // past GraphQL's Int
    [{ first: 1.5 }, ['first']],
    [{ first: '10' }, ['first']],
  ])('%j is BAD_USER_INPUT naming the argument', async (variables, path) => {
    await expectBadInput(POSTS, variables, path);
  });

  it('on a nested list too', async () => {
    await expectBadInput(USERS_POSTS, { first: -1 }, ['first']);
  });
});
