import { Op, type WhereOptions } from 'sequelize';
import { AppError } from '../errors';
import { rowIdOf, type NodeType } from '../ids';
import { isStorable } from './dates';

/** A column a client may filter on, by the GraphQL filter type that describes it. */
export interface FilterField {
  attribute: string;
  /** 'id' compares global ids of `node`'s type (IDFilter); 'integer' compares row numbers (IntFilter). */
  type: 'id' | 'integer' | 'string' | 'boolean' | 'datetime';
  node?: NodeType;
  nullable?: boolean;
}
export type FilterFields = Record<string, FilterField>;

export const MAX_FILTER_DEPTH = 5;
/** Conditions on fields (a field's several operators count as one), however AND/OR/NOT combine them. */
export const MAX_FILTER_CONDITIONS = 50;
export const MAX_IN_VALUES = 100;
/**
 * Characters in a string a filter compares (each `in` value too): the longest title (255) can be matched
 * exactly, while a pattern of tens of thousands of characters, seconds of database CPU per row scanned, cannot.
 */
export const MAX_FILTER_STRING_LENGTH = 255;

type Path = (string | number)[];

// Conditions keep TRUE and FALSE apart from Sequelize wheres and fold them away: Sequelize would drop
// an empty `{}` (true) inside an Op.or, turning `OR: [{}, x]` into plain `x`.
type Condition = boolean | WhereOptions;

function and(parts: Condition[]): Condition {
  if (parts.includes(false)) return false;
  const wheres = parts.filter((part): part is WhereOptions => part !== true);
  return wheres.length <= 1 ? (wheres[0] ?? true) : { [Op.and]: wheres };
}

function or(parts: Condition[]): Condition {
  if (parts.includes(true)) return true;
  const wheres = parts.filter((part): part is WhereOptions => part !== false);
  return wheres.length <= 1 ? (wheres[0] ?? false) : { [Op.or]: wheres };
}

function not(part: Condition): Condition {
  return typeof part === 'boolean' ? !part : { [Op.not]: part };
}

function toWhere(condition: Condition): WhereOptions {
  if (condition === true) return {};
  return condition === false ? { [Op.or]: [] } : condition; // Sequelize writes an empty OR as 0 = 1
}

