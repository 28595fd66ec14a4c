import { Client, cacheExchange, fetchExchange } from '@urql/core';

export function createUrqlClient(url: string, getToken: () => string | null): Client {
  return new Client({
    url,
    // urql's defaults: a document cache, and queries sent by GET while their URL stays short enough
    // (preferGetMethod: 'within-url-limit'), mutations by POST. The API takes both as they are.
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: () => {
      const token = getToken();
      return token ? { headers: { authorization: `Bearer ${token}` } } : {};
    },
  });
}
