import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { loadConfig, packageRoot } from '../config';
import { connectDatabase } from '../db/database';
import { locateDatabase } from '../db/locate';
import { migrateUp } from '../db/migrator';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { startSession } from '../services/auth';
import { measure, warmUp, type Load, type Measurement } from './load';
import { OPERATIONS, type OperationKey } from './operations';
import { parentOf } from './cpu';
import { FLOORS } from './floor';
import { markdown, otherSizeRun, verdict, writeReport, type MemoryRun } from './report';
import { randomNumbers, SEARCH_BOX_TEXT, SEARCH_WORD, seedBenchmarkData } from './seed';
import { startTarget, type Target } from './targets';
import type { TargetName } from './serve';
import { globalId } from '../ids';
import { benchLive, type LiveRun } from './live';

const USAGE = `npm run bench -- [--seconds 10] [--warm-up-seconds 3] [--connections 1,16,64] [--memory-seconds 60] [--users 10000] [--posts 200000]
  [--operations typename,postById,feed,nested,search,fullText,createPost] [--targets server,naive,floor]
  [--profile DIR (a CPU profile of each target, for Chrome DevTools)]
  [--live 1,1000,5000 (subscriber counts of the live-data part; 0 skips it)] [--live-instances 1,2] [--live-posts-per-second 5]`;
const DEFAULT_SIZE = { users: 10_000, posts: 200_000 };

/** `npm run bench`: seed (once), then drive the server, the naive baseline and the floor; report. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      'warm-up-seconds': { type: 'string', default: '3' },
      connections: { type: 'string', default: '1,16,64' },
      'memory-seconds': { type: 'string', default: '60' },
      users: { type: 'string', default: String(DEFAULT_SIZE.users) },
      posts: { type: 'string', default: String(DEFAULT_SIZE.posts) },
      operations: { type: 'string', default: Object.keys(OPERATIONS).join(',') },
      targets: { type: 'string', default: 'server,naive,floor' },
      profile: { type: 'string' },
      live: { type: 'string', default: '1,1000,5000' },
      'live-instances': { type: 'string', default: '1,2' },
      'live-posts-per-second': { type: 'string', default: '5' },
    },
  });
  const chosen = values.operations.split(',') as OperationKey[];
  const targets = values.targets.split(',');
  if (!chosen.every((key) => Object.hasOwn(OPERATIONS, key))) throw new Error(USAGE);
  if (!targets.every((name) => ['server', 'naive', 'floor'].includes(name))) throw new Error(USAGE);
  const seconds = Number(values.seconds);
  const warmUpSeconds = Number(values['warm-up-seconds']);
  const connections = values.connections.split(',').map(Number);
  const memorySeconds = Number(values['memory-seconds']);
  const size = { users: Number(values.users), posts: Number(values.posts) };
  if (![seconds, warmUpSeconds, memorySeconds, ...connections].every((n) => Number.isInteger(n) && n >= 0)) throw new Error(USAGE);
  if (!(size.users > 0 && size.posts >= 0 && Number.isInteger(size.users) && Number.isInteger(size.posts))) throw new Error(USAGE);

  const config = loadConfig();
  // A database of its own for each size in the embedded PostgreSQL: runs at two sizes need not seed again.
  const sameAsDefault = size.users === DEFAULT_SIZE.users && size.posts === DEFAULT_SIZE.posts;
  const location = await locateDatabase(config, () => {}, sameAsDefault ? 'content_api_bench' : `content_api_bench_${size.users}_${size.posts}`);
  console.log(location.description);
  const db = connectDatabase(location.url);
  await migrateUp(db.sequelize);
  const started = Date.now();
  const seeded = await seedBenchmarkData(db.sequelize, size);
  console.log(seeded === 'reused' ? 'reusing the data set already seeded' : `seeded the data set in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const postmaster = await postmasterOf(db.sequelize);
  if (postmaster === null) console.log('PostgreSQL runs on another machine: its CPU is not measured');

  const [writer] = await User.findOrCreate({
    where: { email: 'writer@bench.example' },
    defaults: { email: 'writer@bench.example', name: 'Writer', passwordHash: '-' },
  });
  // Every target starts from the same data: the posts createPost wrote are removed, and the table vacuumed.
  const removeWrites = async () => {
    await Post.destroy({ where: { authorId: { [Op.eq]: writer.id } }, force: true });
    await db.sequelize.query('VACUUM ANALYZE posts');
  };
  await removeWrites(); // an interrupted run may have left some
  const { token } = await startSession(writer.id, 3600);
  const postIds = (
    await db.sequelize.query<{ id: number }>('SELECT id FROM posts WHERE published AND "deletedAt" IS NULL ORDER BY random() LIMIT 5000', {
      type: QueryTypes.SELECT,
    })
  ).map((row) => row.id);

  const random = randomNumbers(7);
  const body =
    (key: OperationKey, variables: () => object = () => ({})) =>
    () =>
      JSON.stringify({ query: OPERATIONS[key].query, variables: variables() });
  const loads: Record<OperationKey, Load> = {
    postById: { operation: 'postById', body: body('postById', () => ({ id: globalId('Post', postIds[Math.floor(random() * postIds.length)]!) })) },
    typename: { operation: 'typename', body: body('typename') },
    feed: { operation: 'feed', body: body('feed') },
    nested: { operation: 'nested', body: body('nested') },
    search: { operation: 'search', body: body('search', () => ({ text: SEARCH_WORD })) },
    fullText: { operation: 'fullText', body: body('fullText', () => ({ text: SEARCH_BOX_TEXT })) },
    createPost: { operation: 'createPost', token, body: body('createPost', () => ({ input: { title: `Benchmark ${random()}`, published: true } })) },
  };

  const env = { ...process.env, DATABASE_URL: location.url, NODE_ENV: 'production', LOG_LEVEL: 'warn' };
  const measurements: Measurement[] = [];
  let memory: MemoryRun | null = null;
  const plan: [TargetName, OperationKey[]][] = [
    ['server', chosen],
    ['naive', chosen.filter((key) => key !== 'typename')], // the same Apollo Server: nothing to compare
    ['floor', chosen.filter((key) => Object.hasOwn(FLOORS, key))],
  ];
  for (const [name, operations] of plan) {
    if (operations.length === 0 || !targets.includes(name)) continue;
    const target = await startTarget(name, env, values.profile && path.resolve(values.profile));
    for (const key of operations) {
      await warmUp(target, loads[key], Math.max(...connections), warmUpSeconds);
      for (const c of connections) {
        const m = await measure(target, loads[key], c, seconds, postmaster);
        measurements.push(m);
        console.log(
          `${name.padEnd(6)} ${key.padEnd(10)} c=${String(c).padEnd(3)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${m.p99Ms} ms  ` +
            `${m.statementsPerRequest.toFixed(2)} SQL/req  CPU ms/req node ${m.nodeCpuMs?.toFixed(2) ?? '–'} pg ${m.postgresCpuMs?.toFixed(2) ?? '–'}  ${m.errors} errors`,
        );
      }
    }
    if (name === 'server' && memorySeconds > 0) memory = await memoryRun(target, loads.nested, Math.max(...connections), memorySeconds, postmaster);
    await target.stop();
    await removeWrites();
  }
  const folder = path.join(packageRoot, 'src', 'bench', 'results');
  const subscribers = values.live
    .split(',')
    .map(Number)
    .filter((count) => count > 0);
  if (subscribers.length > 0) {
    const runs = await benchLive({
      databaseUrl: location.url,
      token,
      subscribers,
      instances: values['live-instances'].split(',').map(Number),
      postsPerSecond: Number(values['live-posts-per-second']),
      seconds,
      profileDir: values.profile && path.resolve(values.profile),
    });
    const table = liveMarkdown(runs, Number(values['live-posts-per-second']), seconds);
    console.log(`\n${table}`);
    fs.writeFileSync(path.join(folder, 'live.md'), table);
  }
  await db.close();
  await location.release();

  const report = { machine: machine(), date: new Date().toISOString(), seconds, size, measurements, memory, otherSize: otherSizeRun(folder, size.posts) };
  console.log(`\n${markdown(report)}\n\n${verdict(report)}`);
  const files = writeReport(report, folder);
  console.log(`\nwrote ${files.map((file) => path.relative(packageRoot, file)).join(', ')}`);
}

/** The nested operation for a while, reading the server's memory once a second: it should stay flat. */
async function memoryRun(target: Target, load: Load, connections: number, seconds: number, postmaster: number | null): Promise<MemoryRun> {
  const rssMb: number[] = [];
  const m = await measure(target, load, connections, seconds, postmaster, (stats) => rssMb.push(stats.rss / 2 ** 20));
  console.log(`memory: ${seconds} s at c=${connections}, ${m.requestsPerSecond.toFixed(0)} req/s, peak ${m.peakRssMb.toFixed(0)} MB`);
  return { seconds, connections, rssMb };
}

