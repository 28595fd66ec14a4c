import { QueryTypes } from 'sequelize';
import { testDb } from '../test/database';
import { seedBenchmarkData } from './seed';

describe('the benchmark data set', () => {
  it('is seeded through the bulk path once, with every post written by a seeded reader, then reused', async () => {
    const size = { users: 30, posts: 200 };
    expect(await seedBenchmarkData(testDb().sequelize, size)).toBe('seeded');
    const [counts] = await testDb().sequelize.query<{ users: number; posts: number; orphans: number }>(
      `SELECT (SELECT count(*) FROM users WHERE email LIKE 'reader%') AS users, (SELECT count(*) FROM posts) AS posts,
        (SELECT count(*) FROM posts p LEFT JOIN users u ON u.id = p."authorId" WHERE u.id IS NULL OR u.email NOT LIKE 'reader%') AS orphans`,
      { type: QueryTypes.SELECT },
    );
    expect(counts).toEqual({ ...size, orphans: 0 });
    expect(await seedBenchmarkData(testDb().sequelize, size)).toBe('reused');
  });
});
