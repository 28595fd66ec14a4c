import { IdentityProviders, issuersVariable } from '../identity';
import type { ServerDeps } from '../server';
import { waitFor } from '../test/faults';
import { aSigningKey, aToken } from '../test/issuer';
import { useServer } from '../test/server';
import { activeSubscriptions, subscribe } from './test-clients';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'https://api.test';
const SKEW_SECONDS = 3;
const deps: Partial<ServerDeps> = { limits: { liveAuthRecheckMs: 200 } };
const key = aSigningKey('RS256');
beforeAll(async () => {
  const issuers = issuersVariable.parse(JSON.stringify([{ issuer: ISSUER, audience: AUDIENCE, publicKey: (await key).pem }]));
  deps.identityProviders = new IdentityProviders(issuers, SKEW_SECONDS);
});
const api = useServer(deps);

const MINE = `subscription { viewerPostsChanged { kind post { title } } }`;

describe("a JWT's live subscriptions and the clock skew", () => {
  it('last as long as its HTTP requests are accepted: past exp by less than the skew they still start and receive, then end with UNAUTHENTICATED', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1;
    const jwt = await aToken(await key, { iss: ISSUER, aud: AUDIENCE, sub: 'skewed-clock', email: 'skew@example.com', exp });
    const before = subscribe('websocket', api.url, MINE, {}, jwt);
    await waitFor('the subscription', async () => (await activeSubscriptions(api.url)) === 1);

    await waitFor('the token to pass its exp', () => Date.now() > exp * 1000 + 200);
    // Within the skew: HTTP still accepts the token, so live data does too, for subscriptions old and new.
    const after = subscribe('websocket', api.url, MINE, {}, jwt);
    await waitFor('the second subscription', async () => after.errors.length > 0 || (await activeSubscriptions(api.url)) === 2);
    const created = await api.gql(`mutation { createPost(input: { title: "within the skew" }) { post { id } } }`, {}, { token: jwt });
    expect(created.errors).toBeUndefined();
    await waitFor('the change', () => before.data.length + before.errors.length > 0 && after.data.length + after.errors.length > 0);
    expect([before, after].map((s) => s.data[0]?.viewerPostsChanged.post.title)).toEqual(['within the skew', 'within the skew']);

    await waitFor('the end', () => before.errors.length > 0 && after.errors.length > 0, 10_000);
    const ended = Date.now();
    expect([before, after].map((s) => s.errors[0]!.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    // Never before the token stopped being accepted (a lower bound only: ending later is the recheck's interval).
    expect(ended).toBeGreaterThanOrEqual((exp + SKEW_SECONDS) * 1000);
    const refused = await api.gql(`{ viewer { id } }`, {}, { token: jwt });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    before.stop();
    after.stop();
  });
});
