import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import WebSocket from 'ws';
import { globalId } from '../ids';
import { eventOf, POST_CHANNEL } from '../live/announce';
import { processCpuMs } from './cpu';
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
  /** A CPU profile of each instance of each run, in a folder of its own under this one (`--profile`). */
  profileDir?: string;
}

export interface LiveRun {
  subscribers: number;
  instances: number;
  /**
   * From the commit of a post's mutation to a subscriber reading the post, in ms. The commit is the moment a
   * LISTEN connection of the benchmark itself hears the post's notification (PostgreSQL sends it at commit);
   * the reading is a subscriber process of its own taking the `next` message off its socket.
   */
  p50Ms: number;
  p99Ms: number;
  /** Payloads received by all subscribers per second while the writer ran. */
  eventsPerSecond: number;
  /** SQL statements per post on all instances together: the mutation's own and the fan-out's. */
  statementsPerEvent: number;
  /** Server memory (RSS) added per 1,000 idle connections, each holding one subscription, in MB. */
  rssPer1000IdleMb: number;
  /** Payloads that never arrived (within 30 s of the last post): should be 0. */
  missed: number;
  /**
   * CPU ms per post, from the first post until every payload arrived: of the instances together (the
   * mutation's and the fan-out's), and of the subscriber process. Other load on the machine blurs latency
   * far more than this.
   */
  serverCpuMsPerPost: number;
  subscriberCpuMsPerPost: number;
}

const PUBLISHED = `subscription { postPublished { id title author { name } } }`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
/** Wall-clock milliseconds with sub-millisecond precision, comparable between the processes of this machine. */
const now = () => performance.timeOrigin + performance.now();

