import { loadConfig } from '../config';
import { connectDatabase, isTransactionControl } from '../db/database';
import { limitsOf } from '../limits';
import { createServer } from '../server';
import { startFloor } from './floor';
import { naiveResolvers } from './naive';

/**
 * One benchmark target in its own process (`node serve.js server|naive|floor`, DATABASE_URL from the
 * parent), so its memory and CPU are its own. It reports to the parent over IPC: its URL when ready,
 * and on request the SQL statements it ran (BEGIN/COMMIT not counted) and its peak memory.
 */
export type TargetName = 'server' | 'naive' | 'floor';
export type TargetMessage = { type: 'ready'; url: string } | { type: 'stats'; statements: number; rss: number; peakRss: number };

async function main(): Promise<void> {
  const target = process.argv[2] as TargetName;
  const url = process.env.DATABASE_URL!;
  const poolMax = Number(process.env.DB_POOL_MAX ?? 10);
  let statements = 0;
  let peakRss = process.memoryUsage().rss;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200).unref();

  let running: { url: string };
  if (target === 'floor') {
    running = await startFloor(url, poolMax, () => (statements += 1));
  } else {
    const db = connectDatabase(url, { poolMax });
    db.onStatement((sql) => {
      if (!isTransactionControl(sql)) statements += 1;
    });
    const resolvers = target === 'naive' ? naiveResolvers : undefined;
    // The per-client limits as the environment sets them (targets.ts: the load is one client).
    const limits = limitsOf(loadConfig());
    const server = await createServer({ sequelize: db.sequelize, production: true, tokenTtlSeconds: 3600, resolvers, limits });
    running = await server.listen(0, '127.0.0.1');
  }
  const send = (message: TargetMessage) => process.send!(message);
  process.on('message', (message) => {
    const rss = process.memoryUsage().rss;
    if (message === 'reset') [statements, peakRss] = [0, rss];
    send({ type: 'stats', statements, rss, peakRss: Math.max(peakRss, rss) });
  });
  process.on('disconnect', () => process.exit(0)); // the benchmark is over (or gone): so is this target
  send({ type: 'ready', url: running.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
