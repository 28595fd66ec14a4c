import { Op } from 'sequelize';
import { Post } from '../models/post';
import { User } from '../models/user';
import { runCommand } from '../../test/command';
import { testDb } from '../../test/database';
import { urlFor } from '../../test/environment';
import { adminUrl } from '../../test/scratch';
import { useServer } from '../../test/server';
import { SEED_EMAIL, SEED_PASSWORD } from './development';

const client = useServer();

/** `npm run db:seed` against this test file's database (the command finds it through DATABASE_URL). */
function seed(args: string[], env: NodeJS.ProcessEnv = {}) {
  const url = urlFor(adminUrl(), testDb().sequelize.config.database);
  return runCommand('npm', ['run', '--silent', 'db:seed', '--', ...args], { env: { ...process.env, DATABASE_URL: url, ...env } });
}

const LOG_IN = `mutation ($email: EmailAddress!, $password: String!) {
  logIn(input: { email: $email, password: $password }) { user { email } }
}`;

describe('npm run db:seed', () => {
  it('adds the users and posts asked for, and seeded users sign in with the documented password', async () => {
    const result = await seed(['--users', '6', '--posts', '40']);
    expect(result.output).toContain(`sign in as ${SEED_EMAIL}`);
    expect(result.code).toBe(0);

    const users = await User.findAll({ order: [['id', 'ASC']], raw: true });
    expect(users).toHaveLength(6);
    expect(users[0]!.email).toBe(SEED_EMAIL);
    expect(users.every((user) => user.name && user.createdAt <= new Date())).toBe(true);
    const posts = await Post.findAll({ paranoid: false, raw: true });
    expect(posts).toHaveLength(40);
    const joined = new Map(users.map((user) => [user.id, user.createdAt]));
    expect(posts.every((post) => post.title && post.createdAt >= joined.get(post.authorId)!)).toBe(true);

    for (const email of [SEED_EMAIL, users[5]!.email]) {
      const { data, errors } = await client.gql(LOG_IN, { email, password: SEED_PASSWORD });
      expect(errors).toBeUndefined();
      expect(data!.logIn.user.email).toBe(email);
    }
  });

  it('adds to what is there when run again: new emails, posts only by the new users', async () => {
    expect(await seed(['--users', '2', '--posts', '3'])).toMatchObject({ code: 0 });
    const first = await User.findAll({ attributes: ['id'], raw: true });
    expect(await seed(['--users', '3', '--posts', '5'])).toMatchObject({ code: 0 });

    const emails = (await User.findAll({ raw: true })).map((user) => user.email);
    expect(new Set(emails.map((email) => email!.toLowerCase())).size).toBe(5);
    expect(emails.filter((email) => email === SEED_EMAIL)).toHaveLength(1);
    const byNewUsers = await Post.count({ paranoid: false, where: { authorId: { [Op.notIn]: first.map((user) => user.id) } } });
    expect(byNewUsers).toBe(5);
  });

  it('refuses with NODE_ENV=production and writes nothing', async () => {
    const result = await seed(['--users', '2', '--posts', '2'], { NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('NODE_ENV=production');
    expect(await User.count()).toBe(0);
  });

  it('refuses sizes that are not whole numbers, and posts without users', async () => {
    expect(await seed(['--users', 'many'])).toMatchObject({ code: 1, output: expect.stringContaining('whole number') });
    expect(await seed(['--users', '0', '--posts', '3'])).toMatchObject({ code: 1, output: expect.stringContaining('posts need authors') });
    expect(await User.count()).toBe(0);
  });
});
