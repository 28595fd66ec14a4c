import express, { type Request } from 'express';
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
function prefersHtml(req: Request): boolean {
  return (
    req.method === 'GET' &&
    req.headers.accept !== undefined &&
    req.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) === 'text/html'
  );
}

/**
 * GraphiQL at GET /graphql for browsers, with every file it needs from this server; mount it before Apollo,
 * which would otherwise answer everything under /graphql.
 */
export function explorerRoutes(): express.Router {
  const router = express.Router();
  const assets = new Map(pageAssets.map((asset) => [asset.url, asset]));

  router.get('/graphql', (req, res, next) => {
    if (!prefersHtml(req)) return next();
    res.set({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      // The page names its assets by version and digest: ask again each time, so an upgrade shows at once.
      'cache-control': 'no-cache',
      vary: 'accept',
    });
    res.send(explorerPage);
  });

  router.get(/^\/graphql\/explorer\//, (req, res, next) => {
    const asset = assets.get(req.path);
    if (!asset) return next();
    const headers = { 'content-type': CONTENT_TYPES[asset.type], 'x-content-type-options': 'nosniff' };
    if (asset.file) {
      res.sendFile(asset.file, { maxAge: A_YEAR * 1000, immutable: true, headers }, (error) => {
        if (error) next(error);
      });
    } else {
      res.set({ ...headers, 'cache-control': `public, max-age=${A_YEAR}, immutable` }).send(asset.body);
    }
  });

  return router;
}
