import type { onRequestHookHandler } from 'fastify';
import { REQUEST_ID_HEADER } from '../observe/request-id';

/**
 * Headers on every answer: the request's id, and `nosniff`, so a browser never reads a JSON answer as a
 * script or a page. Nothing names the software (Express's `X-Powered-By` went with Express). helmet's other
 * headers are for HTML pages (the explorer sets its own policy) or belong to the TLS front (HSTS).
 */
export const answerHeaders: onRequestHookHandler = (request, reply, done) => {
  reply.headers({ [REQUEST_ID_HEADER]: request.id, 'x-content-type-options': 'nosniff' });
  done();
};
