import { OptimisticLockError } from 'sequelize';
import type { Context } from '../context';
import { keptPostCount, Post, type PostRow } from '../db/models/post';
import type { UserRow } from '../db/models/user';
import {
  parseList,
  selectPage,
  toConnection,
  type ChildList,
  type ChildQuery,
  type Connection,
  type ListArgs,
  type ListRequest,
  type ListSelection,
  type ListSource,
} from '../lists';
import type { PageRows } from '../lists/connection';
import { textBytes } from '../lists/size';
import { AppError, shown, type FieldProblem } from '../errors';
import { rowIdOf } from '../ids';
import { POST_LIST } from './lists';
import { answerBudget, spendOnAnswer } from './answer-size';
import { problemsOf } from './validation';
import { requireViewer } from './viewer';
import { announce, type PostChangeKind } from '../live/announce';

export const MAX_POSTS_PER_BATCH = 100;

export interface PostInput {
  title: string;
  content?: string | null;
  published?: boolean | null;
}
/** Fields left out, or null, stay as they are. */
export interface UpdatePostInput extends Omit<Partial<PostInput>, 'title'> {
  id: string;
  title?: string | null;
  expectedVersion?: number | null;
}

/** Visible to everyone: published and not deleted. */
export function isPublic(post: Pick<PostRow, 'published' | 'deletedAt'>): boolean {
  return post.published && post.deletedAt === null;
}

function mayView(ctx: Pick<Context, 'viewer'>, post: PostRow): boolean {
  return isPublic(post) || post.authorId === ctx.viewer?.id;
}

/**
 * Whether the viewer hears of a change to `post` (its row after the change): they could see it after the
 * change, or before it (readers of a published post learn it was unpublished or deleted, and no more).
 */
export function seesChange(ctx: Pick<Context, 'viewer'>, kind: PostChangeKind, post: PostRow): boolean {
  const publicBefore = kind === 'UNPUBLISHED' || ((kind === 'DELETED' || kind === 'UPDATED') && post.published);
  return publicBefore || mayView(ctx, post);
}

/** Announces a change to `post` (its row after the change) with the mutation's transaction. */
function announceChange(kind: PostChangeKind, post: PostRow): Promise<void> {
  return announce(Post.sequelize!, [{ kind, postId: post.id, authorId: post.authorId, isPublic: isPublic(post) }]);
}

/** A post the viewer may see, or null: a draft of someone else is indistinguishable from no post. */
export function getPost(ctx: Context, id: string): Promise<PostRow | null> {
  return visiblePost(ctx, rowIdOf(id, 'Post'));
}

/** The post of a row id (null: none), when the viewer may see it; batched with the request's other reads. */
export async function visiblePost(ctx: Context, postId: number | null): Promise<PostRow | null> {
  const post = postId === null ? null : await ctx.loaders.postById.load(postId);
  if (!post || !mayView(ctx, post)) return null;
  spendOnAnswer(ctx, textBytes(post));
  return post;
}

/**
 * A post's author, of which the caller reads `fields`: at once when the request has read that user with
 * them already. The foreign key guarantees one; none means the account was deleted while this request ran,
 * which is an error, not a null author.
 */
export function getAuthor(ctx: Context, post: PostRow, fields: readonly string[]): UserRow | Promise<UserRow> {
  const author = ctx.loaders.user(post.authorId, fields);
  if (!(author instanceof Promise)) return author;
  return author.then((user) => user ?? Promise.reject(new Error(`post ${post.id} has no author ${post.authorId}`)));
}

/** The posts of a list request that the viewer may see; their statements keep to the request's answer budget. */
function visiblePosts(ctx: Context, request: ListRequest): ListSource {
  const viewerId = ctx.viewer?.id ?? null;
  const source: ListSource = { model: Post, scopes: [['visibleTo', viewerId]], where: request.where, budget: answerBudget(ctx) };
  // Unfiltered, an author's posts are counted as they are written: their totalCount reads that count.
  return Reflect.ownKeys(request.where).length ? source : { ...source, keptCount: { parentKey: 'authorId', sql: keptPostCount(viewerId) } };
}

