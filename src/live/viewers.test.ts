import { IdentityProviders, issuersVariable } from '../identity';
import type { ServerDeps } from '../server';
import { aPublishedPost, aSignedInUser } from '../test/factories';
import { testDb } from '../test/database';
import { waitFor } from '../test/faults';
import { postId } from '../test/ids';
import { aSigningKey, aToken, type SigningKey } from '../test/issuer';
import { useServer } from '../test/server';
import { activeSubscriptions, subscribe, type Received } from './test-clients';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://api.test';
let key: SigningKey;
const deps: Partial<ServerDeps> = { limits: { liveAuthRecheckMs: 200 } };
beforeAll(async () => {
  key = await aSigningKey('RS256');
  deps.identityProviders = new IdentityProviders(issuersVariable.parse(JSON.stringify([{ issuer: ISSUER, audience: AUDIENCE, publicKey: key.pem }])), 0);
});
const api = useServer(deps);

const MINE = `subscription { viewerPostsChanged { kind post { title } } }`;
const CHANGED = `subscription ($id: ID!) { postChanged(id: $id) { kind post { title version } } }`;

async function live(query: string, variables: Record<string, unknown>, token?: string): Promise<Received> {
  const received = subscribe('websocket', api.url, query, variables, token);
  await waitFor('the subscription', async () => received.errors.length > 0 || (await activeSubscriptions(api.url)) === 1);
  expect(received.errors).toEqual([]);
  return received;
}

afterEach(async () => {
  await waitFor('no subscriptions', async () => (await activeSubscriptions(api.url)) === 0);
});

describe('signed-out viewers lose their live data within seconds', () => {
  it.each([
    [
      'a session that expires',
      (token: string) =>
        testDb()
          .sequelize.query(`UPDATE sessions SET "expiresAt" = now() - interval '1 second'`)
          .then(() => token),
    ],
    ['deleteViewer', (token: string) => api.gql(`mutation { deleteViewer { user { id } } }`, {}, { token })],
    ['logOutEverywhere', (token: string) => api.gql(`mutation { logOutEverywhere }`, {}, { token })],
  ])('%s ends the subscription with UNAUTHENTICATED', async (_what, signOut) => {
    const { token } = await aSignedInUser();
    const mine = await live(MINE, {}, token);
    await signOut(token);
    await waitFor('the end', () => mine.errors.length > 0, 5_000);
    expect(mine.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(mine.data).toEqual([]);
    mine.stop();
  });

  it("an identity provider's JWT that expires ends the subscription with UNAUTHENTICATED", async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const jwt = await aToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'person-1', email: 'jwt@example.com', exp });
    const mine = await live(MINE, {}, jwt);
    await waitFor('the end', () => mine.errors.length > 0, 6_000);
    expect(mine.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    mine.stop();
  });
});

describe('order', () => {
  it("a post's changes arrive in commit order under concurrent updates: versions never go back, the last is the final one", async () => {
    const author = await aSignedInUser();
    const post = await aPublishedPost(author.user);
    const id = postId(post);
    const changes = await live(CHANGED, { id });
    const update = (i: number) =>
      api.gql(
        `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { version } } }`,
        { input: { id, title: `t${i}` } },
        { token: author.token },
      );
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => update(i)));
    const committed = answers.filter((a) => !a.errors).length;
    expect(committed).toBeGreaterThan(0);
    await waitFor('every committed change', () => changes.data.length === committed);
    const versions = changes.data.map((d) => d.postChanged.post.version as number);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    const [final] = await testDb().sequelize.query<{ version: number }>(`SELECT version FROM posts WHERE id = ${post.id}`, { type: 'SELECT' as never });
    expect(versions.at(-1)).toBe(final!.version);
    changes.stop();
  });
});
