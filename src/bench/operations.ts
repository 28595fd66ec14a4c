/**
 * The operations the benchmark drives, and the SQL statements each may cost: at most one per level of
 * list nesting, never more as pages grow. A signed-in request costs no more: the viewer's session is read at
 * most once a second per token and instance (src/services/session-cache.ts), and found cached in between. statements.test.ts
 * holds the server to these budgets; `npm run bench` reports what they cost under load.
 */
export interface Operation {
  name: string;
  query: string;
  /** Sent with a bearer token. */
  signedIn: boolean;
  /** Statements per request, not counting BEGIN/COMMIT. */
  budget: number;
}

export const OPERATIONS = {
  typename: {
    name: '{ __typename }',
    query: `{ __typename }`,
    signedIn: false,
    budget: 0, // the fixed cost of a request: no statement
  },
  postById: {
    name: 'post(id) with author',
    query: `query PostById($id: ID!) { post(id: $id) { id title content createdAt author { id name } } }`,
    signedIn: false,
    budget: 1, // the post with its author
  },
  feed: {
    name: 'posts(first: 50) with author',
    query: `query Feed { posts(first: 50) { nodes { id title createdAt author { name } } } }`,
    signedIn: false,
    budget: 1, // the page with its authors
  },
  nested: {
    name: 'users(first: 50) > posts(first: 10)',
    query: `query Nested { users(first: 50) { nodes { name posts(first: 10) { totalCount nodes { title author { name } } } } } }`,
    signedIn: false,
    budget: 1, // the users with every user's page of posts and its count (the authors are the users already read)
  },
  search: {
    name: 'filtered, ordered posts(first: 20)',
    query: `query Search($text: String!) {
      posts(first: 20, where: { title: { contains: $text, mode: INSENSITIVE }, published: true },
            orderBy: [{ field: CREATED_AT, direction: DESC }]) { nodes { id title createdAt author { name } } } }`,
    signedIn: false,
    budget: 1, // the page with its authors
  },
  fullText: {
    name: 'posts(search:) by relevance, first 50, with author',
    query: `query FullText($text: String!) {
      posts(search: $text, first: 50, orderBy: [{ field: RELEVANCE }]) { nodes { id title author { name } } } }`,
    signedIn: false,
    budget: 1, // the page, ranked, with its authors
  },
  createPost: {
    name: 'createPost (signed in)',
    query: `mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { post { id title version } } }`,
    signedIn: true,
    budget: 2, // the INSERT and the change announced to live subscribers (pg_notify); the viewer's session is cached
  },
} satisfies Record<string, Operation>;

export type OperationKey = keyof typeof OPERATIONS;
