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
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecution(executableSchema(deps.resolvers ?? resolvers)),
    formatError,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: !deps.production,
    // src/index.ts handles SIGTERM/SIGINT (drain, close the pool, exit 0); Apollo's own handler would stop
    // the server and kill the process with the signal again before the pool is closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: deps.shutdownGraceMs }),
      // Apollo's landing pages load their code from a CDN; browsers get the explorer, served from here, instead.
      ApolloServerPluginLandingPageDisabled(),
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
  if (deps.explorer) app.use(explorerRoutes());
  app.use(
    '/graphql',
    traceRequests(deps.logger ?? processLogger, metrics),
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          return await buildContext(deps.sequelize, deps.tokenTtlSeconds, req.headers.authorization);
        } catch (error) {
          throw toContextError(error);
        }
      },
    }),
  );

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
