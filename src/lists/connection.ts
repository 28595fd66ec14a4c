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

/** Parts of a connection that are functions are resolved only when a client selects them. */
export interface Edge<Row> {
  cursor: () => string;
  node: Row;
}
export interface ConnectionPageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: () => string | null;
  endCursor: () => string | null;
}
export interface Connection<Row> {
  edges: () => Edge<Row>[];
  nodes: Row[];
  pageInfo: ConnectionPageInfo;
  /** GraphQL calls functions it finds on the parent: this COUNT runs only when selected. */
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
  const cursorOf = (node: Row | undefined) => (node ? encodeCursor(page.ordering, node as Record<string, unknown>) : null);
  return {
    // Most clients read `nodes`: edges and cursors are made only for those that ask.
    edges: () => nodes.map((node) => ({ cursor: () => cursorOf(node)!, node })),
    nodes,
    pageInfo: {
      hasNextPage: page.backward ? found.behindStart : more,
      hasPreviousPage: page.backward ? more : found.behindStart,
      startCursor: () => cursorOf(nodes[0]),
      endCursor: () => cursorOf(nodes.at(-1)),
    },
    totalCount,
  };
}
