import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendError } from '../http/respond';
import { globalId } from '../ids';
import { expireToken, revokeToken, startSession } from '../services/auth';
import type { LoadedFixtures } from './load';
import type { Resetter } from './snapshot';

/** Where the test mode's own routes live; they are registered in test mode only (src/testkit/mode.ts). */
export const TESTKIT_PATH = '/testkit';

const MAX_TTL_SECONDS = 7 * 24 * 3600;

type Body = Record<string, unknown> | undefined;
const bodyOf = (body: unknown): Body => (body && typeof body === 'object' ? (body as Body) : undefined);

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, 400, 'BAD_REQUEST', message);
}

/**
 * The test mode's routes: reset to the fixtures, the fixtures' ids, tokens for fixture users by key, and
 * tokens made to expire or revoked (so tests reach the API's UNAUTHENTICATED paths).
 */
export function testkitRoutes(fixtures: LoadedFixtures, resetter: Resetter, tokenTtlSeconds: number): FastifyPluginAsync {
  return async (app) => {
    app.post(`${TESTKIT_PATH}/reset`, async (_request, reply) => {
      const ms = await resetter.reset();
      return reply.header('cache-control', 'no-store').send({ reset: true, ms: Math.round(ms * 100) / 100 });
    });

    app.get(`${TESTKIT_PATH}/fixtures`, async (_request, reply) => {
      const users = Object.fromEntries(
        [...fixtures.users].map(([key, user]) => [key, { id: globalId('User', user.id), databaseId: user.id, email: user.email }]),
      );
      const posts = Object.fromEntries([...fixtures.posts].map(([key, id]) => [key, { id: globalId('Post', id), databaseId: id }]));
      return reply.header('cache-control', 'no-store').send({ users, posts });
    });

    app.post(`${TESTKIT_PATH}/tokens`, async (request, reply) => {
      const body = bodyOf(request.body);
      const key = body?.user;
      if (typeof key !== 'string') return badRequest(reply, 'send {"user": "<fixture key>"} as JSON, optionally with "expiresInSeconds"');
      const user = fixtures.users.get(key);
      if (!user)
        return sendError(
          reply,
          404,
          'NOT_FOUND',
          `no fixture user "${key.slice(0, 64)}"; the users are: ${[...fixtures.users.keys()].slice(0, 20).join(', ')}`,
        );
      const ttl = body?.expiresInSeconds ?? tokenTtlSeconds;
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
        return badRequest(reply, `expiresInSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}`);
      }
      const { token } = await startSession(user.id, ttl);
      return reply.header('cache-control', 'no-store').send({ token, user: { key, id: globalId('User', user.id), databaseId: user.id } });
    });

    for (const [action, change] of [
      ['expire', expireToken],
      ['revoke', revokeToken],
    ] as const) {
      app.post(`${TESTKIT_PATH}/tokens/${action}`, async (request, reply) => {
        const token = bodyOf(request.body)?.token;
        if (typeof token !== 'string') return badRequest(reply, 'send {"token": "<token>"} as JSON');
        if (!(await change(token))) return sendError(reply, 404, 'NOT_FOUND', 'no session has this token (revoked already, or from before a reset)');
        return reply.header('cache-control', 'no-store').send({ [action === 'expire' ? 'expired' : 'revoked']: true });
      });
    }
  };
}
