import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config';
import { Post } from '../db/models/post';
import { User } from '../db/models/user';
import type { FieldProblem } from '../errors';
import type { Limits } from '../limits';
import { passwordProblems } from '../services/auth';
import { problemsOf } from '../services/validation';
import { fixtureFile, type FixtureFile, type FixturePost, type FixtureUser } from './format';

/** The fixture set shipped with the project: the one the README's examples use. */
export const DEFAULT_FIXTURES = path.join(packageRoot, 'src', 'testkit', 'fixtures', 'default.json');

/** Fixtures that cannot load; the message names each fixture and field, e.g. `users.ada, field email: …`. */
export class FixtureError extends Error {
  constructor(
    source: string,
    readonly problems: FieldProblem[],
  ) {
    super(`bad fixtures in ${source}:\n${problems.map((p) => `  ${describe(p.path)}: ${p.message}`).join('\n')}`);
    this.name = 'FixtureError';
  }
}

/** `users.ada, field email` for ['users', 'ada', 'email']. */
function describe(where: (string | number)[]): string {
  const [kind, key, ...field] = where;
  if (key === undefined) return String(kind ?? 'the file');
  return field.length ? `${String(kind)}.${String(key)}, field ${field.join('.')}` : `${String(kind)}.${String(key)}`;
}

/** Reads a fixture file: JSON in the shape of fixtures.schema.json, or FixtureError. */
export function readFixtures(file: string): FixtureFile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FixtureError(file, [{ path: [], message: `not a readable JSON file (${(error as Error).message})` }]);
  }
  const parsed = fixtureFile.safeParse(json);
  if (!parsed.success) {
    throw new FixtureError(
      file,
      parsed.error.issues.map((issue) => ({ path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)), message: issue.message })),
    );
  }
  return parsed.data;
}

/**
 * Every problem of the fixtures, found by the rules the API applies to signUp and createPost (the models'
 * validation, the password and content lengths), plus what only a file can get wrong: an author no user has,
 * an email twice, times out of order.
 */
export async function fixtureProblems(fixtures: FixtureFile, limits: Pick<Limits, 'maxPostContentLength'>): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const emails = new Map<string, string>();
  for (const [key, user] of Object.entries(fixtures.users)) {
    const at = ['users', key];
    problems.push(...(await problemsOf(User.build({ email: user.email ?? null, name: user.name ?? null, passwordHash: 'checked' }), { prefix: at })));
    if (user.password != null) problems.push(...passwordProblems(user.password, 'password').map((p) => ({ ...p, path: [...at, ...p.path] })));
    const email = user.email?.trim().toLowerCase();
    if (email && emails.has(email)) problems.push({ path: [...at, 'email'], message: `is already taken by users.${emails.get(email)}` });
    if (email) emails.set(email, key);
    problems.push(...timeProblems(at, user));
  }
  for (const [key, post] of Object.entries(fixtures.posts ?? {})) {
    const at = ['posts', key];
    if (!(post.author in fixtures.users)) problems.push({ path: [...at, 'author'], message: `names no user of this file ("${post.author}")` });
    problems.push(
      ...(await problemsOf(Post.build({ title: post.title, content: post.content ?? null, published: post.published ?? false, authorId: 0 }), { prefix: at })),
    );
    const max = limits.maxPostContentLength;
    if (post.content && post.content.length > max) problems.push({ path: [...at, 'content'], message: `must be at most ${max} characters` });
    problems.push(...timeProblems(at, post));
  }
  return problems;
}

function timeProblems(at: string[], row: FixtureUser | FixturePost): FieldProblem[] {
  const created = row.createdAt && Date.parse(row.createdAt);
  const later = (field: 'updatedAt' | 'deletedAt') => {
    const value = (row as Partial<Record<typeof field, string | null>>)[field];
    return created && value && Date.parse(value) < created ? [{ path: [...at, field], message: 'must not be before createdAt' }] : [];
  };
  return [...later('updatedAt'), ...later('deletedAt')];
}
