import { randomUUID } from 'node:crypto';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, MAX_ECHOED_LENGTH, RETRYABLE_CODES, shown, toAppError, type FieldProblem } from '../errors';
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
      ...error.details,
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

/** graphql-js reports a bad variable as: Variable "$input" got invalid value … [at "input.posts[3].title"]; why */
const VARIABLE_PROBLEM = /^Variable "\$(\w+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s;
/** An unknown or missing input field is named only in the reason: Field "bogus" is not defined by type "X". */
const NAMED_FIELD = /^Field "([^"]+)" (?:is not defined by type|of required type)/;

/**
 * The field path of a variable coercion error. Like the services' paths it starts at the field's
 * arguments, the variable standing for its argument (`$where` → ["where", "bogus"]), but leaves `input`
 * out (so `input.title` is ["title"]); a problem with a whole variable (`$first: 1e10`) names the variable.
 */
function variableFields(message: string): FieldProblem[] | undefined {
  const match = VARIABLE_PROBLEM.exec(message);
  if (!match) return undefined;
  const [, variable, location, reason] = match as unknown as [string, string, string | undefined, string];
  const path: (string | number)[] = (location ?? '')
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  if (path[0] === variable) path.shift();
  if (variable !== 'input') path.unshift(variable);
  const field = NAMED_FIELD.exec(reason)?.[1];
  if (field) path.push(field);
  return [{ path: path.length ? path : [variable], message: reason }];
}

/** A string literal in graphql-js's messages (`got invalid value "…"`, `non-integer value: "…"`), escapes included. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
/** Longer messages are cut: every value they quote is already cut short, so only a list of many problems gets here. */
const MAX_MESSAGE_LENGTH = 2_000;

/**
 * A message with the client's values it quotes cut short (graphql-js repeats a variable's value whole:
 * a 90,000-character id would come back as a 90,000-character message), and no longer than the cap.
 */
export function withShortValues(message: string): string {
  const cut = message.replace(QUOTED, (literal) => (literal.length > MAX_ECHOED_LENGTH + 2 ? `"${shown(literal.slice(1, -1))}"` : literal));
  return cut.length > MAX_MESSAGE_LENGTH ? `${cut.slice(0, MAX_MESSAGE_LENGTH)}…` : cut;
}

/**
 * Apollo's own refusals of a request that carry no code (a persisted query whose hash does not match its
 * text, an unknown persisted query version) but an HTTP status of 4xx: the client's mistake, BAD_REQUEST,
 * not an unexpected error to mask and log.
 */
function isApolloRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The code a validation rule gave its error (a limit's), which Apollo replaces with GRAPHQL_VALIDATION_FAILED. */
function ruleCode(error: unknown): unknown {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  return error instanceof GraphQLError && error.extensions.code === ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED && original instanceof GraphQLError
    ? original.extensions.code
    : undefined;
}

/**
 * The one place errors become what clients see: AppErrors and the database errors a client can cause
 * keep their code and fields; anything unknown is masked, with a correlation id that is also logged.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Before (the field paths are read from the message) and after (an AppError brings its own message).
  return shorten(classify(shorten(formatted), error));
}

/** An error whose message and field messages quote no client value at length. */
function shorten(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const { fields, stacktrace } = (formatted.extensions ?? {}) as { fields?: FieldProblem[]; stacktrace?: string[] };
  const message = withShortValues(formatted.message);
  if (!fields && !stacktrace) return { ...formatted, message };
  const extensions = {
    ...formatted.extensions,
    ...(fields && { fields: fields.map((field) => ({ ...field, message: withShortValues(field.message) })) }),
    // Development only; its first line repeats the message.
    ...(stacktrace && { stacktrace: stacktrace.map(withShortValues) }),
  };
  return { ...formatted, message, extensions };
}

function classify(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isApolloRefusal(error)) return { ...formatted, extensions: { ...formatted.extensions, code: ApolloServerErrorCode.BAD_REQUEST } };
  const appError = toAppError(unwrapResolverError(error));
  if (appError) {
    logFault(appError, unwrapResolverError(error), formatted.path);
    // `http` is for Apollo to read before formatting (context errors); it is no part of the answer.
    const { http: _http, ...extensions } = toGraphQLError(appError).extensions;
    return { ...formatted, message: appError.message, extensions };
  }
  const code = ruleCode(error) ?? formatted.extensions?.code;
  if (code && code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR) {
    if (code !== formatted.extensions?.code) return { ...formatted, extensions: { ...formatted.extensions, code } };
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
