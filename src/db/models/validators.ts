/** PostgreSQL refuses NUL in text; catching it here turns a database error into a field error. */
export function noNulCharacters(value: unknown): void {
  if (typeof value === 'string' && value.includes('\u0000')) throw new Error('must not contain NUL characters');
}
