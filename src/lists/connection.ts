import { encodeCursor } from './cursor';
import type { Page } from './page';

/** What one page query found: up to size + 1 rows in scan order, and whether a row lies behind its start. */
export interface PageRows<Row> {
  rows: Row[];
  behindStart: boolean;
}

export interface Connection<Row> {
  edges: { cursor: string; node: Row }[];
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Resolved only when a client selects it (GraphQL calls functions it finds on the parent). */
  totalCount: () => Promise<number>;
}

/** The Relay connection of a page: the extra row says the scan could go on, `behindStart` that rows precede it. */
export function toConnection<Row extends object>(
  found: PageRows<Row>,
  page: Page,
  totalCount: () => Promise<number>,
): Connection<Row> {
  const more = found.rows.length > page.size;
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
