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
  // Sign-in and sign-up (README "Signing in"); refusals are TOO_MANY_REQUESTS with retryAfterSeconds.
  /** Failed logIns for one email from one client within the window; a successful logIn starts it again. */
  loginFailuresPerEmailAndClient: number;
  /** Failed logIns from one client, whatever the emails, within the window. */
  loginFailuresPerClient: number;
  /** Failed logIns for one email from all clients together within the window (guessing spread over many addresses). */
  loginFailuresPerEmail: number;
  loginWindowSeconds: number;
  /** Characters in a document, comments and whitespace included (DOCUMENT_TOO_LONG, before it is parsed). */
  maxDocumentLength: number;
  /** Megabytes the parsed documents kept for reuse (and their compiled executors) may weigh, estimated from their length. */
  documentCacheMb: number;
  /** Bytes of text an answer may carry, counted as its rows are handed to it (RESPONSE_TOO_LARGE). */
  maxResponseBytes: number;
  /** Characters in a post's content (BAD_USER_INPUT naming `content`). */
  maxPostContentLength: number;
  /** Days after its last successful logIn from a client that the client is left out of loginFailuresPerEmail. */
  loginKnownClientDays: number;
  /** signUps, and updateViewers that set an email, from one client within their window. */
  signUpsPerClient: number;
  signUpWindowSeconds: number;
  /** Password hashes (scrypt, on libuv's thread pool) computed at once by this process. */
  passwordHashConcurrency: number;
  /** Password hashes waiting for their turn; past that SERVICE_UNAVAILABLE (retryable). */
  passwordHashQueue: number;
  /** How long a password hash may wait for its turn before it is refused with SERVICE_UNAVAILABLE (retryable). */
  passwordHashWaitMs: number;
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
  // Live data (src/live): WebSocket and SSE connections and their subscriptions.
  /** Subscriptions open at once on one WebSocket connection (TOO_MANY_SUBSCRIPTIONS). */
  liveSubscriptionsPerConnection: number;
  /** Live connections (WebSocket and SSE) of one client at once, per instance; more are refused with 429. */
  liveConnectionsPerClient: number;
  /** A WebSocket must send connection_init within this long, or it is closed (4408). */
  liveConnectionInitTimeoutMs: number;
  /** Pings (WebSocket ping frames, SSE comments) this often; a WebSocket that misses a pong for as long is cut. */
  liveKeepAliveMs: number;
  /** Bytes waiting to be written to one connection; past that the client reads too slowly and is disconnected. */
  liveSendBufferBytes: number;
  /** Events waiting for one SSE stream to take them; past that it ends with SLOW_CONSUMER (WebSocket messages go straight to the socket). */
  liveQueuedEvents: number;
  /** How often signed-in subscribers' sessions are checked again (logOut, expiry, deleteViewer end them). */
  liveAuthRecheckMs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 20,
  maxCost: 25_000,
  loginFailuresPerEmailAndClient: 5,
  loginFailuresPerClient: 20,
  loginFailuresPerEmail: 100,
  loginWindowSeconds: 15 * 60,
  // The longest real operation (2000 tokens, indented) fits several times over.
  maxDocumentLength: 32_768,
  documentCacheMb: 64,
  // A page of 100 posts of the longest content (100 × 100,000 characters) fits; pages of them nested in pages do not.
  maxResponseBytes: 10 * 1024 * 1024,
  // A long-form article (about 15,000 words) with room to spare.
  maxPostContentLength: 100_000,
  loginKnownClientDays: 30,
  signUpsPerClient: 20,
  signUpWindowSeconds: 60 * 60,
  passwordHashConcurrency: 2,
  passwordHashQueue: 16,
  passwordHashWaitMs: 5_000,
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
  liveSubscriptionsPerConnection: 50,
  // An office behind one address with a tab or two open per person.
  liveConnectionsPerClient: 200,
  liveConnectionInitTimeoutMs: 3_000,
  // Below the idle timeout of the load balancers in front (AWS ALB: 60 s; nginx proxy_read_timeout: 60 s).
  liveKeepAliveMs: 12_000,
  liveSendBufferBytes: 1024 * 1024,
  liveQueuedEvents: 100,
  liveAuthRecheckMs: 2_000,
};

export function limitsOf(config: Config): Limits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
    maxCost: config.GRAPHQL_MAX_COST,
    loginFailuresPerEmailAndClient: config.LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT,
    loginFailuresPerClient: config.LOGIN_MAX_FAILURES_PER_CLIENT,
    loginFailuresPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL,
    loginWindowSeconds: config.LOGIN_WINDOW_SECONDS,
    maxDocumentLength: config.GRAPHQL_MAX_DOCUMENT_LENGTH,
    documentCacheMb: config.GRAPHQL_DOCUMENT_CACHE_MB,
    maxResponseBytes: config.GRAPHQL_MAX_RESPONSE_BYTES,
    maxPostContentLength: config.POST_MAX_CONTENT_LENGTH,
    loginKnownClientDays: config.LOGIN_KNOWN_CLIENT_DAYS,
    signUpsPerClient: config.SIGNUP_MAX_PER_CLIENT,
    signUpWindowSeconds: config.SIGNUP_WINDOW_SECONDS,
    passwordHashConcurrency: config.PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: config.PASSWORD_HASH_QUEUE,
    passwordHashWaitMs: config.PASSWORD_HASH_WAIT_MS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    clientIpv6Prefix: config.CLIENT_IPV6_PREFIX,
    requestsPerClient: config.CLIENT_MAX_REQUESTS,
    requestWindowSeconds: config.CLIENT_REQUEST_WINDOW_SECONDS,
    requestsInFlightPerClient: config.CLIENT_MAX_REQUESTS_IN_FLIGHT,
    liveSubscriptionsPerConnection: config.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    liveConnectionsPerClient: config.LIVE_MAX_CONNECTIONS_PER_CLIENT,
    liveConnectionInitTimeoutMs: config.LIVE_CONNECTION_INIT_TIMEOUT_MS,
    liveKeepAliveMs: config.LIVE_KEEP_ALIVE_MS,
    liveSendBufferBytes: config.LIVE_SEND_BUFFER_BYTES,
    liveQueuedEvents: config.LIVE_QUEUED_EVENTS,
    liveAuthRecheckMs: config.LIVE_AUTH_RECHECK_MS,
  };
}
