import { Op, type Sequelize } from 'sequelize';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import { seedUsersAndPosts, type SeedSize } from '../db/seed/bulk';
import { hashPassword } from '../services/password';

const TWO_YEARS = 2 * 365 * 24 * 3600 * 1000;
const WORDS = [
  'graphql',
  'postgres',
  'sequelize',
  'cursor',
  'index',
  'batch',
  'loader',
  'schema',
  'query',
  'mutation',
  'scope',
  'migration',
  'transaction',
  'pool',
  'replica',
  'cache',
  'latency',
  'frontend',
  'relay',
  'apollo',
  'node',
  'types',
  'notes',
  'guide',
];
export const SEARCH_WORD = 'Postgres';
/** What the full-text operation types into the search box. */
export const SEARCH_BOX_TEXT = 'postgres cursor';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every machine seeds the same data set. */
export function randomNumbers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The benchmark's data set, made once and reused while it is there: users whose number of posts is
 * skewed (a few write most, as on real sites), posts spread over two years, most of them published.
 * Rows go through the project's bulk path (validated bulkCreate in chunks).
 */
export async function seedBenchmarkData(sequelize: Sequelize, size: SeedSize): Promise<'reused' | 'seeded'> {
  const readers = { email: { [Op.like]: 'reader%' } };
  const [users, posts] = await Promise.all([
    User.count({ where: readers }),
    Post.count({ paranoid: false, include: [{ model: User, as: 'author', where: readers, attributes: [] }] }),
  ]);
  if (users === size.users && posts === size.posts) return 'reused';
  await sequelize.query('TRUNCATE users, posts, sessions RESTART IDENTITY CASCADE');

  const random = randomNumbers(2026);
  const passwordHash = await hashPassword('benchmark password'); // one hash: scrypt per user would take minutes
  const start = Date.now() - TWO_YEARS;
  const at = (i: number, of: number) => new Date(start + (i * TWO_YEARS) / of);
  await seedUsersAndPosts(size, {
    user: (i) => {
      const createdAt = at(i, size.users);
      return {
        email: `reader${i + 1}@bench.example`,
        name: `${capitalized(pick(WORDS, random))} Reader ${i + 1}`,
        passwordHash,
        createdAt,
        updatedAt: createdAt,
      };
    },
    post: (i, userIds) => {
      const createdAt = at(i, size.posts);
      return {
        title: [pick(WORDS, random), pick(WORDS, random), pick(WORDS, random)].map(capitalized).join(' '),
        content: Array.from({ length: 12 }, () => pick(WORDS, random)).join(' '),
        published: random() < 0.85,
        authorId: userIds[skewedAuthor(random(), userIds.length)]!,
        createdAt,
        updatedAt: createdAt,
      };
    },
  });
  await sequelize.query('VACUUM ANALYZE'); // statistics, and the visibility map index-only scans need
  return 'seeded';
}

/**
 * The rank of an author by popularity follows a power law (u³: the top 1% write about a fifth of the
 * posts); a fixed permutation spreads the popular ones over the ids, so no page of users is all of them.
 */
function skewedAuthor(u: number, users: number): number {
  const rank = Math.floor(users * u ** 3);
  return (rank * 7919) % users; // 7919 is prime, so this permutes 0..users-1 when users is not its multiple
}

const pick = <T>(items: readonly T[], random: () => number) => items[Math.floor(random() * items.length)]!;
const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);
