import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { OperationTypeNode } from 'graphql';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import type { RequestHooks } from '../graphql/request-hooks';
import type { Logger } from '../logger';
import { currentRequest, runInRequest, type RequestScope } from '../request-scope';
import type { Metrics } from './metrics';

/** One GraphQL request as it goes: filled in by the middleware, the Apollo plugin and the SQL hooks. */
class RequestTrace implements RequestScope {
  statements = 0;
  readPrimary = false;
  viewerId: number | null = null;
  viewerWroteAt: Date | null = null;
  /** Apollo took the request in (false for a body the JSON parser refused, or a landing page). */
  graphql = false;
  /** undefined until Apollo resolves the operation; null for an anonymous one. */
  operation: string | null | undefined = undefined;
  variables: unknown = undefined;
  errors: string[] = [];
  /**
   * The answer's last byte was handed to the connection. Node emits 'finish' also for an answer whose
   * connection was destroyed under it (the shutdown's grace ran out), and at 'close' writableFinished is true
   * either way: the connection, still open at 'finish', says which.
   */
  sent = false;

  constructor(
    readonly id: string,
    readonly start: number,
  ) {}
}

function currentTrace(): RequestTrace | undefined {
  const request = currentRequest();
  return request instanceof RequestTrace ? request : undefined;
}

/** Codes become metric labels: only the shape of a code is kept, so a label never carries free text. */
const CODE = /^[A-Z][A-Z0-9_]{0,39}$/;
function codeOf(extensions: { code?: unknown } | undefined): string {
  const code = extensions?.code;
  return typeof code === 'string' && CODE.test(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/** Reads what Apollo knows (operation name, error codes) into the request's trace. */
export const traceHooks: RequestHooks = {
  /** Counts a request whose context could not be built (the viewer's token was refused, the database is down). */
  contextCreationDidFail({ error }) {
    const trace = currentTrace();
    if (!trace) return;
    trace.graphql = true;
    trace.errors.push(codeOf((error as { extensions?: { code?: unknown } }).extensions));
  },
  requestDidStart({ request }) {
    const trace = currentTrace();
    if (!trace) return;
    trace.graphql = true;
    trace.variables = request.variables;
  },
  didResolveOperation({ operationName, operation }) {
    const trace = currentTrace();
    if (!trace) return;
    trace.operation = operationName;
    // A mutation's payload is read after its transaction commits: from the primary, since a replica
    // may not have the write yet.
    if (operation?.operation === OperationTypeNode.MUTATION) trace.readPrimary = true;
  },
  willSendResponse({ response }) {
    const trace = currentTrace();
    if (!trace || response.body.kind !== 'single') return;
    for (const error of response.body.singleResult.errors ?? []) trace.errors.push(codeOf(error.extensions));
  },
};

const MAX_LOGGED_NAME = 100;

/** The log line and metrics of a finished request. */
function finish(trace: RequestTrace, req: IncomingMessage, res: ServerResponse, logger: Logger, metrics: Metrics): void {
  const status = res.statusCode;
  if (!trace.graphql && status < 400) return; // not a GraphQL request (e.g. the landing page)
  const aborted = !trace.sent;
  const codes = trace.errors.length ? [...new Set(trace.errors)] : status >= 400 ? [`HTTP_${status}`] : [];
  const errors = aborted ? [...codes, 'ABORTED'] : codes;
  const milliseconds = performance.now() - trace.start;
  metrics.observe({ operation: trace.operation, seconds: milliseconds / 1000, statements: trace.statements, errors });
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      reqId: trace.id,
      operation: trace.operation?.slice(0, MAX_LOGGED_NAME) ?? null,
      durationMs: Math.round(milliseconds * 10) / 10,
      statements: trace.statements,
      // An answer cut off before its last byte (the client left, or shutdown's grace ran out) is not `ok`.
      outcome: aborted ? 'aborted' : errors.length ? 'error' : 'ok',
      ...(errors.length > 0 && { errors }),
      status,
      ...(aborted && { aborted: true }),
      // Variables and headers only when debugging; the logger redacts passwords, tokens and credentials.
      ...(logger.isLevelEnabled('debug') && { variables: trace.variables, headers: req.headers }),
    },
    'graphql request',
  );
}

const traces = new WeakMap<FastifyRequest, RequestTrace>();

/**
 * Hook of the GraphQL route, before its body is read: starts the clock and logs the request once its
 * answer is sent (or cut off).
 */
export function traceRequests(logger: Logger, metrics: Metrics): onRequestHookHandler {
  return (request, reply, done) => {
    const trace = new RequestTrace(request.id, performance.now());
    traces.set(request, trace);
    const { socket } = request.raw;
    reply.raw.once('finish', () => (trace.sent = !socket.destroyed));
    reply.raw.once('close', () => finish(trace, request.raw, reply.raw, logger, metrics));
    done();
  };
}

/**
 * Runs the GraphQL handler in the request's scope, where SQL statements are counted and log lines get the
 * request id. Entered here, not in the hook: the body is read in the socket's async context, not the hook's.
 */
export function inRequestScope<T>(request: FastifyRequest, work: () => T): T {
  const trace = traces.get(request);
  return trace ? runInRequest(trace, work) : work();
}
