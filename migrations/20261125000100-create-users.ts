import { Sequelize } from 'sequelize';
import type { Migration } from '../src/db/migrator';

export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.createTable('users', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    email: { type: DataTypes.STRING(254), allowNull: false },
    name: { type: DataTypes.STRING(100), allowNull: true },
    passwordHash: { type: DataTypes.STRING(255), allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('users', {
    name: 'users_email_lower_unique',
    unique: true,
    fields: [Sequelize.fn('lower', Sequelize.col('email'))],
  });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.dropTable('users');
};
