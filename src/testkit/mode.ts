import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corsOrigins, loadConfig } from '../config';
import { connectDatabase, databaseOptions, type Database } from '../db/database';
import { locateDatabase, type DatabaseLocation } from '../db/locate';
import { migrateUp } from '../db/migrator';
import { IdentityProviders } from '../identity';
import { limitsOf } from '../limits';
import type { Logger } from '../logger';
import { createServer, type RunningServer } from '../server';
import { claimDatabase, refuseProduction } from './claim';
import { FixtureError, fixtureProblems, readFixtures } from './fixtures';
import { withVolume, type Volume } from './generate';
import { loadFixtures } from './load';
import { testkitRoutes } from './routes';
import { markEveryRowChanged, Resetter, takeSnapshot, type ResetListener } from './snapshot';

export interface TestModeOptions {
  /** The fixture file to load. */
  fixtures: string;
  /** Generated users and posts added after the file's (`--seed N`), or none. */
  volume: Volume | null;
  port: number;
  host: string;
  /** Whether a DATABASE_URL holding tables of someone else may be wiped (`--wipe-database`). */
  mayWipe: boolean;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface TestMode {
  url: string;
  port: number;
  /** Milliseconds one reset took, measured at start. */
  resetMs: number;
  /** Called after every reset (to end live subscriptions, drop caches). */
  onReset(listener: ResetListener): () => void;
  /** Stops the server and the database, and deletes the embedded PostgreSQL's folder. */
  stop(): Promise<void>;
}

/**
 * Every per-client limit counts a whole test suite as one client (they all come from loopback), so they are
 * far above what tests send; the limits on operations stay what production gets.
 */
const SUITE_CLIENT_LIMITS = {
  requestsPerClient: 1_000_000,
  requestsInFlightPerClient: 1000,
  signUpsPerClient: 100_000,
  loginFailuresPerClient: 100_000,
  loginFailuresPerEmail: 100_000,
  loginFailuresPerEmailAndClient: 100_000,
};

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The test mode: a database of its own (an embedded PostgreSQL in a temporary folder, or DATABASE_URL when it
 * may wipe it), migrated, loaded with fixtures, snapshotted; the API on top, with the /testkit routes.
 */
export async function startTestMode(options: TestModeOptions): Promise<TestMode> {
  refuseProduction(options.env);
  const log = options.logger;
  // A file that is not JSON, or not in the format, stops the start before a database is started for it.
  const fixtures = withVolume(readFixtures(options.fixtures), options.volume);
  const folder = options.env.DATABASE_URL ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-test-mode-'));
  const config = loadConfig({ ...options.env, ...(folder && { EMBEDDED_PG_DIR: path.join(folder, 'postgres') }) });
  const undo: (() => Promise<void>)[] = [
    async () => {
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
    },
  ];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const location: DatabaseLocation = await locateDatabase(config, (line) => log.debug({ postgres: line.trim() }));
    undo.push(() => location.release());
    log.info(folder ? `test mode: an embedded PostgreSQL in ${folder}, deleted on exit` : `test mode: ${location.description}`);
    const db: Database = connectDatabase(location.url, databaseOptions(config));
    undo.push(() => db.close());

    const limits = { ...limitsOf(config), ...SUITE_CLIENT_LIMITS };
    const problems = await fixtureProblems(fixtures, limits);
    if (problems.length) throw new FixtureError(options.fixtures, problems);
    await claimDatabase(db.sequelize, options.mayWipe);
    await migrateUp(db.sequelize);
    const loaded = await loadFixtures(db.sequelize, fixtures);
    const resetter = new Resetter(db.sequelize, await takeSnapshot(db.sequelize));
    const resetMs = await resetter.reset('measuring');
    await markEveryRowChanged(db.sequelize);
    const fullResetMs = await resetter.reset('measuring');
    log.info(
      { users: loaded.users.size, posts: loaded.posts.size, resetMs: round(resetMs), fullResetMs: round(fullResetMs) },
      'fixtures loaded; a reset took resetMs with no row changed, fullResetMs with every row changed',
    );

    const server = await createServer({
      sequelize: db.sequelize,
      production: false,
      tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      shutdownGraceMs: 1000,
      explorer: true,
      limits,
      identityProviders: new IdentityProviders(config.AUTH_ISSUERS, config.AUTH_CLOCK_SKEW_SECONDS),
      corsOrigins: corsOrigins(config),
      // After a reset, an answer kept by a browser would show the last test's data.
      getCacheMaxAgeSeconds: 0,
      logger: log,
      routes: testkitRoutes(loaded, resetter, config.TOKEN_TTL_SECONDS),
    });
    const running: RunningServer = await server.listen(options.port, options.host);
    undo.push(() => running.stop());
    return { url: running.url, port: Number(new URL(running.url).port), resetMs, onReset: (listener) => resetter.onReset(listener), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
