import { corsOrigins, explorerEnabled, listenHost, loadConfig } from './config';
import { connectDatabase, databaseOptions } from './db/database';
import { locateDatabase } from './db/locate';
import { IdentityProviders } from './identity';
import { migrateUp } from './db/migrator';
import { limitsOf } from './limits';
import { logger } from './logger';
import { createServer } from './server';

/** Composition root: config -> database -> migrations -> server. The only place that exits the process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const location = await locateDatabase(config, (line) => logger.debug({ postgres: line.trim() }));
  logger.info(location.description);
  const db = connectDatabase(location.url, databaseOptions(config));
  if (config.DATABASE_READ_URLS.length) logger.info(`reading from ${config.DATABASE_READ_URLS.length} replica(s) outside transactions`);
  const applied = await migrateUp(db.sequelize);
  if (applied.length) logger.info({ applied }, 'applied migrations');

  const server = await createServer({
    sequelize: db.sequelize,
    production: config.NODE_ENV === 'production',
    tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    explorer: explorerEnabled(config),
    limits: limitsOf(config),
    trustProxy: config.TRUST_PROXY,
    identityProviders: new IdentityProviders(config.AUTH_ISSUERS, config.AUTH_CLOCK_SKEW_SECONDS),
    corsOrigins: corsOrigins(config),
    getCacheMaxAgeSeconds: config.HTTP_GET_CACHE_MAX_AGE_SECONDS,
    listenUrl: config.DATABASE_LISTEN_URL ?? location.url,
    replicaLag: db.replicaLag,
  });
  const running = await server.listen(config.PORT, listenHost(config));
  logger.info(running.listening);
  logger.info(`GraphQL API ready at ${running.url}`);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for requests in flight');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: refusing new connections, finishing requests in flight');
    // Whatever hangs (a pool that will not close), the process still ends soon after the grace period.
    setTimeout(() => {
      logger.error('shutdown did not finish in time');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + 5_000).unref();
    // Requests in flight finish (or are cut after the grace period) before the pool they use closes.
    await running.stop();
    await db.close();
    await location.release();
    logger.info('stopped');
    process.exit(0);
  };
  const stop = (signal: NodeJS.Signals) =>
    shutdown(signal).catch((error: unknown) => {
      logger.fatal({ err: error }, 'could not shut down cleanly');
      process.exit(1);
    });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // The embedded PostgreSQL's package would stop the database at once on these (async-exit-hook), under
    // the requests still in flight; here they finish first, and location.release() stops it afterwards.
    process.removeAllListeners(signal);
    process.on(signal, (received) => void stop(received));
  }
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
});