/** The postmaster of the database's server, when it runs on this machine (a backend's parent), else null. */
async function postmasterOf(sequelize: Sequelize): Promise<number | null> {
  const [row] = await sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { type: QueryTypes.SELECT });
  return row ? parentOf(row.pid) : null;
}

/** The live-data part's table: delivery latency from the commit to receipt, throughput, what was missed, cost. */
function liveMarkdown(runs: LiveRun[], postsPerSecond: number, seconds: number): string {
  return [
    `# Live data: \`postPublished\` subscribers, a writer publishing ${postsPerSecond} posts/s for ${seconds} s (${machine()}, ${new Date().toISOString()})`,
    '',
    'Targets: p99 under 100 ms at 1,000 subscribers and under 250 ms at 5,000; statements per event constant.',
    '',
    "Latency runs from the commit (heard by the bench's own LISTEN connection) to the subscriber process reading the message; CPU per post is steadier than latency on a busy machine.",
    '',
    "| subscribers | instances | p50 ms | p99 ms | events/s delivered | missed | SQL statements per post (mutation included) | server CPU ms per post | subscribers' CPU ms per post | RSS MB per 1,000 idle connections |",
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...runs.map(
      (run) =>
        `| ${run.subscribers} | ${run.instances} | ${run.p50Ms.toFixed(0)} | ${run.p99Ms.toFixed(0)} | ${run.eventsPerSecond.toFixed(0)} | ${run.missed} | ${run.statementsPerEvent.toFixed(1)} | ${run.serverCpuMsPerPost.toFixed(1)} | ${run.subscriberCpuMsPerPost.toFixed(1)} | ${run.rssPer1000IdleMb.toFixed(0)} |`,
    ),
    '',
  ].join('\n');
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
