import type { Migration } from '../src/db/migrator';

// Each author's posts counted as a viewer sees them (User.posts totalCount), kept on the author's row: the
// posts not soft-deleted (what the author sees) and the published ones among them (what everyone else sees).
// Counting an author's posts at each request read every entry of them in an index, so a page of prolific
// authors cost more as the data grew.
//
// A trigger keeps the counts, whatever writes the posts (the API, a seed, SQL by hand): once per statement, one
// UPDATE of the authors whose counts changed, from the rows the statement inserted, updated or deleted.
// TRUNCATE fires no trigger; truncate users with posts (TRUNCATE users, posts), as users' rows hold the counts.
//
// With the setting content_api.counting off (SET LOCAL), the trigger counts nothing, and whoever turned it off
// puts the counts right: the test mode's reset puts rows back with their counts, which must not be counted
// twice; a bulk seed calls recount_posts_of_authors() once at its end, instead of updating the rows of
// thousands of authors at each of its statements.
const COUNT = `
CREATE FUNCTION count_posts_of_authors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- The rows before (-1) and after (+1) the statement, of the transition tables this operation has.
  changes text := concat_ws(' UNION ALL ',
    CASE WHEN TG_OP <> 'DELETE' THEN 'SELECT "authorId", published, "deletedAt", 1 AS sign FROM after_rows' END,
    CASE WHEN TG_OP <> 'INSERT' THEN 'SELECT "authorId", published, "deletedAt", -1 AS sign FROM before_rows' END);
BEGIN
  IF current_setting('content_api.counting', true) = 'off' THEN RETURN NULL; END IF;
  EXECUTE format($update$
    UPDATE users SET "postCount" = "postCount" + counted.posts, "publishedPostCount" = "publishedPostCount" + counted.published
    FROM (SELECT "authorId",
            coalesce(sum(sign) FILTER (WHERE "deletedAt" IS NULL), 0) AS posts,
            coalesce(sum(sign) FILTER (WHERE "deletedAt" IS NULL AND published), 0) AS published
          FROM (%s) AS changes GROUP BY "authorId") AS counted
    WHERE users.id = counted."authorId" AND (counted.posts <> 0 OR counted.published <> 0)$update$, changes);
  RETURN NULL;
END $$;
CREATE FUNCTION recount_posts_of_authors() RETURNS void LANGUAGE sql AS $$
  UPDATE users SET "postCount" = coalesce(counted.posts, 0), "publishedPostCount" = coalesce(counted.published, 0)
  FROM users AS author LEFT JOIN (SELECT "authorId", count(*) AS posts, count(*) FILTER (WHERE published) AS published
    FROM posts WHERE "deletedAt" IS NULL GROUP BY "authorId") AS counted ON counted."authorId" = author.id
  WHERE users.id = author.id
    AND (users."postCount", users."publishedPostCount") IS DISTINCT FROM (coalesce(counted.posts, 0), coalesce(counted.published, 0))
$$;
CREATE TRIGGER posts_counted_on_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS after_rows
  FOR EACH STATEMENT EXECUTE FUNCTION count_posts_of_authors();
CREATE TRIGGER posts_counted_on_update AFTER UPDATE ON posts REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
  FOR EACH STATEMENT EXECUTE FUNCTION count_posts_of_authors();
CREATE TRIGGER posts_counted_on_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS before_rows
  FOR EACH STATEMENT EXECUTE FUNCTION count_posts_of_authors();`;

export const up: Migration = async ({ context: { queryInterface, sequelize, DataTypes } }) => {
  await queryInterface.addColumn('users', 'postCount', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await queryInterface.addColumn('users', 'publishedPostCount', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  // Posts written between the count and the trigger would be missed: none are, under this lock (held, as the
  // columns' locks, until the migrations' transaction ends).
  await sequelize.query('LOCK TABLE posts IN SHARE MODE');
  await sequelize.query(COUNT);
  await sequelize.query('SELECT recount_posts_of_authors()');
};

export const down: Migration = async ({ context: { queryInterface, sequelize } }) => {
  await sequelize.query('DROP FUNCTION count_posts_of_authors() CASCADE; DROP FUNCTION recount_posts_of_authors()'); // the triggers go with the first
  await queryInterface.removeColumn('users', 'publishedPostCount');
  await queryInterface.removeColumn('users', 'postCount');
};
