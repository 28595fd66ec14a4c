import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { packageRoot } from '../config';
import { LOAD_SETTINGS, startCluster, type Cluster } from '../test/cluster';
import { treeCpuSeconds } from '../test/cluster/cpu';
import { startBalancer } from '../test/cluster/haproxy';
import { runLoad, signUpAccounts } from '../test/cluster/load';
import { waitFor } from '../test/wait';

const USAGE = 'npm run bench:cluster -- [--seconds 10] [--connections 64]';
const FEED = JSON.stringify({ query: '{ posts(first: 50) { nodes { id title createdAt author { name } } } }' });

interface Row {
  instances: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU milliseconds per request: the API instances, PostgreSQL (primary and replica), PgBouncer, HAProxy. */
  cpuMs: Record<'api' | 'postgres' | 'pgbouncer' | 'haproxy', number>;
}

/** CPU seconds used so far by each part of the topology (the instances given by `serving`). */
function cpu(cluster: Cluster, serving: number, balancerPid: number | undefined): Record<keyof Row['cpuMs'], number> {
  return {
    api: cluster.instances.slice(0, serving).reduce((sum, instance) => sum + treeCpuSeconds(instance.pid()), 0),
    postgres: treeCpuSeconds(cluster.primary.pid()) + treeCpuSeconds(cluster.replica.pid()),
    pgbouncer: treeCpuSeconds(cluster.bouncers.primary.pid()) + treeCpuSeconds(cluster.bouncers.replica.pid()),
    haproxy: treeCpuSeconds(balancerPid),
  };
}

/** The feed through a balancer in front of the first `serving` instances, at `connections` for `seconds`. */
async function measureScaling(cluster: Cluster, serving: number, connections: number, seconds: number): Promise<Row> {
  const folder = fs.mkdtempSync(path.join(cluster.folder, `balancer-${serving}-`));
  const balancer = await startBalancer(
    cluster.instances.slice(0, serving).map((instance) => instance.port),
    folder,
  );
  try {
    await waitFor('the instances to be up', async () => Object.values(await balancer.states()).every((state) => state === 'UP'));
    const request = { url: balancer.url, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: FEED };
    await autocannon({ ...request, connections, duration: 3 }); // warm-up: JIT, pools
    const before = cpu(cluster, serving, balancer.pid());
    const result = await autocannon({ ...request, connections, duration: seconds });
    const after = cpu(cluster, serving, balancer.pid());
    const perRequest = (part: keyof Row['cpuMs']) => ((after[part] - before[part]) * 1000) / Math.max(1, result.requests.total);
    return {
      instances: serving,
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
      cpuMs: { api: perRequest('api'), postgres: perRequest('postgres'), pgbouncer: perRequest('pgbouncer'), haproxy: perRequest('haproxy') },
    };
  } finally {
    await balancer.stop();
  }
}

/** Mixed load through the balancer of all three while one instance is killed: how many requests fail, for how long. */
async function measureFailover(cluster: Cluster, connections: number) {
  const accounts = await signUpAccounts(cluster.url, connections, `failover-${Date.now()}`);
  let killedAt = 0;
  const faults = (async () => {
    await sleep(5_000);
    killedAt = Date.now();
    await cluster.instances[2]!.kill();
    await sleep(5_000);
    await cluster.instances[2]!.start();
    await sleep(3_000);
  })();
  const { answers } = await runLoad(cluster.url, accounts, faults);
  const cut = answers.filter((answer) => answer.outcome === 'cut');
  const retryable = answers.filter((answer) => answer.outcome === 'retryable');
  const span = cut.length ? Math.max(...cut.map((a) => a.endedAt)) - Math.min(...cut.map((a) => a.startedAt)) : 0;
  return {
    answers: answers.length,
    cut: cut.length,
    retryable: retryable.length,
    failed: answers.filter((answer) => answer.outcome === 'failed').length,
    cutSpanMs: span,
    lastCutAfterKillMs: cut.length ? Math.max(...cut.map((a) => a.endedAt)) - killedAt : 0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  if (!(seconds > 0 && connections > 0)) throw new Error(USAGE);
  const cluster = await startCluster({ instances: 3, env: LOAD_SETTINGS });
  try {
    const [writer] = await signUpAccounts(cluster.url, 1, `writer-${Date.now()}`);
    const posts = Array.from({ length: 100 }, (_, i) => ({ title: `Benchmark post ${i}`, content: 'text '.repeat(40), published: true }));
    for (let batch = 0; batch < 10; batch += 1) {
      await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${writer!.token}` },
        body: JSON.stringify({
          query: 'mutation Seed($input: CreatePostsInput!) { createPosts(input: $input) { posts { id } } }',
          variables: { input: { posts } },
        }),
      });
    }
    const rows: Row[] = [];
    for (const serving of [1, 2, 3]) {
      rows.push(await measureScaling(cluster, serving, connections, seconds));
      console.error(`measured ${serving} instance(s)`);
    }
    const failover = await measureFailover(cluster, connections);
    const report = markdown(rows, failover, connections, seconds);
    console.log(report);
    fs.writeFileSync(path.join(packageRoot, 'src', 'bench', 'results', 'cluster.md'), report);
  } finally {
    await cluster.stop();
  }
}

function markdown(rows: Row[], failover: Awaited<ReturnType<typeof measureFailover>>, connections: number, seconds: number): string {
  const fixed = (value: number, digits = 2) => value.toFixed(digits);
  return [
    `# Cluster: the feed through HAProxy, ${connections} connections, ${seconds} s a cell`,
    '',
    `Measured ${new Date().toISOString()} by \`npm run bench:cluster\`: a PostgreSQL primary and streaming replica, PgBouncer (transaction mode) in front of each, API instances, HAProxy; all on this machine.`,
    '',
    '| instances | req/s | p50 ms | p99 ms | errors | CPU ms/request: API | PostgreSQL | PgBouncer | HAProxy |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map(
      (row) =>
        `| ${row.instances} | ${fixed(row.requestsPerSecond, 0)} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ${fixed(row.cpuMs.api)} | ${fixed(row.cpuMs.postgres)} | ${fixed(row.cpuMs.pgbouncer)} | ${fixed(row.cpuMs.haproxy)} |`,
    ),
    '',
    `Failover (mixed reads, writes and sign-ins at ${connections} connections; one of three instances killed with SIGKILL, started again 5 s later): ` +
      `${failover.answers} answers, ${failover.cut} cut (in flight on the killed instance: connection reset or the balancer's JSON 502) within ${failover.cutSpanMs} ms, ` +
      `the last ${failover.lastCutAfterKillMs} ms after the kill; ${failover.retryable} retryable 503s; ${failover.failed} other failures.`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
