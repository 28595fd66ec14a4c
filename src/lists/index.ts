import { Op, type WhereOptions } from 'sequelize';
import { AppError } from '../errors';
import { whereOf, type FilterFields } from './filter';
import type { ObjectField } from './joined';
import { orderingOf, type OrderInput, type SortColumns } from './ordering';
import { parsePage, type Page, type PageArgs } from './page';
import { searchOf, type TextSearch } from './search';

export { toConnection, type Connection } from './connection';
export { selectPage, selectPagesByParent, type ChildQuery, type ListSource } from './select';
export type { AnswerBudget } from './measure';
export { joinedRow, type ObjectField } from './joined';

/** What a client may ask of a list: its filters, its sort columns, and the scope holding its default order. */
export interface ListSpec {
  filters: FilterFields;
  columns: SortColumns;
  defaultOrder: Parameters<typeof orderingOf>[2];
  /** The list's full-text search, when it has one (`search` and the relevance order). */
  search?: TextSearch;
}

/** A list field's arguments: search, where, orderBy, first/after, last/before. */
export interface ListArgs extends PageArgs {
  search?: string | null;
  where?: unknown;
  orderBy?: readonly OrderInput[] | null;
}

/** What the caller will read of a list: these fields of each row (null: all of them), cursors or not, and totalCount or not. */
export interface ListSelection {
  fields: readonly string[] | null;
  /** Whether any cursor is selected (an edge's, or pageInfo's start or end): cursors are made of the sort keys. */
  cursors: boolean;
  /** Whether pageInfo's hasNextPage or hasPreviousPage is selected: only then does a page's statement look past the page for rows. */
  neighbours: boolean;
  totalCount: boolean;
  /** The object fields selected of each row, with their fields (a post's `author { name }`): the page's statement reads them too. */
  objects?: readonly ObjectField[];
}

/** A list field of a list's rows (e.g. each user's posts) as the client asked it: its arguments and what it selected. */
export interface ChildList {
  args: ListArgs;
  selection: ListSelection;
}

/** A validated list request; its keys say which requests can share one batch (see the loaders). */
export interface ListRequest {
  where: WhereOptions;
  page: Page;
  /** The fields the caller will read of each row (the sort keys too when cursors are selected), or null for all (see select.ts). */
  fields: readonly string[] | null;
  /** Whether the page's statement also counts the whole list (for totalCount). */
  counted: boolean;
  /** Whether the page's statement looks past the page (see ListSelection.neighbours); without it, pageInfo's flags are not known. */
  neighbours: boolean;
  /** The object fields selected of each row (see ListSelection.objects). */
  objects: readonly ObjectField[];
  pageKey: string;
}

export function parseList(args: ListArgs, spec: ListSpec, selection: ListSelection): ListRequest {
  const searched = searchedBy(args, spec);
  const columns = searched ? { ...spec.columns, [spec.search!.orderField]: searched.relevance } : spec.columns;
  const ordering = orderingOf(args.orderBy, columns, spec.defaultOrder);
  const filter = whereOf(args.where, spec.filters);
  const page = parsePage(args, ordering);
  const sortKeys = selection.cursors ? ordering.keys.map((key) => key.attribute) : [];
  const sortedFields = selection.fields && [...new Set([...selection.fields, ...sortKeys])].sort();
  return {
    where: searched ? { [Op.and]: [searched.where, filter] } : filter,
    page,
    fields: sortedFields,
    counted: selection.totalCount,
    neighbours: selection.neighbours,
    objects: selection.objects ?? [],
    pageKey: JSON.stringify([
      args.search ?? null,
      args.where ?? null,
      ordering.name,
      page.size,
      page.backward,
      page.after,
      page.before,
      sortedFields,
      selection.totalCount,
      selection.neighbours,
      selection.objects ?? [],
    ]),
  };
}

/** The list's search when one is given; ordering by relevance without one is the client's mistake. */
function searchedBy(args: ListArgs, spec: ListSpec) {
  if (args.search != null && spec.search) {
    const sequelize = spec.defaultOrder.model.sequelize!;
    return searchOf(args.search, spec.search, (text) => sequelize.escape(text));
  }
  const i = args.orderBy?.findIndex((input) => spec.search && input.field === spec.search.orderField) ?? -1;
  if (i >= 0) throw AppError.badInput([{ path: ['orderBy', i], message: `orders by ${args.orderBy![i]!.field}, which needs a search` }]);
  return null;
}
