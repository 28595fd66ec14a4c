import { DataTypes, type Model, type ModelStatic } from 'sequelize';

/**
 * Bytes of text a row carries into an answer: its strings in UTF-8 (a post's content, mostly) and, for every
 * value, its field name and the JSON around it. Numbers, dates and booleans count as a few bytes each. A few
 * field reads per row, done where rows are read, so an answer's size is known while it is built.
 */
export function textBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'string') bytes += key.length + 6 + Buffer.byteLength(value);
    // A row read with this one (a post's author) is no text of it: what its own fields answer counts where they are read.
    else if (value === null || typeof value !== 'object' || value instanceof Date) bytes += key.length + 28;
  }
  return bytes;
}

/**
 * The text columns among `columns`, each with the most bytes it can hold: 4 a character for a VARCHAR(n)
 * (UTF-8), Infinity for TEXT, which the database does not bound.
 */
export function textColumnsOf(model: ModelStatic<Model>, columns: readonly string[]): { name: string; maxBytes: number }[] {
  const attributes = model.getAttributes();
  return columns.flatMap((name) => {
    const type = attributes[name]!.type;
    if (type instanceof DataTypes.STRING) return [{ name, maxBytes: 4 * ((type as unknown as { _length?: number })._length ?? 255) }];
    if (type instanceof DataTypes.TEXT || type instanceof DataTypes.CITEXT) return [{ name, maxBytes: Infinity }];
    return [];
  });
}

/**
 * SQL for the bytes of text a row holds in `columns` (quoted names): the sum of their octet_length, a lower
 * bound of its textBytes. octet_length reads a stored value's size from its header: a long value kept out
 * of line (TOAST) is neither fetched nor decompressed to be measured.
 */
export function textBytesSql(quotedColumns: readonly string[]): string {
  return quotedColumns.length ? quotedColumns.map((column) => `coalesce(octet_length(${column}), 0)`).join(' + ') : '0';
}
