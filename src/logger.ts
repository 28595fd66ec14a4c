import pino from 'pino';

/** One structured logger; secrets never reach it (see the redact list). */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: ['req.headers.authorization', '*.password', '*.passwordHash', '*.token'],
});
