import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { User } from './user';

/** A person as a trusted identity provider names them (its `iss` and the token's `sub`), and the local user they are. */
export class Identity extends Model<InferAttributes<Identity>, InferCreationAttributes<Identity>> {
  declare id: CreationOptional<number>;
  declare issuer: string;
  declare subject: string;
  declare userId: ForeignKey<User['id']>;
  declare createdAt: CreationOptional<Date>;
  declare user?: NonAttribute<User>;

  static initModel(sequelize: Sequelize): void {
    Identity.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        issuer: { type: DataTypes.STRING(255), allowNull: false },
        subject: { type: DataTypes.STRING(255), allowNull: false },
        createdAt: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'identities',
        modelName: 'Identity',
        updatedAt: false,
        indexes: [
          // One local user per person: concurrent first sign-ins race on this index, and one wins.
          { name: 'identities_issuer_subject_unique', unique: true, fields: ['issuer', 'subject'] },
          { name: 'identities_user_id', fields: ['userId'] },
        ],
      },
    );
  }
}
