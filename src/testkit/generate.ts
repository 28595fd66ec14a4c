import type { FixtureFile } from './format';

export interface Volume {
  seed: number;
  users: number;
  posts: number;
}

const FIRST = [
  'Ada',
  'Alan',
  'Barbara',
  'Claude',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'Hedy',
  'John',
  'Katherine',
  'Linus',
  'Margaret',
  'Niklaus',
  'Radia',
  'Tim',
];
const LAST = [
  'Allen',
  'Backus',
  'Dijkstra',
  'Hamilton',
  'Hopper',
  'Johnson',
  'Knuth',
  'Lamarr',
  'Liskov',
  'Lovelace',
  'Perlman',
  'Ritchie',
  'Shannon',
  'Turing',
  'Wirth',
];
const WORDS = (
  'graphql cursor page draft review release schema index query batch cache token author editor story notes ' +
  'garden winter river city morning signal pattern design update field guide launch'
).split(' ');

/** mulberry32: a tiny PRNG whose sequence depends on the seed alone, the same on every machine and Node version. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse('2025-01-01T00:00:00Z');
const YEAR = 365 * 24 * 3600 * 1000;

/**
 * Users and posts for volume, as fixtures (keys `seed-user-N`, `seed-post-N`): the same seed gives the same
 * rows. Users have no password (tokens by key sign them in); a few write most posts; four in five posts are
 * published, one in twenty soft-deleted; all times fall in 2025.
 */
export function generateFixtures({ seed, users, posts }: Volume): FixtureFile {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const joined: number[] = [];
  const generated: FixtureFile = { users: {}, posts: {} };
  for (let i = 1; i <= users; i++) {
    const at = START + Math.floor(next() * YEAR * 0.5);
    joined.push(at);
    const first = pick(FIRST);
    const last = pick(LAST);
    generated.users[`seed-user-${i}`] = { email: `${first}.${last}.${i}@seed.example.com`.toLowerCase(), name: `${first} ${last}`, createdAt: iso(at) };
  }
  for (let i = 1; i <= posts && users > 0; i++) {
    const author = Math.floor(users * next() ** 2); // the first few write the most
    const createdAt = joined[author]! + Math.floor(next() * (START + YEAR - joined[author]!));
    const title = Array.from({ length: 2 + Math.floor(next() * 4) }, () => pick(WORDS)).join(' ');
    generated.posts![`seed-post-${i}`] = {
      author: `seed-user-${author + 1}`,
      title: title[0]!.toUpperCase() + title.slice(1),
      content: Array.from({ length: 20 + Math.floor(next() * 60) }, () => pick(WORDS)).join(' '),
      published: next() < 0.8,
      createdAt: iso(createdAt),
      deletedAt: next() < 0.05 ? iso(createdAt + 3600_000) : null,
    };
  }
  return generated;
}

/** The fixtures of a file followed by generated ones (keys of the two never meet: generated keys start with `seed-`). */
export function withVolume(fixtures: FixtureFile, volume: Volume | null): FixtureFile {
  if (!volume) return fixtures;
  const generated = generateFixtures(volume);
  return { users: { ...fixtures.users, ...generated.users }, posts: { ...fixtures.posts, ...generated.posts } };
}
