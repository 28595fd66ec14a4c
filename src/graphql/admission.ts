import type { RequestHooks } from './request-hooks';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Limits } from '../limits';
import { costRefusal } from './cost';
import { refuseLongDocument } from './documents';
import { operationLimitRules } from './limits';
import { knownRootTypesRule } from './root-types';

/** Where live data is served, named by the refusal of a subscription sent as a plain request. */
export const LIVE_TRANSPORTS = {
  websocket: 'WebSocket, protocol graphql-transport-ws (graphql-ws), at /graphql',
  sse: 'Server-Sent Events (graphql-sse, distinct connections mode) at /graphql/stream',
} as const;

/** The checks every operation passes before it runs, on every path: the validation rules beside graphql-js's own. */
export function admissionRules(limits: Limits) {
  return [knownRootTypesRule, ...operationLimitRules(limits)];
}

export interface OperationRequest {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

export interface Admitted {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

const refusal = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

/**
 * Admits one operation of a live transport (graphql-ws, graphql-sse), which Apollo's parse options and plugins
 * never see: the same document length, token, depth, alias, directive and cost limits as the HTTP path
 * (server.ts gives Apollo these same pieces), then graphql-js's validation. Only subscriptions are served
 * there: queries and mutations go over HTTP, under its per-client limits.
 */
export function admitOperation(schema: GraphQLSchema, limits: Limits, request: OperationRequest): Admitted | GraphQLError[] {
  const { query, operationName, variables } = request;
  try {
    refuseLongDocument(query, limits);
  } catch (error) {
    return [error as GraphQLError];
  }
  if (typeof query !== 'string') return refusal('the request has no query', 'BAD_REQUEST');
  if (operationName != null && typeof operationName !== 'string') return refusal('operationName must be a string', 'BAD_REQUEST');
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return refusal('variables must be an object', 'BAD_REQUEST');
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const invalid = validated(schema, document, [...specifiedRules, ...admissionRules(limits)]);
  if (invalid.length) {
    return invalid.map(
      (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions } }),
    );
  }
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return refusal('the document has no operation of that name, or several and no operationName', 'BAD_REQUEST');
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return refusal(`only subscriptions are served here; send ${operation.operation}s as HTTP POST or GET to /graphql`, 'BAD_REQUEST');
  }
  const vars = (variables ?? undefined) as Record<string, unknown> | undefined;
  const tooCostly = costRefusal(schema, document, operation, vars, limits.maxCost);
  if (tooCostly) return [tooCostly];
  return { document, operation, operationName: (operationName as string | null) ?? undefined, variables: vars };
}

/** A subscription sent as a plain POST or GET: 400, naming the transports that serve it. */
const subscriptionOverHttp = () =>
  new GraphQLError(`subscriptions are served over ${LIVE_TRANSPORTS.websocket}, or over ${LIVE_TRANSPORTS.sse}; not as a plain POST or GET`, {
    extensions: { code: 'BAD_REQUEST', transports: ['graphql-transport-ws', 'graphql-sse'], http: { status: 400 } },
  });

export const refuseSubscriptionOverHttp: RequestHooks = {
  didResolveOperation({ operation }) {
    if (operation?.operation === OperationTypeNode.SUBSCRIPTION) throw subscriptionOverHttp();
  },
};

/**
 * Refuses, before Apollo parses or validates it, a document sent over HTTP that holds a subscription: it is
 * for the live transports. Checked this early because graphql-js 16 evaluates a subscription's root
 * `@skip`/`@include` while validating, and throws (rather than reports) for a variable left undefined, which
 * Apollo would answer with a 500. Only a document that mentions the word is parsed here.
 */
export function refuseSubscriptionDocument(query: unknown, limits: Pick<Limits, 'maxTokens'>): void {
  if (typeof query !== 'string' || !query.includes('subscription')) return;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch {
    return; // Apollo reports the parse error
  }
  if (isSubscription(document)) throw subscriptionOverHttp();
}

/** graphql-js's validation, with what it throws instead of reporting (see refuseSubscriptionDocument) returned as an error. */
function validated(schema: GraphQLSchema, document: DocumentNode, rules: Parameters<typeof validate>[2]): readonly GraphQLError[] {
  try {
    return validate(schema, document, rules);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}

/** Whether a document holds a subscription (for logs and metrics). */
export const isSubscription = (document: DocumentNode) =>
  document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.SUBSCRIPTION);
