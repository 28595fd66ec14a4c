import type { onRequestHookHandler, preValidationHookHandler } from 'fastify';
import { sendError } from './respond';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** GraphQL over HTTP is GET (queries) and POST; anything else is refused before the body is read. */
export const refuseMethod: onRequestHookHandler = (request, reply, done) => {
  sendError(reply, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not supported: send operations by POST, or queries by GET`, {
    headers: { allow: 'GET, POST' },
  });
  done();
};

/** The content types an HTML form, or a cross-site fetch without a preflight, can send. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
/** Headers no cross-site page can set without a preflight, which the server answers only for allowed origins. */
export const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * CSRF prevention for POST (Apollo's rule, applied here to POST only, before the body is read): a POST that a
 * page of any site could send without a preflight (a form's content type, or none) is refused unless it carries
 * a preflight header. A GET is not held to it: it runs no mutation and carries no credentials (tokens are
 * bearer headers, which need a preflight), so urql's and Apollo Client's GET queries need no extra header.
 */
export const refuseCrossSitePost: onRequestHookHandler = (request, reply, done) => {
  const contentType = request.headers['content-type']?.split(';', 1)[0]!.trim().toLowerCase();
  const simple = contentType === undefined || contentType === '' || SIMPLE_CONTENT_TYPES.includes(contentType);
  if (request.method === 'POST' && simple && !PREFLIGHT_HEADERS.some((name) => request.headers[name])) {
    sendError(
      reply,
      400,
      'BAD_REQUEST',
      'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send it as application/json, ' +
        `or with a non-empty ${PREFLIGHT_HEADERS.join(' or ')} header`,
    );
  }
  done();
};

/**
 * Bodies are JSON in UTF-8 (as the GraphQL-over-HTTP spec says); a body in UTF-16 or UTF-32 would fail
 * with a misleading syntax error: say what is wrong, before the body is read.
 */
export const requireUtf8: onRequestHookHandler = (request, reply, done) => {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `charset "${charset}" is not supported: send UTF-8`);
  }
  done();
};

/** Deeper than any input of the schema needs (a filter nests 5 levels of AND/OR/NOT, two JSON levels each). */
export const MAX_JSON_DEPTH = 32;

/** How deep a parsed JSON value nests, counted without recursion and stopping once past `max`. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Refuses a body nesting deeper than MAX_JSON_DEPTH: GraphQL coerces variables recursively, and a
 * 100 KB body can nest ten thousand levels, enough to overflow the stack.
 */
export const limitJsonNesting: preValidationHookHandler = (request, reply, done) => {
  if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) sendError(reply, 400, 'BAD_REQUEST', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  done();
};
