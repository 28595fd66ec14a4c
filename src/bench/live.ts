import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTarget, type Target } from './targets';

/** The live-data part of `npm run bench`: subscribers on one or two instances, a writer at a fixed rate. */
export interface LiveBenchOptions {
  /** The benchmark database (the parent's DATABASE_URL). */
  databaseUrl: string;
  /** A bearer token of the writer, who publishes the posts. */
  token: string;
  /** Subscriber counts to try (1, 1,000, 5,000). */
  subscribers: readonly number[];
  /** Instance counts to try (1 and 2): subscribers are spread over them, the writer writes through the first. */
  instances: readonly number[];
  /** Posts published per second, and for how long. */
  postsPerSecond: number;
  seconds: number;
}

export interface LiveRun {
  subscribers: number;
  instances: number;
  /** From sending the mutation (its commit included) to a subscriber receiving the post, in ms. */
  p50Ms: number;
  p99Ms: number;
  /** Payloads received by all subscribers per second while the writer ran. */
  eventsPerSecond: number;
  /** SQL statements per post on all instances together: the mutation's own and the fan-out's. */
  statementsPerEvent: number;
  /** Server memory (RSS) added per 1,000 idle connections, each holding one subscription, in MB. */
  rssPer1000IdleMb: number;
}

const PUBLISHED = `subscription { postPublished { id title author { name } } }`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** The live-data benchmark: one run per instance count and subscriber count. */
export async function benchLive(options: LiveBenchOptions): Promise<LiveRun[]> {
  const runs: LiveRun[] = [];
  for (const instances of options.instances) {
    for (const subscribers of options.subscribers) runs.push(await oneRun(options, instances, subscribers));
  }
  return runs;
}

async function oneRun(options: LiveBenchOptions, instances: number, count: number): Promise<LiveRun> {
  // One address is the whole load: the documented limits are raised for it, as for the other parts.
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    LIVE_MAX_CONNECTIONS_PER_CLIENT: '1000000',
    HTTP_MAX_CONNECTIONS: '1000000',
    LOG_LEVEL: 'warn',
  };
  const targets: Target[] = [];
  for (let i = 0; i < instances; i += 1) targets.push(await startTarget('server', env));
  const clients: Client[] = [];
  try {
    const before = await Promise.all(targets.map((t) => t.stats()));
    const latencies: number[] = [];
    let received = 0;
    let subscribed = 0;
    for (let i = 0; i < count; i += 1) {
      const client = createClient({ url: targets[i % instances]!.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      clients.push(client);
      client.subscribe<{ postPublished: { title: string } }>(
        { query: PUBLISHED },
        {
          next: ({ data }) => {
            received += 1;
            latencies.push(performance.timeOrigin + performance.now() - Number(data?.postPublished.title.split(' ')[1]));
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
      client.on('connected', () => (subscribed += 1));
      if (i % 200 === 199) await sleep(10); // connections opened in batches, not all in one tick
    }
    while (subscribed < count) await sleep(50);
    await sleep(500); // the subscriptions reach the hub after their connections
    const idle = await Promise.all(targets.map((t) => t.stats(true)));
    const rssAdded = idle.reduce((sum, s, i) => sum + s.rss - before[i]!.rss, 0);

    const posts = options.postsPerSecond * options.seconds;
    const started = performance.now();
    for (let i = 0; i < posts; i += 1) {
      await sleep(Math.max(0, started + (i * 1000) / options.postsPerSecond - performance.now()));
      const title = `post ${performance.timeOrigin + performance.now()}`;
      await fetch(targets[0]!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({
          query: `mutation ($t: NonEmptyString!) { createPost(input: { title: $t, published: true }) { post { id } } }`,
          variables: { t: title },
        }),
      });
    }
    const deadline = performance.now() + 30_000;
    while (received < posts * count && performance.now() < deadline) await sleep(50);
    const elapsed = (performance.now() - started) / 1000;
    const after = await Promise.all(targets.map((t) => t.stats()));
    latencies.sort((a, b) => a - b);
    return {
      subscribers: count,
      instances,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      eventsPerSecond: received / elapsed,
      statementsPerEvent: after.reduce((sum, s) => sum + s.statements, 0) / posts,
      rssPer1000IdleMb: (rssAdded / Math.max(1, count) / 1e6) * 1000,
    };
  } finally {
    clients.forEach((c) => void c.dispose());
    await Promise.all(targets.map((t) => t.stop()));
  }
}
