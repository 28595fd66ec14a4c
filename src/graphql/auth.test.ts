import { Session } from '../db/models/session';
import { User } from '../db/models/user';
import { aSignedInUser, aUser, PASSWORD } from '../test/factories';
import { useServer } from '../test/server';
import { userId } from '../test/ids';

const api = useServer();

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id email name } } }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token user { id email } } }`;
const VIEWER = `{ viewer { id name email } }`;

describe('signUp', () => {
  it('creates the account, signs it in, and never stores the password itself', async () => {
    const res = await api.gql(SIGN_UP, { input: { email: 'Ada@Example.com', name: 'Ada', password: 'long enough' } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.signUp.user).toMatchObject({ email: 'Ada@Example.com', name: 'Ada' });
    const viewer = await api.gql(VIEWER, {}, { token: res.data!.signUp.token });
    expect(viewer.data!.viewer).toMatchObject({ name: 'Ada', email: 'Ada@Example.com' });
    const stored = await User.scope('withPasswordHash').findOne({ rejectOnEmpty: true });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain('long enough');
  });

  it('refuses a short password and a long name with BAD_USER_INPUT naming both fields, writing nothing', async () => {
    const res = await api.gql(SIGN_UP, { input: { email: 'a@example.com', name: 'x'.repeat(101), password: 'short' } });
    expect(res.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions.fields!.map((f) => f.path)).toEqual([['password'], ['name']]);
    expect(await User.count()).toBe(0);
  });

  it('refuses an invalid email with BAD_USER_INPUT on the email field', async () => {
    const res = await api.gql(SIGN_UP, { input: { email: 'not-an-email', password: 'long enough' } });
    expect(res.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions.fields).toEqual([{ path: ['email'], message: expect.any(String) }]);
  });

  it('gives CONFLICT for an email that is taken in any letter case', async () => {
    await aUser({ email: 'taken@example.com' });
    const res = await api.gql(SIGN_UP, { input: { email: 'TAKEN@example.com', password: 'long enough' } });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', fields: [{ path: ['email'] }] });
    expect(await User.count()).toBe(1);
  });

  it('lets exactly one of many parallel sign-ups with one email succeed', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api.gql(SIGN_UP, { input: { email: i % 2 ? 'race@example.com' : 'RACE@example.com', password: 'long enough' } })),
    );
    const succeeded = attempts.filter((res) => !res.errors);
    expect(succeeded).toHaveLength(1);
    for (const res of attempts.filter((r) => r.errors)) expect(res.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(await User.count()).toBe(1);
    expect(await Session.count()).toBe(1);
  });
});

describe('logIn and logOut', () => {
  it('signs in with the right password, whatever the email case', async () => {
    const user = await aUser({ email: 'bob@example.com' });
    const res = await api.gql(LOG_IN, { input: { email: 'BOB@example.com', password: PASSWORD } });
    expect(res.data!.logIn.user.id).toBe(userId(user));
    expect((await api.gql(VIEWER, {}, { token: res.data!.logIn.token })).data!.viewer.id).toBe(userId(user));
  });

  it('gives the same UNAUTHENTICATED error for a wrong password and for an unknown email', async () => {
    await aUser({ email: 'bob@example.com' });
    const wrong = await api.gql(LOG_IN, { input: { email: 'bob@example.com', password: 'wrong password' } });
    const unknown = await api.gql(LOG_IN, { input: { email: 'nobody@example.com', password: 'wrong password' } });
    expect(wrong.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors).toEqual(wrong.errors);
    expect(wrong.data).toBeNull();
  });

  it('revokes the presented token at once, and only that one', async () => {
    const { user, token } = await aSignedInUser();
    const other = await api.gql(LOG_IN, { input: { email: user.email, password: PASSWORD } });
    const res = await api.gql(`mutation { logOut }`, {}, { token });
    expect(res.data).toEqual({ logOut: true });
    const after = await api.gql(VIEWER, {}, { token });
    expect(after.status).toBe(401);
    expect(after.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(VIEWER, {}, { token: other.data!.logIn.token })).data!.viewer.id).toBe(userId(user));
  });

  it('needs a signed-in user to log out', async () => {
    const res = await api.gql(`mutation { logOut }`);
    expect(res.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('tokens', () => {
  it('come in answers that no cache may store (Cache-Control: no-store, no ETag), as do all answers', async () => {
    for (const query of ['mutation { logIn(input: { email: "x@example.com", password: "x" }) { token } }', '{ viewer { email } }']) {
      const response = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('etag')).toBeNull();
    }
  });

  it('stop working when they expire', async () => {
    const { token } = await aSignedInUser();
    await Session.update({ expiresAt: new Date(Date.now() - 1000) }, { where: {} });
    const res = await api.gql(VIEWER, {}, { token });
    expect(res.status).toBe(401);
    expect(res.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('are refused when malformed or unknown, and absent means signed out', async () => {
    expect((await api.gql(VIEWER, {}, { headers: { authorization: 'Basic abc' } })).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(VIEWER, {}, { token: 'unknown-token' })).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(VIEWER)).data).toEqual({ viewer: null });
  });
});
