import { OperationTypeNode } from 'graphql';
import type { RequestHooks } from '../graphql/request-hooks';

/** The default of HTTP_GET_CACHE_MAX_AGE_SECONDS. */
export const DEFAULT_GET_CACHE_MAX_AGE_SECONDS = 10;

/**
 * Cache-Control of every GraphQL answer. An anonymous query sent by GET that succeeded is the same for
 * everyone who sends it, so a CDN or the browser may keep it `maxAgeSeconds` (0: `no-cache`, ask again each
 * time); `Vary` keeps a signed-in answer or another origin's CORS headers from being served from it.
 * Everything else (signed in, POST, a mutation, an error) is `no-store`: tokens and emails stay out of caches.
 * Set once per answer rather than through Apollo's cache hints (no type sets any).
 */
export function cacheControlHooks(maxAgeSeconds: number): RequestHooks {
  const shared = maxAgeSeconds > 0 ? `public, max-age=${maxAgeSeconds}` : 'no-cache';
  return {
    willSendResponse({ request, response, operation }) {
      const { headers } = response.http;
      const cacheable =
        request.http?.method === 'GET' &&
        !request.http.headers.get('authorization') &&
        operation?.operation === OperationTypeNode.QUERY &&
        response.body.kind === 'single' &&
        !response.body.singleResult.errors &&
        (response.http.status ?? 200) === 200;
      headers.set('cache-control', cacheable ? shared : 'no-store');
      if (request.http?.method === 'GET') headers.set('vary', 'Authorization, Origin');
    },
  };
}
