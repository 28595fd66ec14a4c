import { Session } from '../db/models/session';
import { startSession } from '../services/auth';
import { aSignedInUser, PASSWORD } from '../test/factories';
import { userId } from '../test/ids';
import { useServer } from '../test/server';

const api = useServer({ limits: { loginFailuresPerEmailAndClient: 3 } });

const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token } }`;
const VIEWER = `{ viewer { id } }`;
const NEW_PASSWORD = 'a new password';

describe('changePassword', () => {
  it('sets the new password and revokes the account’s other sessions, keeping this one', async () => {
    const { user, token } = await aSignedInUser({ email: 'cp@example.com' });
    const { token: other } = await startSession(user.id, 3600);
    const res = await api.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } }, { token });
    expect(res).toMatchObject({ data: { changePassword: true } });
    expect((await api.gql(VIEWER, {}, { token })).data!.viewer).toEqual({ id: userId(user) });
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(401);
    expect((await api.gql(LOG_IN, { input: { email: 'cp@example.com', password: PASSWORD } })).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect((await api.gql(LOG_IN, { input: { email: 'cp@example.com', password: NEW_PASSWORD } })).errors).toBeUndefined();
  });

  it('refuses a wrong current password as UNAUTHENTICATED, changing nothing, and counts it like a failed logIn', async () => {
    const { user, token } = await aSignedInUser({ email: 'guess@example.com' });
    await startSession(user.id, 3600);
    for (let i = 0; i < 3; i += 1) {
      const res = await api.gql(CHANGE, { input: { currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD } }, { token });
      expect(res.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
    const refused = await api.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } }, { token });
    expect(refused.errors![0]!.extensions.code).toBe('TOO_MANY_REQUESTS');
    expect(await Session.count({ where: { userId: user.id } })).toBe(2);
    expect((await api.gql(VIEWER, {}, { token })).data!.viewer).toEqual({ id: userId(user) });
  });

  it('refuses a short new password with BAD_USER_INPUT on newPassword, and an anonymous request', async () => {
    const { token } = await aSignedInUser();
    const short = await api.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: 'short' } }, { token });
    expect(short.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['newPassword'] }] });
    const anonymous = await api.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(anonymous.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('logOutEverywhere', () => {
  it('revokes every session of the viewer, this one included, and only theirs', async () => {
    const { user, token } = await aSignedInUser();
    const { token: other } = await startSession(user.id, 3600);
    const { token: someoneElse } = await aSignedInUser();
    const res = await api.gql(`mutation { logOutEverywhere }`, {}, { token });
    expect(res).toMatchObject({ data: { logOutEverywhere: true } });
    for (const revoked of [token, other]) expect((await api.gql(VIEWER, {}, { token: revoked })).status).toBe(401);
    expect((await api.gql(VIEWER, {}, { token: someoneElse })).errors).toBeUndefined();
  });
});
