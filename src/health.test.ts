import net, { type AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Sequelize } from 'sequelize';
import { migrations } from '../migrations';
import { healthRoutes } from './health';
import { testDatabaseUrl, testDb } from './test/database';
import { useServer } from './test/server';

const api = useServer();
const endpoint = (path: string) => new URL(path, api.url).toString();

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Serves only the health routes over `sequelize` on a loopback port, for databases the server is not using. */
async function withHealthRoutes<T>(sequelize: Sequelize, readyTimeoutMs: number, work: (base: string) => Promise<T>): Promise<T> {
  const app = Fastify().register(healthRoutes(sequelize, readyTimeoutMs));
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await work(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  } finally {
    await app.close();
    await sequelize.close();
  }
}

/** A port nothing listens on: one the system just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('health endpoints', () => {
  it('GET /healthz answers 200 while the process serves', async () => {
    expect(await get(endpoint('/healthz'))).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /readyz answers 200 when the database answers and every migration is applied', async () => {
    expect(await get(endpoint('/readyz'))).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('GET /readyz answers 503 naming the migrations that are pending', async () => {
    const last = migrations.at(-1)!.name;
    const sequelize = testDb().sequelize;
    await sequelize.query('DELETE FROM "SequelizeMeta" WHERE name = :last', { replacements: { last } });
    try {
      expect(await get(endpoint('/readyz'))).toEqual({
        status: 503,
        body: { status: 'not ready', reason: 'migrations are pending', pending: [last] },
      });
    } finally {
      await sequelize.query('INSERT INTO "SequelizeMeta" (name) VALUES (:last)', { replacements: { last } });
    }
  });

  it('GET /readyz answers 503 when the database cannot be reached', async () => {
    const url = `postgres://nobody:secret@127.0.0.1:${await closedPort()}/nothing`;
    const unreachable = new Sequelize(url, { dialect: 'postgres', logging: false });
    await withHealthRoutes(unreachable, 1000, async (base) => {
      expect(await get(`${base}/readyz`)).toEqual({
        status: 503,
        body: { status: 'not ready', reason: 'the database is unreachable' },
      });
      expect((await get(`${base}/healthz`)).status).toBe(200);
    });
  });

  it('GET /readyz answers 503 when the database does not answer within the bound, and 200 once it does', async () => {
    // A pool of one whose only connection is taken: the check cannot get an answer in time.
    const busy = new Sequelize(testDatabaseUrl(), { dialect: 'postgres', logging: false, pool: { max: 1 } });
    await withHealthRoutes(busy, 200, async (base) => {
      const holder = await busy.transaction();
      const waiting = await get(`${base}/readyz`).finally(() => holder.commit());
      expect(waiting).toEqual({ status: 503, body: { status: 'not ready', reason: 'the database did not answer within 200 ms' } });
      expect((await get(`${base}/readyz`)).status).toBe(200);
    });
  });
});
