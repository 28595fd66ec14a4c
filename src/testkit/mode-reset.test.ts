import { activeSubscriptions, subscribe } from '../live/test-clients';
import { createLogger } from '../logger';
import { sessionCache } from '../services/session-cache';
import { dropDatabase, recreateDatabase } from '../test/admin';
import { TEST_ENV, urlFor } from '../test/environment';
import { sendGraphQL } from '../test/server';
import { waitFor } from '../test/faults';
import { DEFAULT_FIXTURES } from './fixtures';
import { startTestMode, type TestMode } from './mode';

const adminUrl = () => process.env[TEST_ENV.adminUrl]!;
const database = `content_api_testkit_cache_${process.pid}`;
let mode: TestMode;
const TIME_TO_LIVE_MS = sessionCache.timeToLiveMs;

beforeAll(async () => {
  await recreateDatabase(adminUrl(), database);
  const env = { ...process.env, DATABASE_URL: urlFor(adminUrl(), database) };
  mode = await startTestMode({
    fixtures: DEFAULT_FIXTURES,
    volume: null,
    port: 0,
    host: '127.0.0.1',
    mayWipe: false,
    env,
    logger: createLogger({ level: 'silent' }),
  });
  // Far longer than the test: a token refused after the reset is refused because the reset emptied the cache.
  sessionCache.timeToLiveMs = 60_000;
});

afterAll(async () => {
  sessionCache.timeToLiveMs = TIME_TO_LIVE_MS;
  await mode?.stop();
  await dropDatabase(adminUrl(), database);
});

const testkit = (route: string) => mode.url.replace(/\/graphql$/, `/testkit/${route}`);
const post = (route: string, body?: object) =>
  fetch(testkit(route), { method: 'POST', ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

it('a reset voids the sessions of the last test at once, cached or not', async () => {
  const token = ((await (await post('tokens', { user: 'grace' })).json()) as { token: string }).token;
  const viewer = () => sendGraphQL(mode.url, { query: '{ viewer { name } }' }, { token });
  expect((await viewer()).answer.data).toEqual({ viewer: { name: 'Grace Hopper' } });
  expect((await post('reset')).status).toBe(200);
  expect((await viewer()).status).toBe(401);
});

it('a reset ends the live subscriptions of the last test, saying why', async () => {
  const received = subscribe('websocket', mode.url, 'subscription { postPublished { title } }');
  try {
    await waitFor('the subscription to start', async () => (await activeSubscriptions(mode.url)) === 1);
    expect((await post('reset')).status).toBe(200);
    await waitFor('the subscription to end', () => received.errors.length > 0);
    expect(received.errors[0]).toMatchObject({ message: 'the test API was reset to its fixtures', extensions: { code: 'TEST_DATA_RESET' } });
  } finally {
    received.stop();
  }
});
