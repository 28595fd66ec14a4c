import { User } from '../models/user';
import { whereEmailIs } from '../../services/auth';
import { hashPassword } from '../../services/password';
import { seedUsersAndPosts, type SeedSize } from './bulk';

/** Every seeded user signs in with this password (documented in the README). */
export const SEED_PASSWORD = 'dev-password';
/** The first seeded user of a database, so the README can name an account to sign in with. */
export const SEED_EMAIL = 'dev@example.com';

export interface SeedReport {
  users: number;
  posts: number;
  /** An account to sign in with. */
  email: string;
}

/**
 * Adds realistic users and posts (names, titles and text from faker) to what the database holds:
 * users joined over the last two years, a few of them write most of the posts, each post written after
 * its author joined; four in five are published, one in twenty soft-deleted.
 */
export async function seedDevelopmentData(size: SeedSize): Promise<SeedReport> {
  // An ES module: loaded with import(), which the CommonJS build keeps as is.
  const { faker } = await import('@faker-js/faker');
  const passwordHash = await hashPassword(SEED_PASSWORD); // one hash: scrypt per user would take minutes
  // Emails carry a number beyond every id in use, so seeding again adds users instead of colliding.
  const base = ((await User.max<number | null, User>('id')) ?? 0) + 1;
  const devEmailFree = (await User.count({ where: whereEmailIs(SEED_EMAIL) })) === 0;
  const joined: Date[] = [];
  const emails: string[] = [];
  const now = new Date();

  await seedUsersAndPosts(size, {
    user: (i) => {
      const firstName = faker.person.firstName();
      const lastName = faker.person.lastName();
      const username = faker.internet
        .username({ firstName, lastName })
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '');
      const email = i === 0 && devEmailFree ? SEED_EMAIL : `${username}.${base + i}@example.com`;
      const createdAt = faker.date.past({ years: 2, refDate: now });
      joined.push(createdAt);
      emails.push(email);
      return { email, name: `${firstName} ${lastName}`, passwordHash, createdAt, updatedAt: createdAt };
    },
    post: (_, userIds) => {
      const author = Math.floor(userIds.length * faker.number.float() ** 2); // the first few write the most
      const createdAt = faker.date.between({ from: joined[author]!, to: now });
      const edited = faker.datatype.boolean({ probability: 0.3 });
      return {
        title: faker.company.catchPhrase(),
        content: faker.lorem.paragraphs({ min: 1, max: 5 }),
        published: faker.datatype.boolean({ probability: 0.8 }),
        authorId: userIds[author]!,
        createdAt,
        updatedAt: edited ? faker.date.between({ from: createdAt, to: now }) : createdAt,
        deletedAt: faker.datatype.boolean({ probability: 0.05 }) ? faker.date.between({ from: createdAt, to: now }) : null,
      };
    },
  });
  return { users: size.users, posts: size.posts, email: emails[0] ?? SEED_EMAIL };
}
