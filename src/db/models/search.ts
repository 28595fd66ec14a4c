import type { Sequelize } from 'sequelize';

/**
 * Post's full-text search column: a tsvector the database keeps up to date from the title (weight A,
 * ranks above) and the content (weight B), parsed with English stemming, and its GIN index. Sequelize
 * cannot declare a generated column, and the column is no attribute on purpose (no finder reads or writes
 * it): Post builds it after sync, as migrations/20261128124110-post-search.ts does.
 */
export const POST_SEARCH_COLUMN = `ALTER TABLE posts ADD COLUMN search tsvector NOT NULL GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(content, '')), 'B')
) STORED`;
export const POST_SEARCH_INDEX = 'CREATE INDEX posts_search ON posts USING gin (search)';

export async function addPostSearch(sequelize: Sequelize): Promise<void> {
  await sequelize.query(POST_SEARCH_COLUMN);
  await sequelize.query(POST_SEARCH_INDEX);
}
