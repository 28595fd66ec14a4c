import { QueryTypes, type Sequelize } from 'sequelize';
import { tablesParentsFirst, type Table } from './tables';

/** The schema the test mode keeps its copy of the loaded fixtures in; its presence also marks a database as the test mode's. */
export const SNAPSHOT_SCHEMA = 'testkit_snapshot';

const S = SNAPSHOT_SCHEMA;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Every row a test writes is noted by its key (an after-row trigger on each table), so a reset deletes those
 * and puts back the kept copies of those alone: it costs what the test changed, not what the fixtures hold.
 * The reset's own inserts are not noted (testkit.restoring); its deletes are, so rows a cascade took go back too.
 */
const TOUCH_FUNCTION = `
CREATE FUNCTION ${S}.touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  column_name text;
  old_key jsonb := '[]';
  new_key jsonb := '[]';
BEGIN
  IF current_setting('testkit.restoring', true) = 'on' THEN RETURN NULL; END IF;
  FOREACH column_name IN ARRAY TG_ARGV LOOP
    IF TG_OP <> 'INSERT' THEN old_key := old_key || jsonb_build_array(to_jsonb(OLD) -> column_name); END IF;
    IF TG_OP <> 'DELETE' THEN new_key := new_key || jsonb_build_array(to_jsonb(NEW) -> column_name); END IF;
  END LOOP;
  IF TG_OP <> 'INSERT' THEN INSERT INTO ${S}.touched VALUES (TG_TABLE_NAME, old_key); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO ${S}.touched VALUES (TG_TABLE_NAME, new_key); END IF;
  RETURN NULL;
END $$;`;

/**
 * Copies every table of the API (all of `public` but the migrations' record) into SNAPSHOT_SCHEMA, with the
 * position of every sequence, starts noting the rows written from then on, and gives back the statement that
 * puts it all back: one round trip, run as one transaction, so no request sees half of it.
 */
export async function takeSnapshot(sequelize: Sequelize): Promise<string> {
  const tables = await tablesParentsFirst(sequelize);
  const live = (table: Table) => `public.${quote(table.name)}`;
  const kept = (table: Table) => `${S}.${quote(table.name)}`;
  // The noted keys, as the key's own types, in an array: the primary key's index finds the rows (an IN
  // subquery would be planned as a hash join reading the whole table).
  const touchedIn = (alias: string, table: Table) => {
    const noted = (type: string, i: number) => `(key->>${i})::${type}`;
    const from = `FROM ${S}.touched WHERE table_name = ${literal(table.name)}`;
    if (table.key.length === 1) return `${alias}.${quote(table.key[0]!)} = ANY (ARRAY(SELECT ${noted(table.keyTypes[0]!, 0)} ${from}))`;
    return `(${table.key.map((column) => `${alias}.${quote(column)}`).join(', ')}) IN (SELECT ${table.keyTypes.map(noted).join(', ')} ${from})`;
  };

  await sequelize.query(`DROP SCHEMA IF EXISTS ${S} CASCADE; CREATE SCHEMA ${S};
    CREATE UNLOGGED TABLE ${S}.touched (table_name text NOT NULL, key jsonb NOT NULL);
    ${tables.map((table) => `CREATE TABLE ${kept(table)} AS TABLE ${live(table)}; ALTER TABLE ${kept(table)} ADD PRIMARY KEY (${table.key.map(quote).join(', ')});`).join('\n')}
    ${TOUCH_FUNCTION}
    ${tables
      .map(
        (table) => `CREATE TRIGGER testkit_touch AFTER INSERT OR UPDATE OR DELETE ON ${live(table)}
          FOR EACH ROW EXECUTE FUNCTION ${S}.touch(${table.key.map(literal).join(', ')});`,
      )
      .join('\n')}`);
  // Generated columns (posts.search) are written by the database alone: the rows go back without them.
  const written = await sequelize.query<{ table_name: string; columns: string }>(
    `SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
      FROM information_schema.columns WHERE table_schema = 'public' AND is_generated = 'NEVER' GROUP BY table_name`,
    { type: QueryTypes.SELECT },
  );
  const columnsOf = (table: Table) => written.find((row) => row.table_name === table.name)!.columns;
  const positions: string[] = [];
  for (const { sequence } of tables) {
    if (!sequence) continue;
    const [row] = await sequelize.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${sequence}`, {
      type: QueryTypes.SELECT,
    });
    positions.push(`SELECT setval(${literal(sequence)}, ${Number(row!.last_value)}, ${row!.is_called});`);
  }
  return [
    'BEGIN;',
    // A test database need not wait for its commits to reach the disk.
    'SET LOCAL synchronous_commit = off;',
    // Rows go back as they were kept, with the counts the database keeps of them (each author's posts): the
    // trigger that keeps those counts counts none of these deletes and inserts.
    "SET LOCAL content_api.counting = 'off';",
    // Requests in flight finish first, and none sees the tables half restored.
    `LOCK TABLE ${tables.map(live).join(', ')} IN ACCESS EXCLUSIVE MODE;`,
    // Children first, then parents (whose cascades note what they take); going back in, parents first.
    ...[...tables].reverse().map((table) => `DELETE FROM ${live(table)} AS t WHERE ${touchedIn('t', table)};`),
    "SET LOCAL testkit.restoring = 'on';",
    ...tables.map(
      (table) => `INSERT INTO ${live(table)} (${columnsOf(table)}) SELECT ${columnsOf(table)} FROM ${kept(table)} AS t WHERE ${touchedIn('t', table)};`,
    ),
    // DELETE, not TRUNCATE: a truncated file costs more at commit than a few noted keys.
    `DELETE FROM ${S}.touched;`,
    ...positions,
    'COMMIT;',
  ].join('\n');
}

/** Notes every row as changed by a test (each rewritten as it is), so the next reset restores them all: its worst case. */
export async function markEveryRowChanged(sequelize: Sequelize): Promise<void> {
  for (const table of await tablesParentsFirst(sequelize)) {
    const column = quote(table.key[0]!);
    await sequelize.query(`UPDATE public.${quote(table.name)} SET ${column} = ${column}`);
  }
}

export type ResetListener = (reason: string) => void | Promise<void>;

/**
 * Puts the database back to the snapshot, and tells whoever holds state of the last test (live subscriptions,
 * caches) to drop it. Tokens minted since are gone with their sessions.
 */
export class Resetter {
  private readonly listeners = new Set<ResetListener>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly restore: string,
  ) {}

  /** Calls `listener` after every reset, with the reason to give clients; returns the function that stops it. */
  onReset(listener: ResetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resets, and says how long the database took, in milliseconds. */
  async reset(reason = 'the test API was reset to its fixtures'): Promise<number> {
    const started = process.hrtime.bigint();
    await this.sequelize.query(this.restore);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    await Promise.all([...this.listeners].map(async (listener) => listener(reason)));
    return ms;
  }
}