/**
 * The posts the viewer may see, filtered, ordered and paged as asked (newest first by default).
 * `selection` says what the caller reads: the other columns are not fetched, and totalCount is counted by the same statement.
 */
export async function listPosts(ctx: Context, args: ListArgs, selection: ListSelection): Promise<Connection<PostRow>> {
  const request = parseList(args, POST_LIST, selection);
  spendOnAnswer(ctx, 0); // nothing more is read for an answer already refused
  const found = await selectPage<PostRow>(visiblePosts(ctx, request), request);
  spendOnAnswer(ctx, found.bytes);
  return toConnection(found, request.page);
}

/** What each author's `posts(args)` reads, and its pages by author (read with a page of authors, or batched across authors). */
function postsOfAuthors(ctx: Context, args: ListArgs, selection: ListSelection) {
  const request = parseList(args, POST_LIST, selection);
  const source = visiblePosts(ctx, request);
  return { request, source, pages: ctx.loaders.pagesByParent<PostRow>(source, request, 'authorId') };
}

/** One author's posts the viewer may see: at once when a page of authors read them, else batched across authors by the loaders. */
export function listPostsOfAuthor(
  ctx: Context,
  authorId: number,
  args: ListArgs,
  selection: ListSelection,
): Connection<PostRow> | Promise<Connection<PostRow>> {
  const { request, pages } = ctx.loaders.forField(selection, args, () => postsOfAuthors(ctx, args, selection));
  spendOnAnswer(ctx, 0);
  // An author's page is read once but goes into the answer once for every place that asks for it (each
  // post's `author { posts }`): it counts every time.
  const answer = (found: PageRows<PostRow>) => {
    spendOnAnswer(ctx, found.bytes);
    return toConnection(found, request.page);
  };
  const found = pages.page(authorId);
  return found instanceof Promise ? found.then(answer) : answer(found);
}

/**
 * Each author's posts as `list` asks, to be read by the statement of a page of authors (see listUsers):
 * the child query, and `keep` to hand the pages found to the loader each author's `posts` field asks.
 * Null when the arguments are invalid: the field itself then reports that, where it belongs.
 */
