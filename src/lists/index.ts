import type { WhereOptions } from 'sequelize';
import { whereOf, type FilterFields } from './filter';
import type { ObjectField } from './joined';
import { orderingOf, type OrderInput, type SortColumns } from './ordering';
import { parsePage, type Page, type PageArgs } from './page';

export { toConnection, type Connection } from './connection';
export { selectPage, selectPagesByParent, type ChildQuery, type ListSource } from './select';
export type { AnswerBudget } from './measure';
export { joinedRow, type ObjectField } from './joined';

/** What a client may ask of a list: its filters, its sort columns, and the scope holding its default order. */
export interface ListSpec {
  filters: FilterFields;
  columns: SortColumns;
  defaultOrder: Parameters<typeof orderingOf>[2];
}

/** A list field's arguments: where, orderBy, first/after, last/before. */
export interface ListArgs extends PageArgs {
  where?: unknown;
  orderBy?: readonly OrderInput[] | null;
}

/** What the caller will read of a list: these fields of each row (null: all of them), cursors or not, and totalCount or not. */
export interface ListSelection {
  fields: readonly string[] | null;
  /** Whether any cursor is selected (an edge's, or pageInfo's start or end): cursors are made of the sort keys. */
  cursors: boolean;
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
  /** The object fields selected of each row (see ListSelection.objects). */
  objects: readonly ObjectField[];
  pageKey: string;
}

export function parseList(args: ListArgs, spec: ListSpec, selection: ListSelection): ListRequest {
  const ordering = orderingOf(args.orderBy, spec.columns, spec.defaultOrder);
  const page = parsePage(args, ordering);
  const sortKeys = selection.cursors ? ordering.keys.map((key) => key.attribute) : [];
  const sortedFields = selection.fields && [...new Set([...selection.fields, ...sortKeys])].sort();
  return {
    where: whereOf(args.where, spec.filters),
    page,
    fields: sortedFields,
    counted: selection.totalCount,
    objects: selection.objects ?? [],
    pageKey: JSON.stringify([
      args.where ?? null,
      ordering.name,
      page.size,
      page.backward,
      page.after,
      page.before,
      sortedFields,
      selection.totalCount,
      selection.objects ?? [],
    ]),
  };
}
