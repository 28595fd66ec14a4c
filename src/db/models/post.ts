import {
  DataTypes,
  Model,
  Op,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
  type WhereOptions,
} from 'sequelize';
import type { User } from './user';
import { addPostSearch } from './search';
import { trigramIndex } from './trigram';
import { noNulCharacters } from './validators';

export class Post extends Model<InferAttributes<Post>, InferCreationAttributes<Post>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare content: string | null;
  declare published: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare authorId: ForeignKey<User['id']>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare deletedAt: CreationOptional<Date | null>;
  declare author?: NonAttribute<User>;

  static initModel(sequelize: Sequelize): void {
    Post.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        title: {
          type: DataTypes.STRING(255),
          allowNull: false,
          validate: {
            notEmpty: { msg: 'must not be empty' },
            len: { args: [1, 255], msg: 'must be at most 255 characters' },
            noNulCharacters,
          },
        },
        content: { type: DataTypes.TEXT, allowNull: true, validate: { noNulCharacters } },
        published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
        deletedAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'posts',
        modelName: 'Post',
        paranoid: true,
        version: true,
        indexes: [
          // Backs an author's page of posts, newest first (User.posts); with published and deletedAt in it,
          // counting what a viewer may see of each author (totalCount) reads only the index.
          {
            name: 'posts_author_id_created_at_id_published_deleted_at',
            fields: ['authorId', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }, 'published', 'deletedAt'],
          },
          // Backs the public feed: published posts, newest first.
          { name: 'posts_published_created_at_id', fields: ['published', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }] },
          // Backs the rest by creation time: a signed-in viewer's feed (published OR own), createdAt ranges.
          {
            name: 'posts_created_at_id',
            fields: [
              { name: 'createdAt', order: 'DESC' },
              { name: 'id', order: 'DESC' },
            ],
          },
          // Back contains, startsWith and endsWith on titles and contents (LIKE and ILIKE).
          trigramIndex('posts', 'title'),
          trigramIndex('posts', 'content'),
        ],
        // The full-text search column and its index (see search.ts).
        hooks: { afterSync: () => addPostSearch(sequelize) },
        // Reusable fragments of list queries; src/lists applies them to raw page queries as well.
        scopes: {
          visibleTo: (viewerId: number | null) => ({ where: visibleTo(viewerId) }),
          newestFirst: {
            order: [
              ['createdAt', 'DESC'],
              ['id', 'DESC'],
            ],
          },
        },
      },
    );
  }
}

/**
 * What a viewer may see of the posts: published ones, and all of their own.
 * Soft-deleted rows are left out of lists (by `paranoid` in finders and counts, explicitly in the raw page
 * queries of src/lists/select.ts); `post(id)` shows them to their author.
 */
function visibleTo(viewerId: number | null): WhereOptions<Post> {
  return viewerId === null ? { published: true } : { [Op.or]: [{ published: true }, { authorId: viewerId }] };
}

/**
 * How many of the posts of the author `parent.id` (a row of the statement around it) a viewer may see, as
 * visibleTo says (soft-deleted ones left out): the counts the database keeps on the author's row (migration
 * 20261129030000-author-post-counts), one row read by its key instead of an author's posts counted.
 */
export function keptPostCount(viewerId: number | null): string {
  if (viewerId === null) return '(SELECT "publishedPostCount" FROM users WHERE users.id = parent.id)';
  if (!Number.isSafeInteger(viewerId)) throw new Error('a viewer id must be an integer');
  return `(SELECT CASE WHEN users.id = ${viewerId} THEN "postCount" ELSE "publishedPostCount" END FROM users WHERE users.id = parent.id)`;
}

export type PostRow = InferAttributes<Post, { omit: 'author' }> & { authorId: number };
