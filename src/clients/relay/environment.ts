import { Environment, Network, RecordSource, Store, type FetchFunction, type GraphQLResponse } from 'relay-runtime';

/**
 * Relay needs nothing special here: every object's `id` is unique across types (Relay's default record
 * key), `node(id:)` answers @refetchable queries, and lists are connections for @connection.
 */
export function createRelayEnvironment(url: string, getToken: () => string | null): Environment {
  const fetchGraphQL: FetchFunction = async (request, variables) => {
    const token = getToken();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query: request.text, operationName: request.name, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };
  return new Environment({ network: Network.create(fetchGraphQL), store: new Store(new RecordSource()) });
}
