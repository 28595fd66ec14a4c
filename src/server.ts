import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import type { Sequelize } from 'sequelize';
import { buildContext, type Context } from './context';
import type { IdentityProviders } from './identity';
import { explorerAssets, prefersHtml, sendExplorerPage } from './explorer';
import { compiledExecution } from './graphql/executor';
import { faultStatusPlugin } from './graphql/fault-status';
import { formatError, toContextError } from './graphql/format-error';
import { resolvers } from './graphql/resolvers';
import { executableSchema, type Resolvers } from './graphql/schema';
import { healthRoutes } from './health';
import { logger as processLogger, type Logger } from './logger';
import { Metrics } from './observe/metrics';
import { requestIdOf } from './observe/request-id';
import { inRequestScope, tracePlugin, traceRequests } from './observe/requests';
import { costLimitPlugin } from './graphql/cost';
import { answerSizePlugin } from './graphql/answer-size';
import { documentStore, refuseLongDocument } from './graphql/documents';
import { operationLimitRules } from './graphql/limits';
import { knownRootTypesRule } from './graphql/root-types';
import { withoutSuggestions } from './graphql/suggestions';
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
import { cacheControlPlugin, DEFAULT_GET_CACHE_MAX_AGE_SECONDS } from './http/cache-control';
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
  /** Routes served beside /graphql by a mode that needs its own (the test mode's, src/testkit); none otherwise. */
  routes?: FastifyPluginAsync;
}

export interface RunningServer {
  url: string;
  /** Where it listens, in words for the start log (src/http/listening.ts). */
  listening: string;
  stop(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
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

  const apollo = new ApolloServer<Context>({
    gateway: compiledExecution(executableSchema(deps.resolvers ?? resolvers)),
    formatError: deps.production ? (formatted, error) => withoutSuggestions(formatError(formatted, error)) : formatError,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: !deps.production,
    // A document over the token limit is a parse error (400) before it is ever held in memory as a tree.
    parseOptions: { maxTokens: limits.maxTokens },
    documentStore: documentStore(limits), // parsed documents kept by what they weigh (src/graphql/documents.ts)
    validationRules: [knownRootTypesRule, ...operationLimitRules(limits)],
    // src/index.ts handles SIGTERM/SIGINT (drain, close the pool, exit 0); Apollo's own handler would stop
    // the server and kill the process with the signal again before the pool is closed.
    stopOnTerminationSignals: false,
    // Applied to POST only, before the body is read (refuseCrossSitePost): GET queries need no preflight header.
    csrfPrevention: false,
    plugins: [
      // Apollo's landing pages load their code from a CDN; browsers get the explorer, served from here, instead.
      ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin(limits.maxCost),
      answerSizePlugin, // an answer refused for its size goes out as data null (src/graphql/answer-size.ts)
      // Apollo's cache control works from hints no type sets, at the cost of a hook on every field of every
      // answer: Cache-Control is set once per answer instead.
      ApolloServerPluginCacheControlDisabled(),
      cacheControlPlugin(deps.getCacheMaxAgeSeconds ?? DEFAULT_GET_CACHE_MAX_AGE_SECONDS),
      tracePlugin,
      faultStatusPlugin,
    ],
  });
  await apollo.start();

  const metrics = new Metrics(deps.sequelize);
  const graphql = apolloHandler(apollo, async (request) => {
    try {
      refuseLongDocument(
        request.method === 'GET' ? (request.query as { query?: unknown } | undefined)?.query : (request.body as { query?: unknown } | undefined)?.query,
        limits,
      );
      const origin = { clientAddress: clientKeyOf(request, limits.clientIpv6Prefix), limits };
      return await buildContext(deps.sequelize, deps.tokenTtlSeconds, request.headers.authorization, origin, deps.identityProviders);
    } catch (error) {
      throw toContextError(error);
    }
  });

  const logger = deps.logger ?? processLogger;
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
  if (deps.routes) app.register(deps.routes);
  answerErrorsInJson(app, GRAPHQL_PATH);
  await app.ready();

  return {
    /** The raw HTTP server, for what plugs in beside Fastify (WebSocket upgrades). */
    httpServer,
    /** Whether a page of this origin may call the API (CORS_ORIGINS): WebSocket upgrades check it too. */
    isAllowedOrigin: (origin: string | undefined) => isAllowedOrigin(origin, corsOrigins),
    listen(port: number, host?: string): Promise<RunningServer> {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        // Node's own listen: with no host, every interface, dual-stack (Fastify's would pick localhost).
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const stop = async () => {
            await drain.run(app, deps.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
            await apollo.stop();
          };
          resolve({ url: urlOf(address, GRAPHQL_PATH), listening: listeningOn(address), stop });
        });
      });
    },
  };
}
