import { QueryTypes } from 'sequelize';
import type { Context } from '../context';
import { Post } from '../db/models/post';
import { User, type UserRow } from '../db/models/user';
import { parseList, selectPage, toConnection, type ChildList, type Connection, type ListArgs, type ListSelection } from '../lists';
import { postsOfAuthorsWithPage } from './posts';
import { AppError } from '../errors';
import { emailTaken, signOut, toUserRow } from './auth';
import { rowIdOf } from '../ids';
import { USER_LIST } from './lists';
import { problemsOf } from './validation';
import { requireViewer } from './viewer';
import { announce } from '../live/announce';

export interface UpdateViewerInput {
  name?: string | null;
  email?: string | null;
}

/** Users are public (their email is not: see the User.email resolver). */
export function getUser(ctx: Context, id: string): Promise<UserRow | null> {
  return userByRowId(ctx, rowIdOf(id, 'User'));
}

/** The user of a row id (null: none); batched with the request's other reads. */
export async function userByRowId(ctx: Context, userId: number | null): Promise<UserRow | null> {
  return userId === null ? null : ctx.loaders.userById.load(userId);
}

/**
 * All users, filtered, ordered and paged as asked (by id by default), with the columns their selected fields
 * read. The `posts` lists asked of them are read by the same statement, so a page of users with their posts
 * costs one statement.
 */
export async function listUsers(ctx: Context, args: ListArgs, selection: ListSelection, postLists: ChildList[]): Promise<Connection<UserRow>> {
  const request = parseList(args, USER_LIST, selection);
  const posts = postLists.map((list) => postsOfAuthorsWithPage(ctx, list)).filter((asked) => asked !== null);
  const found = await selectPage<UserRow>(
    { model: User, scopes: [], where: request.where },
    request,
    posts.map((asked) => asked.child),
  );
  // Their posts' `author` fields will ask for these same users: answer them from this page.
  ctx.loaders.rememberUsers(found.rows);
  posts.forEach((asked, i) => asked.keep(found.children[i]!));
  return toConnection(found, request.page);
}

/** Only the user themselves sees their email address. */
export function emailVisibleTo(ctx: Context, user: UserRow): string | null {
  return ctx.viewer?.id === user.id ? user.email : null;
}

export async function updateViewer(ctx: Context, input: UpdateViewerInput): Promise<UserRow> {
  const viewer = requireViewer(ctx);
  if (input.email === null) throw AppError.badInput([{ path: ['email'], message: 'cannot be removed' }]);
  const user = await User.findByPk(viewer.id, { rejectOnEmpty: true });
  if (input.name !== undefined) user.name = input.name;
  if (input.email !== undefined) user.email = input.email;
  const fields: ('name' | 'email')[] = ['name', 'email'];
  const problems = await problemsOf(user, { fields });
  if (problems.length) throw AppError.badInput(problems);
  await user.save({ fields }).catch(emailTaken);
  return toUserRow(user);
}

/** Removes the account with all of its posts (soft-deleted ones too) and its sessions; the rest of the request is anonymous. */
export async function deleteViewer(ctx: Context): Promise<UserRow> {
  const viewer = requireViewer(ctx);
  const user = await User.findByPk(viewer.id, { rejectOnEmpty: true });
  // Explicit and forced: `paranoid` would only soft-delete, and the account's data must go. Readers following
  // its posts that everyone could see learn that they are gone (announced with this transaction).
  const removed = await Post.sequelize!.query<{ id: number; public: boolean }>(
    'DELETE FROM posts WHERE "authorId" = :authorId RETURNING id, published AND "deletedAt" IS NULL AS public',
    { type: QueryTypes.SELECT, replacements: { authorId: viewer.id } },
  );
  await announce(
    Post.sequelize!,
    removed.filter((post) => post.public).map((post) => ({ kind: 'DELETED', postId: post.id, authorId: viewer.id, isPublic: true })),
  );
  await user.destroy();
  signOut(ctx);
  return toUserRow(user);
}
