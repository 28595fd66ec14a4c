import type { WhereOptions } from 'sequelize';
import { whereOf, type FilterFields } from './filter';
import { orderingOf, type OrderInput, type SortColumns } from './ordering';
import { parsePage, type Page, type PageArgs } from './page';

export { toConnection, type Connection } from './connection';
export { countRows, countRowsByParent, selectPage, selectPagesByParent, type ListSource } from './select';

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

/** What the caller will read of a list: these fields of each row, and totalCount or not. */
export interface ListSelection {
  fields: readonly string[];
  totalCount: boolean;
}

/**
 * totalCount's COUNT. When the client selected it, it starts now, so it runs beside the page's own
 * statement instead of after it; otherwise it runs only if GraphQL resolves it (it will not).
 */
export function countOf(selection: ListSelection | undefined, count: () => Promise<number>): () => Promise<number> {
  if (!selection?.totalCount) return count;
  const started = count();
  started.catch(() => undefined); // a failure surfaces where totalCount is resolved, not as an unhandled rejection
  return () => started;
}

/** A validated list request; its keys say which requests can share one batch (see the loaders). */
export interface ListRequest {
  where: WhereOptions;
  page: Page;
  /** The fields the caller will read of each row, or null for all (see select.ts). */
  fields: readonly string[] | null;
  filterKey: string;
  pageKey: string;
}

export function parseList(args: ListArgs, spec: ListSpec, fields: readonly string[] | null = null): ListRequest {
  const ordering = orderingOf(args.orderBy, spec.columns, spec.defaultOrder);
  const page = parsePage(args, ordering);
  const filterKey = JSON.stringify(args.where ?? null);
  const sortedFields = fields && [...fields].sort();
  return {
    where: whereOf(args.where, spec.filters),
    page,
    fields: sortedFields,
    filterKey,
    pageKey: JSON.stringify([filterKey, ordering.name, page.size, page.backward, page.after, page.before, sortedFields]),
  };
}
