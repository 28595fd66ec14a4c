import { Post } from '../db/models/post';
import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { useServer, type GraphQLResponse } from '../test/server';
import { postId, userId } from '../test/ids';
import { blockedBackends, outsideClient } from '../test/faults';

const api = useServer();

const POST = `query ($id: ID!) { post(id: $id) { id title published deletedAt version author { id name } } }`;
const CREATE = `mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id title content published version author { id } } } }`;
const CREATE_MANY = `mutation ($input: CreatePostsInput!) { createPosts(input: $input) { posts { id title } } }`;
const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { id title published version } } }`;
const DELETE = `mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id deletedAt } } }`;
const RESTORE = `mutation ($id: ID!) { restorePost(input: { id: $id }) { post { id deletedAt } } }`;
const FEED = `query ($first: Int, $after: String) { posts(first: $first, after: $after) {
  totalCount nodes { id title } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

describe('post(id) and visibility', () => {
  it('shows a published post with its author to anyone', async () => {
    const author = await aUser({ name: 'Ada' });
    const post = await aPublishedPost(author);
    const res = await api.gql(POST, { id: postId(post) });
    expect(res.data!.post).toMatchObject({ id: postId(post), published: true, author: { name: 'Ada' } });
  });

  it("returns null for someone else's draft and soft-deleted post, as for a post that does not exist", async () => {
    const author = await aUser();
    const { token } = await aSignedInUser();
    const draft = await aDraft(author);
    const deleted = await aDeletedPost(author);
    for (const id of [postId(draft), postId(deleted), postId({ id: 999_999 })]) {
      expect((await api.gql(POST, { id }, { token })).data).toEqual({ post: null });
      expect((await api.gql(POST, { id })).data).toEqual({ post: null });
    }
    expect((await api.gql(POST, { id: 'not-an-id' })).data).toEqual({ post: null });
  });

  it('shows authors their own drafts and soft-deleted posts', async () => {
    const { user, token } = await aSignedInUser();
    const draft = await aDraft(user);
    const deleted = await aDeletedPost(user);
    expect((await api.gql(POST, { id: postId(draft) }, { token })).data!.post.published).toBe(false);
    expect((await api.gql(POST, { id: postId(deleted) }, { token })).data!.post.deletedAt).toEqual(expect.any(String));
  });

  it("lists only published posts, and the viewer's own drafts, newest first; totalCount counts the same set", async () => {
    const { user: me, token } = await aSignedInUser();
    const other = await aUser();
    const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
    await aPublishedPost(other, { title: 'old public', createdAt: t(1) });
    await aDraft(other, { title: 'their draft', createdAt: t(2) });
    await aDraft(me, { title: 'my draft', createdAt: t(3) });
    await aDeletedPost(me, { title: 'my deleted', createdAt: t(4) });
    await aPublishedPost(me, { title: 'new public', createdAt: t(5) });

    const anonymous = await api.gql(FEED, {});
    expect(anonymous.data!.posts.nodes.map((p: { title: string }) => p.title)).toEqual(['new public', 'old public']);
    expect(anonymous.data!.posts.totalCount).toBe(2);
    const mine = await api.gql(FEED, {}, { token });
    expect(mine.data!.posts.nodes.map((p: { title: string }) => p.title)).toEqual(['new public', 'my draft', 'old public']);
    expect(mine.data!.posts.totalCount).toBe(3);
  });
});

describe('posts(first, after)', () => {
  it('walks the whole list page by page with opaque cursors, visiting every post once', async () => {
    const author = await aUser();
    const created = [];
    for (let i = 0; i < 7; i += 1) created.push(await aPublishedPost(author, { createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 3)) }));
    const expected = [...created].sort((a, b) => +b.createdAt - +a.createdAt || b.id - a.id).map(postId);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GraphQLResponse = await api.gql(FEED, { first: 3, after });
      const { nodes, edges, pageInfo } = res.data!.posts;
      seen.push(...nodes.map((n: { id: string }) => n.id));
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
      pages += 1;
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
  });

  it('defaults to 20 and refuses first outside 0..100 with BAD_USER_INPUT', async () => {
    const author = await aUser();
    await Post.bulkCreate(Array.from({ length: 25 }, (_, i) => ({ title: `p${i}`, published: true, authorId: author.id })));
    expect((await api.gql(FEED, {})).data!.posts.nodes).toHaveLength(20);
    expect((await api.gql(FEED, { first: 0 })).data!.posts.pageInfo).toMatchObject({ hasNextPage: true, endCursor: null });
    for (const first of [-1, 101]) {
      const res = await api.gql(FEED, { first });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['first'] }] });
    }
  });

  it('refuses a forged or foreign cursor with BAD_USER_INPUT', async () => {
    const users = await api.gql(`{ users(first: 1) { pageInfo { endCursor } } }`);
    await aUser();
    const userCursor = (await api.gql(`{ users(first: 1) { pageInfo { endCursor } } }`)).data!.users.pageInfo.endCursor;
    expect(users.errors).toBeUndefined();
    const forged = Buffer.from(JSON.stringify(['newest', { $gt: 0 }, 1])).toString('base64url');
    for (const after of ['garbage', userCursor, forged, "' OR 1=1--"]) {
      const res = await api.gql(FEED, { after });
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['after'] }] });
    }
  });
});

