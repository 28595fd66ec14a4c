import type { Migration } from '../src/db/migrator';

// Counters of logIn attempts per email and per client address, shared by every server instance.
export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.createTable('login_attempts', {
    key: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false },
    windowStart: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('login_attempts', { name: 'login_attempts_window_start', fields: ['windowStart'] });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.dropTable('login_attempts');
};
