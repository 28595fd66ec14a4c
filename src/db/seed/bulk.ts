import { Presets, SingleBar } from 'cli-progress';
import type { CreationAttributes, ModelStatic } from 'sequelize';
import { Post } from '../models/post';
import { User } from '../models/user';

export interface SeedSize {
  users: number;
  posts: number;
}

/** How a data set looks: the i-th user, and the i-th post given the ids of the users just made. */
export interface SeedPlan {
  user(i: number): CreationAttributes<User>;
  post(i: number, userIds: readonly number[]): CreationAttributes<Post>;
}

const CHUNK = 2_000;

/**
 * The project's one bulk path for test-free data sets (the benchmark's, a developer's): users, then their
 * posts, through validated bulkCreate in chunks (so the models' own rules hold), with a progress bar on
 * a terminal. Rows must carry their timestamps: bulkCreate validates NOT NULL columns before it would set them.
 */
export async function seedUsersAndPosts(size: SeedSize, plan: SeedPlan): Promise<{ userIds: number[]; postIds: number[] }> {
  const bar = new SingleBar({ format: 'seeding {bar} {percentage}% | {value}/{total} rows | {eta}s left' }, Presets.shades_classic);
  bar.start(size.users + size.posts, 0);
  try {
    const userIds = await insertInChunks(
      User,
      size.users,
      (i) => plan.user(i),
      (n) => bar.increment(n),
    );
    const postIds = await insertInChunks(
      Post,
      size.posts,
      (i) => plan.post(i, userIds),
      (n) => bar.increment(n),
    );
    return { userIds, postIds };
  } finally {
    bar.stop();
  }
}

async function insertInChunks<M extends User | Post>(
  model: ModelStatic<M>,
  count: number,
  rowAt: (i: number) => CreationAttributes<M>,
  inserted: (n: number) => void,
): Promise<number[]> {
  const ids: number[] = [];
  for (let from = 0; from < count; from += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => rowAt(from + k));
    const created = await model.bulkCreate(rows, { validate: true, returning: ['id'] });
    ids.push(...created.map((row) => (row as M).id));
    inserted(rows.length);
  }
  return ids;
}
