import type { Config } from './config';

/**
 * What one request may ask of the server. The defaults live here; each one can be changed through the
 * environment (config.ts), and the README's "Security and limits" lists them with the error a client sees.
 */
export interface Limits {
  /** Nesting of fields (DEPTH_LIMIT_EXCEEDED). */
  maxDepth: number;
  /** Aliased fields in an operation, `__typename` included (ALIAS_LIMIT_EXCEEDED). */
  maxAliases: number;
  /** Lexical tokens in a document (GRAPHQL_PARSE_FAILED). */
  maxTokens: number;
  /** Directives in an operation (DIRECTIVE_LIMIT_EXCEEDED). */
  maxDirectives: number;
  /** Objects an answer may hold, page sizes multiplied out (COST_LIMIT_EXCEEDED). */
  maxCost: number;
  /** logIn attempts per email address within the window (TOO_MANY_REQUESTS). */
  loginAttemptsPerEmail: number;
  /** logIn attempts per client address within the window (TOO_MANY_REQUESTS). */
  loginAttemptsPerClient: number;
  loginWindowSeconds: number;
  // The HTTP layer (src/http): how long a connection may dawdle, and how many there may be.
  /** A client has this long to send a request's headers, or to send anything on a new connection (HTTP 408). */
  headersTimeoutMs: number;
  /** A client has this long to send a whole request, body included (HTTP 408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long without a request. */
  keepAliveTimeoutMs: number;
  /** Open connections at once; connections past it are closed as they arrive. */
  maxConnections: number;
  /** IPv6 clients count as one per network of this many bits (src/http/client.ts). */
  clientIpv6Prefix: number;
  /** Requests per client within requestWindowSeconds, health and metrics aside (HTTP 429 TOO_MANY_REQUESTS). */
  requestsPerClient: number;
  requestWindowSeconds: number;
  /** Requests of one client being served at once (HTTP 429 TOO_MANY_REQUESTS). */
  requestsInFlightPerClient: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  maxCost: 25_000,
  loginAttemptsPerEmail: 5,
  loginAttemptsPerClient: 20,
  loginWindowSeconds: 15 * 60,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Longer than the idle timeout of the load balancers in front (AWS ALB: 60 s), so the balancer, not the
  // server, closes an idle connection; else it may send a request on a connection the server just closed.
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1000,
  clientIpv6Prefix: 64,
  // 50 a second on average, for one address that may be a whole office or school behind one NAT.
  requestsPerClient: 3000,
  requestWindowSeconds: 60,
  // Half the default pool (DB_POOL_MAX 10): the other half stays for everyone else.
  requestsInFlightPerClient: 5,
};

export function limitsOf(config: Config): Limits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
    maxCost: config.GRAPHQL_MAX_COST,
    loginAttemptsPerEmail: config.LOGIN_MAX_ATTEMPTS_PER_EMAIL,
    loginAttemptsPerClient: config.LOGIN_MAX_ATTEMPTS_PER_CLIENT,
    loginWindowSeconds: config.LOGIN_WINDOW_SECONDS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    clientIpv6Prefix: config.CLIENT_IPV6_PREFIX,
    requestsPerClient: config.CLIENT_MAX_REQUESTS,
    requestWindowSeconds: config.CLIENT_REQUEST_WINDOW_SECONDS,
    requestsInFlightPerClient: config.CLIENT_MAX_REQUESTS_IN_FLIGHT,
  };
}
