import { setTimeout as sleep } from 'node:timers/promises';
import { aDraft, aPublishedPost, aSignedInUser } from '../test/factories';
import { quietDroppedConnectionWarnings, waitFor } from '../test/faults';
import { postId, userId } from '../test/ids';
import { testDb } from '../test/database';
import { useServer } from '../test/server';
import { activeSubscriptions, subscribe, wsClient, type Received, type Transport } from './test-clients';

const api = useServer();
// The rollback test fails a COMMIT on purpose; Sequelize tells the console each time.
quietDroppedConnectionWarnings();
let open: Received[] = [];

afterEach(async () => {
  open.forEach((s) => s.stop());
  open = [];
  await waitFor('the subscriptions to end', async () => (await activeSubscriptions(api.url)) === 0);
});

const POST = `id title published author { name email }`;
const PUBLISHED = `subscription ($where: PostWhere) { postPublished(where: $where) { ${POST} } }`;
const CHANGED = `subscription ($id: ID!) { postChanged(id: $id) { kind id post { ${POST} } } }`;
const MINE = `subscription { viewerPostsChanged { kind id post { title published } } }`;

/** Subscribes and waits until the server holds the subscription (so a write after it is heard by it). */
async function live(transport: Transport, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Received> {
  const before = await activeSubscriptions(api.url);
  const received = subscribe(transport, api.url, query, variables, token);
  open.push(received);
  await waitFor('the subscription to start', async () => received.errors.length > 0 || (await activeSubscriptions(api.url)) > before);
  return received;
}

const create = (token: string, title: string, published = true) =>
  api.gql(`mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`, { input: { title, published } }, { token });
const update = (token: string, id: string, input: Record<string, unknown>) =>
  api.gql(`mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { id } } }`, { input: { id, ...input } }, { token });

/** Gives events time to arrive (a bound for what must NOT arrive; what must is waited for). */
const settle = () => sleep(300);

describe.each<Transport>(['websocket', 'sse'])('live data over %s', (transport) => {
  it('postPublished: a post created published reaches every subscriber, with the email only its author sees', async () => {
    const author = await aSignedInUser({ name: 'Ada' });
    const stranger = await live(transport, PUBLISHED);
    const own = await live(transport, PUBLISHED, {}, author.token);
    const created = await create(author.token, 'Hello');
    expect(created.errors).toBeUndefined();
    await waitFor('both payloads', () => stranger.data.length === 1 && own.data.length === 1);
    expect(stranger.data[0]!.postPublished).toEqual({
      id: created.data!.createPost.post.id,
      title: 'Hello',
      published: true,
      author: { name: 'Ada', email: null },
    });
    expect(own.data[0]!.postPublished.author.email).toBe(author.user.email);
  });

  it('postPublished: a draft reaches no one until it is published; `where` narrows by author and title', async () => {
    const author = await aSignedInUser();
    const other = await aSignedInUser();
    const all = await live(transport, PUBLISHED);
    const byAuthor = await live(transport, PUBLISHED, { where: { authorId: { equals: userId(author.user) } } });
    const byTitle = await live(transport, PUBLISHED, { where: { title: { contains: 'cat', mode: 'INSENSITIVE' } } });
    const draft = await create(author.token, 'Draft about Cats', false);
    await settle();
    expect(all.data).toEqual([]);
    await update(author.token, draft.data!.createPost.post.id, { published: true });
    await create(other.token, 'Dogs');
    await waitFor('the two posts', () => all.data.length === 2);
    await settle();
    expect(all.data.map((d) => d.postPublished.title)).toEqual(['Draft about Cats', 'Dogs']);
    expect(byAuthor.data.map((d) => d.postPublished.title)).toEqual(['Draft about Cats']);
    expect(byTitle.data.map((d) => d.postPublished.title)).toEqual(['Draft about Cats']);
  });

  it('postChanged: readers learn of updates, unpublishing and deletion (post null) and restoring; each kind in commit order', async () => {
    const author = await aSignedInUser();
    const post = await aPublishedPost(author.user, { title: 'v0' });
    const id = postId(post);
    const reader = await live(transport, CHANGED, { id });
    const own = await live(transport, CHANGED, { id }, author.token);
    await update(author.token, id, { title: 'v1' });
    await update(author.token, id, { published: false });
    await update(author.token, id, { title: 'secret draft' });
    await update(author.token, id, { published: true });
    await api.gql(`mutation ($id: ID!) { deletePost(input: { id: $id }) { post { id } } }`, { id }, { token: author.token });
    await api.gql(`mutation ($id: ID!) { restorePost(input: { id: $id }) { post { id } } }`, { id }, { token: author.token });
    await waitFor('six changes for the author', () => own.data.length === 6);
    await settle();
    expect(own.data.map((d) => d.postChanged.kind)).toEqual(['UPDATED', 'UNPUBLISHED', 'UPDATED', 'PUBLISHED', 'DELETED', 'RESTORED']);
    // The reader never hears of the draft's change, and sees no post while it is not public.
    expect(reader.data.map((d) => [d.postChanged.kind, d.postChanged.post?.title ?? null])).toEqual([
      ['UPDATED', 'v1'],
      ['UNPUBLISHED', null],
      ['PUBLISHED', 'secret draft'],
      ['DELETED', null],
      ['RESTORED', 'secret draft'],
    ]);
    expect(reader.data.every((d) => d.postChanged.id === id && d.postChanged.post?.author.email == null)).toBe(true);
  });

  it('postChanged: readers of a published post learn it is gone when its author deletes the account', async () => {
    const author = await aSignedInUser();
    const post = await aPublishedPost(author.user, { title: 'soon gone' });
    const draft = await aDraft(author.user, { title: 'never seen' });
    const reader = await live(transport, CHANGED, { id: postId(post) });
    const draftReader = await live(transport, CHANGED, { id: postId(draft) });
    expect((await api.gql(`mutation { deleteViewer { user { id } } }`, {}, { token: author.token })).errors).toBeUndefined();
    await waitFor('the deletion', () => reader.data.length === 1);
    await settle();
    expect(reader.data).toEqual([{ postChanged: { kind: 'DELETED', id: postId(post), post: null } }]);
    expect(draftReader.data).toEqual([]);
  });

  it("postChanged: a draft's changes reach only its author", async () => {
    const author = await aSignedInUser();
    const draft = await aDraft(author.user);
    const stranger = await aSignedInUser();
    const theirs = await live(transport, CHANGED, { id: postId(draft) }, stranger.token);
    const own = await live(transport, CHANGED, { id: postId(draft) }, author.token);
    await update(author.token, postId(draft), { title: 'edited' });
    await waitFor('the author hears it', () => own.data.length === 1);
    await settle();
    expect(theirs.data).toEqual([]);
    expect(own.data[0]!.postChanged).toMatchObject({ kind: 'UPDATED', post: { title: 'edited', published: false } });
  });

  it('viewerPostsChanged: the author hears of their drafts; anonymous subscribers are refused', async () => {
    const author = await aSignedInUser();
    const other = await aSignedInUser();
    const mine = await live(transport, MINE, {}, author.token);
    await create(other.token, 'not mine', false);
    await create(author.token, 'my draft', false);
    await waitFor('the draft', () => mine.data.length === 1);
    expect(mine.data[0]!.viewerPostsChanged).toEqual({ kind: 'CREATED', id: expect.any(String), post: { title: 'my draft', published: false } });
    const anonymous = subscribe(transport, api.url, MINE);
    open.push(anonymous);
    await waitFor('the refusal', () => anonymous.errors.length > 0);
    expect(anonymous.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a write rolled back after it announced its change sends nothing', async () => {
    const author = await aSignedInUser();
    const all = await live(transport, PUBLISHED);
    // A deferred check fails the transaction at COMMIT, after the post was written and its change announced.
    await testDb().sequelize.query(`
      CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.title = 'boom' THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NEW; END $$;
      CREATE CONSTRAINT TRIGGER refuse_boom AFTER INSERT ON posts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_boom();`);
    try {
      const failed = await create(author.token, 'boom');
      expect(failed.errors).toBeDefined();
      await create(author.token, 'fine');
      await waitFor('the committed post', () => all.data.length === 1);
      await settle();
      expect(all.data.map((d) => d.postPublished.title)).toEqual(['fine']);
    } finally {
      await testDb().sequelize.query('DROP TRIGGER refuse_boom ON posts; DROP FUNCTION refuse_boom();');
    }
  });

  it('logOut ends the viewer’s subscriptions with UNAUTHENTICATED within seconds', async () => {
    const author = await aSignedInUser();
    const mine = await live(transport, MINE, {}, author.token);
    await api.gql(`mutation { logOut }`, {}, { token: author.token });
    await waitFor('the end', () => mine.errors.length > 0, 10_000);
    expect(mine.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('retries', () => {
  it('a mutation retried after a deadlock sends one event: the failed attempt announced nothing', async () => {
    const author = await aSignedInUser();
    const all = await live('websocket', PUBLISHED);
    // The first attempt fails at COMMIT as a deadlock would (a sequence counts attempts across rollbacks); the retry commits.
    await testDb().sequelize.query(`
      CREATE SEQUENCE attempts;
      CREATE FUNCTION deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF nextval('attempts') = 1 THEN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END IF; RETURN NEW; END $$;
      CREATE CONSTRAINT TRIGGER deadlock_once AFTER INSERT ON posts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION deadlock_once();`);
    try {
      const created = await create(author.token, 'retried');
      expect(created.errors).toBeUndefined();
      const [counted] = await testDb().sequelize.query<{ attempts: number }>(`SELECT last_value AS attempts FROM attempts`, { type: 'SELECT' as never });
      expect(counted?.attempts).toBe(2);
      await waitFor('the post', () => all.data.length === 1);
      await settle();
      expect(all.data.map((d) => d.postPublished.title)).toEqual(['retried']);
    } finally {
      await testDb().sequelize.query('DROP TRIGGER deadlock_once ON posts; DROP FUNCTION deadlock_once(); DROP SEQUENCE attempts;');
    }
  });
});

describe('transports', () => {
  it('a subscription sent as a plain POST gets a 400 naming both transports', async () => {
    const answer = await api.gql(PUBLISHED);
    expect(answer.status).toBe(400);
    expect(answer.errors![0]!.message).toMatch(/graphql-transport-ws[\s\S]*graphql-sse/);
  });

  it('a WebSocket with an invalid token is closed with 4403', async () => {
    const client = wsClient(api.url, 'not-a-valid-token');
    const received = subscribe('websocket', api.url, PUBLISHED, {}, undefined, client);
    await waitFor('the close', () => received.errors.length > 0);
    expect(received.errors[0]!.extensions?.code).toBe('CLOSED 4403');
    await client.dispose();
  });

  it('SSE with an invalid token gets a 401 JSON answer', async () => {
    const response = await fetch(`${api.url}/stream`, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ query: PUBLISHED }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('subscription documents pass the same limits as queries (depth)', async () => {
    const deep = `subscription { postPublished { author { posts { nodes { author { posts { nodes { author { posts { nodes { author { name } } } } } } } } } } } }`;
    const received = subscribe('websocket', api.url, deep);
    open.push(received);
    await waitFor('the refusal', () => received.errors.length > 0);
    expect(received.errors[0]!.extensions?.code).toBe('DEPTH_LIMIT_EXCEEDED');
  });

  it('a root @skip on an undefined variable is a validation error, not a crash (graphql-js 16 throws there)', async () => {
    const received = subscribe('websocket', api.url, 'subscription { postPublished @skip(if: $v) { id } }');
    open.push(received);
    await waitFor('the refusal', () => received.errors.length > 0);
    expect(received.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
