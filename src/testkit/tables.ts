import { QueryTypes, type Sequelize } from 'sequelize';

export interface Table {
  name: string;
  /** The primary key's columns, and their types. */
  key: string[];
  keyTypes: string[];
  /** The sequence of its serial column, qualified and quoted, or null. */
  sequence: string | null;
}

/**
 * The API's tables (all of `public` but the migrations' record) with their keys and sequences, each after the
 * tables its foreign keys point to, so rows go back in without a violation.
 */
export async function tablesParentsFirst(sequelize: Sequelize): Promise<Table[]> {
  const rows = await sequelize.query<{ name: string; key: string[]; key_types: string[]; sequence: string | null; parents: string[] }>(
    `SELECT c.relname AS name,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_index i
               CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS key,
            (SELECT array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord) FROM pg_index i
               CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary) AS key_types,
            (SELECT pg_get_serial_sequence(quote_ident(c.relname), a.attname) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL LIMIT 1) AS sequence,
            ARRAY(SELECT p.relname::text FROM pg_constraint f JOIN pg_class p ON p.oid = f.confrelid
                   WHERE f.conrelid = c.oid AND f.contype = 'f' AND p.oid <> c.oid) AS parents
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'SequelizeMeta'
      ORDER BY c.relname`,
    { type: QueryTypes.SELECT },
  );
  const byName = new Map(rows.map((row) => [row.name, row]));
  const ordered: Table[] = [];
  const visit = (name: string) => {
    const row = byName.get(name);
    if (!row || ordered.some((table) => table.name === name)) return;
    for (const parent of row.parents) visit(parent);
    if (!row.key?.length) throw new Error(`table ${name} has no primary key: the test mode's reset needs one on every table`);
    ordered.push({ name, key: row.key, keyTypes: row.key_types, sequence: row.sequence });
  };
  for (const { name } of rows) visit(name);
  return ordered;
}
