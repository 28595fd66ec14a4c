/**
 * The users whose kept post counts (posts not soft-deleted, and the published ones among them) differ from
 * their posts counted here, with both: none when the database kept every count.
 */
export const MISCOUNTED_AUTHORS = `
  SELECT users.id, users."postCount", users."publishedPostCount",
         count(posts.id)::int AS posts, (count(posts.id) FILTER (WHERE posts.published))::int AS published
  FROM users LEFT JOIN posts ON posts."authorId" = users.id AND posts."deletedAt" IS NULL
  GROUP BY users.id
  HAVING users."postCount" <> count(posts.id) OR users."publishedPostCount" <> count(posts.id) FILTER (WHERE posts.published)
  ORDER BY users.id`;
