import {
  AggregateError as SequelizeAggregateError,
  BulkRecordError,
  ForeignKeyConstraintError,
  OptimisticLockError,
  UniqueConstraintError,
  ValidationError,
} from 'sequelize';
import { faultOf } from './db/faults';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'SERVICE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'TOO_MANY_REQUESTS'
  | 'RESPONSE_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR';

/** Codes of failures that wrote nothing and may pass when the same request is sent again later. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(['SERVICE_UNAVAILABLE', 'TIMEOUT']);

/** The most characters of a client's value an error message repeats. */
export const MAX_ECHOED_LENGTH = 64;

/**
 * A client's value as an error message may repeat it: cut short, so a 90,000-character id does not come
 * back as a 90,000-character message (nor fill the log).
 */
export function shown(value: unknown): string {
  const text = String(value);
  return text.length > MAX_ECHOED_LENGTH ? `${text.slice(0, MAX_ECHOED_LENGTH)}…` : text;
}

/** Where an input went wrong: path relative to the mutation's `input` (or to the field's arguments). */
export interface FieldProblem {
  path: (string | number)[];
  message: string;
}

/** The one error type the application throws on purpose; graphql/format-error.ts turns it into a GraphQL error. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
    /** More for the client to act on, e.g. { retryAfterSeconds } (shown as extensions). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badInput(fields: FieldProblem[]): AppError {
    return new AppError('BAD_USER_INPUT', fields.map((f) => `${f.path.join('.')}: ${f.message}`).join('; '), fields);
  }
}

/** Field problems from a Sequelize validation error, under a path prefix (e.g. ['posts', 3]). */
export function validationProblems(error: ValidationError, prefix: (string | number)[] = []): FieldProblem[] {
  return error.errors.map((item) => ({ path: [...prefix, item.path ?? 'input'], message: item.message }));
}

/** Translates the database errors a client can cause into AppErrors; anything else stays unknown (null). */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof UniqueConstraintError) {
    const fields = error.errors.map((item) => ({ path: [item.path ?? 'input'], message: 'is already taken' }));
    return new AppError('CONFLICT', fields.map((f) => `${f.path.join('.')} is already taken`).join('; '), fields);
  }
  if (error instanceof OptimisticLockError) {
    return new AppError('CONFLICT', 'the record was changed by someone else; reload it and try again');
  }
  if (error instanceof ValidationError) return AppError.badInput(validationProblems(error));
  if (error instanceof ForeignKeyConstraintError) return new AppError('CONFLICT', 'what it refers to was removed meanwhile; reload and try again');
  if (error instanceof SequelizeAggregateError) {
    const items = error.errors.filter((e): e is BulkRecordError => e instanceof BulkRecordError);
    const problems = items.flatMap((item) => (item.errors instanceof ValidationError ? validationProblems(item.errors) : []));
    if (problems.length) return AppError.badInput(problems);
  }
  const fault = faultOf(error);
  // The database's own text (SQL, table names) stays in the log: the client gets a code and a plain reason.
  if (fault === 'timeout') return new AppError('TIMEOUT', 'the database took too long and the request was cancelled; try again');
  if (fault) return new AppError('SERVICE_UNAVAILABLE', 'the database is unavailable or busy right now; try again shortly');
  return null;
}
