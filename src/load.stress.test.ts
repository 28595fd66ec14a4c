import autocannon from 'autocannon';
import { QueryTypes } from 'sequelize';
import { testDb, useDatabaseOptions } from './test/database';
import { aPublishedPost, aSignedInUser } from './test/factories';
import { poolOf, poolSettled } from './test/faults';
import { useServer, type GraphQLAnswer } from './test/server';

// The server's own pool size (DB_POOL_MAX's default), far below the load's 64 connections.
useDatabaseOptions({ poolMax: 10 });
const CONNECTIONS = 64;
const SECONDS = 30;
// The load comes from one loopback address, one client to the per-client limits: it is allowed all of it.
const api = useServer({ limits: { requestsPerClient: 10_000_000, requestWindowSeconds: SECONDS, requestsInFlightPerClient: CONNECTIONS } });

const CREATE = `mutation ($input: CreatePostInput!) { createPost(input: $input) { post { id databaseId } } }`;
const FEED = `{ posts(first: 20) { nodes { id title author { name } } pageInfo { hasNextPage endCursor } } }`;
const NESTED = `{ users(first: 5) { nodes { name posts(first: 3) { totalCount nodes { title } } } } }`;

describe('under sustained load', () => {
  it(`${CONNECTIONS} connections for ${SECONDS} s of reads and signed-in writes: every answer 2xx, no write lost`, async () => {
    const viewers = await Promise.all(Array.from({ length: 8 }, () => aSignedInUser()));
    for (const { user } of viewers) await aPublishedPost(user, { title: 'seed' });

    const acknowledged = new Set<number>();
    const failed: string[] = [];
    const expectNoErrors = (status: number, body: string) => {
      if (status !== 200 || body.includes('"errors"')) failed.push(`${status} ${body.slice(0, 300)}`);
    };
    let written = 0;
    const result = await autocannon({
      url: api.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Each connection goes round these: one write as a signed-in user, then two reads.
      requests: [
        {
          setupRequest: (request) => {
            written += 1;
            const { token } = viewers[written % viewers.length]!;
            const body = JSON.stringify({ query: CREATE, variables: { input: { title: `load ${written}`, published: true } } });
            return { ...request, body, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
          onResponse: (status, body) => {
            const id = status === 200 ? (JSON.parse(body) as GraphQLAnswer).data?.createPost?.post?.databaseId : undefined;
            if (id) acknowledged.add(Number(id));
            else failed.push(`${status} ${body.slice(0, 300)}`);
          },
        },
        { body: JSON.stringify({ query: FEED }), onResponse: expectNoErrors },
        { body: JSON.stringify({ query: NESTED }), onResponse: expectNoErrors },
      ],
    });
    console.info(
      `load: ${result.requests.total} requests (${result.requests.average} req/s, p99 ${result.latency.p99} ms), ` +
        `${acknowledged.size} writes acknowledged, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
    expect(failed).toEqual([]);
    expect([result.non2xx, result.errors, result.timeouts]).toEqual([0, 0, 0]);
    expect(result['2xx']).toBeGreaterThan(0);

    // Writes still in flight when the load stopped may land after it: wait for them, then count.
    await poolSettled(testDb().sequelize);
    const rows = await testDb().sequelize.query<{ id: number }>(`SELECT id FROM posts WHERE title LIKE 'load %'`, {
      type: QueryTypes.SELECT,
    });
    const stored = new Set(rows.map((row) => row.id));
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]); // no acknowledged write lost
    // Every stored write was acknowledged, but for those whose answer was cut off when the load stopped.
    expect(stored.size - acknowledged.size).toBeGreaterThanOrEqual(0);
    expect(stored.size - acknowledged.size).toBeLessThanOrEqual(CONNECTIONS);
    expect(poolOf(testDb().sequelize).size).toBeLessThanOrEqual(10);
  });
});
