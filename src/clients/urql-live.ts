import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient } from 'graphql-ws';

/** urql.ts's client with subscriptions over a WebSocket at the same URL (ws:// or wss://). */
export function createLiveUrqlClient(url: string, getToken: () => string | null): Client {
  const authorization = (): Record<string, string> => {
    const token = getToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };
  // The token goes in connection_init, read each time the socket opens (it reopens by itself).
  const webSocket = createClient({ url: url.replace(/^http/, 'ws'), connectionParams: authorization });
  return new Client({
    url,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: webSocket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
    fetchOptions: () => ({ headers: authorization() }),
  });
}
