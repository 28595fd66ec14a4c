import { Post } from '../db/models/post';
import type { UserRow } from '../db/models/user';
import { DEFAULT_LIMITS } from '../limits';
import { aSignedInUser, aUser } from '../test/factories';
import { useServer } from '../test/server';
import { dataSnapshot } from '../test/snapshot';
import { postId, userId } from '../test/ids';

const api = useServer();
const strict = useServer({ limits: { maxResponseBytes: 250_000, maxPostContentLength: 10 } });

const LONGEST = DEFAULT_LIMITS.maxPostContentLength;
/** About 100,000 characters of text, different for every post. */
const longContent = (i: number) => `post ${i} `.padEnd(LONGEST, ' lorem ipsum dolor sit amet');

/** `count` published posts of the longest content, written directly (the factories' path, in one statement). */
async function longPostsBy(author: UserRow, count: number): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => ({
    title: `long ${i}`,
    content: longContent(i),
    published: true,
    authorId: author.id,
    createdAt: new Date(now - i * 1000),
    updatedAt: new Date(now - i * 1000),
  }));
  await Post.bulkCreate(rows);
}

const WORST = (authorId: string, first = 50) =>
  `{ posts(first: ${first}, where: { authorId: { equals: "${authorId}" } }) { nodes { content author { posts(first: 100) { nodes { content } } } } } }`;

describe('the size of an answer', () => {
  let author: UserRow;
  beforeEach(async () => {
    author = await aUser();
    await longPostsBy(author, 100);
  });

  it(`refuses one past ${DEFAULT_LIMITS.maxResponseBytes} bytes with RESPONSE_TOO_LARGE and data null (400)`, async () => {
    for (const first of [50, 100]) {
      const res = await api.gql(WORST(userId(author), first));
      expect({ status: res.status, data: res.data }).toEqual({ status: 400, data: null });
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions).toEqual({ code: 'RESPONSE_TOO_LARGE', limit: DEFAULT_LIMITS.maxResponseBytes });
    }
  });

  // No timed assertion (speed is the benchmark's business): /healthz must be answered while the refusals are in
  // flight, which a server building half-gigabyte answers on its one thread could not do.
  it('refuses several at once, none with a 5xx, while /healthz is still answered', async () => {
    let healthy = 0;
    let running = true;
    const health = (async () => {
      while (running) {
        const res = await fetch(new URL('/healthz', api.url));
        if (res.status === 200) healthy += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.gql(WORST(userId(author), 100))));
    const healthyWhileRefusing = healthy;
    running = false;
    await health;
    expect(answers.map((res) => [res.status, res.errors?.[0]?.extensions.code])).toEqual(Array(6).fill([400, 'RESPONSE_TOO_LARGE']));
    expect(healthyWhileRefusing).toBeGreaterThan(0);
  });

  it('serves a whole page of the longest posts, and a page of others', async () => {
    const page = await api.gql(`{ posts(first: 100, where: { authorId: { equals: "${userId(author)}" } }) { nodes { content } } }`);
    expect(page.errors).toBeUndefined();
    expect(page.data!.posts.nodes).toHaveLength(100);
    const titles = await api.gql(WORST(userId(author)).replace(/content/g, 'title'));
    expect(titles.errors).toBeUndefined();
  });

  it('counts a post read by id every time it is asked for', async () => {
    const [post] = await Post.findAll({ where: { authorId: author.id }, limit: 1, raw: true });
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: post(id: "${postId(post!)}") { content }`).join(' ')} }`;
    // One row read (the loader's batch), but two or three copies of its 100,000 characters in the answer.
    expect((await strict.gql(aliases(2))).errors).toBeUndefined();
    expect((await strict.gql(aliases(3))).errors![0]!.extensions.code).toBe('RESPONSE_TOO_LARGE');
  });

  it('follows the configured limit', async () => {
    const res = await strict.gql(`{ posts(first: 100) { nodes { title } } }`);
    expect(res.errors).toBeUndefined();
    const refused = await strict.gql(`{ posts(first: 3) { nodes { content } } }`);
    expect({ status: refused.status, data: refused.data, code: refused.errors?.[0]?.extensions.code }).toEqual({
      status: 400,
      data: null,
      code: 'RESPONSE_TOO_LARGE',
    });
  });
});

