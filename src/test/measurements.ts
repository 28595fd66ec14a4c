import type { Measurement } from '../bench/load';

/** A benchmark cell with the given speed and, when given, Node's and PostgreSQL's CPU per request. */
export const aMeasurement = (
  target: string,
  operation: string,
  connections: number,
  requestsPerSecond: number,
  cpu: [number, number] | null = null,
): Measurement => ({
  target,
  operation,
  connections,
  requestsPerSecond,
  p50Ms: 1,
  p99Ms: 2,
  requests: requestsPerSecond * 10,
  errors: 0,
  statementsPerRequest: 1,
  peakRssMb: 100,
  nodeCpuMs: cpu?.[0] ?? null,
  postgresCpuMs: cpu?.[1] ?? null,
});
