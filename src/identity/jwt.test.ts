import { createHmac } from 'node:crypto';
import { Identity } from '../db/models/identity';
import { User } from '../db/models/user';
import { logger } from '../logger';
import type { ServerDeps } from '../server';
import { aSignedInUser, aUser } from '../test/factories';
import { userId } from '../test/ids';
import { aSigningKey, aToken, startJwksServer, type JwksServer, type SigningKey } from '../test/issuer';
import { statementsDuring, useServer } from '../test/server';
import { sessionCache } from '../services/session-cache';
import { IdentityProviders } from '.';
import { issuersVariable } from './issuers';

const ISSUER = 'https://issuer.test/';
const STATIC_ISSUER = 'https://static.test/';
const AUDIENCE = 'https://api.test';
const VIEWER = `{ viewer { id name email } }`;
const TIME_TO_LIVE_MS = sessionCache.timeToLiveMs;

let jwks: JwksServer;
let rsa: SigningKey, ec: SigningKey, ed: SigningKey, staticKey: SigningKey;
const deps: Partial<ServerDeps> = {};

beforeAll(async () => {
  [rsa, ec, ed, staticKey] = await Promise.all([aSigningKey('RS256'), aSigningKey('ES256'), aSigningKey('EdDSA'), aSigningKey('RS256')]);
  jwks = await startJwksServer([rsa, ec, ed]);
  // Read as AUTH_ISSUERS is read at start: a JWKS issuer and one with a static key.
  const issuers = issuersVariable.parse(
    JSON.stringify([
      { issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownSeconds: 0 },
      { issuer: STATIC_ISSUER, audience: [AUDIENCE, 'other'], publicKey: staticKey.pem },
    ]),
  );
  deps.identityProviders = new IdentityProviders(issuers, 30);
});
const api = useServer(deps);
afterAll(() => jwks.stop());

beforeEach(() => {
  // Every test empties the tables, the users of the last test with them: none of them may be found cached.
  sessionCache.invalidateAll();
  jwks.keys = [rsa, ec, ed];
  jwks.down = false;
});

const claims = (overrides: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: 'person-1', ...overrides });
const now = () => Math.floor(Date.now() / 1000);

/** The refusal of a request made with `token`: the whole request fails, 401, with the reason. */
async function refusalOf(token: string) {
  const res = await api.gql(VIEWER, {}, { token });
  expect(res.data ?? null).toBeNull();
  return { status: res.status, code: res.errors![0]!.extensions.code, reason: res.errors![0]!.extensions.reason, message: res.errors![0]!.message };
}

describe('JWTs of a configured issuer', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('signs the person in with a %s token from the JWKS, as a new user named by its claims', async (alg) => {
    const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg];
    const res = await api.gql(VIEWER, {}, { token: await aToken(key, claims({ name: 'Ada', email: 'ada@example.com', email_verified: true })) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.viewer).toEqual({ id: expect.any(String), name: 'Ada', email: 'ada@example.com' });
    const identities = await Identity.findAll({ raw: true });
    expect(identities).toEqual([expect.objectContaining({ issuer: ISSUER, subject: 'person-1' })]);
    expect(userId({ id: identities[0]!.userId })).toBe(res.data!.viewer.id);
  });

  it('signs in with a static public key, and a token far longer than a session token', async () => {
    const token = await aToken(staticKey, claims({ iss: STATIC_ISSUER, aud: 'other', padding: 'x'.repeat(3000) }));
    expect(token.length).toBeGreaterThan(3000);
    const res = await api.gql(VIEWER, {}, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.viewer.id).toEqual(expect.any(String));
  });

  it('finds the same user on every later request, and the viewer acts as any signed-in user (drafts, mutations)', async () => {
    const token = await aToken(rsa, claims());
    const first = await api.gql(VIEWER, {}, { token });
    const created = await api.gql(`mutation { createPost(input: { title: "Mine", published: false }) { post { id author { id } } } }`, {}, { token });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createPost.post.author.id).toBe(first.data!.viewer.id);
    const again = await api.gql(`{ viewer { id posts { nodes { title } } } }`, {}, { token: await aToken(ec, claims()) });
    expect(again.data!.viewer).toEqual({ id: first.data!.viewer.id, posts: { nodes: [{ title: 'Mine' }] } });
    expect(await User.count()).toBe(1);
  });

  it('cuts a long name to 100 characters and leaves out one the model refuses (a NUL character)', async () => {
    const long = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'long', name: 'n'.repeat(300) })) });
    const nul = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'nul', name: 'a\u0000b' })) });
    expect([long.data!.viewer.name, nul.data!.viewer.name]).toEqual(['n'.repeat(100), null]);
  });

  it('accepts a token expired a moment ago, within the clock skew', async () => {
    const res = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ exp: now() - 10 })) });
    expect(res.errors).toBeUndefined();
  });
});