describe('createPost', () => {
  it('creates a draft by default, authored by the viewer whatever the input says', async () => {
    const { user, token } = await aSignedInUser();
    const res = await api.gql(CREATE, { input: { title: 'Hello', content: 'World' } }, { token });
    expect(res.data!.createPost.post).toMatchObject({ title: 'Hello', published: false, version: 0, author: { id: userId(user) } });
  });

  it('refuses input fields a client may not set (id, authorId, version) as unknown fields', async () => {
    const { token } = await aSignedInUser();
    const res = await api.gql(CREATE, { input: { title: 'x', authorId: 1, version: 5 } }, { token });
    expect(res.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(await Post.count()).toBe(0);
  });

  it('needs a signed-in user', async () => {
    const res = await api.gql(CREATE, { input: { title: 'Hello' } });
    expect(res.errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(await Post.count()).toBe(0);
  });

  it('refuses an empty or over-long title with BAD_USER_INPUT on the title field', async () => {
    const { token } = await aSignedInUser();
    const empty = await api.gql(CREATE, { input: { title: '   ' } }, { token });
    expect(empty.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['title'] }] });
    const long = await api.gql(CREATE, { input: { title: 'x'.repeat(256) } }, { token });
    expect(long.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['title'] }] });
    const nul = await api.gql(CREATE, { input: { title: 'a\u0000b' } }, { token });
    expect(nul.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['title'] }] });
    expect(await Post.count()).toBe(0);
  });
});

describe('createPosts', () => {
  it('creates all the posts in one statement', async () => {
    const { token } = await aSignedInUser();
    const posts = Array.from({ length: 100 }, (_, i) => ({ title: `Post ${i}`, published: i % 2 === 0 }));
    const res = await api.gql(CREATE_MANY, { input: { posts } }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createPosts.posts).toHaveLength(100);
    expect(await Post.count({ where: { published: true } })).toBe(50);
  });

  it('writes none when one row is invalid, naming each bad row by its index', async () => {
    const { token } = await aSignedInUser();
    const posts = [{ title: 'fine' }, { title: 'x'.repeat(300) }, { title: 'fine too' }, { title: 'y'.repeat(256) }];
    const res = await api.gql(CREATE_MANY, { input: { posts } }, { token });
    expect(res.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions.fields!.map((f) => f.path)).toEqual([
      ['posts', 1, 'title'],
      ['posts', 3, 'title'],
    ]);
    expect(await Post.count()).toBe(0);
  });

  it('names the row of a bad value caught by the schema (an empty title)', async () => {
    const { token } = await aSignedInUser();
    const res = await api.gql(CREATE_MANY, { input: { posts: [{ title: 'ok' }, { title: '' }] } }, { token });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['posts', 1, 'title'] }] });
  });

  it('refuses more than 100 posts', async () => {
    const { token } = await aSignedInUser();
    const posts = Array.from({ length: 101 }, (_, i) => ({ title: `Post ${i}` }));
    const res = await api.gql(CREATE_MANY, { input: { posts } }, { token });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['posts'] }] });
    expect(await Post.count()).toBe(0);
  });
});

