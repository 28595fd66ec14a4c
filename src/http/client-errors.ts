import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './respond';

/** Node's parser errors, as a client sees them. */
function refusalOf(code: string | undefined): { status: number; code: string; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not sent in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'the request line and headers are too large (at most 16 KB)' };
    default:
      // HPE_UNEXPECTED_CONTENT_LENGTH (Content-Length with Transfer-Encoding), bad chunks, bad methods...
      return { status: 400, code: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' };
  }
}

/**
 * Fastify's `clientErrorHandler` (the server's 'clientError' event): a request Node's own parser refused,
 * or a slow client cut by its timeouts, is answered in the GraphQL JSON shape, like every other refusal,
 * then the connection is closed (what follows on it cannot be trusted to be framed right).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: only when no answer has begun on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const refusal = refusalOf(error.code);
    const body = errorBody(refusal.code, refusal.message);
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
