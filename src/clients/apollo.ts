import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, ServerError } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { relayStylePagination } from '@apollo/client/utilities';

/** Where the app keeps the token of signUp/logIn (localStorage, memory…). */
export interface TokenStore {
  get(): string | null;
  clear(): void;
}

export function createApolloClient(uri: string, tokens: TokenStore): ApolloClient {
  // A token the API does not accept (garbage, expired, revoked) fails the whole request with HTTP 401,
  // UNAUTHENTICATED: drop it, so the next requests go out signed out (and the app can ask to sign in again).
  // HttpLink keeps the HTTP response in the operation's context, whose status tells this refusal apart.
  const dropRefusedToken = new ErrorLink(({ error, operation }) => {
    const { response } = operation.getContext() as { response?: Response };
    if (response?.status === 401 || (ServerError.is(error) && error.statusCode === 401)) tokens.clear();
  });
  const withToken = new ApolloLink((operation, forward) => {
    const token = tokens.get();
    if (token) operation.setContext({ headers: { authorization: `Bearer ${token}` } });
    return forward(operation);
  });
  // Lists are Relay connections: one cache entry per list, told apart by its where and orderBy (not by
  // its cursors), and fetchMore's pages (after or before) merged into it.
  const list = relayStylePagination(['where', 'orderBy']);
  return new ApolloClient({
    link: ApolloLink.from([dropRefusedToken, withToken, new HttpLink({ uri })]),
    cache: new InMemoryCache({
      possibleTypes: { Node: ['User', 'Post'] },
      typePolicies: { Query: { fields: { posts: list, users: list } }, User: { fields: { posts: list } } },
    }),
  });
}
