import fc from 'fast-check';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { startSession } from '../services/auth';
import { resetTables } from '../test/database';
import { matchesSearch, searchText, type SearchQuery } from '../test/search-oracle';
import { useServer } from '../test/server';

// Random posts and random search-box texts; the posts the server finds must be those the TypeScript
// evaluator (src/test/search-oracle.ts) finds, among the posts the viewer may see and the filter keeps.
const api = useServer();

// English words that text search keeps apart from case: none is a stop word, no two share a stem.
const word = fc.constantFrom('apple', 'River', 'stone', 'CLOUD', 'tiger', 'piano');
const separator = fc.constantFrom(' ', ', ', '. ');
const sentence = (maxLength: number) =>
  fc.array(fc.tuple(word, separator), { minLength: 1, maxLength }).map((parts) =>
    parts
      .map(([w, s]) => w + s)
      .join('')
      .trim(),
  );

const dataSet = fc.record({
  posts: fc.array(fc.record({ author: fc.nat(1), title: sentence(3), content: fc.option(sentence(5)), published: fc.boolean(), deleted: fc.boolean() }), {
    maxLength: 15,
  }),
  viewer: fc.option(fc.nat(1)),
});
const term = fc.record({ negated: fc.boolean(), words: fc.array(word, { minLength: 1, maxLength: 3 }) });
const query: fc.Arbitrary<SearchQuery> = fc.array(fc.array(term, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 });

const SEARCH = `query ($search: String, $where: PostWhere) {
  posts(search: $search, where: $where, orderBy: [{ field: ID }], first: 100) { totalCount nodes { databaseId } }
}`;
const BY_RELEVANCE = `query ($search: String, $first: Int, $after: String) {
  posts(search: $search, orderBy: [{ field: RELEVANCE }], first: $first, after: $after) {
    nodes { databaseId } pageInfo { hasNextPage endCursor }
  }
}`;
type RelevancePage = { nodes: { databaseId: number }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** The posts of a search by relevance, all at once and page by page (2 a page), which must agree. */
async function byRelevance(search: string, token: string | undefined): Promise<number[]> {
  const read = async (first: number, after: string | null) => {
    const { data, errors } = await api.gql(BY_RELEVANCE, { search, first, after }, { token });
    expect(errors).toBeUndefined();
    return data!.posts as RelevancePage;
  };
  const ids = (page: RelevancePage) => page.nodes.map((n) => n.databaseId);
  const all = ids(await read(100, null));
  const walked: number[] = [];
  for (let after: string | null = null, more = true; more;) {
    const page = await read(2, after);
    walked.push(...ids(page));
    [after, more] = [page.pageInfo.endCursor, page.pageInfo.hasNextPage];
  }
  expect(walked).toEqual(all);
  return all;
}

describe('posts(search:)', () => {
  it('finds exactly the visible posts whose words match the search, combined with where; by relevance, page by page alike', async () => {
    await fc.assert(
      fc.asyncProperty(dataSet, fc.array(fc.tuple(query, fc.option(fc.boolean())), { minLength: 1, maxLength: 4 }), async (data, searches) => {
        await resetTables();
        const users = await User.bulkCreate([0, 1].map((i) => ({ email: `u${i}@example.com`, name: `u${i}`, passwordHash: 'x' })));
        const posts = await Post.bulkCreate(data.posts.map((p) => ({ ...p, authorId: users[p.author]!.id, deletedAt: p.deleted ? new Date() : null })));
        const viewer = data.viewer === null ? null : users[data.viewer]!;
        const token = viewer ? (await startSession(viewer.id, 3600)).token : undefined;
        for (const [search, published] of searches) {
          const expected = data.posts
            .map((p, i) => ({ ...p, id: posts[i]!.id }))
            .filter((p) => !p.deleted && (p.published || p.author === data.viewer) && (published === null || p.published === published))
            .filter((p) => matchesSearch(search, p.title, p.content))
            .map((p) => p.id);
          const where = published === null ? null : { published };
          const { data: answer, errors } = await api.gql(SEARCH, { search: searchText(search), where }, { token });
          expect(errors).toBeUndefined();
          expect(answer!.posts.nodes.map((n: { databaseId: number }) => n.databaseId)).toEqual(expected);
          expect(answer!.posts.totalCount).toBe(expected.length);
          if (published === null) expect((await byRelevance(searchText(search), token)).sort((a, b) => a - b)).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  });
});
