import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Sequelize } from 'sequelize';
import { buildContext, type Context } from './context';
import { explorerRoutes } from './explorer';
import { compiledExecution } from './graphql/executor';
import { faultStatusPlugin } from './graphql/fault-status';
import { formatError, toContextError } from './graphql/format-error';
import { resolvers } from './graphql/resolvers';
import { executableSchema, type Resolvers } from './graphql/schema';
import { healthRoutes } from './health';
import { logger as processLogger, type Logger } from './logger';
import { Metrics } from './observe/metrics';
import { assignRequestId } from './observe/request-id';
import { tracePlugin, traceRequests } from './observe/requests';
import { costLimitPlugin } from './graphql/cost';
import { answerSizePlugin } from './graphql/answer-size'; // [documents]
import { documentStore, refuseLongDocument } from './graphql/documents'; // [documents]
import { operationLimitRules } from './graphql/limits';
import { knownRootTypesRule } from './graphql/root-types';
import { withoutSuggestions } from './graphql/suggestions';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { answerErrorsInJson } from './http/errors';
import { allowGraphQLMethods, limitJsonNesting, requireUtf8 } from './http/guards';

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
  /** Express's `trust proxy`: whom to believe about X-Forwarded-For; by default no one (the socket's address). */
  trustProxy?: boolean | number | string;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Documented in the README: larger request bodies are refused. */
export const BODY_LIMIT = '100kb';

/** The HTTP server with Apollo mounted at /graphql; `listen` starts it (port 0 picks a free one). */
export async function createServer(deps: ServerDeps) {
  const app = express();
  app.set('trust proxy', deps.trustProxy ?? false);
  // An ETag would hash every answer, and no GraphQL client revalidates a POST with it.
  app.set('etag', false);
  const httpServer = http.createServer(app);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecution(executableSchema(deps.resolvers ?? resolvers)),
    formatError: deps.production ? (formatted, error) => withoutSuggestions(formatError(formatted, error)) : formatError,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: !deps.production,
    // A document over the token limit is a parse error (400) before it is ever held in memory as a tree.
    parseOptions: { maxTokens: limits.maxTokens },
    documentStore: documentStore(limits), // [documents] parsed documents kept by what they weigh (src/graphql/documents.ts)
    validationRules: [knownRootTypesRule, ...operationLimitRules(limits)],
    // src/index.ts handles SIGTERM/SIGINT (drain, close the pool, exit 0); Apollo's own handler would stop
    // the server and kill the process with the signal again before the pool is closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: deps.shutdownGraceMs }),
      // Apollo's landing pages load their code from a CDN; browsers get the explorer, served from here, instead.
      ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin(limits.maxCost),
      answerSizePlugin, // [documents] an answer refused for its size goes out as data null (src/graphql/answer-size.ts)
      // Apollo's cache control would only ever say no-store (no type sets hints), at the cost of a hook on
      // every field of every answer: say it once per answer instead. Tokens and emails stay out of caches.
      ApolloServerPluginCacheControlDisabled(),
      { requestDidStart: async () => ({ willSendResponse: async ({ response }) => void response.http.headers.set('cache-control', 'no-store') }) },
      tracePlugin,
      faultStatusPlugin,
    ],
  });
  await apollo.start();

  const metrics = new Metrics(deps.sequelize);
  app.use(assignRequestId);
  app.get('/metrics', metrics.handler);
  app.use(healthRoutes(deps.sequelize));
  // Before the explorer's routes, whose router would answer OPTIONS /graphql itself.
  app.use('/graphql', allowGraphQLMethods);
  if (deps.explorer) app.use(explorerRoutes());
  app.use(
    '/graphql',
    traceRequests(deps.logger ?? processLogger, metrics),
    requireUtf8,
    express.json({ limit: BODY_LIMIT }),
    limitJsonNesting,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          refuseLongDocument(req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query, limits); // [documents]
          const origin = { clientAddress: req.ip ?? 'unknown', limits };
          return await buildContext(deps.sequelize, deps.tokenTtlSeconds, req.headers.authorization, origin);
        } catch (error) {
          throw toContextError(error);
        }
      },
    }),
  );
  answerErrorsInJson(app); // last: after every route

  return {
    listen(port: number, host?: string): Promise<RunningServer> {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${shown}:${address.port}/graphql`, stop: () => apollo.stop() });
        });
      });
    },
  };
}
