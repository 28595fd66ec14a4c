import DataLoader, { type BatchLoadFn } from 'dataloader';
import { Post, type PostRow } from '../db/models/post';
import { User, type UserRow } from '../db/models/user';
import { joinedRow, selectPagesByParent, type ListRequest, type ListSource, type ObjectField } from '../lists';
import { selectByIds } from '../lists/by-id';
import { joinsOf, readJoined } from '../lists/joined';
import type { PageRows } from '../lists/connection';

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
  private lists = new Map<string, PagesByParent<unknown>>();

  private knownUsers = new Map<number, UserRow>();

  private fields = new Map<object, Map<string, unknown>>();

  /**
   * Lets go of everything the request read, once its answer is out. Apollo's gateway interface (through which
   * graphql-jit executes, src/graphql/executor.ts) hands the executor an object with a getter and a setter
   * closed over the request's context, and V8 keeps such closures, and all they reach, alive through every
   * young-generation collection until the next full one: rows kept here would be copied at each scavenge
   * until then (about 5 MB a scavenge on the benchmark's nested page).
   */
  clear(): void {
    this.lists.clear();
    this.knownUsers.clear();
    this.fields.clear();
    this.userById.clearAll();
    this.postById.clearAll();
  }

  /**
   * What a list field works out from its arguments (its parsed request, its loader), once per field and
   * arguments instead of once per parent: the 50 users of a page all ask for their `posts(first: 10)`.
   * `field` is the same object for every parent of one field of the document (see selectionOf).
   */
  forField<Value>(field: object, args: object, make: () => Value): Value {
    let byArgs = this.fields.get(field);
    if (!byArgs) this.fields.set(field, (byArgs = new Map<string, unknown>()));
    const key = JSON.stringify(args);
    if (!byArgs.has(key)) byArgs.set(key, make());
    return byArgs.get(key) as Value;
  }

  readonly userById = new DataLoader<number, UserRow | null>(async (ids) => {
    const users = await selectByIds<UserRow>(User, ids);
    for (const user of users) this.knownUsers.set(user.id, user);
    return inOrder(ids, users);
  });

  /**
   * A user by id with at least the columns among `fields` (what the caller will read of it): at once when
   * this request has read it with them already (a page of users, an earlier batch), else its whole row
   * through the batch. Hundreds of `author` fields then cost no promise each.
   */
  user(id: number, fields: readonly string[]): UserRow | Promise<UserRow | null> {
    const known = this.knownUsers.get(id);
    const columns = User.getAttributes();
    return known && fields.every((field) => field in known || !(field in columns)) ? known : this.userById.load(id);
  }

  /**
   * Users read by other queries (a page of users), so later lookups need no statement when these rows
   * hold what they read. Only the batch's whole rows go into userById, which promises whole rows. A user
   * read again with other columns keeps those it was read with before.
   */
  rememberUsers(users: readonly UserRow[]): void {
    for (const user of users) {
      const known = this.knownUsers.get(user.id);
      this.knownUsers.set(user.id, known && known !== user ? { ...known, ...user } : user);
    }
  }

  /** The author a post's own statement read with it (a page of posts, post(id)), remembered as users read by other queries are. */
  rememberAuthorOf(post: PostRow): void {
    const author = joinedRow<UserRow>(post, 'author');
    if (author && this.knownUsers.get(author.id) !== author) this.rememberUsers([author]);
  }

  private postObjects: ObjectField[] = [];

  /**
   * Asks the next batches of postById to read these object fields of each post with it (post(id)'s
   * `author { name }`): the post and its author then cost one statement.
   */
  readWithPosts(objects: readonly ObjectField[]): void {
    for (const { name, fields } of objects) {
      const known = this.postObjects.find((asked) => asked.name === name);
      // Copies: the asked objects are shared by every request of the same document.
      if (known) known.fields = [...new Set([...known.fields, ...fields])];
      else this.postObjects.push({ name, fields: [...fields] });
    }
  }

  /** Posts by id including soft-deleted ones (with what readWithPosts asked of them); callers apply the visibility rule. */
  readonly postById = new DataLoader<number, PostRow | null>(async (ids) => {
    const joins = joinsOf(Post, this.postObjects);
    const posts = await selectByIds<PostRow>(Post, ids, joins);
    for (const post of posts) readJoined(post, joins);
    return inOrder(ids, posts);
  });

  /** A page of each parent's list (e.g. every author's posts, with their totals when counted): one per distinct request, one statement per batch. */
  pagesByParent<Row>(source: ListSource, request: ListRequest, parentKey: string): PagesByParent<Row> {
    const key = `page ${keyOf(source, parentKey)} ${request.pageKey}`;
    let pages = this.lists.get(key) as PagesByParent<Row> | undefined;
    if (!pages) this.lists.set(key, (pages = new PagesByParent((ids) => selectPagesByParent<Row>(source, request, parentKey, ids))));
    return pages;
  }
}

/**
 * The pages of one list by parent id: those a statement of a page of the parents read with it (kept), answered
 * at once, and the others batched by DataLoader. Kept pages cost no promise each (50 users' posts, answered
 * from the users' own statement).
 */
export class PagesByParent<Row> {
  private readonly kept = new Map<number, PageRows<Row>>();

  private readonly loader: DataLoader<number, PageRows<Row>>;

  constructor(batch: BatchLoadFn<number, PageRows<Row>>) {
    this.loader = new DataLoader(batch);
  }

  keep(parentId: number, page: PageRows<Row>): void {
    this.kept.set(parentId, page);
  }

  /** The parent's page: at once when kept, else through the batch. */
  page(parentId: number): PageRows<Row> | Promise<PageRows<Row>> {
    return this.kept.get(parentId) ?? this.loader.load(parentId);
  }
}

const keyOf = (source: ListSource, parentKey: string) => `${source.model.name}.${parentKey} ${JSON.stringify(source.scopes)}`;
