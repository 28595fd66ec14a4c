import { Post } from '../db/models/post';
import { startSession } from '../services/auth';
import { sessionCache } from '../services/session-cache';
import { aPublishedPost, aSignedInUser, aUser, PASSWORD } from '../test/factories';
import { postId } from '../test/ids';
import { statementsDuring, useServer } from '../test/server';

const api = useServer();

const VIEWER = `{ viewer { id name email } }`;
const POST = `query ($id: ID!) { post(id: $id) { title author { name } } }`;
const TIME_TO_LIVE_MS = sessionCache.timeToLiveMs;

/** Statements of one request, and its HTTP status. */
async function counted(query: string, variables: Record<string, unknown>, token?: string) {
  let status = 0;
  const sql = await statementsDuring(async () => {
    status = (await api.gql(query, variables, { token })).status;
  });
  return { status, statements: sql.length };
}

/** A session token already in the cache (one signed-in request made with it). */
async function aCachedSession() {
  const signedIn = await aSignedInUser();
  expect((await api.gql(VIEWER, {}, { token: signedIn.token })).status).toBe(200);
  return signedIn;
}

// Far longer than any test takes: what these tests see comes from invalidation, never from the time to live.
beforeEach(() => {
  sessionCache.timeToLiveMs = 60_000;
});
afterEach(() => {
  sessionCache.timeToLiveMs = TIME_TO_LIVE_MS;
});

describe('the session cache', () => {
  it('keeps an entry for at most a second by default', () => {
    expect(TIME_TO_LIVE_MS).toBeLessThanOrEqual(1000);
    expect(sessionCache.maxEntries).toBe(10_000);
  });

  it('makes a signed-in read cost the statements of an anonymous one, once the session is cached', async () => {
    const author = await aUser();
    const post = await aPublishedPost(author);
    const anonymous = await counted(POST, { id: postId(post) });
    const { token } = await aSignedInUser();
    const first = await counted(POST, { id: postId(post) }, token);
    const cached = await counted(POST, { id: postId(post) }, token);
    expect(anonymous).toEqual({ status: 200, statements: 1 });
    expect(first).toEqual({ status: 200, statements: 2 }); // the session, then the post
    expect(cached).toEqual(anonymous);
  });

  it('never keeps a refusal: an unknown token is read anew, and refused, every time', async () => {
    for (let i = 0; i < 2; i += 1) expect(await counted(VIEWER, {}, 'unknown-token')).toEqual({ status: 401, statements: 1 });
  });

  it('refuses a token at once after its logOut', async () => {
    const { token } = await aCachedSession();
    expect((await api.gql(`mutation { logOut }`, {}, { token })).errors).toBeUndefined();
    expect((await api.gql(VIEWER, {}, { token })).status).toBe(401);
  });

  it('refuses every token of the user at once after logOutEverywhere', async () => {
    const { user, token } = await aCachedSession();
    const { token: other } = await startSession(user.id, 3600);
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(200);
    expect((await api.gql(`mutation { logOutEverywhere }`, {}, { token })).errors).toBeUndefined();
    expect((await api.gql(VIEWER, {}, { token })).status).toBe(401);
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(401);
  });

  it('refuses the other sessions at once after changePassword, and keeps the one that changed it', async () => {
    const { user, token } = await aCachedSession();
    const { token: other } = await startSession(user.id, 3600);
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(200);
    const change = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    expect((await api.gql(change, { input: { currentPassword: PASSWORD, newPassword: 'a new password' } }, { token })).errors).toBeUndefined();
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(401);
    expect((await api.gql(VIEWER, {}, { token })).status).toBe(200);
  });

  it('refuses every token of a deleted user at once', async () => {
    const { user, token } = await aCachedSession();
    const { token: other } = await startSession(user.id, 3600);
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(200);
    expect((await api.gql(`mutation { deleteViewer { user { id } } }`, {}, { token })).errors).toBeUndefined();
    expect((await api.gql(VIEWER, {}, { token })).status).toBe(401);
    expect((await api.gql(VIEWER, {}, { token: other })).status).toBe(401);
  });

  it('shows the new name and email at once after updateViewer, to every token of the user', async () => {
    const { user, token } = await aCachedSession();
    const { token: other } = await startSession(user.id, 3600);
    expect((await api.gql(VIEWER, {}, { token: other })).data!.viewer.name).toBe(user.name);
    const update = `mutation { updateViewer(input: { name: "Renamed", email: "renamed@example.com" }) { user { name } } }`;
    expect((await api.gql(update, {}, { token })).errors).toBeUndefined();
    for (const t of [token, other]) {
      expect((await api.gql(VIEWER, {}, { token: t })).data!.viewer).toMatchObject({ name: 'Renamed', email: 'renamed@example.com' });
    }
  });

  it('never uses an entry past its session’s expiry', async () => {
    const user = await aUser();
    const { token } = await startSession(user.id, 1);
    const started = Date.now();
    const first = await api.gql(VIEWER, {}, { token });
    // On a slow machine the session may be over before the first request: the test then shows nothing.
    if (Date.now() - started < 900) expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 1100 - Date.now())));
    expect((await api.gql(VIEWER, {}, { token })).status).toBe(401);
  });

  it('keeps the posts of a deleted user’s token from being written', async () => {
    const { token } = await aCachedSession();
    await api.gql(`mutation { deleteViewer { user { id } } }`, {}, { token });
    const create = await api.gql(`mutation { createPost(input: { title: "ghost" }) { post { id } } }`, {}, { token });
    expect(create.status).toBe(401);
    expect(await Post.count()).toBe(0);
  });
});
