import type { Migration } from '../src/db/migrator';

// An author's posts index also carries published and deletedAt, so counting the posts a viewer may
// see of each author (User.posts totalCount) is an index-only scan instead of a visit to every row.
// Pages of an author's posts use its leading columns as before.
const OLD = 'posts_author_id_created_at_id';
const NEW = 'posts_author_id_created_at_id_published_deleted_at';

export const up: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.addIndex('posts', {
    name: NEW,
    fields: ['authorId', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }, 'published', 'deletedAt'],
  });
  await queryInterface.removeIndex('posts', OLD);
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.addIndex('posts', {
    name: OLD,
    fields: ['authorId', { name: 'createdAt', order: 'DESC' }, { name: 'id', order: 'DESC' }],
  });
  await queryInterface.removeIndex('posts', NEW);
};
