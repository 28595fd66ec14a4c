import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import type { Sequelize } from 'sequelize';
import { pendingMigrations } from './db/migrator';

/** How long /readyz waits for the database before it answers "not ready". */
export const READY_TIMEOUT_MS = 1000;

class NoAnswer extends Error {}

/** `work`'s result, or a NoAnswer rejection after `ms`; a late failure of `work` is then dropped, not left unhandled. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Why the server should not get traffic now, or null when it can serve. */
async function notReadyBecause(sequelize: Sequelize, timeoutMs: number): Promise<object | null> {
  try {
    // The pending check is itself the database round trip: it answers only when a connection can be had.
    const pending = await within(timeoutMs, pendingMigrations(sequelize));
    return pending.length ? { reason: 'migrations are pending', pending } : null;
  } catch (error) {
    return { reason: error instanceof NoAnswer ? `the database did not answer within ${timeoutMs} ms` : 'the database is unreachable' };
  }
}

function send(reply: FastifyReply, status: number, body: object): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

/**
 * GET /healthz: the process is up and serving HTTP (a liveness probe; it does not touch the database, so a
 * database outage does not get the process restarted). GET /readyz: the database answers within
 * READY_TIMEOUT_MS and every migration is applied (a readiness probe: 503 until then).
 */
export function healthRoutes(sequelize: Sequelize, readyTimeoutMs = READY_TIMEOUT_MS): FastifyPluginCallback {
  return (app, _options, done) => {
    app.get('/healthz', (_request, reply) => send(reply, 200, { status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const problem = await notReadyBecause(sequelize, readyTimeoutMs);
      return send(reply, problem ? 503 : 200, problem ? { status: 'not ready', ...problem } : { status: 'ready' });
    });
    done();
  };
}