describe('refused tokens: 401 UNAUTHENTICATED with a reason, nothing about the key', () => {
  const HS256_WITH_PUBLIC_KEY = (pem: string, iss: string) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims({ iss, exp: now() + 3600 }))}`;
    return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
  };
  const unsigned = () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims({ exp: now() + 3600 }))}.`;
  };
  const tampered = async () => {
    const [header, , signature] = (await aToken(rsa, claims())).split('.');
    return `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'someone-else', exp: now() + 3600 }))).toString('base64url')}.${signature}`;
  };

  it.each<[string, () => Promise<string> | string, string]>([
    ['expired', () => aToken(rsa, claims({ exp: now() - 120 })), 'TOKEN_EXPIRED'],
    ['not yet valid', () => aToken(rsa, claims({ nbf: now() + 120 })), 'TOKEN_NOT_YET_VALID'],
    ['for another audience', () => aToken(rsa, claims({ aud: 'https://elsewhere.test' })), 'WRONG_AUDIENCE'],
    ['from an issuer not configured', () => aToken(rsa, claims({ iss: 'https://evil.test/' })), 'UNKNOWN_ISSUER'],
    ['claiming an issuer whose key did not sign it', () => aToken(rsa, claims({ iss: STATIC_ISSUER })), 'BAD_SIGNATURE'],
    ['with a payload changed after signing', tampered, 'BAD_SIGNATURE'],
    ['with alg none', unsigned, 'ALGORITHM_NOT_ALLOWED'],
    ['HMAC-signed with the static public key as secret', () => HS256_WITH_PUBLIC_KEY(staticKey.pem, STATIC_ISSUER), 'ALGORITHM_NOT_ALLOWED'],
    ['HMAC-signed with a JWKS public key as secret', () => HS256_WITH_PUBLIC_KEY(rsa.pem, ISSUER), 'ALGORITHM_NOT_ALLOWED'],
    ['without sub', () => aToken(rsa, claims({ sub: undefined })), 'MALFORMED'],
    ['without exp', () => aToken(rsa, claims({ exp: undefined })), 'MALFORMED'],
    ['whose sub is no text', () => aToken(rsa, claims({ sub: { id: 1 } })), 'MALFORMED'],
    ['whose sub holds a NUL character', () => aToken(rsa, claims({ sub: 'a\u0000b' })), 'MALFORMED'],
    ['whose sub is longer than 255 characters', () => aToken(rsa, claims({ sub: 'x'.repeat(256) })), 'MALFORMED'],
    ['that is three parts of nonsense', () => 'abc.def.ghi', 'MALFORMED'],
  ])('a token %s', async (_, make, reason) => {
    const refusal = await refusalOf(await make());
    expect(refusal).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason });
    expect(refusal.message).not.toMatch(/BEGIN|kid|key-\d/);
    expect(await User.count()).toBe(0);
  });

  it('a token signed with a kid the JWKS does not list, even after fetching it again', async () => {
    const stranger = await aSigningKey('RS256');
    const refusal = await refusalOf(await aToken(stranger, claims()));
    expect(refusal).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'UNKNOWN_KEY' });
    expect(refusal.message).not.toContain(stranger.kid);
  });
});

