import autocannon from 'autocannon';
import type { Target } from './targets';

export interface Measurement {
  target: string;
  operation: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors, timeouts, non-2xx answers and answers carrying GraphQL errors. */
  errors: number;
  statementsPerRequest: number;
  peakRssMb: number;
}

export interface Load {
  operation: string;
  /** A request body per request (so point lookups and writes vary). */
  body: () => string;
  token?: string;
}

/** Drives a target over HTTP with autocannon for a fixed time at a fixed concurrency. */
export async function measure(target: Target, load: Load, connections: number, seconds: number): Promise<Measurement> {
  await settled(target);
  await target.stats(true);
  let graphqlErrors = 0;
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(load.token && { authorization: `Bearer ${load.token}` }) },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: load.body() }),
        onResponse: (_status, body) => {
          if (body.includes('"errors"')) graphqlErrors += 1;
        },
      },
    ],
  });
  const stats = await target.stats();
  const requests = result.requests.total;
  return {
    target: target.name,
    operation: load.operation,
    connections,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests,
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
    statementsPerRequest: requests ? stats.statements / requests : 0,
    peakRssMb: stats.peakRss / 2 ** 20,
  };
}

/**
 * Waits until the target runs no more statements: autocannon stops at its deadline without waiting for
 * the answers still in flight, and their work must not be counted in the next measurement.
 */
async function settled(target: Target): Promise<void> {
  let last = -1;
  for (let i = 0; i < 120; i += 1) {
    const { statements } = await target.stats();
    if (statements === last) return;
    last = statements;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
