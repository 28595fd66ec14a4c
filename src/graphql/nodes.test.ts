import { Post } from '../db/models/post';
import type { UserRow } from '../db/models/user';
import { aDeletedPost, aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { postId, userId } from '../test/ids';
import { refusedBeforeRunning } from '../test/refusals';
import { statementsDuring, useServer } from '../test/server';

const api = useServer();

const NODE = `query ($id: ID!) { node(id: $id) { __typename id ... on Post { databaseId title deletedAt } ... on User { databaseId name email } } }`;
const NODES = `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Post { title } ... on User { name email } } }`;
const POST = `query ($id: ID!) { post(id: $id) { id } }`;
const USER = `query ($id: ID!) { user(id: $id) { id } }`;
const UPDATE = `mutation ($id: ID!) { updatePost(input: { id: $id, title: "changed" }) { post { id } } }`;
const DELETE = `mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id } } }`;
const RESTORE = `mutation ($id: ID!) { restorePost(input: { id: $id }) { post { id } } }`;
const POST_IDS = `query ($where: PostWhere) { posts(where: $where) { nodes { id } } }`;
const USER_IDS = `query ($where: UserWhere) { users(where: $where) { nodes { id } } }`;

const idsOf = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id);

describe('node and nodes (Relay global object identification)', () => {
  it('reads a post and a user by their global ids, with their row numbers as databaseId', async () => {
    const author = await aUser({ name: 'Ada' });
    const post = await aPublishedPost(author, { title: 'Hello' });
    expect((await api.gql(NODE, { id: postId(post) })).data!.node).toEqual({
      __typename: 'Post',
      id: postId(post),
      databaseId: post.id,
      title: 'Hello',
      deletedAt: null,
    });
    expect((await api.gql(NODE, { id: userId(author) })).data!.node).toEqual({
      __typename: 'User',
      id: userId(author),
      databaseId: author.id,
      name: 'Ada',
      email: null,
    });
  });

  it('reads many ids of both types in their order, with null for each that names nothing', async () => {
    const author = await aUser({ name: 'Ada' });
    const post = await aPublishedPost(author, { title: 'Hello' });
    const res = await api.gql(NODES, { ids: [userId(author), 'garbage', postId(post), String(post.id), userId(author)] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.nodes).toEqual([
      { __typename: 'User', id: userId(author), name: 'Ada', email: null },
      null,
      { __typename: 'Post', id: postId(post), title: 'Hello' },
      null,
      { __typename: 'User', id: userId(author), name: 'Ada', email: null },
    ]);
  });

  it("applies the visibility rules of post and user: a stranger's draft and deleted post are null, the author sees them, emails only to their owner", async () => {
    const author = await aSignedInUser({ email: 'ada@example.com' });
    const stranger = await aSignedInUser();
    const draft = await aDraft(author.user);
    const deleted = await aDeletedPost(author.user);
    const ids = [postId(draft), postId(deleted), userId(author.user)];
    for (const token of [stranger.token, undefined]) {
      expect((await api.gql(NODE, { id: postId(draft) }, { token })).data!.node).toBeNull();
      expect((await api.gql(NODE, { id: postId(deleted) }, { token })).data!.node).toBeNull();
      expect((await api.gql(NODES, { ids }, { token })).data!.nodes).toEqual([null, null, expect.objectContaining({ email: null })]);
    }
    const own = await api.gql(NODES, { ids }, { token: author.token });
    expect(own.data!.nodes).toEqual([
      expect.objectContaining({ id: postId(draft) }),
      expect.objectContaining({ id: postId(deleted) }),
      expect.objectContaining({ email: 'ada@example.com' }),
    ]);
    expect((await api.gql(NODE, { id: postId(deleted) }, { token: author.token })).data!.node.deletedAt).toEqual(expect.any(String));
  });

  it('treats an id of the wrong type, a bare row number or garbage as naming nothing: null in queries, NOT_FOUND in mutations, no match in filters', async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user);
    // A user's id with the post's row number: it would find the post if the type were ignored.
    const wrong = [userId({ id: post.id }), String(post.id), 'garbage', postId({ id: 2 ** 40 })];
    for (const id of wrong) {
      expect((await api.gql(POST, { id }, { token })).data).toEqual({ post: null });
      for (const mutation of [UPDATE, DELETE, RESTORE]) {
        expect((await api.gql(mutation, { id }, { token })).errors?.[0]?.extensions.code).toBe('NOT_FOUND');
      }
      expect(idsOf((await api.gql(POST_IDS, { where: { id: { equals: id } } }, { token })).data!.posts)).toEqual([]);
      expect(idsOf((await api.gql(POST_IDS, { where: { id: { in: [id] } } }, { token })).data!.posts)).toEqual([]);
    }
    expect((await api.gql(NODES, { ids: wrong.slice(1) }, { token })).data).toEqual({ nodes: [null, null, null] });
    expect((await api.gql(NODE, { id: String(post.id) }, { token })).data).toEqual({ node: null });
    expect((await api.gql(USER, { id: postId({ id: user.id }) })).data).toEqual({ user: null });
    expect((await api.gql(USER, { id: String(user.id) })).data).toEqual({ user: null });
    expect(idsOf((await api.gql(POST_IDS, { where: { authorId: { equals: postId({ id: user.id }) } } })).data!.posts)).toEqual([]);
    expect(idsOf((await api.gql(POST_IDS, { where: { authorId: { in: [String(user.id)] } } })).data!.posts)).toEqual([]);
    expect(idsOf((await api.gql(USER_IDS, { where: { id: { equals: String(user.id) } } })).data!.users)).toEqual([]);
    expect((await Post.findByPk(post.id))!.title).toBe(post.title); // no mutation wrote anything
  });

  it('gives every object one id, the same in post, user, node, lists, filters and mutation payloads', async () => {
    const { user, token } = await aSignedInUser();
    const created = await api.gql(`mutation { createPost(input: { title: "Hi", published: true }) { post { id author { id } } } }`, {}, { token });
    const { id, author } = created.data!.createPost.post as { id: string; author: { id: string } };
    expect([id, author.id]).toEqual([postId(await Post.findOne({ rejectOnEmpty: true })), userId(user)]);
    expect((await api.gql(POST, { id })).data!.post.id).toBe(id);
    expect((await api.gql(NODE, { id })).data!.node.id).toBe(id);
    expect((await api.gql(USER, { id: author.id })).data!.user.id).toBe(author.id);
    expect((await api.gql(`{ viewer { id } }`, {}, { token })).data!.viewer.id).toBe(author.id);
    expect(idsOf((await api.gql(POST_IDS, { where: { id: { equals: id }, authorId: { in: [author.id] } } })).data!.posts)).toEqual([id]);
    expect(idsOf((await api.gql(USER_IDS, { where: { id: { equals: author.id } } })).data!.users)).toEqual([author.id]);
    expect((await api.gql(UPDATE, { id }, { token })).data!.updatePost.post.id).toBe(id);
    expect((await api.gql(DELETE, { id }, { token })).data!.deletePost.post.id).toBe(id);
    expect((await api.gql(RESTORE, { id }, { token })).data!.restorePost.post.id).toBe(id);
  });

  it('finds objects by the row numbers ids used to be, through databaseId filters', async () => {
    const ada = await aUser();
    const bob = await aUser();
    const post = await aPublishedPost(ada);
    await aPublishedPost(bob);
    expect(idsOf((await api.gql(POST_IDS, { where: { databaseId: { equals: post.id } } })).data!.posts)).toEqual([postId(post)]);
    expect(idsOf((await api.gql(USER_IDS, { where: { databaseId: { in: [bob.id, ada.id, 999_999] } } })).data!.users)).toEqual([userId(ada), userId(bob)]);
  });

  it('refuses more than 100 ids with BAD_USER_INPUT naming ids, and reads nothing', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => postId({ id: i + 1 }));
    let res!: Awaited<ReturnType<typeof api.gql>>;
    const sql = await statementsDuring(async () => {
      res = await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: ['ids'], message: 'must hold at most 100 ids' }] });
    expect(sql).toEqual([]);
    expect((await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids.slice(0, 100) })).errors).toBeUndefined();
  });

  it('reads 50 ids with one statement per type, whatever their number', async () => {
    const authors: UserRow[] = [];
    for (let i = 0; i < 25; i += 1) authors.push(await aUser());
    const posts = await Post.bulkCreate(authors.map((author) => ({ title: 'p', published: true, authorId: author.id })));
    const ids = [...authors.map(userId), ...posts.map(postId)];
    const count = async (query: string, variables: Record<string, unknown>) => {
      let nodes: unknown[] = [];
      const sql = await statementsDuring(async () => {
        nodes = (await api.gql(query, variables)).data!.nodes;
      });
      expect(nodes.every((node) => node !== null)).toBe(true);
      return sql.length;
    };
    expect(await count(NODES, { ids })).toBe(2);
    expect(await count(NODES, { ids: posts.map(postId).slice(0, 1) })).toBe(1);
    expect(await count(NODES, { ids: posts.map(postId).concat(posts.map(postId)) })).toBe(1);
    // the posts' authors, asked through the Node fragments, are one more batch
    expect(await count(`query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Post { author { name } } } }`, { ids: posts.map(postId) })).toBe(2);
  });
});

describe('the cost of nodes', () => {
  const strict = useServer({ limits: { maxCost: 250 } });
  const QUERY = `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on User { posts(first: 10) { nodes { title } } } } }`;

  it('is priced once per id given, like a page of that size', async () => {
    // nodes: 1 + 30 × (posts 1 + 10 × nodes 1) = 331
    const error = await refusedBeforeRunning(strict, QUERY, { ids: Array.from({ length: 30 }, (_, i) => userId({ id: i + 1 })) });
    expect(error.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: 331 });
    const literal = `{ nodes(ids: [${Array.from({ length: 30 }, (_, i) => `"${userId({ id: i + 1 })}"`).join(', ')}]) { ... on User { posts(first: 10) { nodes { title } } } } }`;
    expect((await refusedBeforeRunning(strict, literal)).extensions).toMatchObject({ cost: 331 });
    // 20 ids: 1 + 20 × 11 = 221, within 250
    const res = await strict.gql(QUERY, { ids: Array.from({ length: 20 }, (_, i) => userId({ id: i + 1 })) });
    expect(res.errors).toBeUndefined();
  });
});
