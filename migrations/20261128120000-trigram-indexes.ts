import type { Migration } from '../src/db/migrator';

const INDEXES = [
  ['posts', 'title'],
  ['posts', 'content'],
  ['users', 'name'],
] as const;
const nameOf = (table: string, column: string) => `${table}_${column}_trgm`;

// contains, startsWith and endsWith filter with LIKE / ILIKE patterns ('%text%', 'text%', '%text'): a
// B-tree cannot serve a leading wildcard or ILIKE, so without these every row the other conditions let
// through is read. Trigram GIN indexes (pg_trgm) serve all six, in both case modes, for patterns of three
// or more characters.
//
// pg_trgm ships with PostgreSQL (the embedded one included) and is a "trusted" extension since
// PostgreSQL 13: the database's owner, or anyone with CREATE on it, may create it, which is what this
// migration does. On a managed PostgreSQL that still refuses it (an allow-list without pg_trgm, or a role
// without CREATE on the database), have an administrator run `CREATE EXTENSION pg_trgm;` in this
// database (on Azure, add PG_TRGM to azure.extensions first), then run the migrations again. The
// migration fails, changing nothing, until then: the filters would work without the indexes, but reading
// every row of a large table per request is an outage waiting for traffic.
export const up: Migration = async ({ context: { queryInterface, sequelize } }) => {
  await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm').catch((error: Error & { parent?: { code?: string } }) => {
    throw new Error(
      `could not create the pg_trgm extension (${error.parent?.code ?? 'no code'}: ${error.message}): ` +
        'have an administrator run CREATE EXTENSION pg_trgm in this database, then migrate again (see migrations/20261128120000-trigram-indexes.ts)',
    );
  });
  for (const [table, column] of INDEXES) {
    await queryInterface.addIndex(table, { name: nameOf(table, column), using: 'gin', fields: [{ name: column, operator: 'gin_trgm_ops' }] });
  }
};

// The extension stays: other objects may use it, and creating it again costs nothing.
export const down: Migration = async ({ context: { queryInterface } }) => {
  for (const [table, column] of [...INDEXES].reverse()) await queryInterface.removeIndex(table, nameOf(table, column));
};
