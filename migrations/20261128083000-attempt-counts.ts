import type { Migration } from '../src/db/migrator';

// The logIn counters become attempt counters of any kind (logIn, signUp), each with its own window: a row
// carries when its window ends, so counters of different windows can share the table and its clean-up.
// Counts are short-lived by nature, so the ones there are start again from zero.
export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.dropTable('login_attempts');
  await queryInterface.createTable('attempt_counts', {
    key: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false },
    windowEnd: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('attempt_counts', { name: 'attempt_counts_window_end', fields: ['windowEnd'] });
};

export const down: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.dropTable('attempt_counts');
  await queryInterface.createTable('login_attempts', {
    key: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false },
    windowStart: { type: DataTypes.DATE, allowNull: false },
  });
  await queryInterface.addIndex('login_attempts', { name: 'login_attempts_window_start', fields: ['windowStart'] });
};
