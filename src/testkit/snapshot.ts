import { QueryTypes, type Sequelize } from 'sequelize';

/** The schema the test mode keeps its copy of the loaded fixtures in; its presence also marks a database as the test mode's. */
export const SNAPSHOT_SCHEMA = 'testkit_snapshot';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies every table of the API (all of `public` but the migrations' record) into SNAPSHOT_SCHEMA, with the
 * position of every sequence, and gives back the statement that puts them all back: a reset is then one
 * round trip, run by PostgreSQL as one transaction, so no request sees half of it.
 */
export async function takeSnapshot(sequelize: Sequelize): Promise<string> {
  const tables = await tablesParentsFirst(sequelize);
  const sequences = await sequelize.query<{ name: string }>(
    `SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) AS name FROM information_schema.sequences WHERE sequence_schema = 'public'`,
    { type: QueryTypes.SELECT },
  );
  const copies = tables.map((table) => `CREATE TABLE ${SNAPSHOT_SCHEMA}.${quote(table)} AS TABLE public.${quote(table)};`);
  await sequelize.query(`DROP SCHEMA IF EXISTS ${SNAPSHOT_SCHEMA} CASCADE; CREATE SCHEMA ${SNAPSHOT_SCHEMA}; ${copies.join(' ')}`);
  const positions: string[] = [];
  for (const { name } of sequences) {
    const [row] = await sequelize.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${name}`, { type: QueryTypes.SELECT });
    positions.push(`SELECT setval('${name.replace(/'/g, "''")}', ${Number(row!.last_value)}, ${row!.is_called});`);
  }
  return [
    // TRUNCATE, not DELETE: it takes the tables' exclusive lock first, so requests in flight finish before it.
    `TRUNCATE ${tables.map((table) => `public.${quote(table)}`).join(', ')};`,
    ...tables.map((table) => `INSERT INTO public.${quote(table)} SELECT * FROM ${SNAPSHOT_SCHEMA}.${quote(table)};`),
    ...positions,
  ].join('\n');
}

/** The API's tables, each after the tables its foreign keys point to (so the copies go back in without a violation). */
async function tablesParentsFirst(sequelize: Sequelize): Promise<string[]> {
  const tables = await sequelize.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'SequelizeMeta' ORDER BY tablename`,
    { type: QueryTypes.SELECT },
  );
  const links = await sequelize.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
    { type: QueryTypes.SELECT },
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, '');
  const parents = new Map(tables.map(({ name }) => [name, links.filter((l) => unquote(l.child) === name).map((l) => unquote(l.parent))]));
  const ordered: string[] = [];
  const visit = (name: string) => {
    if (ordered.includes(name)) return;
    for (const parent of parents.get(name) ?? []) if (parent !== name) visit(parent);
    ordered.push(name);
  };
  for (const { name } of tables) visit(name);
  return ordered;
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
    await Promise.all([...this.listeners].map((listener) => listener(reason)));
    return ms;
  }
}