const bad = (path: Path, message: string) => AppError.badInput([{ path, message }]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A client's `where` (PostWhere, UserWhere) as a Sequelize where, built from an allow-list: only the
 * given fields and operators are read, every value is type-checked, and only Op symbols come out.
 * A null anywhere means "not given"; comparisons on nullable columns are false for NULL, so NOT is exact.
 */
export function whereOf(input: unknown, fields: FilterFields): WhereOptions {
  let conditions = 0;
  const count = (path: Path) => {
    conditions += 1;
    if (conditions > MAX_FILTER_CONDITIONS) throw bad(path, `the filter holds more than ${MAX_FILTER_CONDITIONS} conditions`);
  };

  function conditionOf(filter: unknown, path: Path, depth: number): Condition {
    if (filter == null) return true;
    if (!isObject(filter)) throw bad(path, 'must be an object');
    if (depth > MAX_FILTER_DEPTH) throw bad(path, `nests AND/OR/NOT more than ${MAX_FILTER_DEPTH} levels deep`);
    const parts: Condition[] = [];
    for (const [name, value] of Object.entries(filter)) {
      if (value == null) continue;
      const at = [...path, name];
      if (name === 'AND' || name === 'OR') {
        const items = listOf(value, at, 'filters').map((item, i) => conditionOf(item, [...at, i], depth + 1));
        parts.push(name === 'AND' ? and(items) : or(items));
      } else if (name === 'NOT') {
        parts.push(not(conditionOf(value, at, depth + 1)));
      } else if (Object.hasOwn(fields, name)) {
        count(at);
        parts.push(fieldCondition(fields[name]!, value, at));
      } else {
        throw bad(at, 'is not a filter of this list');
      }
    }
    return and(parts);
  }

  return toWhere(conditionOf(input, ['where'], 0));
}

function listOf(value: unknown, path: Path, items = 'values'): unknown[] {
  if (!Array.isArray(value)) throw bad(path, 'must be a list');
  if (value.length > MAX_IN_VALUES) throw bad(path, `must hold at most ${MAX_IN_VALUES} ${items}`);
  return value;
}

function fieldCondition(field: FilterField, value: unknown, path: Path): Condition {
  if (field.type === 'boolean') {
    if (typeof value !== 'boolean') throw bad(path, 'must be true or false');
    return { [field.attribute]: { [Op.eq]: value } };
  }
  if (!isObject(value)) throw bad(path, 'must be an object');
  const parts = Object.entries(value)
    .filter(([, operand]) => operand != null)
    .map(([operator, operand]) => {
      const at = [...path, operator];
      if (field.type === 'id') return idCondition(field.attribute, operator, operand, at, globalRowId(field));
      if (field.type === 'integer') return idCondition(field.attribute, operator, operand, at, rowNumber);
      if (field.type === 'datetime') return dateCondition(field.attribute, operator, operand, at);
      return stringCondition(field.attribute, operator, operand, value.mode, at);
    });
  const condition = and(parts);
  // On a nullable column `x = 'a'` is NULL for a NULL x; asking IS NOT NULL first makes it false.
  return field.nullable && condition !== true ? and([{ [field.attribute]: { [Op.ne]: null } }, condition]) : condition;
}

/** A row id read from a filter's value, or null for a value that names no row (it matches nothing). */
type RowIdReader = (value: unknown, at: Path) => number | null;

/** A global id of the field's type; an id of another type, a bare row number or garbage names no row. */
const globalRowId =
  (field: FilterField): RowIdReader =>
  (id, at) => {
    if (typeof id !== 'string') throw bad(at, 'must be an ID');
    return rowIdOf(id, field.node!);
  };

const rowNumber: RowIdReader = (value, at) => {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw bad(at, 'must be an integer');
  return value;
};

/** `equals` / `in` on a column of row ids, read from the client's values by `idOf`. */
function idCondition(attribute: string, operator: string, operand: unknown, path: Path, idOf: RowIdReader): Condition {
  if (operator === 'equals') {
    const id = idOf(operand, path);
    return id === null ? false : { [attribute]: { [Op.eq]: id } };
  }
  if (operator === 'in') {
    const ids = listOf(operand, path).flatMap((id, i) => idOf(id, [...path, i]) ?? []);
    return ids.length === 0 ? false : { [attribute]: { [Op.in]: ids } };
  }
  throw bad(path, 'is not an ID or integer filter');
}

const DATE_OPERATORS = { equals: Op.eq, gt: Op.gt, gte: Op.gte, lt: Op.lt, lte: Op.lte } as const;

function dateCondition(attribute: string, operator: string, operand: unknown, path: Path): Condition {
  if (!Object.hasOwn(DATE_OPERATORS, operator)) throw bad(path, 'is not a date-time filter');
  if (!(operand instanceof Date) || Number.isNaN(operand.getTime())) throw bad(path, 'must be a date-time');
  if (!isStorable(operand)) throw bad(path, 'must be a date-time from year 1 on');
  return { [attribute]: { [DATE_OPERATORS[operator as keyof typeof DATE_OPERATORS]]: operand } };
}

/** `%`, `_` and `\` in a client's text are matched literally (backslash is LIKE's default escape). */
const literally = (text: string) => text.replace(/[\\%_]/g, '\\$&');

function stringCondition(attribute: string, operator: string, operand: unknown, mode: unknown, path: Path): Condition {
  if (operator === 'mode') {
    if (operand !== 'DEFAULT' && operand !== 'INSENSITIVE') throw bad(path, 'must be DEFAULT or INSENSITIVE');
    return true;
  }
  const textOf = (text: unknown, at: Path) => {
    if (typeof text !== 'string') throw bad(at, 'must be a string');
    if (text.includes('\0')) throw bad(at, 'must not contain NUL characters');
    if (text.length > MAX_FILTER_STRING_LENGTH) throw bad(at, `must be at most ${MAX_FILTER_STRING_LENGTH} characters`);
    return text;
  };
  const insensitive = mode === 'INSENSITIVE';
  const like = (pattern: string) => ({ [attribute]: { [insensitive ? Op.iLike : Op.like]: pattern } });
  switch (operator) {
    case 'equals':
      return insensitive ? like(literally(textOf(operand, path))) : { [attribute]: { [Op.eq]: textOf(operand, path) } };
    case 'in': {
      const texts = listOf(operand, path).map((text, i) => textOf(text, [...path, i]));
      if (texts.length === 0) return false;
      return insensitive ? { [attribute]: { [Op.iLike]: { [Op.any]: texts.map(literally) } } } : { [attribute]: { [Op.in]: texts } };
    }
    case 'contains':
      return like(`%${literally(textOf(operand, path))}%`);
    case 'startsWith':
      return like(`${literally(textOf(operand, path))}%`);
    case 'endsWith':
      return like(`%${literally(textOf(operand, path))}`);
    default:
      throw bad(path, 'is not a string filter');
  }
}
