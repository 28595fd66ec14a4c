import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { issuersVariable } from './identity/issuers';
import { DEFAULT_LIMITS } from './limits';
import { type AllowedOrigins, defaultOrigins, parseOrigins } from './http/origins';
import { DEFAULT_GET_CACHE_MAX_AGE_SECONDS } from './http/cache-control';

/** The folder holding package.json, so src/ (tests) and dist/src/ (built) find the same files. */
export const packageRoot = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** How far behind (seconds) a read replica may be and still serve reads, unless DB_REPLICA_MAX_LAG_SECONDS says otherwise. */
export const DEFAULT_REPLICA_MAX_LAG_SECONDS = 10;

export const environment = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** The interface the HTTP server listens on (e.g. 0.0.0.0); unset: 127.0.0.1 (loopback), all of them in production. */
  HOST: z.string().min(1).optional(),
  /** A PostgreSQL URL; when unset, an embedded PostgreSQL is started. */
  DATABASE_URL: z.string().url().optional(),
  /** Where live data LISTENs for changes: a direct PostgreSQL URL (LISTEN hears nothing through PgBouncer's transaction pooling); unset: DATABASE_URL. */
  DATABASE_LISTEN_URL: z.string().url().optional(),
  /** Read replicas, comma-separated PostgreSQL URLs: reads outside transactions go to them. */
  DATABASE_READ_URLS: z
    .string()
    .default('')
    .transform((urls) =>
      urls
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().url())),
  /** Where the embedded PostgreSQL keeps its data (ignored with DATABASE_URL). */
  EMBEDDED_PG_DIR: z.string().default(path.join(packageRoot, '.data', 'postgres')),
  /** How long a sign-in token stays valid. */
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Connections in the pool. */
  DB_POOL_MAX: z.coerce.number().int().positive().default(10),
  /** How long a request waits for a free connection before it fails with SERVICE_UNAVAILABLE. */
  DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** PostgreSQL cancels a statement running longer (statement_timeout); 0 turns it off. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** PostgreSQL ends a session left idle inside a transaction this long; 0 turns it off. */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Further attempts of a mutation that hit a serialization failure or a deadlock. */
  DB_TRANSACTION_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** The database URLs lead to a pooler in transaction mode (PgBouncer): no startup parameters, no session state. */
  DB_TRANSACTION_POOLER: z.enum(['true', 'false']).default('false'),
  /** Past this lag (seconds), or unreachable, the read replicas leave the rotation until they catch up. */
  DB_REPLICA_MAX_LAG_SECONDS: z.coerce.number().positive().default(DEFAULT_REPLICA_MAX_LAG_SECONDS),
  /** For this long (seconds) after a viewer's mutation, their reads go to the primary; unset: DB_REPLICA_MAX_LAG_SECONDS. */
  DB_READ_YOUR_WRITES_SECONDS: z.coerce.number().positive().optional(),
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** The GraphiQL explorer at GET /graphql for browsers: on by default except in production. */
  EXPLORER: z.enum(['on', 'off']).optional(),
  // Limits on requests (src/limits.ts says what each one counts).
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxDepth),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.maxAliases),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxTokens),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.maxDirectives),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxCost),
  /** Whom to believe about X-Forwarded-For: unset, no one; `true`, any; a number of proxies; or addresses/subnets. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value) => (!value || value === 'false' ? false : value === 'true' ? true : /^\d+$/.test(value) ? Number(value) : value)),
  /** Characters in a GraphQL document, comments included; a longer one is refused before it is parsed. */
  GRAPHQL_MAX_DOCUMENT_LENGTH: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxDocumentLength),
  /** Megabytes of parsed documents (and their compiled executors) kept for reuse, estimated from their length. */
  GRAPHQL_DOCUMENT_CACHE_MB: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.documentCacheMb),
  /** Bytes of text an answer may carry (the rows it is built from); a larger one is refused, data null. */
  GRAPHQL_MAX_RESPONSE_BYTES: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxResponseBytes),
  /** Characters in a post's content. */
  POST_MAX_CONTENT_LENGTH: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxPostContentLength),
  // Sign-in and sign-up limits (README "Signing in"; src/limits.ts says what each one counts).
  /** Failed logIns for one email from one client address in a window; a successful logIn starts it again. */
  LOGIN_MAX_FAILURES_PER_EMAIL_AND_CLIENT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginFailuresPerEmailAndClient),
  /** Failed logIns from one client address in a window, whatever the emails. */
  LOGIN_MAX_FAILURES_PER_CLIENT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginFailuresPerClient),
  /** Failed logIns for one email from all client addresses together in a window. */
  LOGIN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginFailuresPerEmail),
  /** The window of the logIn counts, in seconds. */
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginWindowSeconds),
  /** Days after an email's last successful logIn from a client that the client is not held to LOGIN_MAX_FAILURES_PER_EMAIL. */
  LOGIN_KNOWN_CLIENT_DAYS: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.loginKnownClientDays),
  /** signUps (and updateViewers that set an email) from one client address in a window. */
  SIGNUP_MAX_PER_CLIENT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.signUpsPerClient),
  /** The window of the signUp count, in seconds. */
  SIGNUP_WINDOW_SECONDS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.signUpWindowSeconds),
  /** Password hashes computed at once by one server process (each takes a libuv thread and 32 MiB). */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().positive().default(DEFAULT_LIMITS.passwordHashConcurrency),
  /** Password hashes that may wait for their turn; more are refused with SERVICE_UNAVAILABLE. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.passwordHashQueue),
  /** How long a password hash may wait for its turn, in ms; then SERVICE_UNAVAILABLE (a slow machine must not hold signIns without end). */
  PASSWORD_HASH_WAIT_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.passwordHashWaitMs),
  // The HTTP layer: slow clients and open connections (src/limits.ts says what each one counts).
  /** A client has this long to send a request's headers (or anything, on a new connection); then 408. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.headersTimeoutMs),
  /** A client has this long to send a whole request, body included; then 408. At least HTTP_HEADERS_TIMEOUT_MS. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.requestTimeoutMs),
  /** An idle keep-alive connection is closed after this long; keep it above the load balancer's idle timeout. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.keepAliveTimeoutMs),
  /** Open connections at once; more are closed as they arrive. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxConnections),
  /** IPv6 clients count as one per network of this prefix length (64: one subscriber's network). */
  CLIENT_IPV6_PREFIX: z.coerce.number().int().min(1).max(128).default(DEFAULT_LIMITS.clientIpv6Prefix),
  /** Requests per client (CLIENT_IPV6_PREFIX says who that is) in each window, per instance; then 429. */
  CLIENT_MAX_REQUESTS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.requestsPerClient),
  /** The window of that count. */
  CLIENT_REQUEST_WINDOW_SECONDS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.requestWindowSeconds),
  /** Requests of one client being served at once, per instance; more are refused with 429. */
  CLIENT_MAX_REQUESTS_IN_FLIGHT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.requestsInFlightPerClient),
  // Live data (README "Live data"; src/limits.ts says what each one counts).
  /** Subscriptions open at once on one WebSocket connection. */
  LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveSubscriptionsPerConnection),
  /** Live connections (WebSocket and SSE) of one client address at once, per instance; then 429. */
  LIVE_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveConnectionsPerClient),
  /** A WebSocket must send connection_init within this long (close 4408). */
  LIVE_CONNECTION_INIT_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveConnectionInitTimeoutMs),
  /** Keep-alive pings this often; a WebSocket that does not answer one within as long is cut. */
  LIVE_KEEP_ALIVE_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveKeepAliveMs),
  /** Bytes waiting to be written to one live connection before its client counts as too slow and is disconnected. */
  LIVE_SEND_BUFFER_BYTES: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveSendBufferBytes),
  /** Events waiting for one SSE stream before it ends with SLOW_CONSUMER (WebSocket messages go straight to the socket: LIVE_SEND_BUFFER_BYTES). */
  LIVE_QUEUED_EVENTS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveQueuedEvents),
  /** How often live subscribers' sessions are checked again, so logOut, expiry and deleteViewer end them. */
  LIVE_AUTH_RECHECK_MS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.liveAuthRecheckMs),
  // Identity providers (README "Signing in with your identity provider"; src/identity/issuers.ts says each field).
  /** Trusted JWT issuers: a JSON array of { issuer, audience, jwksUrl | publicKey, emailClaim?, nameClaim?, algorithms? }; unset: none. */
  AUTH_ISSUERS: issuersVariable,
  /** Seconds of difference between clocks allowed when a JWT's exp and nbf are checked. */
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  // Browsers and caches (README "Security and limits").
  /** Origins whose pages may call the API from a browser, comma-separated (`https://*.example.com`, `http://localhost:*`, or `*`). */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((text, context): AllowedOrigins | undefined => {
      if (text === undefined) return undefined;
      try {
        return parseOrigins(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Seconds a cache (a CDN, a browser) may keep the answer to an anonymous query sent by GET; 0: it must ask again. */
  HTTP_GET_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(DEFAULT_GET_CACHE_MAX_AGE_SECONDS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof environment>;

/** Settings that are each valid but wrong together. */
const consistent = environment.superRefine((config, context) => {
  // A replica in the rotation may be up to DB_REPLICA_MAX_LAG_SECONDS behind: a shorter window would let a viewer
  // miss their own write.
  if (config.DB_READ_YOUR_WRITES_SECONDS !== undefined && config.DB_READ_YOUR_WRITES_SECONDS < config.DB_REPLICA_MAX_LAG_SECONDS) {
    context.addIssue({
      code: 'custom',
      path: ['DB_READ_YOUR_WRITES_SECONDS'],
      message: `must be at least DB_REPLICA_MAX_LAG_SECONDS (${config.DB_REPLICA_MAX_LAG_SECONDS}): a replica that far behind still serves reads`,
    });
  }
  // Through a transaction pooler LISTEN hears nothing, and live data would stay silent without saying so.
  if (config.DB_TRANSACTION_POOLER === 'true' && config.DATABASE_URL && !config.DATABASE_LISTEN_URL) {
    context.addIssue({
      code: 'custom',
      path: ['DATABASE_LISTEN_URL'],
      message: 'with DB_TRANSACTION_POOLER=true, set it to a direct PostgreSQL URL (LISTEN hears nothing through a transaction pooler)',
    });
  }
});

/** Reads and validates the environment once; a bad variable stops the start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = consistent.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** HOST when set; else loopback only (the seeded accounts share a published password), every interface in production. */
export function listenHost(config: Pick<Config, 'HOST' | 'NODE_ENV'>): string | undefined {
  return config.HOST ?? (config.NODE_ENV === 'production' ? undefined : '127.0.0.1');
}

/** CORS_ORIGINS when set; else pages on this machine (any port), or none in production. */
export function corsOrigins(config: Pick<Config, 'CORS_ORIGINS' | 'NODE_ENV'>): AllowedOrigins {
  return config.CORS_ORIGINS ?? defaultOrigins(config.NODE_ENV === 'production');
}

/** Whether browsers get the explorer: EXPLORER when set, else everywhere but production. */
export function explorerEnabled(config: Pick<Config, 'EXPLORER' | 'NODE_ENV'>): boolean {
  return (config.EXPLORER ?? (config.NODE_ENV === 'production' ? 'off' : 'on')) === 'on';
}
