import type { Migration } from '../src/db/migrator';

export const up: Migration = async ({ context: { queryInterface, DataTypes } }) => {
  await queryInterface.createTable('posts', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
    title: { type: DataTypes.STRING(255), allowNull: false },
    content: { type: DataTypes.TEXT, allowNull: true },
    published: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
    deletedAt: { type: DataTypes.DATE, allowNull: true },
    authorId: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
  });
  await queryInterface.addIndex('posts', {
    name: 'posts_author_id_created_at_id',
    fields: ['authorId', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }],
  });
  await queryInterface.addIndex('posts', {
    name: 'posts_published_created_at_id',
    fields: ['published', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }],
  });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.dropTable('posts');
};
