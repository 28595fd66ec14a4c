import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import Fastify, { type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Sequelize } from 'sequelize';
import type { ReplicaLag } from './db/replica-lag';
import { buildContext, type Context } from './context';
import type { IdentityProviders } from './identity';
import { explorerAssets, prefersHtml, sendExplorerPage } from './explorer';
import { compiledExecution } from './graphql/executor';
import { faultStatusHooks } from './graphql/fault-status';
import { formatError, toContextError } from './graphql/format-error';
import { resolvers } from './graphql/resolvers';
import { executableSchema, type Resolvers } from './graphql/schema';
import { healthRoutes } from './health';
import { logger as processLogger, type Logger } from './logger';
import { Metrics } from './observe/metrics';
import { requestIdOf } from './observe/request-id';
import { inRequestScope, traceHooks, traceRequests } from './observe/requests';
import { costLimitHooks } from './graphql/cost';
import { answerSizeHooks } from './graphql/answer-size';
import { requestHooksPlugin } from './graphql/request-hooks';
import { documentStore, refuseLongDocument } from './graphql/documents';
import { admissionRules, refuseSubscriptionDocument, refuseSubscriptionOverHttp } from './graphql/admission';
import type { FormatError } from './live/execute';
import { LiveServer } from './live';
import { serveSse } from './live/sse';
import { serveWebSocket } from './live/websocket';
import proxyaddr from '@fastify/proxy-addr';
import { withoutSuggestions } from './graphql/suggestions';
import { currentRequest } from './request-scope';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { BODY_LIMIT_BYTES, decodeBody, parseBodies } from './http/body';
import { clientKeyOf, fastifyTrustProxy, type TrustProxy } from './http/client';
import { answerClientError } from './http/client-errors';
import { limitClients } from './http/client-limits';
import { Drain } from './http/drain';
import { answerHeaders } from './http/headers';
import { answerErrorsInJson } from './http/errors';
import { apolloHandler } from './http/graphql';
import { limitJsonNesting, refuseCrossSitePost, refuseMethod, requireUtf8 } from './http/guards';
import { registerCors } from './http/cors';
import { listeningOn, urlOf } from './http/listening';
import { cacheControlHooks, DEFAULT_GET_CACHE_MAX_AGE_SECONDS } from './http/cache-control';
import { type AllowedOrigins, defaultOrigins, isAllowedOrigin } from './http/origins';

export interface ServerDeps {
  sequelize: Sequelize;
  production: boolean;
  tokenTtlSeconds: number;
  /** How long stop() lets requests in flight finish before it closes their connections (default 10 s). */
  shutdownGraceMs?: number;
  /** Serve the GraphiQL explorer to browsers at GET /graphql (see src/explorer). */
  explorer?: boolean;
  /** The resolvers to serve; the benchmark swaps in its naive baseline here. */
  resolvers?: Resolvers;
  /** Where request log lines go; the process's logger when not given (tests pass one to read them). */
  logger?: Logger;
  /** Request limits; any left out keep their defaults (src/limits.ts). */
  limits?: Partial<Limits>;
  /** Fastify's `trustProxy`: whom to believe about X-Forwarded-For; by default no one (the socket's address). */
  trustProxy?: TrustProxy;
  /** The identity providers whose JWTs sign people in beside the built-in sessions (src/identity); none by default. */
  identityProviders?: IdentityProviders;
  /** Origins whose browser pages may call the API (CORS_ORIGINS); by default this machine's pages, none in production. */
  corsOrigins?: AllowedOrigins;
  /** How long caches may keep an anonymous query's answer sent by GET (HTTP_GET_CACHE_MAX_AGE_SECONDS). */
  getCacheMaxAgeSeconds?: number;
  /** The read replicas' lag (src/db/replica-lag.ts), reported in /metrics; none without replicas. */
  replicaLag?: ReplicaLag;
  /** Routes served beside /graphql by a mode that needs its own (the test mode's, src/testkit); none otherwise. */
  routes?: FastifyPluginAsync;
  /** Where live data LISTENs for changes (DATABASE_LISTEN_URL); by default the database `sequelize` connects to. */
  listenUrl?: string;
}

