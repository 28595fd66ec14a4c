import { Op, QueryTypes, Sequelize } from 'sequelize';
import { Post, visibleTo, type PostRow } from '../db/models/post';
import { afterCursor, orderClause, type Page } from '../db/pagination';

interface SelectQueryGenerator {
  selectQuery(table: string, options: object, model: typeof Post): string;
}

/**
 * One page of posts for each author in one SQL statement: a LATERAL join runs the ordered, limited
 * page query once per author inside the database, each backed by the (authorId, createdAt, id) index.
 */
export async function loadPostPagesByAuthor(
  authorIds: readonly number[],
  page: Page,
  viewerId: number | null,
): Promise<PostRow[][]> {
  const sequelize = Post.sequelize!;
  const generator = sequelize.getQueryInterface().queryGenerator as SelectQueryGenerator;
  const perAuthor = generator
    .selectQuery(
      Post.getTableName() as string,
      {
        attributes: Object.keys(Post.getAttributes()),
        where: {
          [Op.and]: [
            { authorId: { [Op.eq]: Sequelize.col('author.id') } },
            { deletedAt: { [Op.is]: null } },
            visibleTo(viewerId),
            afterCursor(page),
          ],
        },
        order: orderClause(page.ordering),
        limit: page.size + 1,
      },
      Post,
    )
    .replace(/;\s*$/, '');
  const rows = await sequelize.query<PostRow>(
    `SELECT page.* FROM unnest(ARRAY[:authorIds]::integer[]) AS author(id) CROSS JOIN LATERAL (${perAuthor}) AS page`,
    { type: QueryTypes.SELECT, replacements: { authorIds: [...authorIds] } },
  );
  const byAuthor = new Map<number, PostRow[]>(authorIds.map((id) => [id, []]));
  for (const row of rows) byAuthor.get(row.authorId)?.push(row);
  return authorIds.map((id) => byAuthor.get(id) ?? []);
}

/** How many posts each author has that the viewer may see, in one grouped COUNT. */
export async function countPostsByAuthor(authorIds: readonly number[], viewerId: number | null): Promise<number[]> {
  const counts = (await Post.count({
    where: { [Op.and]: [{ authorId: { [Op.in]: [...authorIds] } }, visibleTo(viewerId)] },
    group: ['authorId'],
  })) as unknown as { authorId: number; count: number }[];
  const byAuthor = new Map(counts.map((c) => [c.authorId, Number(c.count)]));
  return authorIds.map((id) => byAuthor.get(id) ?? 0);
}
