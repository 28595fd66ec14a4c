import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Response as SseResponse } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/fastify';
import { clientKeyOf } from '../http/client';
import type { LiveServer, LiveSignIn } from '.';
import { formatResult, type Results } from './execute';

const json = (status: number, body: unknown): SseResponse => [
  JSON.stringify(body),
  { status, statusText: status === 401 ? 'Unauthorized' : 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } },
];

/**
 * The results of a stream as graphql-sse sends them: a subscription ended by the server (EVENTS_MISSED,
 * UNAUTHENTICATED, SLOW_CONSUMER) sends its error as a last `next`, then `complete`, since the SSE protocol
 * has no `error` event.
 */
function endingInErrors(results: Results): AsyncIterableIterator<ExecutionResult> {
  let done = false;
  const stream: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => stream,
    async next() {
      if (done) return { value: undefined, done: true };
      try {
        return await results.next();
      } catch (error) {
        done = true;
        const ending = error instanceof GraphQLError ? error : new GraphQLError('the subscription ended', { originalError: error as Error });
        return { value: { errors: [ending] }, done: false };
      }
    },
    return: () => results.return(),
  };
  return stream;
}

/**
 * GraphQL over Server-Sent Events (graphql-sse, distinct connections mode) at `path`: one subscription per
 * request, signed in by its Authorization header (401 JSON for a bad token), admitted as HTTP requests are.
 */
export function serveSse(app: FastifyInstance, live: LiveServer, path: string) {
  const signIns = new WeakMap<FastifyRequest, LiveSignIn>();
  const open = new Set<FastifyReply>();
  const handler = createHandler<undefined>({
    onSubscribe: async (req, params) => {
      const request = req.raw;
      const started = await live.subscribe(signIns.get(request)!, params);
      if (Array.isArray(started)) {
        const errors = started.map((error) => live.formatError(error.toJSON(), error));
        return json(errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ? 401 : 400, { errors });
      }
      // The client went away: the subscription ends now, not at its next event.
      req.context.reply.raw.once('close', () => void started.results.return());
      return endingInErrors(started.results);
    },
    onNext: (_ctx, _req, result) => formatResult(result as ExecutionResult, live.formatError) as ExecutionResult,
  });
  app.route({
    method: ['GET', 'POST'],
    url: path,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.headers.accept !== 'text/event-stream') {
        return reply
          .code(406)
          .send({ errors: [{ message: 'send Accept: text/event-stream (graphql-sse, distinct connections mode)', extensions: { code: 'BAD_REQUEST' } }] });
      }
      const client = clientKeyOf(request, live.limits.clientIpv6Prefix);
      if (!live.countConnection(client))
        return reply.code(429).send({ errors: [{ message: 'too many live connections from this client', extensions: { code: 'TOO_MANY_REQUESTS' } }] });
      reply.raw.once('close', () => live.uncountConnection(client));
      try {
        signIns.set(request, await live.signIn(request.headers.authorization, client));
      } catch (error) {
        return reply.code(401).send({ errors: [live.formatted(error)] });
      }
      live.metrics.connections.inc({ transport: 'sse' });
      open.add(reply);
      reply.raw.once('close', () => {
        open.delete(reply);
        live.metrics.connections.dec({ transport: 'sse' });
      });
      // graphql-sse writes the stream itself: Fastify must not answer again once it ends.
      reply.hijack();
      await handler(request, reply);
    },
  });
  return {
    /** Ends every stream: graphql-sse clients take a stream that ends without `complete` as a cue to reconnect. */
    close(): void {
      for (const reply of open) reply.raw.end();
    },
  };
}
