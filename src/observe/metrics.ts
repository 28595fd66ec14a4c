import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { ReplicaLag, ReplicaState } from '../db/replica-lag';

/** What one GraphQL request came to, as the metrics record it. */
export interface RequestOutcome {
  /** The operation's name; null when anonymous, undefined when no operation was resolved (bad request). */
  operation: string | null | undefined;
  seconds: number;
  statements: number;
  /** Error codes of the answer; empty when it succeeded. */
  errors: readonly string[];
}

/** Labels stay few whatever clients send: at most this many operation names, then `other`. */
export const MAX_OPERATION_LABELS = 50;
const MAX_NAME_LENGTH = 64;

/** The label of an operation: its name among the first MAX_OPERATION_LABELS seen, else a fixed word. */
export class OperationLabels {
  private readonly seen = new Set<string>();

  label(operation: string | null | undefined): string {
    if (operation === undefined) return 'unknown';
    if (operation === null || operation === '') return 'anonymous';
    if (this.seen.has(operation)) return operation;
    if (this.seen.size >= MAX_OPERATION_LABELS || operation.length > MAX_NAME_LENGTH) return 'other';
    this.seen.add(operation);
    return operation;
  }
}

interface PoolStats {
  size: number;
  using: number;
  waiting: number;
  maxSize: number;
}

/** Sequelize's pool(s): one, or a write and a read pool when read replicas are configured. */
function poolsOf(sequelize: Sequelize): [string, PoolStats][] {
  const pool = (sequelize.connectionManager as unknown as { pool?: PoolStats | { read: PoolStats; write: PoolStats } }).pool;
  if (!pool) return [];
  return 'write' in pool
    ? [
        ['primary', pool.write],
        ['replica', pool.read],
      ]
    : [['primary', pool]];
}

/** Each read replica's lag as last measured (src/db/replica-lag.ts), and whether reads go to the replicas. */
function replicaGauges(registry: Registry, lag: ReplicaLag): void {
  const perReplica = (name: string, help: string, read: (state: ReplicaState) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica'],
      registers: [registry],
      collect() {
        for (const state of lag.current) this.set({ replica: state.replica }, read(state));
      },
    });
  perReplica('db_replica_lag_seconds', 'Age of the oldest write of the primary this replica has not replayed (0: caught up)', (state) => state.lagSeconds);
  perReplica('db_replica_lag_bytes', 'Bytes of the primary WAL this replica has not replayed', (state) => state.lagBytes);
  perReplica('db_replica_reachable', 'Whether this replica answered the last lag probe (1) or not (0)', (state) => Number(state.reachable));
  new Gauge({
    name: 'db_replicas_in_rotation',
    help: 'Whether reads outside transactions go to the replicas (1) or, the replicas lagging or unreachable, to the primary (0)',
    registers: [registry],
    collect() {
      this.set(Number(lag.inRotation));
    },
  });
}

/** A gauge per pool, read from Sequelize's pool when scraped (nothing to keep up to date per request). */
function poolGauge(registry: Registry, sequelize: Sequelize, name: string, help: string, read: (pool: PoolStats) => number) {
  return new Gauge({
    name,
    help,
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      for (const [label, pool] of poolsOf(sequelize)) this.set({ pool: label }, read(pool));
    },
  });
}

/** The live data's metrics (src/live): connections, subscriptions, events, delivery latency, slow consumers. */
export interface LiveMetrics {
  connections: Gauge<'transport'>;
  subscriptions: Gauge<'field'>;
  eventsReceived: Counter;
  eventsDelivered: Counter;
  deliverySeconds: Histogram;
  slowConsumers: Counter;
}

function liveMetrics(registers: Registry[]): LiveMetrics {
  return {
    connections: new Gauge({ name: 'live_connections', help: 'Open live connections by transport (websocket, sse)', labelNames: ['transport'], registers }),
    subscriptions: new Gauge({ name: 'live_subscriptions', help: 'Active subscriptions by field', labelNames: ['field'], registers }),
    eventsReceived: new Counter({ name: 'live_events_received_total', help: 'Committed changes heard on the LISTEN connection', registers }),
    eventsDelivered: new Counter({ name: 'live_events_delivered_total', help: 'Payloads sent to subscribers', registers }),
    deliverySeconds: new Histogram({
      name: 'live_delivery_seconds',
      help: 'Time from a change being heard after its commit to its payload being sent to a subscriber',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    slowConsumers: new Counter({ name: 'live_slow_consumers_dropped_total', help: 'Subscribers disconnected for reading too slowly', registers }),
  };
}

/** The server's Prometheus metrics, in a registry of its own (so servers in one process do not mix). */
export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new OperationLabels();
  private readonly requests: Counter<'operation' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'outcome'>;
  private readonly errors: Counter<'operation' | 'code'>;
  private readonly statements: Histogram<'operation'>;
  readonly live: LiveMetrics;

  constructor(sequelize: Sequelize, replicaLag?: ReplicaLag) {
    const registers = [this.registry];
    if (replicaLag) replicaGauges(this.registry, replicaLag);
    const byOutcome = ['operation', 'outcome'] as const;
    this.requests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests by operation name and outcome (ok or error)',
      labelNames: byOutcome,
      registers,
    });
    this.duration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from the request arriving to the answer sent',
      labelNames: byOutcome,
      registers,
    });
    this.errors = new Counter({
      name: 'graphql_request_errors_total',
      help: 'Failed GraphQL requests by operation name and error code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.statements = new Histogram({
      name: 'graphql_request_sql_statements',
      help: 'SQL statements per GraphQL request (BEGIN/COMMIT not counted)',
      labelNames: ['operation'],
      buckets: [0, 1, 2, 3, 4, 5, 10, 20, 50, 100],
      registers,
    });
    poolGauge(this.registry, sequelize, 'db_pool_size', 'Open connections in the pool', (pool) => pool.size);
    poolGauge(this.registry, sequelize, 'db_pool_in_use', 'Connections lent out to queries', (pool) => pool.using);
    poolGauge(this.registry, sequelize, 'db_pool_waiting', 'Queries waiting for a connection', (pool) => pool.waiting);
    poolGauge(this.registry, sequelize, 'db_pool_max', 'Most connections the pool may open', (pool) => pool.maxSize);
    this.live = liveMetrics(registers);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records one finished GraphQL request. */
  observe({ operation: name, seconds, statements, errors }: RequestOutcome): void {
    const operation = this.operations.label(name);
    const outcome = errors.length ? 'error' : 'ok';
    this.requests.inc({ operation, outcome });
    this.duration.observe({ operation, outcome }, seconds);
    this.statements.observe({ operation }, statements);
    for (const code of errors) this.errors.inc({ operation, code });
  }

  /** GET /metrics: the text format Prometheus scrapes. */
  readonly handler = async (_request: FastifyRequest, reply: FastifyReply): Promise<string> => {
    reply.header('content-type', this.registry.contentType);
    return this.registry.metrics();
  };
}
