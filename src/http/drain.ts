import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** How often, during a drain, connections whose last answer is done are closed. */
const REAP_EVERY_MS = 100;

/**
 * Stops taking connections and lets the answers in flight finish, every byte of them, within `graceMs`;
 * then cuts whatever is left. Requests that arrive during the drain on connections already open are
 * answered with `Connection: close` (Fastify's closing state), and a connection is closed as soon as it
 * has no answer in flight, not at its keep-alive timeout.
 */
export async function drain(app: FastifyInstance, server: Server, graceMs: number): Promise<void> {
  const closed = app.close(); // resolves once every connection has ended (the server's close callback)
  server.closeIdleConnections();
  const reaper = setInterval(() => server.closeIdleConnections(), REAP_EVERY_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(reaper);
    clearTimeout(deadline);
  }
}
