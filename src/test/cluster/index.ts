import fs from 'node:fs';
import path from 'node:path';
import { startBalancer, type Balancer } from './haproxy';
import { startInstance, type Instance } from './instances';
import { startBouncer, type Bouncer } from './pgbouncer';
import { CLUSTER_DATABASE, startPrimary, startReplica, type PostgresNode } from './postgres';
import { engineFolder } from './run';

/**
 * The topology users scale out to, on this machine's loopback: a PostgreSQL primary and its streaming
 * replica, PgBouncer (transaction mode) in front of each, API instances reading through them and listening
 * for live events on the primary directly, and HAProxy in front of the instances.
 */
export interface Cluster {
  /** The API through the balancer. */
  url: string;
  /** Where its engines keep their files (removed by stop). */
  folder: string;
  primary: PostgresNode;
  replica: PostgresNode;
  bouncers: { primary: Bouncer; replica: Bouncer };
  instances: Instance[];
  balancer: Balancer;
  /** Stops everything it started and removes its files (also after a failure half-way through starting). */
  stop(): Promise<void>;
}

/**
 * Settings for load through the balancer: every client comes from 127.0.0.1, so the per-client limits, which
 * protect an instance from one client, would otherwise answer most of it with 429.
 */
export const LOAD_SETTINGS: Record<string, string> = {
  CLIENT_MAX_REQUESTS: '1000000',
  CLIENT_MAX_REQUESTS_IN_FLIGHT: '1000',
  SIGNUP_MAX_PER_CLIENT: '1000',
  // A sign-in in flight counts as a failure until it succeeds: dozens of clients sign in from one address at once.
  LOGIN_MAX_FAILURES_PER_CLIENT: '1000',
  SHUTDOWN_GRACE_MS: '2000',
  LOG_LEVEL: 'warn',
  // The database URLs lead to PgBouncer in transaction mode: no startup parameters, no session state.
  DB_TRANSACTION_POOLER: 'true',
  // A replica paused for seconds goes out of the read rotation (and comes back once it has caught up).
  DB_REPLICA_MAX_LAG_SECONDS: '1',
};

export interface ClusterOptions {
  instances?: number;
  /** Settings every instance gets beside the database URLs. */
  env?: Record<string, string>;
  /** Runs once the primary and its replica are up, before PgBouncer and the instances connect (ALTER DATABASE … SET). */
  prepare?: (primary: PostgresNode) => Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const folder = engineFolder('cluster');
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    fs.rmSync(folder, { recursive: true, force: true });
  };
  try {
    const primary = await startPrimary(folder);
    stops.push(() => primary.stop());
    const replica = await startReplica(primary, folder);
    stops.push(() => replica.stop());
    await options.prepare?.(primary);
    const bouncers = {
      primary: await startBouncer(primary, CLUSTER_DATABASE, folder, 'bouncer-primary'),
      replica: await startBouncer(replica, CLUSTER_DATABASE, folder, 'bouncer-replica'),
    };
    stops.push(
      () => bouncers.primary.stop(),
      () => bouncers.replica.stop(),
    );
    const env = {
      DATABASE_URL: bouncers.primary.url(CLUSTER_DATABASE),
      DATABASE_READ_URLS: bouncers.replica.url(CLUSTER_DATABASE),
      DATABASE_LISTEN_URL: primary.url(CLUSTER_DATABASE),
      ...options.env,
    };
    const instances: Instance[] = [];
    // One at a time: the first applies the migrations, the others find them applied.
    for (let i = 0; i < (options.instances ?? 3); i += 1) {
      const instance = await startInstance(env, path.join(folder, `instance-${i + 1}.pid`));
      instances.push(instance);
      stops.push(() => instance.stop());
    }
    const balancer = await startBalancer(
      instances.map((instance) => instance.port),
      folder,
    );
    stops.push(() => balancer.stop());
    return { url: balancer.url, folder, primary, replica, bouncers, instances, balancer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
