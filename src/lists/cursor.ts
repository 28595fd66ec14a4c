import { AppError } from '../errors';
import { isStorable } from './dates';
import type { KeyValue, Ordering } from './ordering';

/** An opaque cursor: the ordering's name and the row's key values, as base64url JSON. */
export function encodeCursor(ordering: Ordering, row: Record<string, unknown>): string {
  const values = ordering.keys.map((key) => {
    const value = row[key.attribute];
    return value instanceof Date ? value.toISOString() : value;
  });
  return Buffer.from(JSON.stringify([ordering.name, ...values])).toString('base64url');
}

/** The key values in a cursor made under `ordering`; anything else is BAD_USER_INPUT on `argument`. */
export function decodeCursor(cursor: string, ordering: Ordering, argument: string): KeyValue[] {
  const invalid = () => AppError.badInput([{ path: [argument], message: 'is not a cursor of this list in this order' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== ordering.keys.length + 1 || decoded[0] !== ordering.name) {
    throw invalid();
  }
  // Only plain numbers, strings, dates and nulls leave here: nothing in a cursor can become an operator object.
  return ordering.keys.map((key, i) => {
    const value: unknown = decoded[i + 1];
    if (value === null && key.nullable) return null;
    if (key.kind === 'integer' && Number.isSafeInteger(value)) return value as number;
    if (key.kind === 'number' && typeof value === 'number' && Number.isFinite(value)) return value;
    if (key.kind === 'string' && typeof value === 'string' && !value.includes('\0')) return value;
    if (key.kind === 'date' && typeof value === 'string' && isStorable(new Date(value))) return new Date(value);
    throw invalid();
  });
}
