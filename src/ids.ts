const MAX_INT = 2 ** 31 - 1;

/** The row id in a GraphQL ID, or null when it cannot name a row (so it names nothing). */
export function parseId(id: string): number | null {
  if (!/^[1-9][0-9]{0,9}$/.test(id)) return null;
  const value = Number(id);
  return value <= MAX_INT ? value : null;
}
