import { QueryTypes, type Sequelize } from 'sequelize';
import { migrations } from '../../../migrations';
import { runCommand } from '../../test/command';
import { withScratchDatabase } from '../../test/scratch';
import { migrationStatus } from '../migrator';
import { SEED_EMAIL } from './development';

/** `npm run db:reset` against the database at `url`, answering the confirmation with `input`. */
function reset(url: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const env = { ...process.env, DATABASE_URL: url, ...options.env };
  return runCommand('npm', ['run', '--silent', 'db:reset', '--', ...args], { env, input: options.input });
}

const select = <Row extends object>(sequelize: Sequelize, sql: string) => sequelize.query<Row>(sql, { type: QueryTypes.SELECT });
const tables = async (sequelize: Sequelize) =>
  (await select<{ name: string }>(sequelize, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((t) => t.name);

/** A database holding someone's data and a table no migration made. */
async function lived(sequelize: Sequelize): Promise<void> {
  await sequelize.query(`INSERT INTO users (email, "passwordHash", "createdAt", "updatedAt") VALUES ('old@example.com', '-', now(), now())`);
  await sequelize.query('CREATE TABLE leftover (id int)');
}

describe('npm run db:reset', () => {
  it('with --yes drops every table, migrates and seeds', async () => {
    await withScratchDatabase(
      'reset_yes',
      async (sequelize, url) => {
        await lived(sequelize);
        const result = await reset(url, ['--yes', '--users', '4', '--posts', '9']);
        expect(result.output).toContain('dropped every table');
        expect(result.code).toBe(0);

        expect(await tables(sequelize)).toEqual(['SequelizeMeta', 'attempt_counts', 'identities', 'posts', 'sessions', 'users']);
        expect(await migrationStatus(sequelize)).toEqual({ executed: migrations.map((m) => m.name), pending: [] });
        const users = await select<{ id: number; email: string }>(sequelize, 'SELECT id, email FROM users ORDER BY id');
        expect(users).toHaveLength(4);
        expect(users[0]).toEqual({ id: 1, email: SEED_EMAIL }); // identities start again
        expect(await select(sequelize, 'SELECT id FROM posts')).toHaveLength(9);
      },
      { migrated: true },
    );
  });

  it('asks first, and changes nothing unless the answer is yes', async () => {
    await withScratchDatabase(
      'reset_ask',
      async (sequelize, url) => {
        await lived(sequelize);
        const declined = await reset(url, ['--users', '1', '--posts', '1'], { input: 'no\n' });
        expect(declined.output).toContain('Type "yes" to go on');
        expect(declined).toMatchObject({ code: 1, output: expect.stringContaining('nothing changed') });
        expect(await tables(sequelize)).toContain('leftover');
        expect(await reset(url, ['--users', '1', '--posts', '1'], { input: '' })).toMatchObject({ code: 1 }); // no terminal, no answer
        expect(await tables(sequelize)).toContain('leftover');

        expect(await reset(url, ['--users', '1', '--posts', '1'], { input: 'yes\n' })).toMatchObject({ code: 0 });
        expect(await tables(sequelize)).not.toContain('leftover');
      },
      { migrated: true },
    );
  });

  it('refuses with NODE_ENV=production, even with --yes', async () => {
    await withScratchDatabase(
      'reset_production',
      async (sequelize, url) => {
        await lived(sequelize);
        const result = await reset(url, ['--yes'], { env: { NODE_ENV: 'production' } });
        expect(result).toMatchObject({ code: 1, output: expect.stringContaining('NODE_ENV=production') });
        expect(await tables(sequelize)).toContain('leftover');
        expect(await select(sequelize, 'SELECT id FROM users')).toHaveLength(1);
      },
      { migrated: true },
    );
  });
});
