import type { Migration } from '../src/db/migrator';

// Full-text search of posts (`posts(search:)`): a tsvector generated from the title (weight A) and the
// content (weight B) with English stemming, stored so that a GIN index can serve `search @@ query` and
// ranking reads no text. Adding a stored generated column rewrites the table once, under an exclusive lock.
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`ALTER TABLE posts ADD COLUMN search tsvector NOT NULL GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(content, '')), 'B')
) STORED`);
  await sequelize.query('CREATE INDEX posts_search ON posts USING gin (search)');
};

export const down: Migration = async ({ context: { queryInterface } }) => {
  await queryInterface.removeColumn('posts', 'search'); // its index goes with it
};
