import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { logger } from '../logger';
import { refuseMethod } from './guards';
import { sendError } from './respond';

/** What Fastify's body errors (with a statusCode) say to a client. */
const REFUSALS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'the request body must be a JSON object: {"query": "...", "variables": {...}}' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this content encoding or charset is not supported' },
};

/** zlib's errors: the body is not what its Content-Encoding says (e.g. "gzip" that is not gzip). */
const isZlibError = (error: FastifyError) => typeof error.code === 'string' && error.code.startsWith('Z_');

/**
 * Unknown paths and every error the HTTP layer meets answer in JSON: client errors keep their status,
 * anything else is masked, with a correlation id also logged.
 */
export function answerErrorsInJson(app: FastifyInstance, graphqlPath: string): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    // Methods Fastify has no route for at all (e.g. TRACE) on the API's path.
    if (path === graphqlPath) return refuseMethod.call(app, request, reply, () => undefined);
    sendError(reply, 404, 'NOT_FOUND', `nothing at ${path}: the API answers at ${graphqlPath}`);
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = isZlibError(error) ? 400 : (error.statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const refusal = REFUSALS[status] ?? { code: 'BAD_REQUEST', message: 'bad request' };
      // An unsupported encoding is named by its own message ('unsupported content encoding "zstd"').
      return sendError(reply, status, refusal.code, status === 415 ? error.message : refusal.message);
    }
    const correlationId = randomUUID();
    logger.error({ err: error, correlationId }, 'unexpected error in the HTTP layer');
    return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', { extensions: { correlationId } });
  });
}
