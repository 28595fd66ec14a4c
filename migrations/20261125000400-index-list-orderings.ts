import type { Migration } from '../src/db/migrator';

// Lists ordered or filtered by creation time, whatever else they filter on: a signed-in viewer's
// feed (published OR their own), createdAt ranges, and users ordered by CREATED_AT.
export const up: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.addIndex('posts', {
    name: 'posts_created_at_id',
    fields: [
      { name: 'createdAt', order: 'DESC' },
      { name: 'id', order: 'DESC' },
    ],
  });
  await queryInterface.addIndex('users', { name: 'users_created_at_id', fields: ['createdAt', 'id'] });
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.removeIndex('users', 'users_created_at_id');
  await queryInterface.removeIndex('posts', 'posts_created_at_id');
};
