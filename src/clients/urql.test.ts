import { Client, fetchExchange, gql } from '@urql/core';
import { aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { postId } from '../test/ids';
import { useServer } from '../test/server';
import { graphcache } from './graphcache';
import { createUrqlClient } from './urql';

const api = useServer();

/** The methods of the requests the clients send, in order. */
let methods: string[];
beforeEach(() => {
  methods = [];
  const realFetch = globalThis.fetch;
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    methods.push(init?.method ?? 'GET');
    return realFetch(input, init);
  });
});
afterEach(() => jest.restoreAllMocks());

const PAGE = gql`
  query Page($first: Int!, $after: String) {
    posts(first: $first, after: $after, orderBy: [{ field: CREATED_AT, direction: ASC }]) {
      edges {
        cursor
        node {
          id
          title
          version
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
type Page = { posts: { edges: { node: { id: string; title: string; version: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };

describe("urql's default client", () => {
  it('sends queries by GET, anonymous or signed in, and mutations by POST, all answered', async () => {
    const { user, token } = await aSignedInUser({ name: 'Grace' });
    await aPublishedPost(user, { title: 'By GET' });
    const anonymous = createUrqlClient(api.url, () => null);
    const page = await anonymous.query<Page>(PAGE, { first: 5 }).toPromise();
    expect(page.error).toBeUndefined();
    expect(page.data!.posts.edges.map((edge) => edge.node.title)).toEqual(['By GET']);

    const signedIn = createUrqlClient(api.url, () => token);
    const viewer = await signedIn.query(gql('query Viewer { viewer { name } }'), {}).toPromise();
    expect({ error: viewer.error, data: viewer.data }).toMatchObject({ error: undefined, data: { viewer: { name: 'Grace' } } });
    const created = await signedIn
      .mutation(gql('mutation Create($input: CreatePostInput!) { createPost(input: $input) { post { title } } }'), { input: { title: 'By POST' } })
      .toPromise();
    expect({ error: created.error, data: created.data }).toMatchObject({ error: undefined, data: { createPost: { post: { title: 'By POST' } } } });
    expect(methods).toEqual(['GET', 'GET', 'POST']);
  });
});

describe("urql with graphcache's keys and relayPagination", () => {
  it('merges the pages of a list, updates a post from a mutation, and warns of no type without a key (no keys config needed)', async () => {
    const warnings = jest.spyOn(console, 'warn');
    const { user, token } = await aSignedInUser();
    const author = await aUser();
    const posts = [];
    for (let day = 1; day <= 5; day += 1)
      posts.push(await aPublishedPost(day === 3 ? user : author, { title: `Day ${day}`, createdAt: new Date(Date.UTC(2026, 0, day)) }));
    const client = new Client({
      url: api.url,
      exchanges: [graphcache, fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    });

    let page = await client.query<Page>(PAGE, { first: 2 }).toPromise();
    while (page.data!.posts.pageInfo.hasNextPage) {
      page = await client.query<Page>(PAGE, { first: 2, after: page.data!.posts.pageInfo.endCursor }).toPromise();
    }
    // relayPagination reads every page fetched so far as one list, whichever page was asked.
    expect(page.data!.posts.edges.map((edge) => edge.node.id)).toEqual(posts.map(postId));

    const renamed = await client
      .mutation(gql('mutation Rename($input: UpdatePostInput!) { updatePost(input: $input) { post { id title version } } }'), {
        input: { id: postId(posts[2]!), title: 'Renamed', expectedVersion: 0 },
      })
      .toPromise();
    expect(renamed.error).toBeUndefined();
    const cached = await client.query<Page>(PAGE, { first: 2 }, { requestPolicy: 'cache-only' }).toPromise();
    expect(cached.data!.posts.edges.map((edge) => edge.node.title)).toEqual(['Day 1', 'Day 2', 'Renamed', 'Day 4', 'Day 5']);
    expect(warnings).not.toHaveBeenCalled();
  });
});
