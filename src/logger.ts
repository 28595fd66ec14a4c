import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequest } from './request-scope';

export type { Logger };

/**
 * Secrets never reach a log line: bearer tokens and cookies in headers, passwords and tokens in
 * GraphQL variables (as `$password` or as a field of an input object, up to two levels down).
 */
export const REDACTED_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  ...['password', 'token'].flatMap((key) => [`variables.${key}`, `variables.*.${key}`, `variables.*.*.${key}`]),
  ...['password', 'passwordHash', 'token'].flatMap((key) => [key, `*.${key}`]),
];

export interface LoggerOptions {
  level: string;
  /** Human-readable lines (pino-pretty in a worker thread) instead of JSON. */
  pretty?: boolean;
  /** Where JSON lines go (stdout when not given); tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** A pino logger: JSON lines, ISO times, secrets redacted, and the request id of the request being served. */
export function createLogger({ level, pretty = false, destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Runs only for lines actually written. pino merges the line's fields into the object returned,
    // so it must be a new one each time.
    mixin: () => {
      const request = currentRequest();
      return request ? { reqId: request.id } : {};
    },
  };
  if (destination) return pino(options, destination);
  return pretty ? pino({ ...options, transport: { target: 'pino-pretty' } }) : pino(options);
}

const environment = process.env.NODE_ENV ?? 'development';

/**
 * The process's logger. Pretty only for a person at a terminal in development: tests, production and
 * anything piped (a log collector) get JSON.
 */
export const logger = createLogger({
  level: process.env.LOG_LEVEL ?? (environment === 'test' ? 'silent' : 'info'),
  pretty: environment === 'development' && process.stdout.isTTY === true,
});
