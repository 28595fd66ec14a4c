/** A tab GraphiQL opens with (its `defaultTabs` prop); headers and variables are JSON text. */
export interface ExampleTab {
  query: string;
  variables?: string;
  headers?: string;
}

/**
 * Stands in the SignUp tab's address for a few random letters, drawn by the page each time it makes its
 * tabs (src/explorer/page.ts), so the example signs up a new account instead of one an earlier run took.
 */
export const FRESH = '{fresh}';

/** The header a signed-in request needs; shown in the headers editor of the tab that needs it. */
export const AUTHORIZATION_HINT = '{\n  "Authorization": "Bearer <token from signUp or logIn>"\n}';

// The first tab sends no headers: GraphiQL loads the schema with the headers of the tab it opens on, and a
// placeholder token would be refused (UNAUTHENTICATED) before the schema could load.
export const exampleTabs: ExampleTab[] = [
  {
    query: `# Users, each with their 3 newest published posts
# (one SQL statement for all the users' pages).
# Run: ▶ or Ctrl-Enter. More examples in the tabs.
query UsersWithPosts {
  users(first: 10) {
    totalCount
    nodes {
      id
      name
      posts(first: 3, where: { published: true }) {
        totalCount
        nodes { id title createdAt }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
  },
  {
    query: `# Published posts with $text in the title (any
# case), oldest first, 10 at a time. Next page:
# set "after" in Variables to pageInfo.endCursor.
query PostsPage($text: String!, $after: String) {
  posts(
    first: 10
    after: $after
    where: { published: true, title: { contains: $text, mode: INSENSITIVE } }
    orderBy: [{ field: CREATED_AT, direction: ASC }]
  ) {
    totalCount
    nodes { id title createdAt author { name } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: '{\n  "text": "ware",\n  "after": null\n}',
  },
  {
    query: `# 1. Sign up, as a new address each time the
#    explorer opens (see Variables); later, logIn
#    with that email and password gives a new token.
# 2. Put the token in the Headers of CreatePost:
#    {"Authorization": "Bearer <token>"}
mutation SignUp($email: EmailAddress!) {
  signUp(input: { email: $email, name: "Ada", password: "correct horse" }) {
    token
    user { id name email }
  }
}
`,
    variables: `{\n  "email": "ada.${FRESH}@example.com"\n}`,
  },
  {
    query: `# Needs a signed-in viewer: put the token from
# signUp or logIn in the Headers below.
mutation CreatePost {
  createPost(input: { title: "Hello", content: "First post", published: true }) {
    post { id title version author { name } }
  }
}
`,
    headers: AUTHORIZATION_HINT,
  },
  {
    query: `# Any post or user again by its id alone (ids are
# global: they name the type too). Paste an id from
# another tab's answer into Variables.
query Refetch($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Post { databaseId title version author { name } }
    ... on User { databaseId name posts(first: 3) { nodes { id title } } }
  }
}
`,
    variables: '{\n  "id": "an id from an answer"\n}',
  },
  {
    query: `# Live, over a WebSocket: each post as it is
# published, until you press ■. Run it here, then
# CreatePost in another browser window (here the
# run button stops this one). A token in Headers
# signs it in, as for queries.
subscription NewPosts {
  postPublished {
    id
    title
    author { name }
  }
}
`,
  },
];
