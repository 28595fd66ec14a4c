import { aPublishedPost, aUser } from '../test/factories';
import { useServer } from '../test/server';
import { MAX_OPERATION_LABELS } from './metrics';

const api = useServer();

async function scrape(): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(new URL('/metrics', api.url));
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample line, e.g. `graphql_requests_total{operation="Feed",outcome="ok"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The request's metrics are recorded when its answer has gone out: scrape until `series` shows up. */
async function scrapeUntil(series: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { text } = await scrape();
    if (sample(text, series) !== undefined) return text;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${series} never appeared`);
}

const FEED = `query Feed { posts(first: 5) { nodes { title author { name } } } }`;

describe('GET /metrics', () => {
  it('counts requests by operation and outcome, with durations and SQL statements per request', async () => {
    await aPublishedPost(await aUser());
    for (let i = 0; i < 3; i += 1) expect((await api.gql(FEED)).errors).toBeUndefined();
    expect((await api.gql(`query Feed { posts(first: 500) { nodes { id } } }`)).errors).toHaveLength(1);
    await api.gql(`{ __typename }`);
    await api.gql(`query Broken {`);

    const text = await scrapeUntil('graphql_requests_total{operation="unknown",outcome="error"}');
    expect(sample(text, 'graphql_requests_total{operation="Feed",outcome="ok"}')).toBe(3);
    expect(sample(text, 'graphql_requests_total{operation="Feed",outcome="error"}')).toBe(1);
    expect(sample(text, 'graphql_requests_total{operation="anonymous",outcome="ok"}')).toBe(1);
    expect(sample(text, 'graphql_request_errors_total{operation="Feed",code="BAD_USER_INPUT"}')).toBe(1);
    expect(sample(text, 'graphql_request_errors_total{operation="unknown",code="GRAPHQL_PARSE_FAILED"}')).toBe(1);
    expect(sample(text, 'graphql_request_duration_seconds_count{operation="Feed",outcome="ok"}')).toBe(3);
    expect(sample(text, 'graphql_request_duration_seconds_sum{operation="Feed",outcome="ok"}')).toBeGreaterThan(0);
    // 3 answers of 1 statement (the page with its authors); the refused page size runs none
    expect(sample(text, 'graphql_request_sql_statements_count{operation="Feed"}')).toBe(4);
    expect(sample(text, 'graphql_request_sql_statements_sum{operation="Feed"}')).toBe(3);
    expect(sample(text, 'graphql_request_sql_statements_bucket{le="1",operation="Feed"}')).toBe(4);
    expect(sample(text, 'graphql_request_sql_statements_bucket{le="0",operation="Feed"}')).toBe(1);
  });

  it('serves the Prometheus text format with the pool gauges and the process metrics', async () => {
    await api.gql(FEED);
    const { contentType, text } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'db_pool_max{pool="primary"}')).toBe(5); // the test database's pool
    expect(sample(text, 'db_pool_size{pool="primary"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'db_pool_in_use{pool="primary"}')).toBe(0); // nothing runs while it scrapes
    expect(sample(text, 'db_pool_waiting{pool="primary"}')).toBe(0);
    expect(text).not.toContain('pool="replica"');
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
  });

  it(`keeps at most ${MAX_OPERATION_LABELS} operation names, then counts the rest as other`, async () => {
    for (let i = 0; i < MAX_OPERATION_LABELS + 5; i += 1) await api.gql(`query Many${i} { __typename }`);
    await api.gql(`query ${'Long'.repeat(20)} { __typename }`);
    const text = await scrapeUntil('graphql_requests_total{operation="other",outcome="ok"}');
    const operations = new Set([...text.matchAll(/^graphql_requests_total\{operation="([^"]*)"/gm)].map((m) => m[1]));
    expect(operations.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 3); // + anonymous, unknown, other
    expect(operations).not.toContain('Long'.repeat(20));
    expect(sample(text, 'graphql_requests_total{operation="other",outcome="ok"}')).toBeGreaterThanOrEqual(6);
  });
});
