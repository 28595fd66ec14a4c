import type { FastifyReply } from 'fastify';

/** The body of a refusal made before GraphQL runs, in the shape of a GraphQL response (`errors` with a code). */
export function errorBody(code: string, message: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/**
 * A refusal made before GraphQL runs, in the shape of a GraphQL response, so a client reads it as it reads
 * every other error: never an HTML page.
 */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: { headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): FastifyReply {
  return reply
    .code(status)
    .headers({ 'cache-control': 'no-store', ...extra.headers })
    .type('application/json; charset=utf-8')
    .send(errorBody(code, message, extra.extensions));
}
