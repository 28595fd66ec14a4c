import DataLoader from 'dataloader';
import { Op } from 'sequelize';
import { Post, type PostRow } from '../db/models/post';
import { User, type UserRow } from '../db/models/user';
import { pageKey, type Page } from '../db/pagination';
import { countPostsByAuthor, loadPostPagesByAuthor } from './posts-by-author';

/** Rows in the order of `ids`, null where a row is missing. */
function inOrder<Row extends { id: number }>(ids: readonly number[], rows: Row[]): (Row | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * The request's batching caches: each turns the loads made in one tick into one SQL statement.
 * Built per request, because what a viewer may see differs between viewers.
 */
export class Loaders {
  private pages = new Map<string, DataLoader<number, PostRow[]>>();

  constructor(private readonly viewerId: number | null) {}

  readonly userById = new DataLoader<number, UserRow | null>(async (ids) =>
    inOrder(ids, await User.findAll({ where: { id: { [Op.in]: [...ids] } }, raw: true })),
  );

  /** Posts by id including soft-deleted ones; callers apply the visibility rule. */
  readonly postById = new DataLoader<number, PostRow | null>(async (ids) =>
    inOrder(ids, (await Post.findAll({ where: { id: { [Op.in]: [...ids] } }, paranoid: false, raw: true })) as PostRow[]),
  );

  readonly postCountByAuthor = new DataLoader<number, number>((ids) => countPostsByAuthor(ids, this.viewerId));

  /** A loader per distinct page request, so User.posts(first: 10) for 50 users is one statement. */
  postPageByAuthor(page: Page): DataLoader<number, PostRow[]> {
    const key = pageKey(page);
    let loader = this.pages.get(key);
    if (!loader) {
      loader = new DataLoader((ids) => loadPostPagesByAuthor(ids, page, this.viewerId));
      this.pages.set(key, loader);
    }
    return loader;
  }
}
