import { literal, Op, QueryTypes, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import type { PageRows } from './connection';
import { beyond, reversed, type Ordering } from './ordering';
import type { Page } from './page';

/** A scope by name with its arguments, e.g. ['visibleTo', viewerId]. */
export type ScopeCall = readonly [name: string, ...args: unknown[]];

/** The rows a list holds: a model's rows narrowed by its scopes and by the client's filter. */
export interface ListSource {
  model: ModelStatic<Model>;
  scopes: ScopeCall[];
  where: WhereOptions;
}

interface SelectQueryGenerator {
  selectQuery(table: string, options: object, model: ModelStatic<Model>): string;
}

// Marks each row of a page query: the page's rows, or the one row looked up behind its start or beyond its end.
const BRANCH = 'listBranch';
const ROWS = 0;
const BEHIND_START = 1;
const BEYOND_END = 2;

const scopedModel = ({ model, scopes }: ListSource) =>
  model.scope(scopes.map(([name, ...args]) => (args.length ? { method: [name, ...args] } : name)));

/** How many rows the list holds (what `totalCount` reports). */
export function countRows(source: ListSource): Promise<number> {
  return scopedModel(source).count({ where: source.where });
}

/** How many rows each parent's list holds, in one grouped COUNT. */
export async function countRowsByParent(source: ListSource, parentKey: string, parentIds: readonly number[]): Promise<number[]> {
  const counts = (await scopedModel(source).count({
    where: { [Op.and]: [{ [parentKey]: { [Op.in]: [...parentIds] } }, source.where] },
    group: [parentKey],
  })) as unknown as Record<string, number>[];
  const byParent = new Map(counts.map((row) => [row[parentKey], row.count]));
  return parentIds.map((id) => byParent.get(id) ?? 0);
}

/** One page of a list in one statement (reading only `fields` of each row, when given; see columnsOf). */
export async function selectPage<Row>(source: ListSource, page: Page, fields: readonly string[] | null = null): Promise<PageRows<Row>> {
  const sql = `SELECT * FROM (${pageUnion(source, page, [], fields)}) AS page ORDER BY ${outerOrder(source.model, page)}`;
  return pageRowsOf<Row>(await run(source.model, sql));
}

/**
 * A page of the list of each parent (e.g. each author's posts) in one statement: a LATERAL join runs
 * the ordered, limited page query once per parent inside the database (for an author's posts in the
 * default order, each is a short walk of the (authorId, createdAt, id) index).
 */
export async function selectPagesByParent<Row>(
  source: ListSource,
  page: Page,
  parentKey: string,
  parentIds: readonly number[],
  fields: readonly string[] | null = null,
): Promise<PageRows<Row>[]> {
  if (!parentIds.every(Number.isSafeInteger)) throw new Error('parent ids must be integers');
  const ofParent = { [parentKey]: { [Op.eq]: Sequelize.col('parent.id') } };
  const sql =
    `SELECT page.* FROM unnest(ARRAY[${parentIds.join(',')}]::integer[]) WITH ORDINALITY AS parent(id, position) ` +
    `CROSS JOIN LATERAL (${pageUnion(source, page, [ofParent], fields)}) AS page ` +
    `ORDER BY parent.position, ${outerOrder(source.model, page)}`;
  const byParent = new Map<unknown, Record<string, unknown>[]>(parentIds.map((id) => [id, []]));
  for (const row of await run(source.model, sql)) byParent.get(row[parentKey])?.push(row);
  return parentIds.map((id) => pageRowsOf<Row>(byParent.get(id)!));
}

/**
 * The page's rows (size + 1 of them, in scan order, between the cursors) and, UNION ALL, for each cursor
 * the nearest row on its far side: whether rows lie before and after the page is then exact (pageInfo),
 * whichever cursors are given, in the same statement.
 */
function pageUnion(source: ListSource, page: Page, extra: WhereOptions[], fields: readonly string[] | null): string {
  const { model } = source;
  const columns = columnsOf(model, page, fields);
  const scan = page.backward ? reversed(page.ordering) : page.ordering;
  const [start, end] = page.backward ? [page.before, page.after] : [page.after, page.before];
  const list = [...extra, ...source.scopes.map((call) => scopeWhere(model, call)), ...notDeleted(model), source.where];
  const between = [...(start ? [beyond(scan, start)] : []), ...(end ? [beyond(reversed(scan), end)] : [])];
  const branches = [branch(model, columns, [...list, ...between], scan, page.size + 1, ROWS)];
  if (start) branches.push(branch(model, columns, [...list, { [Op.not]: beyond(scan, start) }], reversed(scan), 1, BEHIND_START));
  if (end) branches.push(branch(model, columns, [...list, { [Op.not]: beyond(reversed(scan), end) }], scan, 1, BEYOND_END));
  return branches.map((sql) => `(${sql})`).join(' UNION ALL ');
}

function branch(
  model: ModelStatic<Model>,
  columns: string[],
  where: WhereOptions[],
  ordering: Ordering,
  limit: number,
  marker: number,
): string {
  const generator = model.sequelize!.getQueryInterface().queryGenerator as SelectQueryGenerator;
  const sql = generator.selectQuery(
    model.getTableName() as string,
    {
      attributes: [...columns, [literal(String(marker)), BRANCH]],
      where: { [Op.and]: where },
      order: ordering.keys.map((key) => [key.attribute, key.direction]),
      limit,
    },
    model,
  );
  return sql.replace(/;\s*$/, '');
}

/** UNION ALL keeps no order by itself: sort the (few) rows again by branch, then in scan order. */
function outerOrder(model: ModelStatic<Model>, page: Page): string {
  const quote = (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);
  const scan = page.backward ? reversed(page.ordering) : page.ordering;
  return [`page.${quote(BRANCH)}`, ...scan.keys.map((key) => `page.${quote(key.attribute)} ${key.direction}`)].join(', ');
}

async function run(model: ModelStatic<Model>, sql: string): Promise<Record<string, unknown>[]> {
  return model.sequelize!.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
}

function pageRowsOf<Row>(rows: Record<string, unknown>[]): PageRows<Row> {
  return {
    // The marker stays on the page's rows (no copy of each row): no GraphQL type has a field of its name.
    rows: rows.filter((row) => row[BRANCH] === ROWS) as Row[],
    behindStart: rows.some((row) => row[BRANCH] === BEHIND_START),
    beyondEnd: rows.some((row) => row[BRANCH] === BEYOND_END),
  };
}

/** The where of a scope that only filters (such as Post's visibleTo), so raw page queries apply it too. */
function scopeWhere(model: ModelStatic<Model>, [name, ...args]: ScopeCall): WhereOptions {
  const definition = model.options.scopes?.[name];
  const options = typeof definition === 'function' ? definition(...args) : definition;
  if (!options || Object.keys(options).some((key) => key !== 'where')) {
    throw new Error(`${model.name} scope ${name} must exist and hold only a where`);
  }
  return options.where ?? {};
}

/** The query generator knows nothing of `paranoid`: soft-deleted rows are left out here, on purpose. */
function notDeleted(model: ModelStatic<Model>): WhereOptions[] {
  if (!model.options.paranoid) return [];
  const attribute = typeof model.options.deletedAt === 'string' ? model.options.deletedAt : 'deletedAt';
  return [{ [attribute]: { [Op.is]: null } }];
}

/**
 * The columns a page reads: those of the requested fields, plus the primary and foreign keys (other
 * resolvers follow them, e.g. Post.author) and the sort keys (cursors are made of them); all columns
 * when no fields are given. Fewer columns mean fewer values to parse and less garbage per row.
 */
function columnsOf(model: ModelStatic<Model>, page: Page, fields: readonly string[] | null): string[] {
  const all = attributesOf(model);
  if (!fields) return all;
  const attributes = model.getAttributes() as Record<string, { primaryKey?: boolean; references?: unknown }>;
  const sortKeys = new Set(page.ordering.keys.map((key) => key.attribute));
  return all.filter((name) => fields.includes(name) || sortKeys.has(name) || attributes[name]!.primaryKey || attributes[name]!.references);
}

/** The columns a finder would select: all but those the default scope excludes (User's password hash). */
function attributesOf(model: ModelStatic<Model>): string[] {
  const scoped = model.options.defaultScope?.attributes;
  const excluded = scoped && !Array.isArray(scoped) && 'exclude' in scoped ? (scoped.exclude as string[]) : [];
  return Object.keys(model.getAttributes()).filter((attribute) => !excluded.includes(attribute));
}
