import { QueryTypes, type Sequelize } from 'sequelize';
import { dropSchema } from '../db/migrator';
import { SNAPSHOT_SCHEMA } from './snapshot';

/** The test mode refuses to start; the message says why and what to do instead. */
export class Refusal extends Error {
  override name = 'Refusal';
}

/** Refused before anything is started: the test mode hands out tokens for any user and wipes its database. */
export function refuseProduction(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new Refusal('the test mode does not run with NODE_ENV=production: it hands out tokens for any user and wipes its database');
  }
}

/**
 * Makes the database the test mode's: empty, or holding only what an earlier test mode made (its snapshot
 * schema marks it), it is wiped; holding tables of anyone else, it is refused unless `mayWipe` says so.
 * The mark is made before the migrations, so a start that fails halfway leaves a database it may take again.
 */
export async function claimDatabase(sequelize: Sequelize, mayWipe: boolean): Promise<void> {
  const [{ marked, tables }] = (await sequelize.query<{ marked: boolean; tables: number }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :schema) AS marked,
            (SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) AS tables`,
    { type: QueryTypes.SELECT, replacements: { schema: SNAPSHOT_SCHEMA } },
  )) as [{ marked: boolean; tables: number }];
  if (tables > 0 && !marked && !mayWipe) {
    throw new Refusal(
      `DATABASE_URL holds ${tables} table(s) the test mode did not create; it wipes its database, so it refuses this one. ` +
        'Give it an empty database, or pass --wipe-database if everything in this one may be dropped.',
    );
  }
  await sequelize.query(`DROP SCHEMA IF EXISTS ${SNAPSHOT_SCHEMA} CASCADE; CREATE SCHEMA ${SNAPSHOT_SCHEMA}`);
  await dropSchema(sequelize);
}
