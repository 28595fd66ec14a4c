import { ApolloClient, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { aDraft, aPublishedPost, aSignedInUser, aUser } from '../test/factories';
import { postId } from '../test/ids';
import { useServer } from '../test/server';
import { createApolloClient, type TokenStore } from './apollo';

const api = useServer();

/** A token store in memory that remembers whether the client dropped its token. */
function memoryTokens(token: string | null): TokenStore & { token: string | null } {
  return {
    token,
    get() {
      return this.token;
    },
    clear() {
      this.token = null;
    },
  };
}

const PAGE = gql`
  query Page($first: Int, $after: String, $last: Int, $before: String, $where: PostWhere) {
    posts(first: $first, after: $after, last: $last, before: $before, where: $where, orderBy: [{ field: CREATED_AT, direction: ASC }]) {
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
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;
type Page = {
  posts: {
    edges: { cursor: string; node: { id: string; title: string; version: number } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
};

/** Seven published posts in a known order, and a draft of someone else that nobody else may see. */
async function somePosts(): Promise<string[]> {
  const author = await aUser();
  const posts = [];
  for (let day = 1; day <= 7; day += 1) posts.push(await aPublishedPost(author, { title: `Day ${day}`, createdAt: new Date(Date.UTC(2026, 0, day)) }));
  await aDraft(await aUser(), { title: 'Not for you', createdAt: new Date(Date.UTC(2026, 0, 4, 12)) });
  return posts.map(postId);
}

const titlesOf = (page: Page) => page.posts.edges.map((edge) => edge.node.title);

describe('Apollo Client with relayStylePagination', () => {
  it('merges forward fetchMore pages into one list holding every visible post exactly once', async () => {
    const ids = await somePosts();
    const client = createApolloClient(api.url, memoryTokens(null));
    const variables = { first: 3, where: { published: true } };
    const list = client.watchQuery<Page>({ query: PAGE, variables });
    const subscription = list.subscribe(() => {});
    let { data } = await list.refetch();
    let pages = 1;
    while (data!.posts.pageInfo.hasNextPage) {
      await list.fetchMore({ variables: { after: data!.posts.pageInfo.endCursor } });
      data = client.readQuery<Page>({ query: PAGE, variables })!;
      pages += 1;
    }
    subscription.unsubscribe();
    expect(pages).toBe(3);
    expect(data!.posts.edges.map((edge) => edge.node.id)).toEqual(ids);
  });

  it('merges backward fetchMore pages (last, before) in front, every visible post exactly once', async () => {
    const ids = await somePosts();
    const client = createApolloClient(api.url, memoryTokens(null));
    const variables = { last: 3 };
    const list = client.watchQuery<Page>({ query: PAGE, variables });
    const subscription = list.subscribe(() => {});
    let { data } = await list.refetch();
    expect(titlesOf(data!)).toEqual(['Day 5', 'Day 6', 'Day 7']);
    while (data!.posts.pageInfo.hasPreviousPage) {
      await list.fetchMore({ variables: { before: data!.posts.pageInfo.startCursor } });
      data = client.readQuery<Page>({ query: PAGE, variables })!;
    }
    subscription.unsubscribe();
    expect(data!.posts.edges.map((edge) => edge.node.id)).toEqual(ids);
    expect(new Set(data!.posts.edges.map((edge) => edge.cursor)).size).toBe(7);
  });

  it('keeps lists of another where apart: one cache entry per where and orderBy, whatever the cursors', async () => {
    await somePosts();
    const client = createApolloClient(api.url, memoryTokens(null));
    await client.query<Page>({ query: PAGE, variables: { first: 10, where: { published: true } } });
    await client.query<Page>({ query: PAGE, variables: { first: 10, where: { title: { equals: 'Day 2' } } } });
    expect(titlesOf(client.readQuery<Page>({ query: PAGE, variables: { first: 10, where: { published: true } } })!)).toHaveLength(7);
    expect(titlesOf(client.readQuery<Page>({ query: PAGE, variables: { first: 10, where: { title: { equals: 'Day 2' } } } })!)).toEqual(['Day 2']);
  });

  it("updates the normalized post, and so every list showing it, from a mutation's payload", async () => {
    const { user, token } = await aSignedInUser();
    const post = await aPublishedPost(user, { title: 'Before' });
    const client = createApolloClient(api.url, memoryTokens(token));
    const variables = { first: 10 };
    await client.query<Page>({ query: PAGE, variables });
    const { data } = await client.mutate<{ updatePost: { post: { id: string; title: string; version: number } } }>({
      mutation: gql`
        mutation Rename($input: UpdatePostInput!) {
          updatePost(input: $input) {
            post {
              id
              title
              version
            }
          }
        }
      `,
      variables: { input: { id: postId(post), title: 'After', expectedVersion: 0 } },
    });
    expect(data!.updatePost.post).toEqual({ __typename: 'Post', id: postId(post), title: 'After', version: 1 });
    expect((client.cache.extract() as Record<string, object>)[`Post:${postId(post)}`]).toMatchObject({ title: 'After', version: 1 });
    expect(titlesOf(client.readQuery<Page>({ query: PAGE, variables })!)).toEqual(['After']);
  });
});

describe("Apollo Client's useGETForQueries", () => {
  it('sends queries by GET with no extra header, and they are answered', async () => {
    await aPublishedPost(await aUser(), { title: 'By GET' });
    const methods: string[] = [];
    const client = new ApolloClient({
      link: new HttpLink({
        uri: api.url,
        useGETForQueries: true,
        fetch: (input, init) => {
          methods.push(init?.method ?? 'GET');
          return fetch(input, init);
        },
      }),
      cache: new InMemoryCache(),
    });
    const { data } = await client.query<Page>({ query: PAGE, variables: { first: 1 } });
    expect(titlesOf(data!)).toEqual(['By GET']);
    expect(methods).toEqual(['GET']);
  });
});

describe("Apollo Client's error link", () => {
  it('sees the 401 UNAUTHENTICATED of a token the API refuses, drops the token, and the next request goes signed out', async () => {
    const tokens = memoryTokens('no-such-token');
    const client = createApolloClient(api.url, tokens);
    const VIEWER = gql`
      query Viewer {
        viewer {
          id
        }
      }
    `;
    const refused = await client.query({ query: VIEWER, errorPolicy: 'none' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(CombinedGraphQLErrors.is(refused) && refused.errors.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(tokens.token).toBeNull();
    expect((await client.query({ query: VIEWER, fetchPolicy: 'network-only' })).data).toEqual({ viewer: null });
  });
});
