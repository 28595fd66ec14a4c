import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/**
 * logIn attempts counted for one key (an email address or a client address, hashed: the table holds no
 * personal data) since `windowStart`. In PostgreSQL so that every server instance counts the same.
 */
export class LoginAttempt extends Model<InferAttributes<LoginAttempt>, InferCreationAttributes<LoginAttempt>> {
  declare key: string;
  declare attempts: number;
  declare windowStart: Date;

  static initModel(sequelize: Sequelize): void {
    LoginAttempt.init(
      {
        key: { type: DataTypes.STRING(64), primaryKey: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false },
        windowStart: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'login_attempts',
        modelName: 'LoginAttempt',
        timestamps: false,
        // Backs the removal of counters whose window has passed.
        indexes: [{ name: 'login_attempts_window_start', fields: ['windowStart'] }],
      },
    );
  }
}
