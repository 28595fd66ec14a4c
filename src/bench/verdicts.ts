import type { Measurement } from './load';
import type { OperationKey } from './operations';

/** What a run measured, on which data set. */
export interface Run {
  size: { users: number; posts: number };
  measurements: Measurement[];
}

/** A target: the server's requests per second at least `min` times another target's, for one operation. */
interface Target {
  operation: OperationKey;
  against: 'floor' | 'naive';
  min: number;
}

/**
 * The targets, at 16 and 64 connections. The floors are measured in the same run (see floor.ts): for
 * `{ __typename }` it is a node:http handler answering a constant, so its ratio is the share of the
 * machine a request's fixed cost leaves.
 */
export const TARGETS: readonly Target[] = [
  { operation: 'nested', against: 'floor', min: 0.7 },
  { operation: 'feed', against: 'floor', min: 0.45 },
  { operation: 'search', against: 'floor', min: 0.45 },
  { operation: 'fullText', against: 'floor', min: 0.45 },
  { operation: 'postById', against: 'floor', min: 0.45 },
  { operation: 'typename', against: 'floor', min: 0.2 },
  { operation: 'postById', against: 'naive', min: 1.5 },
  { operation: 'feed', against: 'naive', min: 1.5 },
];
export const TARGET_CONNECTIONS = [16, 64];
/** Each read operation at the larger data set may take at most this many times longer (requests per second) than at the smaller. */
export const MAX_GROWTH = 1.5;

export const find = (measurements: readonly Measurement[], target: string, operation: string, connections: number) =>
  measurements.find((m) => m.target === target && m.operation === operation && m.connections === connections);

/** The server's requests per second over `against`'s, for the same operation and connections, when both were measured. */
export function ratioTo(measurements: readonly Measurement[], server: Measurement, against: string): number | null {
  const other = find(measurements, against, server.operation, server.connections);
  return other && other.requestsPerSecond > 0 ? server.requestsPerSecond / other.requestsPerSecond : null;
}

const fixed = (value: number | null, digits = 2) => (value === null ? '–' : value.toFixed(digits));

/** Every target at each connection count measured, in words: met, MISSED, or not measured. */
export function verdicts(measurements: readonly Measurement[]): string[] {
  return TARGETS.flatMap(({ operation, against, min }) =>
    TARGET_CONNECTIONS.map((connections) => {
      const server = find(measurements, 'server', operation, connections);
      const ratio = server ? ratioTo(measurements, server, against) : null;
      const outcome = ratio === null ? 'not measured' : ratio >= min ? 'met' : 'MISSED';
      return `${operation} at ${connections} connections: ${fixed(ratio)}× ${against} (target ≥ ${min}): ${outcome}`;
    }),
  );
}

/** Node and PostgreSQL CPU per request together, when both were measured. */
const cpuOf = (m: Measurement) => (m.nodeCpuMs === null || m.postgresCpuMs === null ? null : m.nodeCpuMs + m.postgresCpuMs);

/**
 * The server's read operations on two data sets, side by side, and whether each keeps within MAX_GROWTH
 * at the larger: judged by CPU per request (Node and PostgreSQL) where measured, which the machine's other
 * load blurs far less than requests per second across runs taken at different times; else by requests per second.
 */
export function sizeComparison(smaller: Run, larger: Run): string {
  const [a, b] = [smaller.size.posts, larger.size.posts];
  const lines = [
    `| operation | conns | req/s at ${a} posts | at ${b} | CPU ms/req (Node + PG) at ${a} | at ${b} | grows by | within ${MAX_GROWTH}× |`,
    '|---|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const m of smaller.measurements) {
    if (m.target !== 'server' || m.operation === 'createPost' || m.operation === 'typename') continue;
    const other = find(larger.measurements, 'server', m.operation, m.connections);
    if (!other || other.requestsPerSecond === 0) continue;
    const [cpu, otherCpu] = [cpuOf(m), cpuOf(other)];
    const growth = cpu && otherCpu ? otherCpu / cpu : m.requestsPerSecond / other.requestsPerSecond;
    lines.push(
      `| ${m.operation} | ${m.connections} | ${m.requestsPerSecond.toFixed(0)} | ${other.requestsPerSecond.toFixed(0)} | ${fixed(cpu)} | ${fixed(otherCpu)} | ` +
        `${growth.toFixed(2)}× | ${growth <= MAX_GROWTH ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}
