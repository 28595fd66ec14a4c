import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDb } from '../test/database';
import { DEFAULT_LIMITS } from '../limits';
import { DEFAULT_FIXTURES, FixtureError, fixtureProblems, readFixtures } from './fixtures';
import { generateFixtures } from './generate';
import { SCHEMA_FILE, schemaText } from './write-schema';

/** Reads `fixtures` as a file would be read and checked, and gives back the error's message ('' if none). */
async function problemsWith(fixtures: unknown): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'content-api-fixtures-')), 'fixtures.json');
  fs.writeFileSync(file, JSON.stringify(fixtures));
  try {
    const problems = await fixtureProblems(readFixtures(file), DEFAULT_LIMITS);
    return problems.length ? new FixtureError(file, problems).message : '';
  } catch (error) {
    if (error instanceof FixtureError) return error.message;
    throw error;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true });
  }
}

const ada = { email: 'ada@example.com', name: 'Ada', password: 'ada-password' };

beforeAll(() => testDb()); // the models are bound to a database

describe('fixture files', () => {
  it('the default fixtures pass every check', async () => {
    expect(await problemsWith(JSON.parse(fs.readFileSync(DEFAULT_FIXTURES, 'utf8')))).toBe('');
  });

  it.each([
    ['an email the API refuses', { users: { ada: { ...ada, email: 'not-an-email' } } }, 'users.ada, field email: must be a valid email address'],
    ['a password signUp would refuse', { users: { ada: { ...ada, password: 'short' } } }, 'users.ada, field password: must be at least 8 characters'],
    ['a name over 100 characters', { users: { ada: { ...ada, name: 'x'.repeat(101) } } }, 'users.ada, field name: must be at most 100 characters'],
    ['an empty title', { users: { ada }, posts: { hello: { author: 'ada', title: '' } } }, 'posts.hello, field title: must not be empty'],
    [
      'an author no user has',
      { users: { ada }, posts: { hello: { author: 'bob', title: 'Hi' } } },
      'posts.hello, field author: names no user of this file ("bob")',
    ],
    ['one email twice', { users: { ada, ada2: { ...ada, email: 'ADA@example.com' } } }, 'users.ada2, field email: is already taken by users.ada'],
    [
      'an edit before the post was written',
      { users: { ada }, posts: { p: { author: 'ada', title: 'T', createdAt: '2026-02-02T00:00:00Z', updatedAt: '2026-02-01T00:00:00Z' } } },
      'posts.p, field updatedAt: must not be before createdAt',
    ],
    ['a field the format does not have', { users: { ada: { ...ada, role: 'admin' } } }, 'users.ada: Unrecognized key: "role"'],
    ['a time that is not ISO 8601', { users: { ada: { ...ada, createdAt: 'yesterday' } } }, 'users.ada, field createdAt: Invalid ISO datetime'],
    ['a key JSON objects would reorder', { users: { 42: ada } }, 'users.42'],
    ['no users at all', { posts: {} }, 'users: Invalid input: expected record, received undefined'],
  ])('refuses %s, naming the fixture and the field', async (_case, fixtures, message) => {
    expect(await problemsWith(fixtures)).toContain(message);
  });

  it('names the file when it is not JSON', async () => {
    const file = path.join(os.tmpdir(), `content-api-not-json-${process.pid}.json`);
    fs.writeFileSync(file, '{ users: ');
    try {
      expect(() => readFixtures(file)).toThrow(`bad fixtures in ${file}:\n  the file: not a readable JSON file`);
    } finally {
      fs.rmSync(file);
    }
  });

  it('fixtures.schema.json is the format written out (npx ts-node src/testkit/write-schema.ts rewrites it)', () => {
    expect(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(schemaText()));
  });
});

describe('generated fixtures (--seed)', () => {
  it('gives the same rows for the same seed, and other rows for another', () => {
    const size = { users: 20, posts: 200 };
    expect(generateFixtures({ seed: 7, ...size })).toEqual(generateFixtures({ seed: 7, ...size }));
    expect(generateFixtures({ seed: 8, ...size })).not.toEqual(generateFixtures({ seed: 7, ...size }));
  });

  it('are fixed down to the text, whatever the machine', () => {
    const { users, posts } = generateFixtures({ seed: 1, users: 2, posts: 1 });
    expect({ users, posts }).toEqual({
      users: {
        'seed-user-1': { email: 'ada.lamarr.1@seed.example.com', name: 'Ada Lamarr', createdAt: '2025-04-25T10:35:01.000Z' },
        'seed-user-2': { email: 'tim.hopper.2@seed.example.com', name: 'Tim Hopper', createdAt: '2025-06-29T01:00:11.000Z' },
      },
      posts: {
        'seed-post-1': {
          author: 'seed-user-1',
          title: 'Launch author editor',
          content:
            'token schema review editor cursor token signal query release cursor token garden pattern query release river notes signal ' +
            'release morning author signal launch schema signal review batch token',
          published: true,
          createdAt: '2025-10-23T00:42:44.000Z',
          deletedAt: null,
        },
      },
    });
  });

  it('pass the same checks as a file, with drafts, published and soft-deleted posts', async () => {
    const generated = generateFixtures({ seed: 3, users: 50, posts: 500 });
    expect(await fixtureProblems(generated, DEFAULT_LIMITS)).toEqual([]);
    const posts = Object.values(generated.posts!);
    expect(posts.some((post) => post.published)).toBe(true);
    expect(posts.some((post) => !post.published)).toBe(true);
    expect(posts.some((post) => post.deletedAt)).toBe(true);
  });
});
