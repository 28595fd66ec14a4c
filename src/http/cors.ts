import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../logger';
import { type AllowedOrigins, isAllowedOrigin, isSameHost } from './origins';

/** What a browser asks a preflight for: the headers GraphQL clients send (Apollo Client, urql, Relay, fetch). */
export const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  // Apollo Client's `name`/`version` options, under their Apollo Server names and the shorter ones.
  'apollographql-client-name',
  'apollographql-client-version',
  'graphql-client-name',
  'graphql-client-version',
];
/** Headers of an answer a page's script may read besides the safelisted ones. */
export const EXPOSED_HEADERS = ['x-request-id', 'retry-after'];
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours, Firefox at 24). */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;
/** An Origin header longer than this is cut in the log line. */
const LOGGED_ORIGIN_LENGTH = 100;

/**
 * CORS for browser pages on other origins (@fastify/cors): an allowed origin gets its CORS headers and its
 * preflights answered 204; any other gets none, so the browser keeps the answer from the page (and does not
 * send a request that needed a preflight), and a warning is logged. The server's own pages need no CORS;
 * an OPTIONS that is no preflight is left to the route (405).
 */
export async function registerCors(app: FastifyInstance, allowed: AllowedOrigins, logger: Logger): Promise<void> {
  const originFor = (request: FastifyRequest): boolean | string => {
    const origin = request.headers.origin;
    if (origin === undefined || isSameHost(origin, request.headers.host)) return false;
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] === undefined) return false;
    if (!isAllowedOrigin(origin, allowed)) {
      logger.warn(
        { reqId: request.id, origin: origin.slice(0, LOGGED_ORIGIN_LENGTH), method: request.method, url: request.url.slice(0, LOGGED_ORIGIN_LENGTH) },
        'origin not allowed by CORS_ORIGINS',
      );
      return false;
    }
    // `*` is one answer for every origin (a cache can share it); a listed origin is echoed back.
    return allowed.any ? '*' : true;
  };
  await app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: (request, callback) =>
      callback(null, {
        origin: originFor(request),
        methods: ['GET', 'POST'],
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      }),
  });
}
