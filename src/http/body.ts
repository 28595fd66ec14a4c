import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance, preParsingHookHandler } from 'fastify';

/** Documented in the README: larger request bodies (after decoding their Content-Encoding) are refused. */
export const BODY_LIMIT_BYTES = 100 * 1024;

const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** Thrown for an encoding no decoder reads; the error handler answers 415. */
export class UnsupportedEncoding extends Error {
  readonly statusCode = 415;
}

/**
 * Decodes a gzip, deflate or br body as it arrives. Fastify applies the body limit to what it reads from
 * here, the decoded bytes (a decompression bomb is cut at the limit), and checks Content-Length against
 * `receivedEncodedLength`, the bytes that came over the wire.
 */
export const decodeBody: preParsingHookHandler = (request, reply, payload, done) => {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return done(null, payload);
  const decoder = DECODERS[encoding];
  if (!decoder) return done(new UnsupportedEncoding(`unsupported content encoding "${encoding}"`));
  const decoded = Object.assign(decoder(), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength += chunk.length));
  // Once Fastify has refused the body (over the limit) it stops listening: a late zlib error must not go unhandled.
  decoded.on('error', () => undefined);
  payload.pipe(decoded);
  // Once the answer is sent, the rest of the body is not worth inflating.
  reply.raw.once('finish', () => {
    payload.unpipe(decoded);
    decoded.destroy();
  });
  done(null, decoded);
};

/**
 * JSON bodies (Fastify's own parser); any other body is read within the limit and left out, so Apollo sees
 * none (what an HTML form could send is refused before, by refuseCrossSitePost in guards.ts).
 */
export function parseBodies(app: FastifyInstance): void {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
}
