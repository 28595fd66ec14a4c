import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/**
 * Attempts counted for one key until `windowEnd` (src/services/attempt-counts.ts). Keys are digests of what
 * is counted (an email, a client, both): the table says how often, never who. In PostgreSQL so that every
 * server instance counts the same.
 */
export class AttemptCount extends Model<InferAttributes<AttemptCount>, InferCreationAttributes<AttemptCount>> {
  declare key: string;
  declare attempts: number;
  declare windowEnd: Date;

  static initModel(sequelize: Sequelize): void {
    AttemptCount.init(
      {
        key: { type: DataTypes.STRING(64), primaryKey: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false },
        windowEnd: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'attempt_counts',
        modelName: 'AttemptCount',
        timestamps: false,
        // Backs the removal of counters whose window has passed.
        indexes: [{ name: 'attempt_counts_window_end', fields: ['windowEnd'] }],
      },
    );
  }
}
