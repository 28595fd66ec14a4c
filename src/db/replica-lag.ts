import { Client } from './pg';
import { QueryTypes, type Sequelize } from 'sequelize';

/** How far one read replica is behind the primary, as last measured. */
export interface ReplicaState {
  /** host:port, the label it has in /metrics. */
  replica: string;
  /** Seconds since the replica last replayed a transaction it had not caught up with; 0 when caught up. */
  lagSeconds: number;
  /** Bytes of the primary's WAL it has not replayed yet. */
  lagBytes: number;
  /** Whether it answered the last probe at all. */
  reachable: boolean;
}

/** A point of the primary's WAL: its position (an LSN, as a number) and when it was the end. */
interface Sample {
  at: number;
  lsn: bigint;
}

/** An LSN's text ('16/B374D848') as a number that compares like the position it names. */
export function lsnOf(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * Measures each replica's lag every `intervalMs`, and keeps reads off the replicas while any of them is
 * more than `boundSeconds` behind (or unreachable): they go to the primary until it has caught up.
 * Sequelize keeps one pool for all replicas and cannot skip one of them, so one lagging replica takes
 * them all out of the rotation; with the single replica most deployments run, that is the same thing.
 */
export class ReplicaLag {
  private states: ReplicaState[];
  /** The primary's WAL end at each probe, oldest first: how old the oldest write a replica lacks is. */
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly readUrls: readonly string[],
    private readonly boundSeconds: number,
    private readonly intervalMs = 1000,
  ) {
    this.states = readUrls.map((url) => ({ replica: labelOf(url), lagSeconds: 0, lagBytes: 0, reachable: true }));
  }

  /** The latest measurement of every replica. */
  get current(): readonly ReplicaState[] {
    return this.states;
  }

  /** Whether reads may go to the replicas now. */
  get inRotation(): boolean {
    return this.states.every((state) => state.reachable && state.lagSeconds <= this.boundSeconds);
  }

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.probing;
  }

  /** Measures every replica once (the timer's job; tests call it to measure now). */
  probe(): Promise<void> {
    this.probing ??= this.measure().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async measure(): Promise<void> {
    const [primary] = await this.sequelize
      .query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn', { type: QueryTypes.SELECT, useMaster: true })
      .catch(() => [undefined]);
    const now = Date.now();
    if (primary) this.samples.push({ at: now, lsn: lsnOf(primary.lsn) });
    const replayed = await Promise.all(this.readUrls.map(replayedLsn));
    this.states = this.readUrls.map((url, index) => {
      const position = replayed[index];
      if (position === undefined) return { replica: labelOf(url), lagSeconds: 0, lagBytes: 0, reachable: false };
      // The lag is the age of the oldest write the replica has not replayed (0 when it has them all).
      const oldestMissing = this.samples.find((sample) => sample.lsn > position);
      const latest = this.samples.at(-1);
      return {
        replica: labelOf(url),
        lagSeconds: oldestMissing ? (now - oldestMissing.at) / 1000 : 0,
        lagBytes: latest && latest.lsn > position ? Number(latest.lsn - position) : 0,
        reachable: true,
      };
    });
    // Samples every replica has replayed are of no more use (the latest stays: the next probe compares to it).
    const slowest = replayed.reduce<bigint | undefined>((min, lsn) => (lsn === undefined || (min !== undefined && min < lsn) ? min : lsn), undefined);
    while (this.samples.length > 1 && slowest !== undefined && this.samples[0]!.lsn <= slowest) this.samples.shift();
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }
}

/** Past this many probes behind (an hour at one a second), the lag is at least that old: older samples go. */
const MAX_SAMPLES = 3600;

const CAUGHT_UP = BigInt(Number.MAX_SAFE_INTEGER) << 16n;

/** The replica's replayed WAL position, or undefined when it does not answer. */
async function replayedLsn(url: string): Promise<bigint | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ replayed: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS replayed');
    // Not a standby (a copy kept up some other way): its lag cannot be read, and it counts as caught up.
    return rows[0]?.replayed ? lsnOf(rows[0].replayed) : CAUGHT_UP;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function labelOf(url: string): string {
  const { host, port } = new URL(url);
  return `${host}:${port || 5432}`;
}
