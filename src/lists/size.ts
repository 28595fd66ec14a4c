/**
 * Bytes of text a row carries into an answer: its strings in UTF-8 (a post's content, mostly) and, for every
 * value, its field name and the JSON around it. Numbers, dates and booleans count as a few bytes each. A few
 * field reads per row, done where rows are read, so an answer's size is known while it is built.
 */
export function textBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const key in row) {
    const value = row[key];
    bytes += key.length + 4 + (typeof value === 'string' ? Buffer.byteLength(value) + 2 : 24);
  }
  return bytes;
}