describe(`a post's content`, () => {
  const CREATE = `mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`;
  const CREATE_MANY = `mutation ($input: CreatePostsInput!) { createPosts(input: $input) { posts { id } } }`;
  const UPDATE = `mutation ($input: UpdatePostInput!) { updatePost(input: $input) { post { id } } }`;

  it(`is refused over ${LONGEST} characters with BAD_USER_INPUT naming it, in every mutation that writes it`, async () => {
    const { token } = await aSignedInUser();
    const id = (await api.gql(CREATE, { input: { title: 'fine', content: 'x'.repeat(LONGEST) } }, { token })).data!.createPost.post.id as string;
    const before = await dataSnapshot();
    const tooLong = 'x'.repeat(LONGEST + 1);
    const cases = [
      [CREATE, { input: { title: 'fine', content: tooLong } }, ['content']],
      [CREATE_MANY, { input: { posts: [{ title: 'fine' }, { title: 'fine', content: tooLong }] } }, ['posts', 1, 'content']],
      [UPDATE, { input: { id, content: tooLong } }, ['content']],
    ] as const;
    for (const [query, variables, path] of cases) {
      const res = await api.gql(query, variables, { token });
      expect({ code: res.errors?.[0]?.extensions.code, fields: res.errors?.[0]?.extensions.fields }).toEqual({
        code: 'BAD_USER_INPUT',
        fields: [{ path, message: `must be at most ${LONGEST} characters` }],
      });
    }
    expect(await dataSnapshot()).toEqual(before);
  });

  it('follows the configured limit', async () => {
    const { token } = await aSignedInUser();
    const res = await strict.gql(CREATE, { input: { title: 'fine', content: 'x'.repeat(11) } }, { token });
    expect(res.errors![0]!.extensions.fields).toEqual([{ path: ['content'], message: 'must be at most 10 characters' }]);
  });
});

describe('one statement of many pages', () => {
  const AUTHORS = 30;
  const POSTS_EACH = 20;
  // Bytes the server may grow by while answering: the refusal is a few hundred bytes, the statement's
  // result a few kilobytes; 60 MB of posts read into one string (and its parsed rows) would be several times this.
  const GROWTH_MB = 24;
  const NESTED = `{ users(first: ${AUTHORS}) { nodes { posts(first: ${POSTS_EACH}) { nodes { content } } } } }`;
  const BATCH = `{ posts(first: 100) { nodes { author { posts(first: ${POSTS_EACH}) { nodes { content } } } } } }`;

  beforeEach(async () => {
    for (let i = 0; i < AUTHORS; i += 1) await longPostsBy(await aUser(), POSTS_EACH);
  });

  /** The answer to `query`, and how much the server's memory (this process's) grew while it was given. */
  async function answerAndGrowth(query: string) {
    const before = process.memoryUsage();
    const res = await api.gql(query);
    const after = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    return { res, rssMb: mb(after.rss - before.rss), heapMb: mb(after.heapUsed + after.external - before.heapUsed - before.external) };
  }

  it.each([
    ['a page of authors with their pages of posts', NESTED],
    ['a batch of many authors’ pages of posts', BATCH],
  ])('refuses %s before the statement sends them, without the server growing', async (_name, query) => {
    // 30 × 20 posts of 100,000 characters: 60 MB, six times the answer limit, in one statement.
    const { res, rssMb, heapMb } = await answerAndGrowth(query);
    expect({ status: res.status, data: res.data, code: res.errors?.[0]?.extensions.code }).toEqual({ status: 400, data: null, code: 'RESPONSE_TOO_LARGE' });
    expect(rssMb).toBeLessThan(GROWTH_MB);
    expect(heapMb).toBeLessThan(GROWTH_MB);
  });

  it('still answers the same pages when they fit', async () => {
    const titles = await api.gql(NESTED.replace('content', 'title'));
    expect(titles.errors).toBeUndefined();
    expect(titles.data!.users.nodes.map((user: { posts: { nodes: unknown[] } }) => user.posts.nodes.length)).toEqual(Array(AUTHORS).fill(POSTS_EACH));
    const some = await api.gql(`{ users(first: 4) { nodes { posts(first: 20) { nodes { content } } } } }`);
    expect(some.errors).toBeUndefined();
    expect(some.data!.users.nodes.flatMap((user: { posts: { nodes: { content: string }[] } }) => user.posts.nodes.map((post) => post.content.length))).toEqual(
      Array(80).fill(LONGEST),
    );
  });
});
