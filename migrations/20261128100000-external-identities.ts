import type { Migration } from '../src/db/migrator';

// Users signed in by an identity provider (src/identity) have no password here, and an email only when the
// provider vouches for it: both columns allow NULL. The unique lower(email) index keeps working, NULLs
// being distinct. Each (issuer, subject) pair names one local user, unique so that concurrent first
// requests of one person make one user.
export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.changeColumn('users', 'email', { type: DataTypes.STRING(254), allowNull: true });
  await queryInterface.changeColumn('users', 'passwordHash', { type: DataTypes.STRING(255), allowNull: true });
  await queryInterface.createTable('identities', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    issuer: { type: DataTypes.STRING(255), allowNull: false },
    subject: { type: DataTypes.STRING(255), allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    userId: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
  });
  await queryInterface.addIndex('identities', { name: 'identities_issuer_subject_unique', unique: true, fields: ['issuer', 'subject'] });
  await queryInterface.addIndex('identities', { name: 'identities_user_id', fields: ['userId'] });
};

// Going back removes the users who cannot exist without an email and a password (and, by cascade, their posts).
export const down: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.dropTable('identities');
  await queryInterface.sequelize.query('DELETE FROM users WHERE email IS NULL OR "passwordHash" IS NULL');
  await queryInterface.changeColumn('users', 'email', { type: DataTypes.STRING(254), allowNull: false });
  await queryInterface.changeColumn('users', 'passwordHash', { type: DataTypes.STRING(255), allowNull: false });
};
