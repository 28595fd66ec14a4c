import { DataTypes, Model, Sequelize, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute } from 'sequelize';
import type { Post } from './post';
import { trigramIndex } from './trigram';
import { noNulCharacters } from './validators';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  /** Null for a user an identity provider signed in without a verified email it could give (src/identity). */
  declare email: string | null;
  declare name: string | null;
  /** Null for a user who signs in only through an identity provider: logIn never matches it. */
  declare passwordHash: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  /** When a mutation of theirs last committed, while read replicas are in use (src/db/read-your-writes.ts). */
  declare lastWriteAt: CreationOptional<Date | null>;
  /** The user's posts not soft-deleted, and the published ones among them: kept by the database (see keptPostCount), never written here. */
  declare postCount: CreationOptional<number>;
  declare publishedPostCount: CreationOptional<number>;
  declare posts?: NonAttribute<Post[]>;

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        email: {
          type: DataTypes.STRING(254),
          allowNull: true,
          set(value: string | null) {
            this.setDataValue('email', typeof value === 'string' ? value.trim() : value);
          },
          validate: { isEmail: { msg: 'must be a valid email address' }, noNulCharacters },
        },
        name: {
          type: DataTypes.STRING(100),
          allowNull: true,
          validate: { len: { args: [0, 100], msg: 'must be at most 100 characters' }, noNulCharacters },
        },
        passwordHash: { type: DataTypes.STRING(255), allowNull: true },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
        lastWriteAt: { type: DataTypes.DATE, allowNull: true },
        postCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        publishedPostCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      },
      {
        sequelize,
        tableName: 'users',
        modelName: 'User',
        // The hash never leaves the data layer unless a caller asks for it by scope; the post counts are read by
        // the statements that count posts (see keptPostCount), not with a user.
        defaultScope: { attributes: { exclude: ['passwordHash', 'postCount', 'publishedPostCount'] } },
        scopes: {
          withPasswordHash: { attributes: { include: ['passwordHash'] } },
          byId: { order: [['id', 'ASC']] },
        },
        indexes: [
          // Emails are unique whatever their case; lookups use lower(email) to hit this index.
          { name: 'users_email_lower_unique', unique: true, fields: [Sequelize.fn('lower', Sequelize.col('email'))] },
          // Backs users ordered by CREATED_AT and createdAt ranges.
          { name: 'users_created_at_id', fields: ['createdAt', 'id'] },
          // Backs contains, startsWith and endsWith on names (LIKE and ILIKE).
          trigramIndex('users', 'name'),
        ],
      },
    );
  }
}

/** A user as plain data, without the password hash. */
export type UserRow = Omit<InferAttributes<User>, 'passwordHash' | 'posts' | 'postCount' | 'publishedPostCount'>;

/** A user as plain data, whichever columns it was read with: the password hash never leaves the data layer. */
export function toUserRow(user: User): UserRow {
  const { passwordHash: _secret, postCount: _posts, publishedPostCount: _published, ...row } = user.get({ plain: true });
  return row;
}

/** Finds a user by email whatever its case, through the lower(email) unique index. */
export function whereEmailIs(email: string) {
  return Sequelize.where(Sequelize.fn('lower', Sequelize.col('email')), email.trim().toLowerCase());
}
