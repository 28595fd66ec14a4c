import { randomUUID } from 'node:crypto';
import { DataTypes, literal, Op, QueryTypes, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import type { PageRows } from './connection';
import { and, measuredStatement, SIZE, sizeOutput, where, type AnswerBudget, type Gate, type MeasuredList } from './measure';
import { joinsOf, readJoined, type Join } from './joined';
import { textBytes, textBytesSql, textColumnsOf } from './size';
import { beyond, reversed, type Ordering } from './ordering';
import type { ListRequest } from '.';
import { Lru } from '../lru';

type Attribute = string | ReturnType<typeof literal> | readonly [ReturnType<typeof literal>, string];

/** A scope by name with its arguments, e.g. ['visibleTo', viewerId]. */
export type ScopeCall = readonly [name: string, ...args: unknown[]];

/**
 * The rows a list holds: a model's rows narrowed by its scopes and by the client's filter; and, when its
 * rows are counted into an answer, that answer's budget, which every statement reading them keeps to.
 */
export interface ListSource {
  model: ModelStatic<Model>;
  scopes: ScopeCall[];
  where: WhereOptions;
  budget?: AnswerBudget;
  /**
   * For the list of each parent by `parentKey` (an author's posts by authorId), the list's size as the database
   * keeps it for the row `parent` of the statement around it (an SQL value, see Post's keptPostCount): read for
   * totalCount instead of a COUNT.
   */
  keptCount?: { parentKey: string; sql: string };
}

/** The part of Sequelize's query generator that writes a SELECT (not in its public types). */
export interface SelectQueryGenerator {
  selectQuery(table: string, options: object, model: ModelStatic<Model>): string;
}

// Marks each row of a page query with its place: 1, 2, … for the page's rows in scan order, 0 for the row
// looked up behind its start, -1 for the one beyond its end. Rows are put in order by this one integer, so
// the sort keys (dates, mostly) are read only when cursors are made of them, and the database sorts nothing
// after the page's own ORDER BY. A child page without neighbours needs no mark: its rows' places are their
// positions in its arrays (see withChildren).
const RANK = 'listRank';
const BEHIND_START = 0;
const BEYOND_END = -1;
// A page comes back as one value, beside the whole list's size when counted: the JSON array of its rows
// (json_agg), or for a child page read with its parents, a JSON array of its columns (see withChildren). pg
// then reads one value per page instead of one per column of every row, and JSON.parse does the parsing.
const ROWS = 'listRows';
const TOTAL = 'listTotal';

/**
 * What to read of a list: which page, which fields of its rows (null: all), and whether to count it all;
 * `pageKey` says all of that in one string.
 */
export type PageQuery = Pick<ListRequest, 'page' | 'fields' | 'counted' | 'neighbours' | 'pageKey'> & Partial<Pick<ListRequest, 'objects'>>;

// Sequelize's query generator costs more than running some statements: the text written for a page query
// is kept for requests that ask the same (same list, scopes, filter, order, page and fields; parent ids are
// not part of it), the few hundred used most recently.
const statements = new Lru<string, unknown>(500);

function remembered<Text>(source: ListSource, query: PageQuery, kind: string, write: () => Text): Text {
  const key = `${kind} ${source.model.name} ${JSON.stringify(source.scopes)} ${query.pageKey}`;
  const kept = statements.get(key);
  if (kept !== undefined) return kept as Text;
  const text = write();
  statements.set(key, text);
  return text;
}

/** A list of each row of a page (e.g. each user's posts: `parentKey` authorId), read by the page's own statement. */
export interface ChildQuery {
  source: ListSource;
  query: PageQuery;
  parentKey: string;
}

/** A page, and for each child list asked with it, the page of each of its rows, by the row's id. */
export interface PageWithChildren<Row> extends PageRows<Row> {
  children: Map<number, PageRows<unknown>>[];
}

/** One page of a list in one statement, its total when counted, and the child lists asked of its rows (see withChildren). */
export async function selectPage<Row>(source: ListSource, query: PageQuery, children: ChildQuery[] = []): Promise<PageWithChildren<Row>> {
  const childKeys = children.map((child) => `${child.parentKey} ${child.source.model.name} ${JSON.stringify(child.source.scopes)} ${child.query.pageKey}`);
  // The page's rows come with the rows they point to that were asked of them (a post's author); a child
  // list's rows do not: what they point to is the row they are listed under (each user's posts' author).
  const [dates, joins, childColumns] = remembered(source, query, ['dates', ...childKeys].join(' | '), () => [
    datesRead(source.model, query),
    joinsOf(source.model, query.objects ?? []),
    children.map(childColumnsOf),
  ]);
  const lists = [
    measuredList(source, query, query.page.size, () => remembered(source, query, 'measure', () => pageBytes(source, query, [], ''))),
    ...children.map((child) =>
      measuredList(child.source, child.query, query.page.size * child.query.page.size, () =>
        remembered(child.source, child.query, `measure by ${child.parentKey} of ${query.page.size}`, () => {
          const pages = `"${PAGE}" AS parent CROSS JOIN LATERAL ${pageBytes(child.source, child.query, [ofParent(child.parentKey)], 'page')}`;
          return `(SELECT sum(page."${SIZE}") FROM ${pages} WHERE parent."${RANK}" BETWEEN 1 AND ${query.page.size})`;
        }),
      ),
    ),
  ];
  const found = await runMeasured(source.model, lists, (gate) =>
    remembered(source, query, ['page', gate && 'gated', ...childKeys].join(' | '), () =>
      children.length
        ? withChildren(source, query, children, gate, joins)
        : [`SELECT ${outputOf(query)}${sizeOutput(gate)} FROM ${pageJoin(source, query, null, gate, joins)}`],
    ),
  );
  const head = children.length ? found.find((row) => row[PARENT] === null)! : found[0]!;
  return { ...pageRowsOf<Row>(head, query.counted, dates, joins), children: childPagesOf(found, childColumns) };
}

/**
 * The page's rows, once (a materialized CTE), as one JSON array in the statement's head row (its "listParent"
 * null), and from those rows, UNION ALL, each child list's page of each of them (LATERAL, as in
 * selectPagesByParent): a row per parent and child list, marked with its parent ("listParent") and, when the
 * page has more than one child list, its list ("listChild", the list's index), holding the list's total when
 * counted and its page by column: a JSON array of one array per column of its list (see ChildColumns), the
 * values of the page's rows in the same order in each. Rows behind or beyond the page get no child pages.
 *
 * The aggregates take the rows in the order the page's subquery returns them (ORDER BY … LIMIT, which no plan
 * reorders under a plain aggregate), so a page read without its neighbours is in scan order already, and its
 * rows' ranks are left out: a row_number() window, run once per parent, had cost PostgreSQL about a fifth of
 * the nested page's statement (pgbench on the benchmark's data, four alternating rounds: 0.82–0.85 ms without
 * it, 1.01–1.10 with it, the floor's statement 0.73–0.74).
 *
 * JSON, not plain rows: each value of a plain row costs this process a string and its parsing in JavaScript,
 * while one JSON text per page is parsed natively. By column, not by row: json_agg looks up how to write a
 * column's type once per page, json_build_array once per value. For 50 users with 10 posts each, pg and this
 * process spent 1.0–1.2 ms reading the 501 plain rows and 0.4–0.6 ms reading the 51 rows of JSON; the
 * statement cost PostgreSQL about as much as with plain rows by column (pgbench, medians of ten runs: 1.06
 * against 1.08 ms), 1.27 ms by row, and a quarter more with a JSON object of each row.
 */
function withChildren(source: ListSource, query: PageQuery, children: ChildQuery[], gate: Gate, joins: Join[]): [head: string, body: string] {
  const quote = quoterOf(source.model);
  const listed = children.length > 1;
  const rows = `(SELECT json_agg(rows) FROM "${PAGE}" AS rows${where(gate)})`;
  const total = query.counted ? `(${countOf(source, query, null)})` : 'NULL::int';
  const head = `SELECT ${[...(listed ? [`NULL::int AS "${CHILD}"`] : []), `NULL::int AS "${PARENT}"`, `${total} AS "${TOTAL}"`, `${rows} AS "${ROWS}"`].join(', ')}`;
  const size = gate ? [`NULL::float8`] : [];
  const childPages = children.map((child, i) => {
    const counted = child.query.counted ? `CROSS JOIN LATERAL (${countOf(child.source, child.query, child.parentKey)}) AS counted ` : '';
    const { read, ranked } = childColumnsOf(child);
    const values = [...read, ...(ranked ? [RANK] : [])].map((name) => `page.${quote(name)}`);
    const rows = pageUnion(child.source, child.query, [ofParent(child.parentKey)], [], ranked);
    const page = `(SELECT json_build_array(${values.map((value) => `json_agg(${value})`).join(', ')}) FROM (${rows}) AS page)`;
    const marks = [...(listed ? [String(i)] : []), 'parent.id', child.query.counted ? `counted."${TOTAL}"` : 'NULL::int', page];
    return `SELECT ${[...marks, ...size].join(', ')} FROM "${PAGE}" AS parent ${counted}WHERE parent."${RANK}" BETWEEN 1 AND ${query.page.size}${and(gate)}`;
  });
  return [
    `WITH "${PAGE}" AS MATERIALIZED (${pageUnion(source, query, [], joins)})`,
    [`${head}${sizeOutput(gate)}`, ...childPages].map((sql) => `(${sql})`).join(' UNION ALL '),
  ];
}

/**
 * The columns of a child list's page: `read` (its columns but the one pointing to its parent, then its
 * computed sort keys, of which cursors are made), then its rows' ranks; the one pointing to the parent, when
 * asked, is set from the parent; `dates` among `read` arrive as ISO 8601 strings.
 */
interface ChildColumns {
  read: string[];
  /** Whether the rank comes last (see withChildren): only when the page reads its neighbours. */
  ranked: boolean;
  dates: string[];
  parentKey: string | null;
}

function childColumnsOf(child: ChildQuery): ChildColumns {
  const { model } = child.source;
  const columns = columnsOf(model, child.query.fields);
  const computed = child.query.page.ordering.keys.filter((key) => key.sql);
  return {
    read: [...columns.filter((name) => name !== child.parentKey), ...computed.map((key) => key.attribute)],
    ranked: child.query.neighbours,
    dates: datesRead(model, child.query),
    parentKey: columns.includes(child.parentKey) ? child.parentKey : null,
  };
}

/** Each child list's pages by parent id, from the rows of withChildren. */
function childPagesOf(found: Record<string, unknown>[], lists: readonly ChildColumns[]): Map<number, PageRows<unknown>>[] {
  const pages = lists.map(() => new Map<number, PageRows<unknown>>());
  if (!lists.length) return pages; // a statement without child lists: its one row is the head
  for (const pageRow of found) {
    const parent = pageRow[PARENT] as number | null;
    if (parent === null) continue; // the head
    const i = lists.length > 1 ? (pageRow[CHILD] as number) : 0;
    const { read, ranked, dates, parentKey } = lists[i]!;
    const page = emptyPage(pageRow[TOTAL] as number | null);
    pages[i]!.set(parent, page);
    // Each column's values (the rank's last, when ranked), in scan order; every column is null when the page has no rows.
    const columns = pageRow[ROWS] as unknown[][];
    const ranks = ranked ? (columns[read.length] as number[] | null) : null;
    const count = (columns[0] ?? []).length; // `read` always holds the primary key
    for (let at = 0; at < count; at++) {
      const row: Record<string, unknown> = {};
      for (let column = 0; column < read.length; column++) row[read[column]!] = columns[column]![at];
      if (parentKey) row[parentKey] = parent;
      place(page, withDates(row, dates), ranks ? ranks[at]! : at + 1);
    }
  }
  return pages;
}

const PAGE = 'listPage';
const CHILD = 'listChild';
const PARENT = 'listParent';

/** The rows of a list that belong to the row `parent` of the statement around it. */
const ofParent = (parentKey: string): WhereOptions => ({ [parentKey]: { [Op.eq]: Sequelize.col('parent.id') } });

/**
 * A page of the list of each parent (e.g. each author's posts), and each list's total when counted, in
 * one statement: LATERAL joins run the ordered, limited page query (and the COUNT) once per parent inside
 * the database (for an author's posts in the default order, each is a short walk of the (authorId,
 * createdAt, id) index). Every parent has exactly one row, in the order of `parentIds`.
 */
export async function selectPagesByParent<Row>(
  source: ListSource,
  query: PageQuery,
  parentKey: string,
  parentIds: readonly number[],
): Promise<PageRows<Row>[]> {
  if (!parentIds.every(Number.isSafeInteger)) throw new Error('parent ids must be integers');
  // The parent ids go as a parameter, as a lookup's ids do (see by-id.ts).
  const parents = `unnest($1::integer[]) WITH ORDINALITY AS parent(id, position)`;
  const dates = remembered(source, query, `dates by ${parentKey}`, () => datesRead(source.model, query));
  const measure = () =>
    remembered(source, query, `measure by ${parentKey}`, () => `CROSS JOIN LATERAL ${pageBytes(source, query, [ofParent(parentKey)], 'page')}`);
  const list = measuredList(source, query, parentIds.length * query.page.size, () => `(SELECT sum(page."${SIZE}") FROM ${parents} ${measure()})`);
  const found = await runMeasured(
    source.model,
    [list],
    (gate) => {
      const [output, joined] = remembered(source, query, `pages by ${parentKey}${gate && ' gated'}`, () => [
        outputOf(query),
        `CROSS JOIN ${pageJoin(source, query, parentKey, gate)} ORDER BY parent.position`,
      ]);
      return [`SELECT ${output}${sizeOutput(gate)} FROM ${parents} ${joined}`];
    },
    [parentIds],
  );
  return found.map((row) => pageRowsOf<Row>(row, query.counted, dates));
}

function outputOf(query: PageQuery): string {
  return [`page."${ROWS}"`, ...(query.counted ? [`counted."${TOTAL}"`] : [])].join(', ');
}

/**
 * The page's rows as one JSON array (null when there are none), with the COUNT beside it when counted;
 * both aggregates, so there is exactly one row. LATERAL for the list of each row `parent` (by `parentKey`).
 */
function pageJoin(source: ListSource, query: PageQuery, parentKey: string | null, gate: Gate, joins: Join[] = []): string {
  const lateral = parentKey ? 'LATERAL ' : '';
  const extra = parentKey ? [ofParent(parentKey)] : [];
  const page = `${lateral}(SELECT json_agg(rows) AS "${ROWS}" FROM (${pageUnion(source, query, extra, joins)}) AS rows${where(gate)}) AS page`;
  if (!query.counted) return page;
  return `${lateral}(${countOf(source, query, parentKey)}) AS counted CROSS JOIN ${page}`;
}

/** The size of the whole list, for totalCount: for the list of each row `parent`, the one kept when there is one, else a COUNT. */
function countOf(source: ListSource, query: PageQuery, parentKey: string | null): string {
  if (parentKey && source.keptCount?.parentKey === parentKey) return `SELECT coalesce(${source.keptCount.sql}, 0)::int AS "${TOTAL}"`;
  const { from, list } = listOf(source, query.page.ordering, parentKey ? [ofParent(parentKey)] : []);
  return branch(source.model, [[literal('count(*)::int'), TOTAL]], list, { from });
}

/**
 * The rows of the whole list as a statement reads them: the model's table (`from` null) under the list's
 * conditions (see listWhere); or, under an ordering with a window (see SortColumn.window), the newest rows
 * meeting them, as many as the window holds. The database finds those by walking the primary key down from
 * the newest row while matches are common, or by sorting the ids of the matches when they are few: either
 * way the window costs about as much at any size of the table.
 */
function listOf(source: ListSource, ordering: Ordering, extra: WhereOptions[]): { from: string | null; list: WhereOptions[] } {
  const list = listWhere(source, extra);
  const window = ordering.keys.find((key) => key.window)?.window;
  if (!window) return { from: null, list };
  const { model } = source;
  const id = model.primaryKeyAttribute;
  const newestFirst: Ordering = { name: `${id} DESC`, keys: [{ attribute: id, kind: 'integer', direction: 'DESC' }] };
  return { from: branch(model, [literal(`${quoterOf(model)(model.name)}.*`)], list, { ordering: newestFirst, limit: window }), list: [] };
}

/** The conditions of the whole list: the parent's, the scopes', not soft-deleted, the client's filter. */
function listWhere(source: ListSource, extra: WhereOptions[]): WhereOptions[] {
  return [...extra, ...source.scopes.map((call) => scopeWhere(source.model, call)), ...notDeleted(source.model), source.where];
}

/**
 * The page's rows (in scan order, between the cursors) with the rows `joins` reads of each and, when the
 * client asks whether rows lie before or after the page (pageInfo's hasNextPage, hasPreviousPage), one row
 * more and, UNION ALL, for each cursor the nearest row on its far side: the answer is then exact, whichever
 * cursors are given, in the same statement. A page whose flags nobody reads reads no row beyond it.
 */
function pageUnion(source: ListSource, { page, fields, neighbours }: PageQuery, extra: WhereOptions[], joins: Join[] = [], ranked = true): string {
  if (!ranked && neighbours) throw new Error('a page read with its neighbours marks their rows by rank');
  const { model } = source;
  const columns = columnsOf(model, fields);
  const joined: Attribute[] = joins.map((join) => [literal(join.sql), join.name]);
  const sorted: Attribute[] = page.ordering.keys.flatMap((key) => (key.sql ? [[literal(key.sql), key.attribute] as const] : []));
  const marked = (rank: string): Attribute[] => [...columns, ...sorted, ...joined, ...(ranked ? [[literal(rank), RANK] as const] : [])];
  const { from, list, scan, start, end } = scanOf(source, page, extra);
  const quote = quoterOf(model);
  const inScanOrder = `(row_number() OVER (ORDER BY ${scan.keys.map((key) => `${key.sql ?? quote(key.attribute)} ${key.direction}`).join(', ')}))::int`;
  const branches = [inPage(source, page, extra, marked(inScanOrder), neighbours ? page.size + 1 : page.size)];
  const [behindStart, beyondEnd] = [reversed(scan), scan].map((ordering) => ({ from, ordering, limit: 1 }));
  if (neighbours && start) branches.push(branch(model, marked(String(BEHIND_START)), [...list, { [Op.not]: beyond(scan, start) }], behindStart));
  if (neighbours && end) branches.push(branch(model, marked(String(BEYOND_END)), [...list, { [Op.not]: beyond(reversed(scan), end) }], beyondEnd));
  return branches.map((sql) => `(${sql})`).join(' UNION ALL ');
}

/** The scan of a page: the whole list's rows (see listOf), its order in the direction read, and the cursors it starts and ends at. */
function scanOf(source: ListSource, page: PageQuery['page'], extra: WhereOptions[]) {
  const scan = page.backward ? reversed(page.ordering) : page.ordering;
  const [start, end] = page.backward ? [page.before, page.after] : [page.after, page.before];
  return { ...listOf(source, page.ordering, extra), scan, start, end };
}

/** The first `limit` rows of the page in scan order, between its cursors, with `attributes`. */
function inPage(source: ListSource, page: PageQuery['page'], extra: WhereOptions[], attributes: Attribute[], limit: number): string {
  const { from, list, scan, start, end } = scanOf(source, page, extra);
  const between = [...(start ? [beyond(scan, start)] : []), ...(end ? [beyond(reversed(scan), end)] : [])];
  return branch(source.model, attributes, [...list, ...between], { from, ordering: scan, limit });
}

/**
 * The bytes of text of the page's rows that go into an answer (not the one beyond it, nor those behind or
 * beyond its cursors), as `alias`."listSize" (a scalar subquery without an alias): the same scan as the
 * page's, reading sizes only (see textBytesSql).
 */
function pageBytes(source: ListSource, query: PageQuery, extra: WhereOptions[], alias: string): string {
  const { model } = source;
  const text = textColumnsOf(model, columnsOf(model, query.fields)).map((column) => quoterOf(model)(column.name));
  const sizes = inPage(source, query.page, extra, [[literal(textBytesSql(text)), SIZE]], query.page.size);
  return `(SELECT coalesce(sum(sizes."${SIZE}"), 0)::float8 AS "${SIZE}" FROM (${sizes}) AS sizes)${alias && ` AS ${alias}`}`;
}

/** Runs a statement of pages kept to the answer's budget (see measuredStatement). */
async function runMeasured(
  model: ModelStatic<Model>,
  lists: MeasuredList[],
  write: (gate: Gate) => string[],
  bind?: unknown[],
): Promise<Record<string, unknown>[]> {
  const statement = measuredStatement(lists, write);
  const found = await run(model, statement.sql, bind);
  statement.check(found);
  return found;
}

/** A list of a statement, as measuredStatement weighs it. */
function measuredList(source: ListSource, query: PageQuery, rows: number, measure: () => string): MeasuredList {
  return { model: source.model, columns: columnsOf(source.model, query.fields), rows, budget: source.budget, measure };
}

/**
 * One SELECT of the model's table, or of the rows `from` reads (a subquery in the table's place, under the
 * model's name), written by Sequelize's query generator (quoting, operators, escaping).
 */
function branch(model: ModelStatic<Model>, attributes: Attribute[], where: WhereOptions[], options: BranchOptions = {}): string {
  const { ordering, limit, from } = options;
  const generator = model.sequelize!.getQueryInterface().queryGenerator as SelectQueryGenerator;
  const sql = generator
    .selectQuery(
      from ? ROWS_IN_PLACE : (model.getTableName() as string),
      {
        attributes,
        where: { [Op.and]: where },
        ...(ordering && { order: ordering.keys.map((key) => [key.sql ? literal(key.sql) : key.attribute, key.direction]) }),
        ...(limit !== undefined && { limit }),
      },
      model,
    )
    .replace(/;\s*$/, '');
  if (!from) return sql;
  const parts = sql.split(`FROM ${quoterOf(model)(ROWS_IN_PLACE)}`);
  if (parts.length !== 2) throw new Error(`cannot put rows in the place of the table in: ${sql}`);
  return parts.join(`FROM (${from})`);
}

// The name the generator is given for a table whose place a subquery then takes: random, so no client's
// text (a search's, written into the same statement) can hold it.
const ROWS_IN_PLACE = `rows ${randomUUID()}`;

interface BranchOptions {
  ordering?: Ordering;
  limit?: number;
  from?: string | null;
}

async function run(model: ModelStatic<Model>, sql: string, bind?: unknown[]): Promise<Record<string, unknown>[]> {
  return model.sequelize!.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, ...(bind && { bind }) });
}

