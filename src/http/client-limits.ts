import type { FastifyReply, onRequestAsyncHookHandler } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limits } from '../limits';
import { clientKeyOf } from './client';
import { sendError } from './respond';

type ClientLimits = Pick<Limits, 'requestsPerClient' | 'requestWindowSeconds' | 'requestsInFlightPerClient' | 'clientIpv6Prefix'>;

function tooMany(reply: FastifyReply, retryAfterSeconds: number, message: string): FastifyReply {
  return sendError(reply, 429, 'TOO_MANY_REQUESTS', message, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    extensions: { retryAfterSeconds },
  });
}

/**
 * Hook of the GraphQL route: at most `requestsPerClient` requests per client key in each window, and at
 * most `requestsInFlightPerClient` being served at once (so one client's slow statements cannot hold the
 * whole database pool). Counted in this instance's memory: a counter in PostgreSQL would cost a statement
 * per request; behind N instances a client gets up to N times the numbers.
 */
export function limitClients(limits: ClientLimits): onRequestAsyncHookHandler {
  const requests = new RateLimiterMemory({ points: limits.requestsPerClient, duration: limits.requestWindowSeconds });
  const inFlight = new Map<string, number>();
  return async (request, reply) => {
    const key = clientKeyOf(request, limits.clientIpv6Prefix);
    try {
      await requests.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      return tooMany(reply, seconds, `more than ${limits.requestsPerClient} requests in ${limits.requestWindowSeconds} s from this client`);
    }
    const running = inFlight.get(key) ?? 0;
    if (running >= limits.requestsInFlightPerClient) {
      return tooMany(reply, 1, `more than ${limits.requestsInFlightPerClient} requests at once from this client`);
    }
    inFlight.set(key, running + 1);
    // 'close' comes once for every request, answered or cut off.
    reply.raw.once('close', () => {
      const left = inFlight.get(key)! - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    });
  };
}