describe('updatePost', () => {
  it('changes the post and its version', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aDraft(user);
    const res = await api.gql(UPDATE, { input: { id: postId(post), title: 'New', published: true, expectedVersion: 0 } }, { token });
    expect(res.data!.updatePost.post).toMatchObject({ title: 'New', published: true, version: 1 });
  });

  it('gives CONFLICT when expectedVersion is stale, and changes nothing', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aDraft(user, { title: 'Original' });
    await api.gql(UPDATE, { input: { id: postId(post), title: 'First edit' } }, { token });
    const res = await api.gql(UPDATE, { input: { id: postId(post), title: 'Stale edit', expectedVersion: 0 } }, { token });
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    expect((await Post.findByPk(post.id))!.title).toBe('First edit');
  });

  it('tells the version a post is at in a CONFLICT, so the client can merge and send its change again without a refetch', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aDraft(user, { title: 'Original' });
    for (const title of ['One', 'Two', 'Three']) await api.gql(UPDATE, { input: { id: postId(post), title } }, { token });
    const stale = await api.gql(UPDATE, { input: { id: postId(post), content: 'mine', expectedVersion: 1 } }, { token });
    const currentVersion = stale.errors![0]!.extensions.currentVersion;
    expect(currentVersion).toBe(3);
    const merged = await api.gql(UPDATE, { input: { id: postId(post), content: 'mine', expectedVersion: currentVersion } }, { token });
    expect(merged.data!.updatePost.post).toMatchObject({ title: 'Three', version: 4 });
  });

  it('tells the current version too when the post changes between its read and its write', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aDraft(user, { title: 'Original' });
    const lockHolder = await outsideClient();
    try {
      await lockHolder.query('BEGIN');
      await lockHolder.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [post.id]);
      // The update reads version 0, then waits for the lock to write; meanwhile someone else writes version 1.
      const answer = api.gql(UPDATE, { input: { id: postId(post), title: 'Mine', expectedVersion: 0 } }, { token });
      const [backend] = await blockedBackends(lockHolder);
      expect(backend!.query).toMatch(/^UPDATE "posts"/);
      await lockHolder.query(`UPDATE posts SET version = version + 1, title = 'Theirs' WHERE id = $1`, [post.id]);
      await lockHolder.query('COMMIT');
      const res = await answer;
      expect(res.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    } finally {
      await lockHolder.end();
    }
    expect((await Post.findByPk(post.id))!.title).toBe('Theirs');
  });

  it("gives FORBIDDEN for someone else's published post and NOT_FOUND for their draft", async () => {
    const other = await aUser();
    const { token } = await aSignedInUser();
    const published = await aPublishedPost(other, { title: 'Theirs' });
    const draft = await aDraft(other);
    const forbidden = await api.gql(UPDATE, { input: { id: postId(published), title: 'Mine now' } }, { token });
    expect(forbidden.errors![0]!.extensions.code).toBe('FORBIDDEN');
    const hidden = await api.gql(UPDATE, { input: { id: postId(draft), title: 'Mine now' } }, { token });
    expect(hidden.errors![0]!.extensions.code).toBe('NOT_FOUND');
    expect((await Post.findByPk(published.id))!.title).toBe('Theirs');
  });
});

describe('deletePost and restorePost', () => {
  it('soft-deletes: the post leaves the lists, stays visible to its author, and comes back on restore', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user);
    const deleted = await api.gql(DELETE, { id: postId(post) }, { token });
    expect(deleted.data!.deletePost.post.deletedAt).toEqual(expect.any(String));
    expect(await Post.count({ paranoid: false })).toBe(1);
    expect((await api.gql(FEED, {})).data!.posts.totalCount).toBe(0);
    expect((await api.gql(POST, { id: postId(post) })).data!.post).toBeNull();
    const restored = await api.gql(RESTORE, { id: postId(post) }, { token });
    expect(restored.data!.restorePost.post.deletedAt).toBeNull();
    expect((await api.gql(POST, { id: postId(post) })).data!.post.id).toBe(postId(post));
  });

  it("refuses to delete someone else's post", async () => {
    const other = await aUser();
    const { token } = await aSignedInUser();
    const post = await aPublishedPost(other);
    expect((await api.gql(DELETE, { id: postId(post) }, { token })).errors![0]!.extensions.code).toBe('FORBIDDEN');
    expect((await api.gql(DELETE, { id: postId({ id: 424_242 }) }, { token })).errors![0]!.extensions.code).toBe('NOT_FOUND');
    expect(await Post.count()).toBe(1);
  });
});
