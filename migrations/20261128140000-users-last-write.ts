import type { Migration } from '../src/db/migrator';

// When the user last wrote (a mutation of theirs committed), kept only while read replicas are in use: for a
// while after it, their reads go to the primary, whichever instance serves them (src/db/read-your-writes.ts).
export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.addColumn('users', 'lastWriteAt', { type: DataTypes.DATE, allowNull: true });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.removeColumn('users', 'lastWriteAt');
};
