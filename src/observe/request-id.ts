import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A request id a proxy or client may pass on: a short token of URL-safe and base64 characters (UUIDs,
 * hex ids, trace ids like `Root=1-5f84-...`). Anything else (long, spaces, control characters that could
 * forge log lines) is replaced by a fresh id.
 */
const SANE_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** The id to use for a request: the caller's when sane, otherwise a new UUID. */
export function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** Gives every request an id (`res.locals.requestId`) and returns it in the `x-request-id` header. */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const id = requestIdFor(req.headers[REQUEST_ID_HEADER]);
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
};
