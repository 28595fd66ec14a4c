import { Op, type WhereOptions } from 'sequelize';
import { AppError } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface OrderKey {
  attribute: string;
  direction: 'ASC' | 'DESC';
  kind: 'integer' | 'date';
}

/** A total order over rows (its last key is unique), named so a cursor from another order is refused. */
export interface Ordering {
  name: string;
  keys: OrderKey[];
}

export const USERS_BY_ID: Ordering = { name: 'id', keys: [{ attribute: 'id', direction: 'ASC', kind: 'integer' }] };
export const POSTS_NEWEST_FIRST: Ordering = {
  name: 'newest',
  keys: [
    { attribute: 'createdAt', direction: 'DESC', kind: 'date' },
    { attribute: 'id', direction: 'DESC', kind: 'integer' },
  ],
};

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** A validated page request: how many rows, and the key values of the row to start after. */
export interface Page {
  ordering: Ordering;
  size: number;
  after: (number | Date)[] | null;
}

export interface Connection<Row> {
  edges: { cursor: string; node: Row }[];
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Resolved only when a client selects it (GraphQL calls functions it finds on the parent). */
  totalCount: () => Promise<number>;
}

export function parsePage(args: PageArgs, ordering: Ordering): Page {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw AppError.badInput([{ path: ['first'], message: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  }
  return { ordering, size, after: args.after == null ? null : decodeCursor(args.after, ordering) };
}

/** A stable key for requests that can share one batch (see the loaders). */
export function pageKey(page: Page): string {
  return JSON.stringify([page.ordering.name, page.size, page.after]);
}

export function orderClause(ordering: Ordering): [string, string][] {
  return ordering.keys.map((key) => [key.attribute, key.direction]);
}

/** Rows strictly after the cursor in the ordering: (k1 > v1) OR (k1 = v1 AND k2 > v2) ... */
export function afterCursor(page: Page): WhereOptions {
  const { after, ordering } = page;
  if (!after) return {};
  const branches = ordering.keys.map((key, i) => {
    const equalBefore = ordering.keys.slice(0, i).map((prior, j) => ({ [prior.attribute]: { [Op.eq]: after[j] } }));
    const beyond = { [key.attribute]: { [key.direction === 'ASC' ? Op.gt : Op.lt]: after[i] } };
    return { [Op.and]: [...equalBefore, beyond] };
  });
  return { [Op.or]: branches };
}

export function encodeCursor(ordering: Ordering, row: Record<string, unknown>): string {
  const values = ordering.keys.map((key) => {
    const value = row[key.attribute];
    return value instanceof Date ? value.toISOString() : value;
  });
  return Buffer.from(JSON.stringify([ordering.name, ...values])).toString('base64url');
}

function decodeCursor(cursor: string, ordering: Ordering): (number | Date)[] {
  const invalid = () => AppError.badInput([{ path: ['after'], message: 'is not a cursor of this list' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== ordering.keys.length + 1 || decoded[0] !== ordering.name) {
    throw invalid();
  }
  // Only plain numbers and dates leave here: nothing from a cursor can become an operator object.
  return ordering.keys.map((key, i) => {
    const value: unknown = decoded[i + 1];
    if (key.kind === 'integer' && Number.isSafeInteger(value)) return value as number;
    if (key.kind === 'date' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
    throw invalid();
  });
}

/** Builds the Relay connection from up to size + 1 rows (the extra row only says there is a next page). */
export function toConnection<Row extends object>(
  rows: Row[],
  page: Page,
  totalCount: () => Promise<number>,
): Connection<Row> {
  const nodes = rows.slice(0, page.size);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(page.ordering, node as Record<string, unknown>), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > page.size,
      // Paging forwards, a cursor means rows were left behind it.
      hasPreviousPage: page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
