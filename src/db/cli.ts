import { loadConfig } from '../config';
import { logger } from '../logger';
import { connectDatabase } from './database';
import { locateDatabase } from './locate';
import { migrateDown, migrateUp, migrationStatus } from './migrator';

/** `node dist/src/db/cli.js up|down|status`: the npm db:migrate scripts. */
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  const location = await locateDatabase(config, (line) => logger.debug(line));
  const db = connectDatabase(location.url);
  try {
    console.log(location.description);
    if (command === 'up') console.log('applied:', (await migrateUp(db.sequelize)).join(', ') || 'nothing pending');
    else if (command === 'down') console.log('reverted:', (await migrateDown(db.sequelize)).join(', ') || 'nothing to revert');
    else if (command === 'status') {
      const { executed, pending } = await migrationStatus(db.sequelize);
      for (const name of executed) console.log(`up       ${name}`);
      for (const name of pending) console.log(`pending  ${name}`);
    } else throw new Error(`unknown command ${command ?? '(none)'}; use up, down or status`);
  } finally {
    await db.close();
    await location.release();
  }
}

// Exit explicitly: the embedded PostgreSQL's exit hook would otherwise end the process with 0 whatever happened.
main(process.argv[2]).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
