import { ApolloClient, ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { createApolloClient, type TokenStore } from './apollo';

/** The client of apollo.ts, with subscriptions over a WebSocket at the same URL (ws:// or wss://). */
export function createLiveApolloClient(uri: string, tokens: TokenStore): ApolloClient {
  const client = createApolloClient(uri, tokens);
  const webSocket = createClient({
    url: uri.replace(/^http/, 'ws'),
    // Read when the socket opens (it reopens by itself): the token goes in connection_init, not in a header.
    connectionParams: () => {
      const token = tokens.get();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  const subscriptions = new GraphQLWsLink(webSocket);
  client.setLink(ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, subscriptions, client.link));
  return client;
}
