import { Post } from '../db/models/post';
import { Session } from '../db/models/session';
import { User } from '../db/models/user';
import { testDb } from '../test/database';
import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { useServer } from '../test/server';
import { postId, userId } from '../test/ids';

const api = useServer();

const USER = `query ($id: ID!) { user(id: $id) { id name email createdAt updatedAt } }`;
const UPDATE_VIEWER = `mutation ($input: UpdateViewerInput!) { updateViewer(input: $input) { user { id name email } } }`;
const DELETE_VIEWER = `mutation { deleteViewer { user { id email } } }`;

describe('user(id) and users', () => {
  it('shows the email only to the user themselves', async () => {
    const { user, token } = await aSignedInUser({ email: 'me@example.com' });
    const other = await aSignedInUser();
    expect((await api.gql(USER, { id: userId(user) }, { token })).data!.user.email).toBe('me@example.com');
    expect((await api.gql(USER, { id: userId(user) }, { token: other.token })).data!.user.email).toBeNull();
    const anonymous = await api.gql(USER, { id: userId(user) });
    expect(anonymous.data!.user).toMatchObject({ id: userId(user), email: null, createdAt: expect.any(String) });
  });

  it('returns null for a user that does not exist', async () => {
    expect((await api.gql(USER, { id: userId({ id: 12_345 }) })).data).toEqual({ user: null });
  });

  it('lists users by id ascending in pages, with totalCount', async () => {
    const users = [];
    for (let i = 0; i < 5; i += 1) users.push(await aUser());
    const first = await api.gql(`{ users(first: 2) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`);
    expect(first.data!.users.nodes.map((n: { id: string }) => n.id)).toEqual(users.slice(0, 2).map(userId));
    expect(first.data!.users.totalCount).toBe(5);
    const rest = await api.gql(`query ($after: String) { users(first: 10, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, {
      after: first.data!.users.pageInfo.endCursor,
    });
    expect(rest.data!.users.nodes.map((n: { id: string }) => n.id)).toEqual(users.slice(2).map(userId));
    expect(rest.data!.users.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it("pages through a user's posts the viewer may see", async () => {
    const { user: author, token } = await aSignedInUser();
    await aPublishedPost(author, { title: 'public' });
    await aDraft(author, { title: 'draft' });
    await aDeletedPost(author, { title: 'deleted' });
    const query = `query ($id: ID!) { user(id: $id) { posts(first: 10) { totalCount nodes { title } } } }`;
    const anonymous = await api.gql(query, { id: userId(author) });
    expect(anonymous.data!.user.posts).toEqual({ totalCount: 1, nodes: [{ title: 'public' }] });
    const own = await api.gql(query, { id: userId(author) }, { token });
    expect(own.data!.user.posts.totalCount).toBe(2);
    expect(own.data!.user.posts.nodes.map((n: { title: string }) => n.title).sort()).toEqual(['draft', 'public']);
  });
});

describe('User.posts', () => {
  it("gives each user their own newest page, and the cursor continues that user's list", async () => {
    const a = await aUser();
    const b = await aUser();
    const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
    for (const [author, name] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      for (let i = 1; i <= 3; i += 1) await aPublishedPost(author, { title: `${name}${i}`, createdAt: t(i) });
    }
    const page = `query ($after: String) { users { nodes { posts(first: 2, after: $after) { nodes { title } pageInfo { hasNextPage endCursor } } } } }`;
    type Page = { nodes: { title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    const res = await api.gql(page, {});
    const lists: Page[] = res.data!.users.nodes.map((u: { posts: Page }) => u.posts);
    expect(lists.map((l) => l.nodes.map((n) => n.title))).toEqual([
      ['a3', 'a2'],
      ['b3', 'b2'],
    ]);
    expect(lists.map((l) => l.pageInfo.hasNextPage)).toEqual([true, true]);
    const next = await api.gql(
      `query ($id: ID!, $after: String) { user(id: $id) { posts(first: 2, after: $after) { nodes { title } pageInfo { hasNextPage } } } }`,
      {
        id: userId(a),
        after: lists[0]!.pageInfo.endCursor,
      },
    );
    expect(next.data!.user.posts).toEqual({ nodes: [{ title: 'a1' }], pageInfo: { hasNextPage: false } });
  });
});

describe('updateViewer', () => {
  it('changes name and email; the payload shows the committed row', async () => {
    const { token } = await aSignedInUser();
    const res = await api.gql(UPDATE_VIEWER, { input: { name: 'New Name', email: 'new@example.com' } }, { token });
    expect(res.data!.updateViewer.user).toMatchObject({ name: 'New Name', email: 'new@example.com' });
    expect((await api.gql(`{ viewer { name } }`, {}, { token })).data!.viewer.name).toBe('New Name');
  });

  it('serves no stale row to later fields of the same document', async () => {
    const { user, token } = await aSignedInUser({ name: 'Before' });
    const post = await aPublishedPost(user);
    const res = await api.gql(
      `mutation ($id: ID!) {
        first: updatePost(input: { id: $id, title: "t" }) { post { author { name } } }
        rename: updateViewer(input: { name: "After" }) { user { name } }
        second: updatePost(input: { id: $id, title: "u" }) { post { author { name } } }
      }`,
      { id: postId(post) },
      { token },
    );
    expect(res.data).toEqual({
      first: { post: { author: { name: 'Before' } } },
      rename: { user: { name: 'After' } },
      second: { post: { author: { name: 'After' } } },
    });
  });

  it("gives CONFLICT for another user's email and BAD_USER_INPUT for a too long name", async () => {
    await aUser({ email: 'taken@example.com' });
    const { token } = await aSignedInUser({ email: 'me@example.com' });
    const taken = await api.gql(UPDATE_VIEWER, { input: { email: 'Taken@Example.com' } }, { token });
    expect(taken.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', fields: [{ path: ['email'] }] });
    const long = await api.gql(UPDATE_VIEWER, { input: { name: 'n'.repeat(101) } }, { token });
    expect(long.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['name'] }] });
    expect(await User.count({ where: { email: 'me@example.com' } })).toBe(1);
  });

  it('needs a signed-in user', async () => {
    expect((await api.gql(UPDATE_VIEWER, { input: { name: 'x' } })).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('deleteViewer', () => {
  it('removes the account, all its posts (soft-deleted too) and its sessions', async () => {
    const { user, token } = await aSignedInUser();
    const other = await aUser();
    await aPublishedPost(user);
    await aDeletedPost(user);
    await aPublishedPost(other);
    const res = await api.gql(DELETE_VIEWER, {}, { token });
    expect(res.data!.deleteViewer.user.id).toBe(userId(user));
    expect(await User.count()).toBe(1);
    expect(await Post.count({ paranoid: false })).toBe(1);
    expect(await Session.count()).toBe(0);
    expect((await api.gql(`{ viewer { id } }`, {}, { token })).status).toBe(401);
  });

  it('leaves everything in place when a failure strikes midway (after the posts are deleted)', async () => {
    const { user, token } = await aSignedInUser();
    await aPublishedPost(user);
    await aDraft(user);
    // Injected failure: deleting the user row fails after its posts were already deleted.
    await testDb().sequelize.query(`CREATE FUNCTION fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_user_delete BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION fail();`);
    try {
      const res = await api.gql(DELETE_VIEWER, {}, { token });
      expect(res.errors![0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(res.errors![0]!.message).toBe('Internal server error');
      expect(JSON.stringify(res.errors)).not.toMatch(/injected|sequelize|trigger|SQL|FROM/i);
    } finally {
      await testDb().sequelize.query('DROP TRIGGER fail_user_delete ON users; DROP FUNCTION fail();');
    }
    expect(await User.count()).toBe(1);
    expect(await Post.count({ paranoid: false })).toBe(2);
  });
});
