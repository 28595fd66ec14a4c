import { madeAsset, packageAssets } from './assets';
import { exampleTabs, FRESH } from './examples';

/**
 * Runs in the browser after React, ReactDOM and GraphiQL (globals of their UMD builds). The API is the URL
 * the page was served from, so the explorer works behind any host name or proxy path.
 */
const startScript = `'use strict';
(function () {
  var tabs = ${JSON.stringify(exampleTabs)};
  // A new address for the SignUp example each time the tabs are made (GraphiQL keeps them afterwards).
  var fresh = Math.random().toString(36).slice(2, 10);
  tabs.forEach(function (tab) {
    if (tab.variables) tab.variables = tab.variables.split(${JSON.stringify(FRESH)}).join(fresh);
  });
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + location.pathname,
    // Subscriptions go over a WebSocket to the same URL (ws: from an http: page, wss: from https:), through
    // the graphql-ws client inside GraphiQL's bundle. It opens a socket for each run, sending the headers
    // editor's headers as its connection_init payload: the Authorization header signs it in as for queries.
    subscriptionUrl: location.origin.replace(/^http/, 'ws') + location.pathname,
    // The API has no @defer or @stream: plain JSON answers.
    enableIncrementalDelivery: false,
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      // Open on the headers editor, where the Authorization header goes; tokens are not kept in storage.
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
`;

// A file, not a style attribute: the page's policy allows no inline style.
const pageStyle = 'html, body { height: 100%; margin: 0; }\n#graphiql { height: 100vh; }\n';

const scripts = [packageAssets.react, packageAssets.reactDom, packageAssets.graphiql, madeAsset('start', startScript, 'js')];
const styles = [packageAssets.graphiqlStyle, madeAsset('page', pageStyle, 'css')];

/** Every file the page loads, made or packaged. */
export const pageAssets = [...scripts, ...styles, packageAssets.graphiqlMap];

/**
 * Everything from this server and nothing inline but data: URLs (GraphiQL's stylesheet embeds its fonts and
 * icons so). The page may not be framed, so it cannot be used to trick a signed-in user into clicks.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const explorerPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Content API explorer</title>
<link rel="icon" href="data:,">
${styles.map((asset) => `<link rel="stylesheet" href="${asset.url}">`).join('\n')}
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
${scripts.map((asset) => `<script src="${asset.url}"></script>`).join('\n')}
</body>
</html>
`;