export function postsOfAuthorsWithPage(ctx: Context, list: ChildList): { child: ChildQuery; keep(found: Map<number, PageRows<unknown>>): void } | null {
  let asked: ReturnType<typeof postsOfAuthors>;
  try {
    asked = postsOfAuthors(ctx, list.args, list.selection);
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
  const { request, source, pages } = asked;
  return {
    child: { source, query: request, parentKey: 'authorId' },
    keep: (found) => found.forEach((page, authorId) => pages.keep(authorId, page as PageRows<PostRow>)),
  };
}

function draftOf(input: PostInput, authorId: number): Post {
  // Only these fields come from the client: id, author, version and timestamps are the server's.
  return Post.build({ title: input.title, content: input.content ?? null, published: input.published ?? false, authorId });
}

/** The content a post may hold: at most the configured length (the model checks the rest). */
function contentProblems(ctx: Context, content: string | null | undefined, prefix: (string | number)[] = []): FieldProblem[] {
  const max = ctx.limits.maxPostContentLength;
  return content && content.length > max ? [{ path: [...prefix, 'content'], message: `must be at most ${max} characters` }] : [];
}

export async function createPost(ctx: Context, input: PostInput): Promise<PostRow> {
  const viewer = requireViewer(ctx);
  const post = draftOf(input, viewer.id);
  const problems = [...contentProblems(ctx, input.content), ...(await problemsOf(post))];
  if (problems.length) throw AppError.badInput(problems);
  await post.save();
  const created = post.get({ plain: true });
  await announceChange('CREATED', created);
  return created;
}

/** Creates all the posts or none; every row is validated and each problem names its row. */
export async function createPosts(ctx: Context, inputs: PostInput[]): Promise<PostRow[]> {
  const viewer = requireViewer(ctx);
  if (inputs.length > MAX_POSTS_PER_BATCH) {
    throw AppError.badInput([{ path: ['posts'], message: `must hold at most ${MAX_POSTS_PER_BATCH} posts` }]);
  }
  const drafts = inputs.map((input) => draftOf(input, viewer.id));
  const problems = (
    await Promise.all(
      drafts.map(async (draft, i) => [...contentProblems(ctx, inputs[i]!.content, ['posts', i]), ...(await problemsOf(draft, { prefix: ['posts', i] }))]),
    )
  ).flat();
  if (problems.length) throw AppError.badInput(problems);
  const now = new Date();
  const posts = await Post.bulkCreate(
    // One timestamp for the batch, given here: bulkCreate validates (NOT NULL createdAt) before it sets them.
    drafts.map((draft) => ({ ...draft.get({ plain: true }), createdAt: now, updatedAt: now })),
    { validate: true, returning: true },
  );
  await announce(
    Post.sequelize!,
    posts.map((post) => ({ kind: 'CREATED', postId: post.id, authorId: viewer.id, isPublic: post.published })),
  );
  return posts.map((post) => post.get({ plain: true }) as PostRow);
}

/**
 * The viewer's own post for a write: NOT_FOUND when the viewer may not see it,
 * FORBIDDEN when they may see it but it is someone else's.
 */
async function ownPost(ctx: Context, id: string, options: { includeDeleted: boolean }): Promise<Post> {
  const viewer = requireViewer(ctx);
  const postId = rowIdOf(id, 'Post');
  const post = postId === null ? null : await Post.findByPk(postId, { paranoid: !options.includeDeleted });
  if (!post || !mayView(ctx, post.get({ plain: true }))) throw new AppError('NOT_FOUND', `no post ${shown(id)}`);
  if (post.authorId !== viewer.id) throw new AppError('FORBIDDEN', `post ${shown(id)} belongs to someone else`);
  return post;
}

/** CONFLICT for a post that is not at the version the client had: it says which it is at, so the client can merge without a refetch. */
function changedMeanwhile(id: string, currentVersion: number, expectedVersion: number): AppError {
  return new AppError('CONFLICT', `post ${shown(id)} is at version ${currentVersion}, not ${expectedVersion}`, undefined, { currentVersion });
}

export async function updatePost(ctx: Context, input: UpdatePostInput): Promise<PostRow> {
  const post = await ownPost(ctx, input.id, { includeDeleted: false });
  const expectedVersion = input.expectedVersion ?? post.version;
  if (expectedVersion !== post.version) throw changedMeanwhile(input.id, post.version, expectedVersion);
  const wasPublished = post.published;
  if (input.title != null) post.title = input.title;
  if (input.content !== undefined) post.content = input.content;
  if (input.published != null) post.published = input.published;
  const problems = [...contentProblems(ctx, input.content), ...(await problemsOf(post))];
  if (problems.length) throw AppError.badInput(problems);
  // `version: true` adds "AND version = n" to the UPDATE: a change committed since the post was read fails
  // it; the version the post is at now is read again for the CONFLICT.
  await post.save().catch(async (error: unknown) => {
    const current = error instanceof OptimisticLockError ? await Post.findByPk(post.id, { paranoid: false, attributes: ['version'] }) : null;
    throw current ? changedMeanwhile(input.id, current.version, expectedVersion) : error;
  });
  const kind: PostChangeKind = wasPublished === post.published ? 'UPDATED' : post.published ? 'PUBLISHED' : 'UNPUBLISHED';
  const updated = post.get({ plain: true });
  await announceChange(kind, updated);
  return updated;
}

/** Soft-deletes (paranoid): the author can still see and restore it. Deleting twice changes nothing. */
export async function deletePost(ctx: Context, id: string): Promise<PostRow> {
  const post = await ownPost(ctx, id, { includeDeleted: true });
  if (!post.isSoftDeleted()) {
    await post.destroy();
    await announceChange('DELETED', post.get({ plain: true }));
  }
  return post.get({ plain: true });
}

export async function restorePost(ctx: Context, id: string): Promise<PostRow> {
  const post = await ownPost(ctx, id, { includeDeleted: true });
  if (post.isSoftDeleted()) {
    await post.restore();
    await announceChange('RESTORED', post.get({ plain: true }));
  }
  return post.get({ plain: true });
}
