import { parseArgs } from 'node:util';
import { DEFAULT_FIXTURES } from './fixtures';
import type { Volume } from './generate';

export const USAGE = `usage: npm run serve:test -- [options]   (or: node dist/src/testkit/serve.js [options])
  --fixtures FILE      fixtures to load (default: src/testkit/fixtures/default.json)
  --seed N             also load generated users and posts, the same for the same N
  --users N            generated users with --seed (default 100)
  --posts N            generated posts with --seed (default 1000)
  --port N             port to listen on (default 0: a free one)
  --host HOST          interface to listen on (default 127.0.0.1)
  --port-file PATH     write the port there once ready
  --wipe-database      DATABASE_URL may hold tables of others: drop them`;

export interface ServeOptions {
  fixtures: string;
  volume: Volume | null;
  port: number;
  host: string;
  portFile: string | null;
  mayWipe: boolean;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw new Error(`--${name} takes a whole number from 0 to ${max}, not "${value}"\n${USAGE}`);
  return n;
}

/** The command line of the test mode; a bad flag is an error naming it, with the usage. */
export function parseServeArgs(args: string[]): ServeOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      fixtures: { type: 'string' },
      seed: { type: 'string' },
      users: { type: 'string' },
      posts: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'port-file': { type: 'string' },
      'wipe-database': { type: 'boolean', default: false },
    },
  });
  const seeded = values.seed !== undefined;
  if (!seeded && (values.users !== undefined || values.posts !== undefined)) throw new Error(`--users and --posts go with --seed N\n${USAGE}`);
  return {
    fixtures: values.fixtures ?? DEFAULT_FIXTURES,
    volume: seeded
      ? {
          seed: wholeNumber('seed', values.seed, 0, 2 ** 32 - 1),
          users: wholeNumber('users', values.users, 100, 100_000),
          posts: wholeNumber('posts', values.posts, 1000, 1_000_000),
        }
      : null,
    port: wholeNumber('port', values.port, 0, 65535),
    host: values.host ?? '127.0.0.1',
    portFile: values['port-file'] ?? null,
    mayWipe: values['wipe-database'] === true,
  };
}
