import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

/**
 * urql's normalized cache for this API: use it in place of urql's cacheExchange,
 * exchanges: [graphcache, fetchExchange]. No `keys` are needed: users and posts are keyed by their
 * global `id` (graphcache's default), and types named *Connection, *Edge and PageInfo, which have none,
 * live inside what holds them. relayPagination merges the pages of a list (after or before a cursor)
 * into one, per where and orderBy.
 */
export const graphcache = cacheExchange({
  resolvers: {
    Query: { users: relayPagination(), posts: relayPagination() },
    User: { posts: relayPagination() },
  },
});
