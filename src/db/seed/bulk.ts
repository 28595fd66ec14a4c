import { Presets, SingleBar } from 'cli-progress';
import type { CreationAttributes, Model, ModelStatic } from 'sequelize';
import { Post } from '../models/post';
import { User } from '../models/user';
import { inTransaction, liftTimeouts } from '../transaction';

export interface SeedSize {
  users: number;
  posts: number;
}

/** How a data set looks: the i-th user, and the i-th post given the ids of the users just made. */
export interface SeedPlan {
  user(i: number): CreationAttributes<User>;
  post(i: number, userIds: readonly number[]): CreationAttributes<Post>;
}

// Rows per INSERT: each column goes as one array parameter, so a statement costs a few parameters however many rows.
const CHUNK = 10_000;

/**
 * The project's one bulk path for test-free data sets (the benchmark's, a developer's): users, then their
 * posts, each row validated by its model (its own rules: lengths, emails, no NUL characters) and written
 * by one INSERT of unnest()ed column arrays per chunk, near COPY's speed (a validated bulkCreate builds
 * the VALUES text row by row, several times slower). Rows must carry their timestamps.
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
    const postIds = await countedAtTheEnd(() =>
      insertInChunks(
        Post,
        size.posts,
        (i) => plan.post(i, userIds),
        (n) => bar.increment(n),
      ),
    );
    return { userIds, postIds };
  } finally {
    bar.stop();
  }
}

/**
 * Runs `write` (inserts of posts) in one transaction with the posts' counting trigger off, then counts every
 * author's posts once (migrations/20261129030000-author-post-counts.ts): counting at each chunk updated the rows
 * of thousands of authors at every chunk, and seeding 2,000,000 posts took about three times as long.
 */
async function countedAtTheEnd<T>(write: () => Promise<T>): Promise<T> {
  const sequelize = Post.sequelize!;
  return inTransaction(sequelize, async () => {
    // Validating a chunk takes a while between its statements, and the whole outlasts a request's timeouts.
    await liftTimeouts(sequelize);
    await sequelize.query("SET LOCAL content_api.counting = 'off'");
    const written = await write();
    await sequelize.query('SELECT recount_posts_of_authors()');
    return written;
  });
}

async function insertInChunks<M extends User | Post>(
  model: ModelStatic<M>,
  count: number,
  rowAt: (i: number) => CreationAttributes<M>,
  inserted: (n: number) => void,
): Promise<number[]> {
  const ids: number[] = [];
  for (let from = 0; from < count; from += CHUNK) {
    const rows: Model[] = [];
    for (let i = from; i < Math.min(from + CHUNK, count); i += 1) {
      const row = model.build(rowAt(i)); // setters run (a user's email is trimmed)
      await row.validate().catch((error: Error) => {
        throw new Error(`seed row ${i} of ${model.name} is invalid: ${error.message}`);
      });
      rows.push(row);
    }
    ids.push(...(await insertRows(model, rows)));
    inserted(rows.length);
  }
  return ids;
}

/** One INSERT of validated rows, a typed array parameter per column they set; their ids in their order. */
async function insertRows(model: ModelStatic<Model>, rows: Model[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const attributes = model.getAttributes() as Record<string, { field?: string; type: { toSql(): string } }>;
  const columns = Object.keys(rows[0]!.get({ plain: true }) as object).filter((name) => name in attributes && name !== 'id');
  const quote = (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);
  const arrays = columns.map((name, i) => `$${i + 1}::${attributes[name]!.type.toSql()}[]`);
  const sql =
    `INSERT INTO ${quote(model.getTableName() as string)} (${columns.map((name) => quote(attributes[name]!.field ?? name)).join(', ')}) ` +
    `SELECT ${columns.map((_, i) => `c${i}`).join(', ')} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS row(${columns.map((_, i) => `c${i}`).join(', ')}, n) ` +
    'ORDER BY n RETURNING id';
  const bind = columns.map((name) => rows.map((row): unknown => row.getDataValue(name as never)));
  const [found] = await model.sequelize!.query(sql, { bind });
  return (found as { id: number }[]).map((row) => row.id);
}
