import { gql } from '@apollo/client';
import { gql as urqlGql } from '@urql/core';
import { commitMutation, requestSubscription, type GraphQLTaggedNode } from 'relay-runtime';
import WebSocket from 'ws';
import { activeSubscriptions } from '../live/test-clients';
import { aSignedInUser } from '../test/factories';
import { waitFor } from '../test/faults';
import { useServer } from '../test/server';
import { createLiveApolloClient } from './apollo-live';
import { artifact, compileRelayDocuments } from './relay/artifacts';
import { createLiveRelayEnvironment } from './relay/live';
import { createLiveUrqlClient } from './urql-live';

const api = useServer();

// Browsers have a WebSocket of their own, which graphql-ws uses; Node 20 has none, so the tests lend it ws's.
beforeAll(() => Object.assign(globalThis, { WebSocket: (globalThis as { WebSocket?: unknown }).WebSocket ?? WebSocket }));

const PUBLISHED = `subscription { postPublished { id title author { email } } }`;
const CREATE = `mutation ($title: NonEmptyString!) { createPost(input: { title: $title, published: true }) { post { id } } }`;
type Published = { postPublished: { id: string; title: string; author: { email: string | null } } };

/** What a subscription of a live client received, and how to end it. */
interface Following {
  received: Published[];
  errors: unknown[];
  stop(): void;
}

/**
 * The author subscribes to posts being published through the client, then publishes one through the same
 * client (over HTTP): the subscription receives it, with the author's own email, which only a signed-in author
 * sees (the token went in connection_init).
 */
async function publishedReachesSubscriber(subscribe: () => Following, publish: (title: string) => Promise<unknown>, email: string | null): Promise<void> {
  const following = subscribe();
  try {
    await waitFor('the subscription', async () => following.errors.length > 0 || (await activeSubscriptions(api.url)) === 1);
    expect(following.errors).toEqual([]);
    await publish('Live from the client');
    await waitFor('the post', () => following.received.length > 0 || following.errors.length > 0);
    expect(following.errors).toEqual([]);
    // toMatchObject: Apollo adds the __typename of each object to the selection.
    expect(following.received).toHaveLength(1);
    expect(following.received[0]).toMatchObject({ postPublished: { title: 'Live from the client', author: { email } } });
  } finally {
    following.stop();
    await waitFor('the end of the subscription', async () => (await activeSubscriptions(api.url)) === 0);
  }
}

describe("the README's live client setups, against the server", () => {
  it('Apollo Client: a subscription over graphql-ws receives the post its mutation published', async () => {
    const { user, token } = await aSignedInUser();
    const client = createLiveApolloClient(api.url, { get: () => token, clear: () => undefined });
    await publishedReachesSubscriber(
      () => {
        const following: Following = { received: [], errors: [], stop: () => undefined };
        const subscription = client.subscribe<Published>({ query: gql(PUBLISHED) }).subscribe({
          next: ({ data, error }) => (error ? following.errors.push(error) : following.received.push(data as Published)),
          error: (error: unknown) => following.errors.push(error),
        });
        following.stop = () => subscription.unsubscribe();
        return following;
      },
      async (title) => expect((await client.mutate({ mutation: gql(CREATE), variables: { title } })).error).toBeUndefined(),
      user.email,
    );
    client.stop();
  });

  it('urql: a subscription over graphql-ws receives the post its mutation published', async () => {
    const { user, token } = await aSignedInUser();
    const client = createLiveUrqlClient(api.url, () => token);
    await publishedReachesSubscriber(
      () => {
        const following: Following = { received: [], errors: [], stop: () => undefined };
        const subscription = client.subscription<Published>(urqlGql(PUBLISHED), {}).subscribe((result) => {
          if (result.error) following.errors.push(result.error);
          else if (result.data) following.received.push(result.data);
        });
        following.stop = () => subscription.unsubscribe();
        return following;
      },
      async (title) => expect((await client.mutation(urqlGql(CREATE), { title }).toPromise()).error).toBeUndefined(),
      user.email,
    );
  });

  it('Relay: a subscription over graphql-ws receives the post its mutation published', async () => {
    await compileRelayDocuments();
    const { user, token } = await aSignedInUser();
    const environment = createLiveRelayEnvironment(api.url, () => token);
    await publishedReachesSubscriber(
      () => {
        const following: Following = { received: [], errors: [], stop: () => undefined };
        const subscription = requestSubscription(environment, {
          subscription: artifact<GraphQLTaggedNode>('PublishedSubscription'),
          variables: {},
          onNext: (data) => following.received.push(data as Published),
          onError: (error) => following.errors.push(error),
        });
        following.stop = () => subscription.dispose();
        return following;
      },
      (title) =>
        new Promise((resolve, reject) =>
          commitMutation(environment, {
            mutation: artifact<GraphQLTaggedNode>('PublishedMutation'),
            variables: { title },
            onCompleted: resolve,
            onError: reject,
          }),
        ),
      user.email,
    );
  }, 60_000);
});
