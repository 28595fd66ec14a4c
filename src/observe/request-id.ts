import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

/** Fastify's `genReqId`: every request's `request.id`. */
export const requestIdOf = (req: IncomingMessage): string => requestIdFor(req.headers[REQUEST_ID_HEADER]);
