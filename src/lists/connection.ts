import { encodeCursor } from './cursor';
import type { Page } from './page';

/** What one page query found: up to size + 1 rows in scan order, and whether rows lie outside its cursors. */
export interface PageRows<Row> {
  rows: Row[];
  /** A row at or before the cursor the scan starts from. */
  behindStart: boolean;
  /** A row at or beyond the cursor the scan stops at. */
  beyondEnd: boolean;
}

export interface Connection<Row> {
  edges: { cursor: string; node: Row }[];
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Resolved only when a client selects it (GraphQL calls functions it finds on the parent). */
  totalCount: () => Promise<number>;
}

/** The Relay connection of a page: rows precede it or follow it in the whole list, in either direction. */
export function toConnection<Row extends object>(
  found: PageRows<Row>,
  page: Page,
  totalCount: () => Promise<number>,
): Connection<Row> {
  const more = found.rows.length > page.size || found.beyondEnd;
  const inScanOrder = found.rows.slice(0, page.size);
  const nodes = page.backward ? inScanOrder.reverse() : inScanOrder;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(page.ordering, node as Record<string, unknown>), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.backward ? found.behindStart : more,
      hasPreviousPage: page.backward ? more : found.behindStart,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
