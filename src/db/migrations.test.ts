import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { migrations } from '../../migrations';
import { packageRoot } from '../config';
import { testDb } from '../test/database';
import { urlFor } from '../test/environment';
import { adminUrl, withScratchDatabase } from '../test/scratch';
import { connectDatabase } from './database';
import { migrateDown, migrateUp, migrationStatus } from './migrator';

/** Columns, indexes and constraints of the public schema, as comparable text. */
async function catalog(sequelize: Sequelize) {
  const select = (sql: string) => sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
  return {
    columns: await select(`SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'SequelizeMeta'
      ORDER BY table_name, column_name`),
    indexes: await select(`SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> 'SequelizeMeta' ORDER BY tablename, indexname`),
    constraints: await select(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"SequelizeMeta"'
      ORDER BY 1, 2`),
  };
}

describe('migrations', () => {
  it('build exactly the schema the models declare (columns, types, nullability, indexes, constraints)', async () => {
    const migrated = await catalog(testDb().sequelize);
    // Test-only: sync() builds the models' own idea of the schema in a throwaway database to compare with.
    const declared = await withScratchDatabase('sync', async (sequelize) => {
      await sequelize.sync();
      return catalog(sequelize);
    });
    expect(migrated.columns.length).toBeGreaterThan(10);
    expect(migrated).toEqual(declared);
  });

  it('lists every migration file in migrations/index.ts, in order', () => {
    const files = fs
      .readdirSync(path.join(packageRoot, 'migrations'))
      .filter((file) => /^\d{14}-.+\.ts$/.test(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(migrations.map((m) => m.name)).toEqual(files);
  });

  it('go down and up again to the same schema', async () => {
    await withScratchDatabase('roundtrip', async (sequelize) => {
      expect(await migrateUp(sequelize)).toEqual(migrations.map((m) => m.name));
      const before = await catalog(sequelize);
      for (let i = 0; i < migrations.length; i += 1) await migrateDown(sequelize);
      expect((await catalog(sequelize)).columns).toEqual([]);
      expect((await migrationStatus(sequelize)).executed).toEqual([]);
      await migrateUp(sequelize);
      expect(await catalog(sequelize)).toEqual(before);
    });
  });

  it('are applied once when two processes migrate at the same time (advisory lock)', async () => {
    await withScratchDatabase('race', async (sequelize) => {
      const other = connectDatabase(sequelize.config.database ? urlFor(adminUrl(), sequelize.config.database) : '', {
        poolMax: 4,
      });
      try {
        const [first, second] = await Promise.all([migrateUp(sequelize), migrateUp(other.sequelize)]);
        expect([...first, ...second].sort()).toEqual(migrations.map((m) => m.name));
        expect((await migrationStatus(sequelize)).pending).toEqual([]);
      } finally {
        await other.close();
      }
    });
  });
});
