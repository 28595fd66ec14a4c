import { Post, type PostRow } from '../db/models/post';
import { User, type UserRow } from '../db/models/user';
import { startSession, toUserRow } from '../services/auth';
import { hashPassword } from '../services/password';

export const PASSWORD = 'correct horse battery';
// Hashing is slow on purpose; factories share one hash of PASSWORD.
const passwordHash = hashPassword(PASSWORD);
let sequence = 0;

export async function aUser(overrides: Partial<Pick<UserRow, 'email' | 'name'>> = {}): Promise<UserRow> {
  sequence += 1;
  const user = await User.create({
    email: overrides.email ?? `user${sequence}@example.com`,
    name: overrides.name === undefined ? `User ${sequence}` : overrides.name,
    passwordHash: await passwordHash,
  });
  return toUserRow(user);
}

/** A user with a valid bearer token. */
export async function aSignedInUser(overrides: Parameters<typeof aUser>[0] = {}): Promise<{ user: UserRow; token: string }> {
  const user = await aUser(overrides);
  return { user, token: (await startSession(user.id, 3600)).token };
}

type PostOverrides = Partial<Pick<PostRow, 'title' | 'content' | 'published' | 'createdAt'>>;

export async function aPublishedPost(author: UserRow, overrides: PostOverrides = {}): Promise<PostRow> {
  sequence += 1;
  const post = await Post.create({ title: `Post ${sequence}`, content: 'text', published: true, authorId: author.id, ...overrides });
  return post.get({ plain: true });
}

export function aDraft(author: UserRow, overrides: PostOverrides = {}): Promise<PostRow> {
  return aPublishedPost(author, { ...overrides, published: false });
}

export async function aDeletedPost(author: UserRow, overrides: PostOverrides = {}): Promise<PostRow> {
  const row = await aPublishedPost(author, overrides);
  const post = await Post.findByPk(row.id, { rejectOnEmpty: true });
  await post.destroy();
  return post.get({ plain: true });
}

/**
 * `count` published posts by `authors` in turn, a day apart, each found by the benchmark operations' searches
 * ("postgres"): every third ranks higher in the full-text search than the rest, which tie (broken by id).
 */
export async function postgresNotes(authors: readonly UserRow[], count: number): Promise<PostRow[]> {
  const posts: PostRow[] = [];
  for (let i = 0; i < count; i += 1) {
    const content = i % 3 === 0 ? 'more on postgres' : 'other notes';
    posts.push(await aPublishedPost(authors[i % authors.length]!, { title: `Postgres notes ${i}`, content, createdAt: new Date(Date.UTC(2026, 0, 1 + i)) }));
  }
  return posts;
}
