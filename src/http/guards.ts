import type { RequestHandler } from 'express';
import { sendError } from './respond';

const METHODS = new Set(['GET', 'POST']);
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** GraphQL over HTTP is GET (queries) and POST; anything else is refused before the body is read. */
export const allowGraphQLMethods: RequestHandler = (req, res, next) => {
  if (METHODS.has(req.method)) return next();
  sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported: send operations by POST, or queries by GET`, {
    headers: { allow: 'GET, POST' },
  });
};

/**
 * Bodies are JSON in UTF-8 (as the GraphQL-over-HTTP spec says). The JSON parser would also decode
 * UTF-16 and UTF-32 and then fail on what it read with a misleading syntax error; say what is wrong.
 */
export const requireUtf8: RequestHandler = (req, res, next) => {
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
  sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `charset "${charset}" is not supported: send UTF-8`);
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
export const limitJsonNesting: RequestHandler = (req, res, next) => {
  if (!nestsDeeperThan(req.body, MAX_JSON_DEPTH)) return next();
  sendError(res, 400, 'BAD_REQUEST', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
};