describe('key rotation and JWKS outages', () => {
  it('a new kid is fetched when it appears and the old one may go, with no failed request', async () => {
    const next = await aSigningKey('ES256');
    expect((await api.gql(VIEWER, {}, { token: await aToken(rsa, claims()) })).errors).toBeUndefined();
    jwks.keys = [rsa, ec, ed, next];
    const fetches = jwks.fetches;
    expect((await api.gql(VIEWER, {}, { token: await aToken(next, claims()) })).errors).toBeUndefined();
    expect(jwks.fetches).toBe(fetches + 1);
    jwks.keys = [next];
    for (let i = 0; i < 5; i += 1) expect((await api.gql(VIEWER, {}, { token: await aToken(next, claims()) })).errors).toBeUndefined();
    expect(jwks.fetches).toBe(fetches + 1); // known kids are served from the cache
  });

  it('while the JWKS endpoint is down, cached keys keep working and a new kid fails cleanly (503, retryable)', async () => {
    expect((await api.gql(VIEWER, {}, { token: await aToken(ec, claims()) })).errors).toBeUndefined();
    jwks.down = true;
    for (const key of [rsa, ec, ed]) expect((await api.gql(VIEWER, {}, { token: await aToken(key, claims()) })).errors).toBeUndefined();
    const res = await api.gql(VIEWER, {}, { token: await aToken(await aSigningKey('RS256'), claims()) });
    expect(res.status).toBe(503);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'KEYS_UNAVAILABLE', retryable: true });
  });

  it('tokens with kids the JWKS does not list fetch it again at most once per cooldown', async () => {
    const limited = await startJwksServer([rsa]);
    const [config] = issuersVariable.parse(JSON.stringify([{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: limited.url, jwksCooldownSeconds: 30 }]));
    const providers = new IdentityProviders([config!], 30);
    try {
      await providers.authenticate(User.sequelize!, await aToken(rsa, claims()));
      const strangers = await Promise.all(Array.from({ length: 20 }, async () => aToken(await aSigningKey('ES256'), claims())));
      for (const token of strangers) {
        await expect(providers.authenticate(User.sequelize!, token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'UNKNOWN_KEY' } });
      }
      expect(limited.fetches).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('past the cache age, a JWKS that cannot be fetched again leaves the keys fetched last in use', async () => {
    const stale = await startJwksServer([rsa]);
    const [config] = issuersVariable.parse(JSON.stringify([{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: stale.url, jwksMaxAgeSeconds: 0 }]));
    const providers = new IdentityProviders([config!], 30);
    const { sequelize } = User;
    try {
      await providers.authenticate(sequelize!, await aToken(rsa, claims()));
      stale.down = true;
      const fetches = stale.fetches;
      await expect(providers.authenticate(sequelize!, await aToken(rsa, claims()))).resolves.toMatchObject({ issuer: ISSUER });
      expect(stale.fetches).toBe(fetches + 1); // it did try
    } finally {
      await stale.stop();
    }
  });
});

