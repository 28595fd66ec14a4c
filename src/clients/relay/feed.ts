import { graphql } from 'relay-runtime';

// relay-compiler writes an artifact for each of these; in an app, babel-plugin-relay (or the framework's
// Relay option) puts the artifact in place of each graphql tag.

/** A post as a card shows it; refetchable alone, by its id, through the root `node` field. */
export const PostCard = graphql`
  fragment PostCard_post on Post @refetchable(queryName: "PostCardRefetchQuery") {
    title
    version
    author {
      name
    }
  }
`;

/** The newest posts, a page at a time: Relay's connection handler adds each page to the list. */
export const Feed = graphql`
  fragment Feed_query on Query
  @refetchable(queryName: "FeedPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    posts(first: $count, after: $cursor) @connection(key: "Feed_posts") {
      edges {
        node {
          id
          ...PostCard_post
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const FeedQuery = graphql`
  query FeedQuery {
    ...Feed_query
  }
`;
