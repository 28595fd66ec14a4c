import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where the explorer's files are served; under /graphql, so a proxy that forwards the API forwards them too. */
export const ASSET_PREFIX = '/graphql/explorer';

/** A file the explorer page loads: from an installed package, or made here (`body`). */
export interface Asset {
  url: string;
  type: 'js' | 'css' | 'json';
  file?: string;
  body?: string;
}

/**
 * A file of an installed package. The version is in the URL, so the file can be cached for a year: an
 * upgrade changes the URL.
 */
export function packageAsset(name: string, file: string, type: Asset['type']): Asset {
  const manifest = require.resolve(`${name}/package.json`);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  const location = path.join(path.dirname(manifest), file);
  // At start, not at the first browser visit: e.g. React 19 has no UMD build.
  if (!fs.existsSync(location)) throw new Error(`the explorer needs ${name}/${file}, missing from ${name}@${version}`);
  return { url: `${ASSET_PREFIX}/${name}@${version}/${file}`, file: location, type };
}

/** A file made here; a digest of its content in the URL lets it be cached for a year too. */
export function madeAsset(name: string, body: string, type: Asset['type']): Asset {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `${ASSET_PREFIX}/${name}.${digest}.${type}`, body, type };
}

/**
 * The browser (UMD) builds: GraphiQL 4's bundle holds everything but React, which it takes from the page's
 * globals; it is built against React 18, the last React with UMD builds. No bundler, no CDN.
 */
export const packageAssets = {
  react: packageAsset('react', 'umd/react.production.min.js', 'js'),
  reactDom: packageAsset('react-dom', 'umd/react-dom.production.min.js', 'js'),
  graphiql: packageAsset('graphiql', 'dist/index.umd.js', 'js'),
  // Named by the bundle's sourceMappingURL; fetched only by developer tools.
  graphiqlMap: packageAsset('graphiql', 'dist/index.umd.js.map', 'json'),
  graphiqlStyle: packageAsset('graphiql', 'dist/style.css', 'css'),
};
