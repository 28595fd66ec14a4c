import { createClient, type Sink } from 'graphql-ws';
import { Environment, Network, Observable, RecordSource, Store, type FetchFunction, type GraphQLResponse, type SubscribeFunction } from 'relay-runtime';

/** environment.ts's Relay environment with subscriptions over a WebSocket at the same URL (ws:// or wss://). */
export function createLiveRelayEnvironment(url: string, getToken: () => string | null): Environment {
  const authorization = (): Record<string, string> => {
    const token = getToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };
  const fetchGraphQL: FetchFunction = async (request, variables) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authorization() },
      body: JSON.stringify({ query: request.text, operationName: request.name, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };
  // The token goes in connection_init, read each time the socket opens (it reopens by itself).
  const webSocket = createClient({ url: url.replace(/^http/, 'ws'), connectionParams: authorization });
  const subscribe: SubscribeFunction = (request, variables) =>
    Observable.create<GraphQLResponse>((sink) =>
      // Relay's sink takes graphql-ws's results as they are (their types differ on `data: null` only).
      webSocket.subscribe({ query: request.text!, operationName: request.name, variables }, sink as Sink),
    );
  return new Environment({ network: Network.create(fetchGraphQL, subscribe), store: new Store(new RecordSource()) });
}
