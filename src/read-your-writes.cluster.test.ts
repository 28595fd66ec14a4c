import { LOAD_SETTINGS, startCluster, type Cluster } from './test/cluster';
import { signUpAccounts } from './test/cluster/load';
import { waitFor } from './test/wait';

/**
 * Read-your-writes on the real topology (src/test/cluster): the replica's replay is paused, so it lags by
 * as long as the test wants, while staying in the read rotation (a bound far above the pause).
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ env: { ...LOAD_SETTINGS, DB_REPLICA_MAX_LAG_SECONDS: '120' } });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

async function titles(port: number, query: string, token?: string): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: Record<string, { nodes: { title: string }[] }> };
  return Object.values(body.data)[0]!.nodes.map((node) => node.title);
}

test('a writer sees their write on every instance while the replica lags; others read the lagging replica', async () => {
  const ports = cluster.instances.map((instance) => instance.port);
  const [writer, reader] = await signUpAccounts(cluster.url, 2, 'ryw');
  const feed = `{ posts(first: 50, where: { title: { startsWith: "Lagging" } }) { nodes { title } } }`;
  await cluster.replica.query('SELECT pg_wal_replay_pause()');
  try {
    const created = await fetch(`http://127.0.0.1:${ports[0]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer!.token}` },
      body: JSON.stringify({ query: 'mutation { createPost(input: { title: "Lagging behind", published: true }) { post { id } } }' }),
    });
    expect(created.status).toBe(200);
    // Every instance, the ones that did not serve the write included, sends the writer's reads to the primary…
    for (const port of [ports[1]!, ports[2]!, ports[0]!]) expect(await titles(port, feed, writer!.token)).toEqual(['Lagging behind']);
    // …while the replica, still in the rotation, has not replayed the write: the others read it there.
    for (const port of ports) {
      expect(await titles(port, feed, reader!.token)).toEqual([]);
      expect(await titles(port, feed)).toEqual([]);
    }
  } finally {
    await cluster.replica.query('SELECT pg_wal_replay_resume()');
  }
  await waitFor('the replica to replay the write', async () => (await titles(ports[1]!, feed)).length === 1, 30_000);
});