describe('the local user of a token', () => {
  it('is made once when ten first requests of one person arrive at once', async () => {
    const tokens = await Promise.all(Array.from({ length: 10 }, () => aToken(rsa, claims({ sub: 'crowd', email: 'crowd@example.com', email_verified: true }))));
    const answers = await Promise.all(tokens.map((token) => api.gql(VIEWER, {}, { token })));
    for (const res of answers) expect(res.errors).toBeUndefined();
    expect(new Set(answers.map((res) => res.data!.viewer.id)).size).toBe(1);
    expect(await User.count()).toBe(1);
    expect(await Identity.count()).toBe(1);
  });

  it('gets the email only when the issuer marks it verified', async () => {
    const unverified = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'a', email: 'a@example.com', email_verified: false })) });
    const unsaid = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'b', email: 'b@example.com' })) });
    const invalid = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'c', email: 'not an email', email_verified: true })) });
    const long = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'd', email: `${'a'.repeat(300)}@example.com`, email_verified: true })) });
    expect([unverified, unsaid, invalid, long].map((res) => res.data!.viewer.email)).toEqual([null, null, null, null]);
  });

  it("never takes over an existing account holding the token's verified email: a new user without email, and a warning", async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      const owner = await aUser({ email: 'owner@example.com' });
      const res = await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ sub: 'claimant', email: 'OWNER@example.com', email_verified: true })) });
      expect(res.data!.viewer).toMatchObject({ email: null });
      expect(res.data!.viewer.id).not.toBe(userId(owner));
      expect(warn).toHaveBeenCalledWith({ issuer: ISSUER, subject: 'claimant' }, expect.stringMatching(/existing account/));
    } finally {
      warn.mockRestore();
    }
  });

  it('has no password: logIn with its email fails exactly as a wrong password does', async () => {
    await api.gql(VIEWER, {}, { token: await aToken(rsa, claims({ email: 'sso@example.com', email_verified: true })) });
    const { user: other } = await aSignedInUser({ email: 'pw@example.com' });
    const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token } }`;
    const sso = await api.gql(LOG_IN, { input: { email: 'sso@example.com', password: 'anything at all' } });
    const wrong = await api.gql(LOG_IN, { input: { email: other.email, password: 'anything at all' } });
    expect(sso.errors![0]).toEqual(wrong.errors![0]);
    expect(sso.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('logOut with a JWT', () => {
  it('is refused with FORBIDDEN and reason ISSUER_TOKEN: only the issuer can end its token', async () => {
    const token = await aToken(rsa, claims());
    const res = await api.gql(`mutation { logOut }`, {}, { token });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ISSUER_TOKEN' });
    expect((await api.gql(VIEWER, {}, { token })).data!.viewer).not.toBeNull();
  });
});

describe('the built-in account mutations with a JWT', () => {
  it('logOutEverywhere is refused like logOut; changePassword fails as a wrong current password (there is none)', async () => {
    const token = await aToken(rsa, claims());
    const everywhere = await api.gql(`mutation { logOutEverywhere }`, {}, { token });
    expect(everywhere.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ISSUER_TOKEN' });
    const change = await api.gql(`mutation { changePassword(input: { currentPassword: "anything", newPassword: "long enough" }) }`, {}, { token });
    expect(change.errors![0]).toMatchObject({ message: 'the current password is wrong', extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('SQL statements', () => {
  afterEach(() => {
    sessionCache.timeToLiveMs = TIME_TO_LIVE_MS;
  });

  it('a JWT request costs no more statements than a session token request: one to find the user, none while cached', async () => {
    // Long enough that the cached entry outlives the test on a busy machine.
    sessionCache.timeToLiveMs = 60_000;
    const token = await aToken(rsa, claims());
    await api.gql(VIEWER, {}, { token }); // the first sight makes the user
    sessionCache.invalidateAll();
    const { token: session } = await aSignedInUser();
    const viaJwt = await statementsDuring(() => api.gql(VIEWER, {}, { token }));
    const viaSession = await statementsDuring(() => api.gql(VIEWER, {}, { token: session }));
    expect(viaJwt.length).toBeLessThanOrEqual(viaSession.length);
    expect(viaJwt).toHaveLength(1);
    // Another token of the same person finds the user cached under its issuer and subject.
    expect(await statementsDuring(() => aToken(ec, claims()).then((again) => api.gql(VIEWER, {}, { token: again })))).toHaveLength(0);
    expect(await statementsDuring(() => api.gql(VIEWER, {}, { token: session }))).toHaveLength(0);
  });

  it('a deleted user is not found in the cache, by any of their tokens', async () => {
    sessionCache.timeToLiveMs = 60_000;
    const token = await aToken(rsa, claims());
    await api.gql(VIEWER, {}, { token });
    const deleted = await api.gql(`mutation { deleteViewer { user { id } } }`, {}, { token });
    expect(deleted.errors).toBeUndefined();
    const again = await api.gql(`{ viewer { id } }`, {}, { token: await aToken(ec, claims()) });
    // The person is a new user now (the old one and its identity are gone).
    expect(again.data!.viewer.id).not.toBe(deleted.data!.deleteViewer.user.id);
  });
});