const quoterOf = (model: ModelStatic<Model>) => (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);

/** The rows of a page in scan order, put in place by their ranks (json_agg keeps no order: none is asked of it). */
function pageRowsOf<Row>(found: Record<string, unknown>, counted: boolean, dates: readonly string[], joins: readonly Join[] = []): PageRows<Row> {
  const page = emptyPage<Row>(counted ? (found[TOTAL] as number) : null);
  for (const row of (found[ROWS] as Record<string, unknown>[] | null) ?? []) {
    // The rank stays on the row (no copy of each row): no GraphQL type has a field of its name.
    place(page, withDates(row, dates), row[RANK] as number, joins);
  }
  return page;
}

function emptyPage<Row>(total: number | null): PageRows<Row> {
  return { rows: [], total, behindStart: false, beyondEnd: false, bytes: 0 };
}

/** Puts a row read at `rank` in its page: a row of it, or the one behind its start or beyond its end. */
function place<Row>(page: PageRows<Row>, row: Record<string, unknown>, rank: number, joins: readonly Join[] = []): void {
  if (rank > BEHIND_START) {
    readJoined(row, joins);
    page.rows[rank - 1] = row as Row;
    page.bytes += textBytes(row);
  } else if (rank === BEHIND_START) page.behindStart = true;
  else page.beyondEnd = true;
}

