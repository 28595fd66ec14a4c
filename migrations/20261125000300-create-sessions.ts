import type { Migration } from '../src/db/migrator';

export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.createTable('sessions', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    userId: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
  });
  await queryInterface.addIndex('sessions', { name: 'sessions_user_id', fields: ['userId'] });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.dropTable('sessions');
};
