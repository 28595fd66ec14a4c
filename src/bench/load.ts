import autocannon from 'autocannon';
import { postgresCpuMs, processCpuMs } from './cpu';
import type { Stats, Target } from './targets';

export interface Measurement {
  target: string;
  operation: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors (timeouts included), non-2xx answers, and 2xx answers carrying GraphQL errors. */
  errors: number;
  /** Counted over requests sent one at a time: under load, answers still in flight at the deadline would blur it. */
  statementsPerRequest: number;
  peakRssMb: number;
  /** CPU ms per request of the target's process, from /proc. */
  nodeCpuMs: number | null;
  /** CPU ms per request of the whole PostgreSQL server (null when it runs on another machine), from /proc. */
  postgresCpuMs: number | null;
}

export interface Load {
  operation: string;
  /** A request body per request (so point lookups and writes vary). */
  body: () => string;
  token?: string;
}

const CALIBRATION_REQUESTS = 5;

/**
 * Drives a target over HTTP with autocannon for a fixed time at a fixed concurrency; `sample`, when
 * given, receives the target's counters once a second while the load runs.
 */
export async function measure(
  target: Target,
  load: Load,
  connections: number,
  seconds: number,
  postmasterPid: number | null,
  sample?: (stats: Stats) => void,
): Promise<Measurement> {
  const headers = { 'content-type': 'application/json', ...(load.token && { authorization: `Bearer ${load.token}` }) };
  await settled(target);
  await target.stats(true);
  for (let i = 0; i < CALIBRATION_REQUESTS; i += 1) {
    await (await fetch(target.url, { method: 'POST', headers, body: load.body() })).text();
  }
  const statementsPerRequest = (await target.stats()).statements / CALIBRATION_REQUESTS;
  await target.stats(true); // the load's peak memory is its own

  let graphqlErrors = 0;
  const sampler = sample && setInterval(() => void target.stats().then(sample), 1000);
  const cpu = () => ({ node: processCpuMs(target.pid), postgres: postmasterPid === null ? null : postgresCpuMs(postmasterPid) });
  const before = cpu();
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: load.body() }),
        onResponse: (status, body) => {
          if (status < 300 && body.includes('"errors"')) graphqlErrors += 1;
        },
      },
    ],
  });
  const after = cpu();
  if (sampler) clearInterval(sampler);
  const stats = await target.stats();
  const perRequest = (from: number | null, to: number | null) =>
    from === null || to === null || result.requests.total === 0 ? null : (to - from) / result.requests.total;
  return {
    target: target.name,
    operation: load.operation,
    connections,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx + graphqlErrors,
    statementsPerRequest,
    peakRssMb: stats.peakRss / 2 ** 20,
    nodeCpuMs: perRequest(before.node, after.node),
    postgresCpuMs: perRequest(before.postgres, after.postgres),
  };
}

/**
 * Load that is not measured: the target's code is compiled by the JIT and its pools are full before the
 * first cell counts, so the first cells measured are not its slowest.
 */
export async function warmUp(target: Target, load: Load, connections: number, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  const headers = { 'content-type': 'application/json', ...(load.token && { authorization: `Bearer ${load.token}` }) };
  await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, body: load.body() }) }],
  });
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
