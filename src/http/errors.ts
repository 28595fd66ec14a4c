import { randomUUID } from 'node:crypto';
import type { Application, ErrorRequestHandler, RequestHandler } from 'express';
import { logger } from '../logger';
import { sendError } from './respond';

/** What body-parser's errors (http-errors, with a `type`) and Express's say to a client. */
const REFUSALS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'the request body must be a JSON object: {"query": "...", "variables": {...}}' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this content encoding or charset is not supported' },
};

interface HttpError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/** Client errors keep their status with a JSON body; anything else is masked, with a correlation id also logged. */
const jsonErrors: ErrorRequestHandler = (error: HttpError, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = error.status ?? error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const refusal = REFUSALS[status] ?? { code: 'BAD_REQUEST', message: error.expose ? String(error.message) : 'bad request' };
    // An unsupported charset or encoding is named by the parser's own message ("unsupported charset "LATIN1"").
    const message = status === 415 && error.expose ? String(error.message) : refusal.message;
    return sendError(res, status, refusal.code, message);
  }
  const correlationId = randomUUID();
  logger.error({ err: error, correlationId }, 'unexpected error in the HTTP layer');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', { extensions: { correlationId } });
};

const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `nothing at ${req.path}: the API answers at /graphql`);
};

/** Mounted after every route: unknown paths and every error the HTTP layer meets answer in JSON. */
export function answerErrorsInJson(app: Application): void {
  app.use(notFound);
  app.use(jsonErrors);
}