/** The live-data benchmark: one run per instance count and subscriber count. */
export async function benchLive(options: LiveBenchOptions): Promise<LiveRun[]> {
  const runs: LiveRun[] = [];
  for (const instances of options.instances) {
    for (const subscribers of options.subscribers) {
      const run = await oneRun(options, instances, subscribers);
      console.log(
        `live ${subscribers} subscribers on ${instances} instance(s): p50 ${run.p50Ms.toFixed(0)} ms, p99 ${run.p99Ms.toFixed(0)} ms, ` +
          `${run.eventsPerSecond.toFixed(0)} payloads/s, ${run.statementsPerEvent.toFixed(1)} SQL/post, ${run.missed} missed, ` +
          `CPU ms/post: server ${run.serverCpuMsPerPost.toFixed(1)}, subscribers ${run.subscriberCpuMsPerPost.toFixed(1)}`,
      );
      runs.push(run);
    }
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
  const profileOf = (i: number) => options.profileDir && path.join(options.profileDir, `live-${count}x${instances}-${i}`);
  for (let i = 0; i < instances; i += 1) targets.push(await startTarget('server', env, profileOf(i)));
  // The subscribers run in a process of their own: reading thousands of sockets takes CPU, which the
  // writer's timing and the commit times heard here must not wait behind.
  const subscribers = new Subscribers(
    targets.map((t) => t.url.replace(/^http/, 'ws')),
    count,
  );
  const commits = new Map<string, number>();
  const listener = new pg.Client({ connectionString: options.databaseUrl });
  try {
    const before = await Promise.all(targets.map((t) => t.stats()));
    await subscribers.ready();
    while ((await Promise.all(targets.map(activeSubscriptions))).reduce((a, b) => a + b, 0) < count) await sleep(100);
    const idle = await Promise.all(targets.map((t) => t.stats(true)));
    const rssAdded = idle.reduce((sum, s, i) => sum + s.rss - before[i]!.rss, 0);

    await listener.connect();
    listener.on('notification', (message) => {
      const event = eventOf(message.payload);
      if (event) commits.set(globalId('Post', event.postId), now());
    });
    await listener.query(`LISTEN ${POST_CHANNEL}`);

    const posts = options.postsPerSecond * options.seconds;
    const cpu = () => [...targets.map((t) => t.pid), subscribers.pid].map((pid) => processCpuMs(pid) ?? NaN);
    const cpuBefore = cpu();
    const started = performance.now();
    for (let i = 0; i < posts; i += 1) {
      await sleep(Math.max(0, started + (i * 1000) / options.postsPerSecond - performance.now()));
      const response = await fetch(targets[0]!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({
          query: `mutation ($t: NonEmptyString!) { createPost(input: { title: $t, published: true }) { post { id } } }`,
          variables: { t: `live ${i}` },
        }),
      });
      if (!response.ok) throw new Error(`the writer's createPost failed: ${response.status} ${await response.text()}`);
    }
    const deadline = performance.now() + 30_000;
    let received = 0;
    while ((received = await subscribers.received()) < posts * count && performance.now() < deadline) await sleep(100);
    const elapsed = (performance.now() - started) / 1000;
    const cpuUsed = cpu().map((ms, i) => ms - cpuBefore[i]!);
    const after = await Promise.all(targets.map((t) => t.stats()));
    const latencies: number[] = [];
    for (const [id, times] of await subscribers.receipts()) {
      const commit = commits.get(id);
      if (commit !== undefined) for (const time of times) latencies.push(time - commit);
    }
    latencies.sort((a, b) => a - b);
    return {
      subscribers: count,
      instances,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      eventsPerSecond: received / elapsed,
      statementsPerEvent: after.reduce((sum, s) => sum + s.statements, 0) / posts,
      rssPer1000IdleMb: (rssAdded / Math.max(1, count) / 1e6) * 1000,
      missed: posts * count - received,
      serverCpuMsPerPost: cpuUsed.slice(0, -1).reduce((a, b) => a + b, 0) / posts,
      subscriberCpuMsPerPost: cpuUsed.at(-1)! / posts,
    };
  } finally {
    await listener.end().catch(() => undefined);
    subscribers.stop();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

/** Active subscriptions of a target, as its /metrics reports them. */
async function activeSubscriptions(target: Target): Promise<number> {
  const text = await (await fetch(new URL('/metrics', target.url))).text();
  return [...text.matchAll(/^live_subscriptions\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** What the subscriber process answers: one message per question, in order. */
type Answer = { type: 'ready' } | { type: 'received'; received: number } | { type: 'receipts'; receipts: [string, number[]][] };

/** The parent's handle on the subscriber process (this file run as `live.js subscribers`). */
class Subscribers {
  private readonly child: ChildProcess;
  private readonly answers: Answer[] = [];
  private waiting: ((answer: Answer) => void) | null = null;
  private readonly exited: Promise<never>;

  get pid(): number {
    return this.child.pid!;
  }

  constructor(urls: string[], count: number) {
    this.child = fork(__filename, ['subscribers', String(count), ...urls], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (answer: Answer) => {
      if (this.waiting) this.waiting(answer);
      else this.answers.push(answer);
    });
    this.exited = new Promise((_, reject) => this.child.once('exit', (code) => reject(new Error(`the subscriber process exited (${code})`))));
    this.exited.catch(() => undefined);
  }

  private next<T extends Answer['type']>(type: T): Promise<Extract<Answer, { type: T }>> {
    const answer = this.answers.shift();
    const arrived = answer ? Promise.resolve(answer) : new Promise<Answer>((resolve) => (this.waiting = resolve));
    return Promise.race([arrived, this.exited]).then((a) => {
      this.waiting = null;
      if (a.type !== type) throw new Error(`the subscriber process answered ${a.type}, not ${type}`);
      return a as Extract<Answer, { type: T }>;
    });
  }

  /** Resolves once every subscriber has its subscription sent (the server may still be starting it). */
  ready = () => this.next('ready');

  async received(): Promise<number> {
    this.child.send('received');
    return (await this.next('received')).received;
  }

  /** When each payload arrived, by post id. */
  async receipts(): Promise<[string, number[]][]> {
    this.child.send('receipts');
    return (await this.next('receipts')).receipts;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/**
 * The subscriber process: `count` WebSockets spread over `urls`, each speaking graphql-transport-ws itself
 * (connection_init, connection_ack, subscribe, next) with one postPublished subscription, and noting when each
 * post arrives. No client library: what it costs to read the payloads would be measured with the server.
 */
async function runSubscribers(count: number, urls: string[]): Promise<void> {
  const receipts = new Map<string, number[]>();
  let received = 0;
  let subscribed = 0;
  const send = (answer: Answer) => process.send!(answer);
  process.on('message', (question) => {
    if (question === 'received') send({ type: 'received', received });
    else if (question === 'receipts') send({ type: 'receipts', receipts: [...receipts] });
  });
  process.on('disconnect', () => process.exit(0));

  const open = (url: string, attempt = 0): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, 'graphql-transport-ws');
      let acknowledged = false;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      ws.on('message', (data: Buffer) => {
        const at = now();
        const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { postPublished?: { id: string } } } };
        if (message.type === 'next') {
          const id = message.payload?.data?.postPublished?.id;
          if (id === undefined) return;
          received += 1;
          const times = receipts.get(id);
          if (times) times.push(at);
          else receipts.set(id, [at]);
        } else if (message.type === 'connection_ack') {
          acknowledged = true;
          ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: PUBLISHED } }));
          subscribed += 1;
          resolve();
        } else if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      ws.on('error', () => undefined); // 'close' follows
      ws.on('close', () => {
        if (acknowledged) return; // after the benchmark, or a lost subscriber: its payloads count as missed
        // Thousands of handshakes at once on a busy machine: a refused one is tried again, not counted.
        if (attempt >= 20) throw new Error(`could not connect to ${url}`);
        setTimeout(() => void open(url, attempt + 1).then(resolve), 100 * (attempt + 1));
      });
    });

  // At most this many handshakes at once: the server's accept queue is bounded.
  const HANDSHAKES = 100;
  for (let start = 0; start < count; start += HANDSHAKES) {
    const batch = Array.from({ length: Math.min(HANDSHAKES, count - start) }, (_, i) => open(urls[(start + i) % urls.length]!));
    await Promise.all(batch);
  }
  if (subscribed === count) send({ type: 'ready' });
}

if (require.main === module && process.argv[2] === 'subscribers') {
  runSubscribers(Number(process.argv[3]), process.argv.slice(4)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
