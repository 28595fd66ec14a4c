import { graphql } from 'relay-runtime';

// The documents the tests of live.ts use: a post published by a mutation reaches a subscription.

export const PublishedSubscription = graphql`
  subscription PublishedSubscription {
    postPublished {
      id
      title
      author {
        email
      }
    }
  }
`;

export const PublishedMutation = graphql`
  mutation PublishedMutation($title: NonEmptyString!) {
    createPost(input: { title: $title, published: true }) {
      post {
        id
      }
    }
  }
`;
