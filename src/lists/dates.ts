/**
 * The first instant a statement can name. PostgreSQL stores timestamps from 4713 BC, but a date before
 * year 1 reaches it written as ISO 8601 does (year 0000 for 1 BC, -000001 for 2 BC), which PostgreSQL does
 * not read (it wants "BC"); no row can hold one anyway (the server sets every timestamp). The last
 * instant JavaScript can hold (year 275760) is within PostgreSQL's range (to 294276 AD).
 */
export const FIRST_DATE = new Date('0001-01-01T00:00:00.000Z');

/** Whether a date a client sent (in a filter, in a cursor) is one a statement can use. */
export function isStorable(date: Date): boolean {
  return !Number.isNaN(date.getTime()) && date >= FIRST_DATE;
}
