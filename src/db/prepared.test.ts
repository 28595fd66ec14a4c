import { QueryTypes } from 'sequelize';
import { testDatabaseUrl } from '../test/database';
import { aUser, postgresNotes } from '../test/factories';
import { selectByIds } from '../lists/by-id';
import { connectDatabase, type Database } from './database';

/** Opens a pool of one connection (so every statement runs on the same session), runs `use`, closes it. */
async function onOneConnection(options: { transactionPooler?: boolean }, use: (db: Database) => Promise<void>) {
  const db = connectDatabase(testDatabaseUrl(), { poolMax: 1, ...options });
  try {
    await use(db);
  } finally {
    await db.close();
  }
}

const select = async (db: Database, sql: string, bind?: unknown[]) => db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, bind });
const preparedTexts = async (db: Database) =>
  (await select(db, `SELECT statement FROM pg_prepared_statements WHERE NOT from_sql`)).map((row) => String(row.statement));

describe('statements prepared per connection', () => {
  it('a read without parameters is prepared on its second run and answers the same from then on', async () => {
    await onOneConnection({}, async (db) => {
      const text = `SELECT count(*)::int AS n FROM generate_series(1, 7) /* read twice */`;
      expect(await select(db, text)).toEqual([{ n: 7 }]);
      expect(await preparedTexts(db)).not.toContain(text);
      expect(await select(db, text)).toEqual([{ n: 7 }]);
      expect(await select(db, text)).toEqual([{ n: 7 }]);
      expect(await preparedTexts(db)).toContain(text);
    });
  });

  it('leaves out writes, other reads with parameters, and everything behind a transaction pooler', async () => {
    await onOneConnection({}, async (db) => {
      const withParameter = `SELECT $1::int + 1 AS n /* with a parameter */`;
      const write = `CREATE TEMPORARY TABLE IF NOT EXISTS scratch_prepared (n int)`;
      for (let i = 0; i < 3; i += 1) {
        expect(await select(db, withParameter, [i])).toEqual([{ n: i + 1 }]);
        await db.sequelize.query(write);
      }
      expect((await preparedTexts(db)).filter((text) => text === withParameter || text === write)).toEqual([]);
    });
    await onOneConnection({ transactionPooler: true }, async (db) => {
      const text = `SELECT 2 AS n /* behind a pooler */`;
      for (let i = 0; i < 3; i += 1) expect(await select(db, text)).toEqual([{ n: 2 }]);
      expect(await preparedTexts(db)).toEqual([]);
    });
  });

  it('a lookup by primary key is prepared on its first run, its ids a parameter, and answers every id with one plan', async () => {
    // Its plan is the same whatever the ids: PostgreSQL may keep one plan for all of them.
    await onOneConnection({}, async (db) => {
      const posts = await postgresNotes([await aUser()], 8);
      const { Post } = db.sequelize.models;
      for (const post of posts) expect((await selectByIds<{ id: number }>(Post!, [post.id])).map((row) => row.id)).toEqual([post.id]);
      const ids = posts.slice(2, 5).map((post) => post.id);
      expect((await selectByIds<{ id: number }>(Post!, ids)).map((row) => row.id).sort()).toEqual(ids.sort());
      const lookups = await select(db, `SELECT statement, generic_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM "posts"%$1%'`);
      expect(lookups.map((row) => String(row.statement).replace(/.* = /, '')).sort()).toEqual(['$1', 'ANY($1)']);
      // A post by id is planned once for every id after PostgreSQL's first few runs.
      expect(lookups.find((row) => String(row.statement).endsWith('= $1'))?.generic_plans).toBeGreaterThan(0);
    });
  });

  it('a read in use keeps its one name while thousands of one-off reads come and go', async () => {
    await onOneConnection({}, async (db) => {
      const text = `SELECT 3 AS n /* in use */`;
      for (let i = 0; i < 2_300; i += 1) {
        if (i % 100 === 0) expect(await select(db, text)).toEqual([{ n: 3 }]);
        await select(db, `SELECT ${i} AS n /* once */`);
      }
      expect((await preparedTexts(db)).filter((prepared) => prepared === text)).toHaveLength(1);
    });
  });

  it('prepares at most 250 statements on a connection; reads beyond run unprepared and still answer', async () => {
    await onOneConnection({}, async (db) => {
      for (let run = 0; run < 2; run += 1) {
        for (let i = 0; i < 300; i += 1) expect(await select(db, `SELECT ${i} AS n /* capped */`)).toEqual([{ n: i }]);
      }
      const prepared = (await preparedTexts(db)).filter((text) => text.includes('capped'));
      expect(prepared).toHaveLength(250);
    });
  });
});
