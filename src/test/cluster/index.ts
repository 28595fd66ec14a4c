import fs from 'node:fs';
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
  primary: PostgresNode;
  replica: PostgresNode;
  bouncers: { primary: Bouncer; replica: Bouncer };
  instances: Instance[];
  balancer: Balancer;
  /** Stops everything it started and removes its files (also after a failure half-way through starting). */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  instances?: number;
  /** Settings every instance gets beside the database URLs. */
  env?: Record<string, string>;
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
      const instance = await startInstance(env);
      instances.push(instance);
      stops.push(() => instance.stop());
    }
    const balancer = await startBalancer(
      instances.map((instance) => instance.port),
      folder,
    );
    stops.push(() => balancer.stop());
    return { url: balancer.url, primary, replica, bouncers, instances, balancer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
