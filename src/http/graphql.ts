import { Readable } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { FastifyReply, FastifyRequest } from 'fastify';

function headerMap(request: FastifyRequest): HeaderMap {
  const map = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) map.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/**
 * Hands a request to Apollo and its answer back to Fastify. Written here rather than taken from
 * `@as-integrations/fastify`, which builds a URL from the Host header and so answers a malformed Host
 * (`Host: a b`) with a 500; the query string is all Apollo needs of the URL. `answered` gets the request's
 * context once Apollo has written the whole answer and is done with it.
 */
export function apolloHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  context: (request: FastifyRequest) => Promise<Context>,
  answered: (context: Context) => void = () => {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    const query = request.url.indexOf('?');
    let built: Context | undefined;
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: request.method,
        headers: headerMap(request),
        search: query < 0 ? '' : request.url.slice(query),
        body: request.body,
      },
      context: () => context(request).then((made) => (built = made)),
    });
    // A streamed answer (incremental delivery) is still being executed while it is sent.
    if (built && answer.body.kind === 'complete') answered(built);
    for (const [name, value] of answer.headers) reply.header(name, value);
    reply.code(answer.status ?? 200);
    return reply.send(answer.body.kind === 'complete' ? answer.body.string : Readable.from(answer.body.asyncIterator));
  };
}
