import type { CreationAttributes, ModelStatic, Sequelize } from 'sequelize';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { hashPassword } from '../services/password';
import type { FixtureFile } from './format';

/** Fixture keys and the rows they became. */
export interface LoadedFixtures {
  users: Map<string, { id: number; email: string | null }>;
  posts: Map<string, number>;
}

/** Times left out of a fixture: fixed, one minute apart in file order (users from this one, posts a day later). */
const DEFAULT_TIME = Date.parse('2026-01-01T09:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CHUNK = 2_000;

/**
 * Inserts checked fixtures (fixtureProblems found none), in file order, so the same file always gives the
 * same ids. Passwords are hashed once each here; the snapshot keeps the hashes, so a reset hashes nothing.
 */
export async function loadFixtures(sequelize: Sequelize, fixtures: FixtureFile): Promise<LoadedFixtures> {
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (password: string) => hashes.get(password) ?? hashes.set(password, hashPassword(password)).get(password)!;
  const userEntries = Object.entries(fixtures.users);
  const userRows = await Promise.all(
    userEntries.map(async ([, user], i) => {
      const createdAt = new Date(user.createdAt ?? DEFAULT_TIME + i * MINUTE);
      const passwordHash = user.password == null ? null : await hashOf(user.password);
      return { email: user.email ?? null, name: user.name ?? null, passwordHash, createdAt, updatedAt: new Date(user.updatedAt ?? createdAt) };
    }),
  );
  return sequelize.transaction(async () => {
    const userIds = await insertInOrder(User, userRows);
    const users = new Map(userEntries.map(([key, user], i) => [key, { id: userIds[i]!, email: user.email ?? null }]));
    const postEntries = Object.entries(fixtures.posts ?? {});
    const postIds = await insertInOrder(
      Post,
      postEntries.map(([, post], i) => {
        const createdAt = new Date(post.createdAt ?? DEFAULT_TIME + DAY + i * MINUTE);
        return {
          title: post.title,
          content: post.content ?? null,
          published: post.published ?? false,
          authorId: users.get(post.author)!.id,
          createdAt,
          updatedAt: new Date(post.updatedAt ?? createdAt),
          deletedAt: post.deletedAt ? new Date(post.deletedAt) : null,
        };
      }),
    );
    return { users, posts: new Map(postEntries.map(([key], i) => [key, postIds[i]!])) };
  });
}

/** bulkCreate in chunks, validated by the model, giving back the new ids in the order of `rows`. */
async function insertInOrder<M extends User | Post>(model: ModelStatic<M>, rows: CreationAttributes<M>[]): Promise<number[]> {
  const ids: number[] = [];
  for (let from = 0; from < rows.length; from += CHUNK) {
    const created = await model.bulkCreate(rows.slice(from, from + CHUNK), { validate: true, returning: ['id'] });
    ids.push(...created.map((row) => (row as M).id));
  }
  return ids;
}
