import { encodeCursor } from './cursor';
import type { Page } from './page';

/** What one page query found: up to size + 1 rows in scan order, and whether rows lie outside its cursors. */
export interface PageRows<Row> {
  rows: Row[];
  /** The size of the whole list, when it was counted. */
  total: number | null;
  /** A row at or before the cursor the scan starts from. */
  behindStart: boolean;
  /** A row at or beyond the cursor the scan stops at. */
  beyondEnd: boolean;
  /** Bytes of text the page's rows hold (see textBytes): what each answer it goes into grows by. */
  bytes: number;
}

/** Parts of a connection that are getters or functions are worked out only when a client selects them. */
export interface Edge<Row> {
  readonly cursor: string;
  node: Row;
}
export interface ConnectionPageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}
export interface Connection<Row> {
  readonly edges: Edge<Row>[];
  nodes: Row[];
  pageInfo: ConnectionPageInfo;
  /** Counted by the page's own statement when the client selected totalCount (null otherwise). */
  totalCount: number | null;
}

/** The Relay connection of a page: rows precede it or follow it in the whole list, in either direction. */
export function toConnection<Row extends object>(found: PageRows<Row>, page: Page): Connection<Row> {
  const more = found.rows.length > page.size || found.beyondEnd;
  const inScanOrder = found.rows.slice(0, page.size);
  const nodes = page.backward ? inScanOrder.reverse() : inScanOrder;
  const pageInfo = new CursorPageInfo(page, nodes, page.backward ? found.behindStart : more, page.backward ? more : found.behindStart);
  return new PageConnection(page, nodes, pageInfo, found.total);
}

// Classes, so the getters live once on a prototype instead of as new closures on every page of every parent.
// Most clients read `nodes`: edges and cursors are made only for those that ask.
class PageConnection<Row extends object> implements Connection<Row> {
  constructor(
    private readonly page: Page,
    readonly nodes: Row[],
    readonly pageInfo: ConnectionPageInfo,
    readonly totalCount: number | null,
  ) {}

  get edges(): Edge<Row>[] {
    return this.nodes.map((node) => new CursorEdge(this.page, node));
  }
}

class CursorEdge<Row extends object> implements Edge<Row> {
  constructor(
    private readonly page: Page,
    readonly node: Row,
  ) {}

  get cursor(): string {
    return cursorOf(this.page, this.node)!;
  }
}

class CursorPageInfo<Row extends object> implements ConnectionPageInfo {
  constructor(
    private readonly page: Page,
    private readonly nodes: Row[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}

  get startCursor(): string | null {
    return cursorOf(this.page, this.nodes[0]);
  }

  get endCursor(): string | null {
    return cursorOf(this.page, this.nodes.at(-1));
  }
}

const cursorOf = (page: Page, node: object | undefined) => (node ? encodeCursor(page.ordering, node as Record<string, unknown>) : null);
