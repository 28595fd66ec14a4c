import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS } from './limits';

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

const environment = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** A PostgreSQL URL; when unset, an embedded PostgreSQL is started. */
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its data (ignored with DATABASE_URL). */
  EMBEDDED_PG_DIR: z.string().default(path.join(packageRoot, '.data', 'postgres')),
  /** How long a sign-in token stays valid. */
  TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
  /** Connections in the pool. */
  DB_POOL_MAX: z.coerce.number().int().positive().default(10),
  // Limits on requests (src/limits.ts says what each one counts).
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxDepth),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.maxAliases),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxTokens),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(DEFAULT_LIMITS.maxDirectives),
  GRAPHQL_MAX_COST: z.coerce.number().int().positive().default(DEFAULT_LIMITS.maxCost),
  LOGIN_MAX_ATTEMPTS_PER_EMAIL: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginAttemptsPerEmail),
  LOGIN_MAX_ATTEMPTS_PER_CLIENT: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginAttemptsPerClient),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(DEFAULT_LIMITS.loginWindowSeconds),
  /** Whom to believe about X-Forwarded-For: unset, no one; `true`, any; a number of proxies; or addresses/subnets. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value) => (!value || value === 'false' ? false : value === 'true' ? true : /^\d+$/.test(value) ? Number(value) : value)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof environment>;

/** Reads and validates the environment once; a bad variable stops the start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
