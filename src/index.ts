import { loadConfig } from './config';
import { connectDatabase } from './db/database';
import { locateDatabase } from './db/locate';
import { migrateUp } from './db/migrator';
import { limitsOf } from './limits';
import { logger } from './logger';
import { createServer } from './server';

/** Composition root: config -> database -> migrations -> server. The only place that exits the process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const location = await locateDatabase(config, (line) => logger.debug({ postgres: line.trim() }));
  logger.info(location.description);
  const db = connectDatabase(location.url, { poolMax: config.DB_POOL_MAX });
  const applied = await migrateUp(db.sequelize);
  if (applied.length) logger.info({ applied }, 'applied migrations');

  const server = await createServer({
    sequelize: db.sequelize,
    production: config.NODE_ENV === 'production',
    tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
    limits: limitsOf(config),
    trustProxy: config.TRUST_PROXY,
  });
  const running = await server.listen(config.PORT);
  logger.info(`GraphQL API ready at http://localhost:${config.PORT === 0 ? new URL(running.url).port : config.PORT}/graphql`);

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await running.stop();
    await db.close();
    await location.release();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
});
