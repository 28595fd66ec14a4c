import fs from 'node:fs';
import accepts from 'accepts';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { type Asset } from './assets';
import { CONTENT_SECURITY_POLICY, explorerPage, pageAssets } from './page';

const CONTENT_TYPES: Record<Asset['type'], string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
};
const A_YEAR = 365 * 24 * 3600;

/**
 * Apollo's rule for its landing page: a GET whose Accept header prefers HTML to every GraphQL answer type.
 * Anything else (Accept: application/json, a missing Accept, queries over GET) stays Apollo's.
 */
export function prefersHtml(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    request.headers.accept !== undefined &&
    accepts(request.raw).type(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) === 'text/html'
  );
}

/** GraphiQL, for a browser's GET /graphql (the GraphQL route asks prefersHtml first). */
export function sendExplorerPage(reply: FastifyReply): FastifyReply {
  return reply
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // The page names its assets by version and digest: ask again each time, so an upgrade shows at once.
      'cache-control': 'no-cache',
      vary: 'accept',
    })
    .send(explorerPage);
}

/** Every file the explorer page needs, from this server, under /graphql/explorer/; nothing else of the packages. */
export const explorerAssets: FastifyPluginCallback = (app, _options, done) => {
  const assets = new Map(pageAssets.map((asset) => [asset.url, asset]));
  app.get('/graphql/explorer/*', (request, reply) => {
    const asset = assets.get(request.url.split('?', 1)[0]!);
    if (!asset) return reply.callNotFound();
    return reply
      .headers({
        'content-type': CONTENT_TYPES[asset.type],
        'x-content-type-options': 'nosniff',
        // Versioned or digested URLs: a new file gets a new URL.
        'cache-control': `public, max-age=${A_YEAR}, immutable`,
      })
      .send(asset.file ? fs.createReadStream(asset.file) : asset.body);
  });
  done();
};
