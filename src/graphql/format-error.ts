import { randomUUID } from 'node:crypto';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, RETRYABLE_CODES, toAppError, type FieldProblem } from '../errors';
import { logger } from '../logger';

export const HTTP_STATUS: Partial<Record<AppError['code'], number>> = {
  UNAUTHENTICATED: 401,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 503,
};

/** Seconds a client (or a load balancer) is asked to wait before sending a failed request again. */
export const RETRY_AFTER_SECONDS = 1;

/** An AppError as the GraphQL error a client sees (code, the offending fields for bad input, retryable). */
export function toGraphQLError(error: AppError): GraphQLError {
  const status = HTTP_STATUS[error.code];
  const retryable = RETRYABLE_CODES.has(error.code);
  const headers = new Map(retryable ? [['retry-after', String(RETRY_AFTER_SECONDS)]] : []);
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      ...(error.fields && { fields: error.fields }),
      ...(retryable && { retryable }),
      ...(status && { http: { status, headers } }),
    },
  });
}

/** Database faults are answered in plain words; what the database said goes to the log. */
function logFault(appError: AppError, error: unknown, path?: GraphQLFormattedError['path']): void {
  if (RETRYABLE_CODES.has(appError.code)) logger.warn({ err: error, path }, appError.code);
}

/** An error thrown while building a request's context, as the GraphQL error Apollo answers with. */
export function toContextError(error: unknown): unknown {
  const appError = toAppError(error);
  if (!appError) return error;
  logFault(appError, error);
  return toGraphQLError(appError);
}

/** graphql-js reports a bad variable as: Variable "$input" got invalid value … at "input.posts[3].title"; why */
const VARIABLE_PROBLEM = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"; (.*)$/s;

/** The field path of a variable coercion error, relative to the variable (so `input.title` is ["title"]). */
function variableFields(message: string): FieldProblem[] | undefined {
  const match = VARIABLE_PROBLEM.exec(message);
  if (!match) return undefined;
  const [, variable, location, reason] = match as unknown as [string, string, string, string];
  const path = location
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if (path[0] === variable) path.shift();
  return [{ path, message: reason }];
}

/**
 * The one place errors become what clients see: AppErrors and the database errors a client can cause
 * keep their code and fields; anything unknown is masked, with a correlation id that is also logged.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const appError = toAppError(unwrapResolverError(error));
  if (appError) {
    logFault(appError, unwrapResolverError(error), formatted.path);
    // `http` is for Apollo to read before formatting (context errors); it is no part of the answer.
    const { http: _http, ...extensions } = toGraphQLError(appError).extensions;
    return { ...formatted, message: appError.message, extensions };
  }
  const code = formatted.extensions?.code;
  if (code && code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR) {
    const fields = code === ApolloServerErrorCode.BAD_USER_INPUT ? variableFields(formatted.message) : undefined;
    return fields ? { ...formatted, extensions: { ...formatted.extensions, fields } } : formatted;
  }
  const correlationId = randomUUID();
  logger.error({ err: unwrapResolverError(error), correlationId, path: formatted.path }, 'unexpected error');
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR, correlationId },
  };
}
