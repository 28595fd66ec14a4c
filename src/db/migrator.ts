import { DataTypes, QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import { Umzug, type MigrationFn, type UmzugStorage } from 'umzug';
import { migrations } from '../../migrations';
import { inTransaction, liftTimeouts } from './transaction';

export interface MigrationContext {
  queryInterface: QueryInterface;
  DataTypes: typeof DataTypes;
  sequelize: Sequelize;
}
export type Migration = MigrationFn<MigrationContext>;
export interface MigrationModule {
  name: string;
  up: Migration;
  down: Migration;
}

// Any fixed 64-bit number works: every process that migrates this database takes the same lock.
const MIGRATION_LOCK_ID = 7_202_611_250;

/** Records applied migrations in "SequelizeMeta", the table sequelize-cli uses too. */
function metaTable(sequelize: Sequelize): UmzugStorage {
  const ensure = () => sequelize.query('CREATE TABLE IF NOT EXISTS "SequelizeMeta" (name VARCHAR(255) PRIMARY KEY)');
  return {
    async executed() {
      await ensure();
      const rows = await sequelize.query<{ name: string }>('SELECT name FROM "SequelizeMeta" ORDER BY name', {
        type: QueryTypes.SELECT,
      });
      return rows.map((row) => row.name);
    },
    async logMigration({ name }) {
      await sequelize.query('INSERT INTO "SequelizeMeta" (name) VALUES (:name)', { replacements: { name } });
    },
    async unlogMigration({ name }) {
      await sequelize.query('DELETE FROM "SequelizeMeta" WHERE name = :name', { replacements: { name } });
    },
  };
}

function umzug(sequelize: Sequelize, list: readonly MigrationModule[] = migrations) {
  return new Umzug<MigrationContext>({
    migrations: list.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: { queryInterface: sequelize.getQueryInterface(), DataTypes, sequelize },
    storage: metaTable(sequelize),
    logger: undefined,
  });
}

/**
 * Runs `work` holding a transaction-scoped advisory lock, so two servers starting at once cannot
 * both migrate; the migrations themselves join the transaction (CLS), so a failed one leaves no trace.
 */
function underMigrationLock<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  return inTransaction(sequelize, async () => {
    await liftTimeouts(sequelize);
    await sequelize.query('SELECT pg_advisory_xact_lock(:id)', { replacements: { id: MIGRATION_LOCK_ID } });
    return work();
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const applied = await underMigrationLock(sequelize, () => umzug(sequelize).up());
  return applied.map((m) => m.name);
}

/**
 * Drops what the migrations made, whatever their record says: every table (a trigger goes with its table),
 * every enum type, and every function of the public schema but an extension's (the kept counts' trigger
 * function; pg_trgm's stay), so that migrating again starts from nothing.
 */
export async function dropSchema(sequelize: Sequelize): Promise<void> {
  await sequelize.getQueryInterface().dropAllTables();
  await sequelize.getQueryInterface().dropAllEnums();
  await sequelize.query(`DO $$ DECLARE f regprocedure; BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc AS p WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend AS d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP EXECUTE format('DROP FUNCTION %s', f); END LOOP;
  END $$`);
}

/** Reverts the last applied migration; returns its name (none when nothing was applied). */
export async function migrateDown(sequelize: Sequelize): Promise<string[]> {
  const reverted = await underMigrationLock(sequelize, () => umzug(sequelize).down());
  return reverted.map((m) => m.name);
}

/** Applied and pending migrations of `list` (migrations/index.ts unless another list is given). */
export async function migrationStatus(sequelize: Sequelize, list: readonly MigrationModule[] = migrations): Promise<{ executed: string[]; pending: string[] }> {
  const u = umzug(sequelize, list);
  const [executed, pending] = [await u.executed(), await u.pending()];
  return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
}

/**
 * Migrations not applied yet, found without writing anything (unlike migrationStatus, which creates the
 * meta table): what readiness checks ask on every probe.
 */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  // The primary's answer (useMaster), not a read replica's: that is where migrations are applied and writes go.
  const options = { type: QueryTypes.SELECT, useMaster: true } as const;
  const [meta] = await sequelize.query<{ present: boolean }>(`SELECT to_regclass('"SequelizeMeta"') IS NOT NULL AS present`, options);
  const applied = meta?.present ? await sequelize.query<{ name: string }>('SELECT name FROM "SequelizeMeta"', options) : [];
  const done = new Set(applied.map((row) => row.name));
  return migrations.map((m) => m.name).filter((name) => !done.has(name));
}
