import { testDatabaseUrl } from '../test/database';
import { aSignedInUser } from '../test/factories';
import { sendGraphQL, useServer } from '../test/server';
import { spawnTypeScript, type Spawned } from '../test/spawn';

/** Instance A: a server in this process. */
const a = useServer();
/** Instance B: the API started as in production, in a process of its own, on the same database. */
let b: Spawned & { url: string };

const READY = 'GraphQL API ready at ';
const VIEWER = `{ viewer { id } }`;
/** How long another instance may go on accepting a revoked session: its cache's time to live. */
const SECOND = 1000;

beforeAll(async () => {
  const spawned = spawnTypeScript('src/index.ts', [], {
    DATABASE_URL: testDatabaseUrl(),
    HOST: '127.0.0.1',
    PORT: '0',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
  });
  const ready = (JSON.parse(await spawned.lineMatching((line) => line.includes(READY))) as { msg: string }).msg;
  b = { ...spawned, url: `http://127.0.0.1:${new URL(ready.slice(READY.length)).port}/graphql` };
}, 60_000);

afterAll(async () => {
  b?.child.kill('SIGTERM');
  await b?.exit;
});

const statusOnB = async (token: string) => (await sendGraphQL(b.url, { query: VIEWER }, { token })).status;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks B with the token until a second has passed since `changedAt` (when the change was sent to A), then
 * once more. B's entry was stored before `changedAt`, so it is used until less than a second after it: every
 * request sent a second or more after `changedAt` must be refused. Before that, B may still accept the token;
 * once it refused it, it never accepts it again.
 */
async function expectRefusedByBWithinASecond(token: string, changedAt: number): Promise<void> {
  const seen: { after: number; status: number }[] = [];
  for (;;) {
    const after = Date.now() - changedAt;
    seen.push({ after, status: await statusOnB(token) });
    if (after >= SECOND) break;
    await sleep(50);
  }
  const late = seen.filter((s) => s.after >= SECOND);
  expect(late.length).toBeGreaterThan(0);
  expect(late.map((s) => s.status)).toEqual(late.map(() => 401));
  const refused = seen.findIndex((s) => s.status === 401);
  expect(seen.slice(refused).map((s) => s.status)).toEqual(seen.slice(refused).map(() => 401));
  expect(seen.slice(0, refused).map((s) => s.status)).toEqual(seen.slice(0, refused).map(() => 200));
}

describe('two instances on one database', () => {
  it('a logOut on A is refused by B within a second, and no later', async () => {
    const { token } = await aSignedInUser();
    expect(await statusOnB(token)).toBe(200); // B caches the session
    const changedAt = Date.now();
    expect((await a.gql(`mutation { logOut }`, {}, { token })).errors).toBeUndefined();
    expect((await a.gql(VIEWER, {}, { token })).status).toBe(401); // at once on A
    await expectRefusedByBWithinASecond(token, changedAt);
  });

  it('a deleteViewer on A is refused by B within a second, and no later', async () => {
    const { token } = await aSignedInUser();
    expect(await statusOnB(token)).toBe(200);
    const changedAt = Date.now();
    expect((await a.gql(`mutation { deleteViewer { user { id } } }`, {}, { token })).errors).toBeUndefined();
    expect((await a.gql(VIEWER, {}, { token })).status).toBe(401);
    await expectRefusedByBWithinASecond(token, changedAt);
  });

  it('a logOut on B is refused by B at once (the instance that served it)', async () => {
    const { token } = await aSignedInUser();
    expect(await statusOnB(token)).toBe(200);
    const logOut = await sendGraphQL(b.url, { query: `mutation { logOut }` }, { token });
    expect(logOut.answer.errors).toBeUndefined();
    expect(await statusOnB(token)).toBe(401);
  });
});