export interface RunningServer {
  url: string;
  /** Where it listens, in words for the start log (src/http/listening.ts). */
  listening: string;
  stop(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const STREAM_PATH = '/graphql/stream';

/** The URL of the database a Sequelize instance connects to (what live data listens on when not told otherwise). */
function urlOfDatabase(sequelize: Sequelize): string {
  const { host, port, database, username, password } = sequelize.config;
  const credentials = password ? `${encodeURIComponent(username)}:${encodeURIComponent(password)}` : encodeURIComponent(username);
  return `postgres://${credentials}@${host}:${port}/${encodeURIComponent(database)}`;
}

/** The client address of a raw request as Fastify works it out (TRUST_PROXY), for WebSocket upgrades, which Fastify never sees. */
function addressOf(trust: TrustProxy) {
  const fastifyTrust = fastifyTrustProxy(trust);
  const trusts =
    typeof fastifyTrust === 'function'
      ? fastifyTrust
      : typeof fastifyTrust === 'string'
        ? proxyaddr.compile(fastifyTrust.split(',').map((a) => a.trim()))
        : () => fastifyTrust;
  return (request: http.IncomingMessage) => proxyaddr(request, trusts);
}
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** The HTTP server (Fastify) with Apollo at /graphql; `listen` starts it (port 0 picks a free one). */
export async function createServer(deps: ServerDeps) {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = Fastify({
    trustProxy: fastifyTrustProxy(deps.trustProxy ?? false),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    // Requests are logged once each, by traceRequests, in the project's own line.
    logger: false,
    // Fastify closes only once the drain (src/http/drain.ts) is over; until then every request is answered.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
    // Slow clients: Node closes (with a 408, see answerClientError) a connection whose headers, or whole request,
    // take longer; it checks every connectionsCheckingInterval, 30 s by default, too coarse for these bounds.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    requestTimeout: limits.requestTimeoutMs,
    clientErrorHandler: answerClientError,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // `__proto__` and `constructor` keys stay plain data (JSON.parse never sets a prototype): GraphQL refuses
    // them as fields of no input with BAD_USER_INPUT naming them, rather than a bare 400 for the whole body.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  // The raw server: WebSocket upgrades (graphql-ws) will attach to its 'upgrade' event.
  const httpServer: http.Server = app.server;
  httpServer.maxConnections = limits.maxConnections;
  const drain = new Drain(httpServer);

  const schema = executableSchema(deps.resolvers ?? resolvers);
  const shapeError: FormatError = deps.production ? (formatted, error) => withoutSuggestions(formatError(formatted, error)) : formatError;
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecution(schema),
    formatError: shapeError,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: !deps.production,
    // A document over the token limit is a parse error (400) before it is ever held in memory as a tree.
    parseOptions: { maxTokens: limits.maxTokens },
    documentStore: documentStore(limits), // parsed documents kept by what they weigh (src/graphql/documents.ts)
    // The same rules as live transports' admission (src/graphql/admission.ts), whose parse and cost checks match these options and plugins.
    validationRules: admissionRules(limits),
    // src/index.ts handles SIGTERM/SIGINT (drain, close the pool, exit 0); Apollo's own handler would stop
    // the server and kill the process with the signal again before the pool is closed.
    stopOnTerminationSignals: false,
    // Applied to POST only, before the body is read (refuseCrossSitePost): GET queries need no preflight header.
    csrfPrevention: false,
    plugins: [
      // Apollo's landing pages load their code from a CDN; browsers get the explorer, served from here, instead.
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache control works from hints no type sets, at the cost of a hook on every field of every
      // answer: Cache-Control is set once per answer instead (cacheControlHooks).
      ApolloServerPluginCacheControlDisabled(),
      // Traces for Apollo Federation gateways: this schema is no subgraph, yet the plugin would be called on every request.
      ApolloServerPluginInlineTraceDisabled(),
      // The server's own hooks, in one plugin (src/graphql/request-hooks.ts), in this order at each stage.
      requestHooksPlugin<Context>([
        costLimitHooks(limits.maxCost),
        refuseSubscriptionOverHttp,
        answerSizeHooks, // an answer refused for its size goes out as data null (src/graphql/answer-size.ts)
        cacheControlHooks(deps.getCacheMaxAgeSeconds ?? DEFAULT_GET_CACHE_MAX_AGE_SECONDS),
        traceHooks, // after answerSizeHooks: a refused answer's errors are counted as sent
        faultStatusHooks,
      ]),
    ],
  });
  await apollo.start();

  const metrics = new Metrics(deps.sequelize, deps.replicaLag);
  const logger = deps.logger ?? processLogger;
  const live = new LiveServer({
    sequelize: deps.sequelize,
    listenUrl: deps.listenUrl ?? urlOfDatabase(deps.sequelize),
    schema,
    limits,
    metrics: metrics.live,
    logger,
    formatError: shapeError,
    tokenTtlSeconds: deps.tokenTtlSeconds,
    identityProviders: deps.identityProviders,
    clientAddressOf: addressOf(deps.trustProxy ?? false),
  });
  await live.listen();
  const contextOf = async (request: FastifyRequest): Promise<Context> => {
    try {
      const query =
        request.method === 'GET' ? (request.query as { query?: unknown } | undefined)?.query : (request.body as { query?: unknown } | undefined)?.query;
      refuseLongDocument(query, limits);
      refuseSubscriptionDocument(query, limits);
      const origin = { clientAddress: clientKeyOf(request, limits.clientIpv6Prefix), limits };
      const context = await buildContext(deps.sequelize, deps.tokenTtlSeconds, request.headers.authorization, origin, deps.identityProviders);
      // Who the viewer is and when they last wrote: with read replicas, their reads may have to go to the primary.
      const scope = currentRequest();
      if (scope && context.viewer) [scope.viewerId, scope.viewerWroteAt] = [context.viewer.id, context.viewer.lastWriteAt ?? null];
      return context;
    } catch (error) {
      throw toContextError(error);
    }
  };
  // Once answered, a request's loaders let go of the rows it read (see Loaders.clear).
  const graphql = apolloHandler(apollo, contextOf, (context) => context.loaders.clear());

  const corsOrigins = deps.corsOrigins ?? defaultOrigins(deps.production);
  app.addHook('onRequest', answerHeaders);
  // Before the routes: a preflight is answered by its hook, before the OPTIONS refusal below.
  await registerCors(app, corsOrigins, logger);
  app.addHook('onRequest', drain.closeAfterAnswer);
  parseBodies(app);
  app.get('/metrics', metrics.handler);
  app.register(healthRoutes(deps.sequelize));
  if (deps.explorer) app.register(explorerAssets);
  app.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    exposeHeadRoute: false,
    onRequest: [traceRequests(logger, metrics), limitClients(limits), requireUtf8, refuseCrossSitePost],
    preParsing: decodeBody,
    preValidation: limitJsonNesting,
    handler: (request, reply) => {
      if (deps.explorer && prefersHtml(request)) return sendExplorerPage(reply);
      // GraphQL runs in the request's scope (SQL statements counted, log lines with its id).
      return inRequestScope(request, () => graphql(request, reply));
    },
  });
  app.route({ method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'], url: GRAPHQL_PATH, onRequest: refuseMethod, handler: () => undefined });
  const streams = serveSse(app, live, STREAM_PATH);
  if (deps.routes) app.register(deps.routes);
  answerErrorsInJson(app, GRAPHQL_PATH);
  await app.ready();
  const isAllowed = (origin: string | undefined) => isAllowedOrigin(origin, corsOrigins);
  const sockets = serveWebSocket(live, httpServer, GRAPHQL_PATH, isAllowed);

  return {
    /** The raw HTTP server, for what plugs in beside Fastify (WebSocket upgrades). */
    httpServer,
    /** Whether a page of this origin may call the API (CORS_ORIGINS): WebSocket upgrades check it too. */
    isAllowedOrigin: isAllowed,
    /** Ends every live subscription of this instance with an error of `code` (the test mode's reset). */
    endSubscriptions: (code: string, message: string) => live.hub.endAll(code, message),
    listen(port: number, host?: string): Promise<RunningServer> {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        // Node's own listen: with no host, every interface, dual-stack (Fastify's would pick localhost).
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const stop = async () => {
            const graceMs = deps.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
            // Live connections hold no request in flight: once the events heard so far have gone out, they
            // are closed with 1012 so their clients reconnect elsewhere, while HTTP answers in flight finish.
            const liveClosed = live.close(graceMs).then(async () => {
              streams.close();
              await sockets.close();
            });
            await Promise.all([liveClosed, drain.run(app, graceMs)]);
            await apollo.stop();
          };
          resolve({ url: urlOf(address, GRAPHQL_PATH), listening: listeningOn(address), stop });
        });
      });
    },
  };
}
