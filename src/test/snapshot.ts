import { QueryTypes } from 'sequelize';
import { testDb } from './database';

/** Every row of users, posts and sessions, in order: equal before and after means nothing was written. */
export async function dataSnapshot(): Promise<Record<string, unknown[]>> {
  const select = (sql: string) => testDb().sequelize.query(sql, { type: QueryTypes.SELECT });
  return {
    users: await select('SELECT * FROM users ORDER BY id'),
    posts: await select('SELECT * FROM posts ORDER BY id'),
    sessions: await select('SELECT * FROM sessions ORDER BY id'),
  };
}