/** JSON has no dates: a row's timestamps arrive as ISO 8601 strings and become Dates, as Sequelize reads them. */
function withDates(row: Record<string, unknown>, dates: readonly string[]): Record<string, unknown> {
  for (const name of dates) {
    if (typeof row[name] === 'string') row[name] = new Date(row[name]);
  }
  return row;
}

/** What a page reads as timestamps, which JSON carries as ISO 8601 strings: its date columns (none, for most pages of `nodes { title }`) and computed sort keys. */
function datesRead(model: ModelStatic<Model>, { fields, page }: PageQuery): string[] {
  const attributes = model.getAttributes();
  const computed = page.ordering.keys.filter((key) => key.sql && key.kind === 'date').map((key) => key.attribute);
  return [...columnsOf(model, fields).filter((name) => attributes[name]!.type instanceof DataTypes.DATE), ...computed];
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
 * The columns a page reads: those of the requested fields (which hold the sort keys when cursors are
 * asked for, see parseList), plus the primary and foreign keys (other resolvers follow them, e.g.
 * Post.author); all columns when no fields are given. Fewer columns mean fewer values to parse and less
 * garbage per row.
 */
function columnsOf(model: ModelStatic<Model>, fields: readonly string[] | null): string[] {
  const all = attributesOf(model);
  if (!fields) return all;
  const attributes = model.getAttributes() as Record<string, { primaryKey?: boolean; references?: unknown }>;
  return all.filter((name) => fields.includes(name) || attributes[name]!.primaryKey || attributes[name]!.references);
}

/** The columns a finder would select: all but those the default scope excludes (User's password hash). */
export function attributesOf(model: ModelStatic<Model>): string[] {
  const scoped = model.options.defaultScope?.attributes;
  const excluded = scoped && !Array.isArray(scoped) && 'exclude' in scoped ? (scoped.exclude as string[]) : [];
  return Object.keys(model.getAttributes()).filter((attribute) => !excluded.includes(attribute));
}
