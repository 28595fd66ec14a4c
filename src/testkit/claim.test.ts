import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../logger';
import { dropDatabase, recreateDatabase } from '../test/admin';
import { TEST_ENV, urlFor } from '../test/environment';
import { DEFAULT_FIXTURES } from './fixtures';
import { generateFixtures } from './generate';
import { startTestMode } from './mode';

const adminUrl = () => process.env[TEST_ENV.adminUrl]!;
const database = `content_api_testkit_claim_${process.pid}`;
const url = () => urlFor(adminUrl(), database);

function start(env: NodeJS.ProcessEnv, mayWipe = false) {
  return startTestMode({ fixtures: DEFAULT_FIXTURES, volume: null, port: 0, host: '127.0.0.1', mayWipe, env, logger: createLogger({ level: 'silent' }) });
}

async function sql(query: string): Promise<unknown[]> {
  const client = new pg.Client(url());
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

const tablesNamed = (name: string) => sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = '${name}'`);

beforeEach(() => recreateDatabase(adminUrl(), database));
afterAll(() => dropDatabase(adminUrl(), database));

describe('the test mode refuses', () => {
  it('to start with NODE_ENV=production, before it starts anything', async () => {
    const folders = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('content-api-test-mode-')).length;
    const before = folders();
    await expect(start({ ...process.env, NODE_ENV: 'production', DATABASE_URL: undefined })).rejects.toThrow(
      'the test mode does not run with NODE_ENV=production: it hands out tokens for any user and wipes its database',
    );
    expect(folders()).toBe(before);
  });

  it('a DATABASE_URL holding tables it did not create, and leaves them be', async () => {
    await sql('CREATE TABLE invoices (id int PRIMARY KEY); INSERT INTO invoices VALUES (1)');
    await expect(start({ ...process.env, DATABASE_URL: url() })).rejects.toThrow(
      'DATABASE_URL holds 1 table(s) the test mode did not create; it wipes its database, so it refuses this one. ' +
        'Give it an empty database, or pass --wipe-database if everything in this one may be dropped.',
    );
    expect(await sql('SELECT id FROM invoices')).toEqual([{ id: 1 }]);
  });
});

describe('a bad fixture file', () => {
  it('stops the start, naming the fixture and the field, and leaves the database untouched', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-bad-fixtures-')), 'fixtures.json');
    fs.writeFileSync(file, JSON.stringify({ users: { ada: { email: 'ada@example.com', password: 'short' } } }));
    try {
      await expect(
        startTestMode({
          fixtures: file,
          volume: null,
          port: 0,
          host: '127.0.0.1',
          mayWipe: false,
          env: { ...process.env, DATABASE_URL: url() },
          logger: createLogger({ level: 'silent' }),
        }),
      ).rejects.toThrow(`bad fixtures in ${file}:\n  users.ada, field password: must be at least 8 characters`);
      expect(await sql(`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ tables: 0 }]);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });
});

describe('the test mode takes', () => {
  it('a database of others when told it may wipe it (--wipe-database)', async () => {
    await sql('CREATE TABLE invoices (id int PRIMARY KEY)');
    const mode = await start({ ...process.env, DATABASE_URL: url() }, true);
    await mode.stop();
    expect(await tablesNamed('invoices')).toEqual([]);
    expect(await tablesNamed('posts')).toHaveLength(1);
  });

  it('generated users and posts after the fixtures (--seed), the same for the same seed', async () => {
    const volume = { seed: 5, users: 10, posts: 50 };
    const mode = await startTestMode({
      fixtures: DEFAULT_FIXTURES,
      volume,
      port: 0,
      host: '127.0.0.1',
      mayWipe: false,
      env: { ...process.env, DATABASE_URL: url() },
      logger: createLogger({ level: 'silent' }),
    });
    await mode.stop();
    expect(await sql('SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM posts) AS posts')).toEqual([{ users: 13, posts: 56 }]);
    const first = generateFixtures(volume).posts!['seed-post-1']!;
    expect(await sql('SELECT title, "createdAt" FROM posts WHERE id = 7')).toEqual([{ title: first.title, createdAt: new Date(first.createdAt!) }]);
  });

  it('a database an earlier test mode left, without being told', async () => {
    await (await start({ ...process.env, DATABASE_URL: url() })).stop();
    const again = await start({ ...process.env, DATABASE_URL: url() });
    await again.stop();
    expect(await sql('SELECT count(*)::int AS users FROM users')).toEqual([{ users: 3 }]);
  });
});
