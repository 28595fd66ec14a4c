import { literal, Op, Sequelize, type ModelStatic, type Model, type WhereOptions } from 'sequelize';
import { AppError } from '../errors';

export type Direction = 'ASC' | 'DESC';

/** A column a list may be ordered by, and how its values travel in a cursor. */
export interface SortColumn {
  attribute: string;
  kind: 'integer' | 'date' | 'string' | 'number';
  nullable?: boolean;
  /** An expression sorted by instead of a column (a search's relevance); pages read it as `attribute`. */
  sql?: string;
  /**
   * How many rows of the list, the newest (highest ids) first, a key this costly to sort by orders: a list
   * ordered by it holds only those. A search's relevance, which can only be known row by row, so it would
   * otherwise be computed for every match, however many millions.
   */
  window?: number;
}

export interface OrderKey extends SortColumn {
  direction: Direction;
}

/** A total order over rows (its last key is the unique id), named so a cursor from another order is refused. */
export interface Ordering {
  name: string;
  keys: OrderKey[];
}

/** One entry of a client's `orderBy`, e.g. { field: 'CREATED_AT', direction: 'DESC' }. */
export interface OrderInput {
  field: string;
  /** ASC when not given (or null). */
  direction?: Direction | null;
}

/** The columns of a list by their GraphQL name; ID is the tie-breaker every ordering ends with. */
export type SortColumns = { ID: SortColumn } & Record<string, SortColumn>;

const FALSE: WhereOptions = { [Op.or]: [] };

function orderingFrom(keys: OrderKey[]): Ordering {
  return { name: keys.map((key) => `${key.attribute} ${key.direction}`).join(','), keys };
}

/**
 * The ordering a client asked for, or the model's default-order scope when it asked for none.
 * Keys after ID are dropped (ID is unique), and ID is appended when missing, in the direction of the
 * last key, so the order is total and an index on (key, id) serves it in either direction.
 */
export function orderingOf(
  orderBy: readonly OrderInput[] | null | undefined,
  columns: SortColumns,
  defaultOrder: { model: ModelStatic<Model>; scope: string },
): Ordering {
  const inputs = orderBy?.length ? orderBy : scopeOrder(defaultOrder.model, defaultOrder.scope, columns);
  const keys: OrderKey[] = [];
  for (const [i, input] of inputs.entries()) {
    const column = Object.hasOwn(columns, input.field) ? columns[input.field] : undefined;
    const direction = input.direction ?? 'ASC';
    if (!column || (direction !== 'ASC' && direction !== 'DESC')) {
      throw AppError.badInput([{ path: ['orderBy', i], message: 'is not an ordering of this list' }]);
    }
    if (keys.some((key) => key.attribute === column.attribute)) {
      throw AppError.badInput([{ path: ['orderBy', i], message: `orders by ${input.field} twice` }]);
    }
    keys.push({ ...column, direction });
    if (column === columns.ID) return orderingFrom(keys);
  }
  return orderingFrom([...keys, { ...columns.ID, direction: keys.at(-1)?.direction ?? 'ASC' }]);
}

/** A scope's `order` (e.g. Post's newestFirst) in the client's terms, so the scope is the one place it is written. */
function scopeOrder(model: ModelStatic<Model>, scope: string, columns: SortColumns): OrderInput[] {
  const order = (model.options.scopes?.[scope] as { order?: [string, Direction][] } | undefined)?.order;
  if (!order) throw new Error(`${model.name} has no order scope ${scope}`);
  return order.map(([attribute, direction]) => {
    const field = Object.keys(columns).find((name) => columns[name]!.attribute === attribute);
    if (!field) throw new Error(`${model.name}.${attribute} is not a sort column`);
    return { field, direction };
  });
}

/** The same keys walked the other way (NULLs, the largest values, move from last to first). */
export function reversed(ordering: Ordering): Ordering {
  const keys = ordering.keys.map((key): OrderKey => ({ ...key, direction: key.direction === 'ASC' ? 'DESC' : 'ASC' }));
  return { name: `${ordering.name} reversed`, keys };
}

export type KeyValue = number | string | Date | null;

/** The key's column, or its expression, compared by `condition` (e.g. { [Op.gt]: 3 }). */
function compared(key: OrderKey, condition: object): WhereOptions {
  return key.sql ? Sequelize.where(literal(key.sql), condition) : { [key.attribute]: condition };
}

// Comparisons treat NULL as larger than any value, as PostgreSQL orders it by default (ASC NULLS LAST,
// DESC NULLS FIRST), and never yield NULL themselves, so NOT (...) of a predicate below means "not after".
function isAbove(key: OrderKey, value: KeyValue): WhereOptions {
  if (value === null) return FALSE;
  const above = compared(key, { [Op.gt]: value });
  return key.nullable ? { [Op.or]: [{ [key.attribute]: { [Op.is]: null } }, above] } : above;
}

function isBelow(key: OrderKey, value: KeyValue): WhereOptions {
  if (value === null) return { [key.attribute]: { [Op.ne]: null } };
  const below = compared(key, { [Op.lt]: value });
  return key.nullable ? { [Op.and]: [{ [key.attribute]: { [Op.ne]: null } }, below] } : below;
}

function isEqual(key: OrderKey, value: KeyValue): WhereOptions {
  if (value === null) return { [key.attribute]: { [Op.is]: null } };
  const equal = compared(key, { [Op.eq]: value });
  return key.nullable ? { [Op.and]: [{ [key.attribute]: { [Op.ne]: null } }, equal] } : equal;
}

/** Rows strictly after the row with these key values: (k1 beyond v1) OR (k1 = v1 AND k2 beyond v2) ... */
export function beyond(ordering: Ordering, values: KeyValue[]): WhereOptions {
  const branches = ordering.keys.map((key, i) => {
    const equalBefore = ordering.keys.slice(0, i).map((prior, j) => isEqual(prior, values[j] as KeyValue));
    const after = key.direction === 'ASC' ? isAbove(key, values[i] as KeyValue) : isBelow(key, values[i] as KeyValue);
    return { [Op.and]: [...equalBefore, after] };
  });
  return { [Op.or]: branches };
}
