import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptionsWithTypeDefs } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Sequelize } from 'sequelize';
import { buildContext, type Context } from './context';
import { AppError } from './errors';
import { formatError, toGraphQLError } from './graphql/format-error';
import { resolvers } from './graphql/resolvers';
import { typeDefs } from './graphql/schema';
import { costLimitPlugin } from './graphql/cost';
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
  /** The resolvers to serve; the benchmark swaps in its naive baseline here. */
  resolvers?: ApolloServerOptionsWithTypeDefs<Context>['resolvers'];
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
  const httpServer = http.createServer(app);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const apollo = new ApolloServer<Context>({
    typeDefs,
    resolvers: deps.resolvers ?? resolvers,
    formatError: deps.production ? (formatted, error) => withoutSuggestions(formatError(formatted, error)) : formatError,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: !deps.production,
    // A document over the token limit is a parse error (400) before it is ever held in memory as a tree.
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [knownRootTypesRule, ...operationLimitRules(limits)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      costLimitPlugin(limits.maxCost),
      // Apollo's cache control would only ever say no-store (no type sets hints), at the cost of a hook on
      // every field of every answer: say it once per answer instead. Tokens and emails stay out of caches.
      ApolloServerPluginCacheControlDisabled(),
      { requestDidStart: async () => ({ willSendResponse: async ({ response }) => void response.http.headers.set('cache-control', 'no-store') }) },
    ],
  });
  await apollo.start();

  app.use(
    '/graphql',
    allowGraphQLMethods,
    requireUtf8,
    express.json({ limit: BODY_LIMIT }),
    limitJsonNesting,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const origin = { clientAddress: req.ip ?? 'unknown', limits };
          return await buildContext(deps.sequelize, deps.tokenTtlSeconds, req.headers.authorization, origin);
        } catch (error) {
          throw error instanceof AppError ? toGraphQLError(error) : error;
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
