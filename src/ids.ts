const MAX_INT = 2 ** 31 - 1;

/** The types whose objects have a global id (the schema's `Node` types). */
export type NodeType = 'Post' | 'User';

const NODE_TYPES: readonly NodeType[] = ['Post', 'User'];

/**
 * The id clients see of a row: base64url of `Type:rowId`, unique across types (Relay's global object
 * identification). Clients must not parse it; `databaseId` gives them the row's integer.
 */
export function globalId(type: NodeType, rowId: number): string {
  return Buffer.from(`${type}:${rowId}`).toString('base64url');
}

/**
 * The type and row a global id names, or null when it names nothing: garbage, a bare row number, a row
 * number out of range. Only the exact text globalId makes is accepted (base64url decoding alone would
 * ignore stray characters), so one row has one id.
 */
export function parseGlobalId(id: string): { type: NodeType; rowId: number } | null {
  if (id.length > 32) return null;
  const match = /^([A-Za-z]+):([1-9][0-9]{0,9})$/.exec(Buffer.from(id, 'base64url').toString('latin1'));
  const type = NODE_TYPES.find((name) => name === match?.[1]);
  if (!match || !type) return null;
  const rowId = Number(match[2]);
  return rowId <= MAX_INT && globalId(type, rowId) === id ? { type, rowId } : null;
}

/** The row a global id names if it is one of `type`'s, or null (an id of another type names nothing here). */
export function rowIdOf(id: string, type: NodeType): number | null {
  const parsed = parseGlobalId(id);
  return parsed?.type === type ? parsed.rowId : null;
}
