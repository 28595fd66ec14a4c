/**
 * The list contract evaluated in plain TypeScript over rows in memory: what a page of a list must
 * hold, to compare against what the server answers. Text order comes from a rank table the caller
 * builds from the database's collation, since that is the order PostgreSQL sorts by.
 */
import { globalId } from '../ids';

export type Value = number | string | boolean | Date | null;
export type Row = Record<string, Value>;
/** `postId` and `userId` are IDFilters of global ids of that type. */
export type FieldType = 'postId' | 'userId' | 'string' | 'boolean' | 'datetime';

export interface OracleSpec {
  filters: Record<string, FieldType>;
  /** Order field (GraphQL name) to row attribute. */
  columns: Record<string, string>;
  defaultOrder: { field: string; direction: 'ASC' | 'DESC' }[];
}

type Filter = Record<string, unknown>;

export function matches(row: Row, where: Filter | null | undefined, spec: OracleSpec): boolean {
  if (where == null) return true;
  return Object.entries(where).every(([name, value]) => {
    if (value == null) return true;
    if (name === 'AND') return (value as Filter[]).every((item) => matches(row, item, spec));
    if (name === 'OR') return (value as Filter[]).some((item) => matches(row, item, spec));
    if (name === 'NOT') return !matches(row, value as Filter, spec);
    return fieldMatches(row[name] ?? null, spec.filters[name]!, value);
  });
}

function fieldMatches(actual: Value, type: FieldType, filter: unknown): boolean {
  if (type === 'boolean') return actual === filter;
  const ops = Object.entries(filter as Filter).filter(([op, operand]) => operand != null && op !== 'mode');
  if (ops.length === 0) return true;
  if (actual === null) return false;
  const insensitive = (filter as Filter).mode === 'INSENSITIVE';
  return ops.every(([op, operand]) => {
    if (type === 'postId' || type === 'userId') {
      const ids = op === 'in' ? (operand as string[]) : [operand as string];
      return ids.includes(globalId(type === 'postId' ? 'Post' : 'User', actual as number));
    }
    if (type === 'datetime') {
      const [a, b] = [(actual as Date).getTime(), new Date(operand as string).getTime()];
      return { equals: a === b, gt: a > b, gte: a >= b, lt: a < b, lte: a <= b }[op as 'equals'];
    }
    const fold = (text: string) => (insensitive ? text.toLowerCase() : text);
    const [text, wanted] = [fold(actual as string), op === 'in' ? null : fold(operand as string)];
    if (op === 'in') return (operand as string[]).some((item) => fold(item) === text);
    return { equals: text === wanted, contains: text.includes(wanted!), startsWith: text.startsWith(wanted!), endsWith: text.endsWith(wanted!) }[
      op as 'equals'
    ];
  });
}

/** Compares rows by the given order, then by id in the last key's direction; NULL is the largest value. */
export function comparator(
  orderBy: { field: string; direction: 'ASC' | 'DESC' }[] | null | undefined,
  spec: OracleSpec,
  textRank: Map<string, number>,
): (a: Row, b: Row) => number {
  const keys = orderBy?.length ? [...orderBy] : [...spec.defaultOrder];
  const idAt = keys.findIndex((key) => key.field === 'ID');
  if (idAt >= 0) keys.splice(idAt + 1);
  else keys.push({ field: 'ID', direction: keys.at(-1)?.direction ?? 'ASC' });
  const rank = (value: Value): number => {
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'string') return textRank.get(value)!;
    return value as number;
  };
  return (a, b) => {
    for (const key of keys) {
      const attribute = spec.columns[key.field]!;
      const [x, y] = [a[attribute] ?? null, b[attribute] ?? null];
      if (x === y || (x !== null && y !== null && rank(x) === rank(y))) continue;
      const ascending = x === null ? 1 : y === null ? -1 : rank(x) - rank(y);
      return key.direction === 'ASC' ? ascending : -ascending;
    }
    return 0;
  };
}
