import { parse } from 'pg-connection-string';
import type { ConnectionOptions, ReplicationOptions, Sequelize } from 'sequelize';
import { currentRequest } from '../request-scope';
import type { ReadYourWrites } from './read-your-writes';
import type { ReplicaLag } from './replica-lag';

/**
 * Sequelize's `replication` option for read replicas: plain SELECTs outside a transaction go to the
 * replicas (round robin, one pool for them all), everything else to the primary, `url`. A transaction
 * takes its connection from the primary's pool and runs every statement on it, reads included.
 */
export function replicationFor(readUrls: readonly string[], settings: object): ReplicationOptions {
  return { read: readUrls.map((url) => connectionOf(url, settings)), write: {} };
}

/**
 * A replica's URL as Sequelize wants it: parts, with its own TLS settings (sslmode) as dialect options, and
 * the session settings every connection gets (a replica's dialect options replace the primary's whole).
 */
function connectionOf(url: string, settings: object): ConnectionOptions {
  const parts = parse(url);
  return {
    host: parts.host ?? undefined,
    port: parts.port ?? undefined,
    username: parts.user,
    password: parts.password,
    database: parts.database ?? undefined,
    // Not in Sequelize's types, but read like the primary's: ssl, application_name, options.
    dialectOptions: { ...parts, ...settings },
  } as ConnectionOptions;
}

/**
 * Sends reads to the primary when a replica would not do: for a request that writes (a mutation, whose
 * payload is read after its commit) or whose viewer wrote a moment ago (ReadYourWrites), and for
 * every request while the replicas lag too far behind (ReplicaLag).
 */
export function readFromPrimaryWhen(sequelize: Sequelize, lag: ReplicaLag, readYourWrites: ReadYourWrites): void {
  sequelize.addHook('beforePoolAcquire', (options) => {
    const scope = currentRequest();
    if (scope?.readPrimary || !lag.inRotation || (scope && readYourWrites.wroteLately(scope))) options.useMaster = true;
  });
}
