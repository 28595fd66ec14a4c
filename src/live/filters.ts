import { Op, QueryTypes, type WhereOptions } from 'sequelize';
import { Post } from '../db/models/post';

/** Filters evaluated by one statement: more distinct ones take one more statement per this many. */
export const FILTERS_PER_STATEMENT = 100;

interface SelectQueryGenerator {
  selectQuery(table: string, options: object, model: typeof Post): string;
}

/**
 * Which of the distinct `where` filters (by key) the post matches, decided by the database with the same
 * Sequelize wheres the `posts` list uses: one statement per FILTERS_PER_STATEMENT filters, whatever the
 * number of subscribers holding them.
 */
export async function matchingFilters(postId: number, filters: ReadonlyMap<string, WhereOptions>): Promise<Set<string>> {
  const keys = [...filters.keys()];
  const matched = new Set<string>();
  const generator = Post.sequelize!.getQueryInterface().queryGenerator as SelectQueryGenerator;
  for (let start = 0; start < keys.length; start += FILTERS_PER_STATEMENT) {
    const chunk = keys.slice(start, start + FILTERS_PER_STATEMENT);
    const tests = chunk.map((key, i) => {
      const where = { [Op.and]: [{ id: { [Op.eq]: postId } }, filters.get(key)!] };
      const sql = generator.selectQuery(Post.getTableName() as string, { attributes: ['id'], where }, Post).replace(/;\s*$/, '');
      return `EXISTS (${sql}) AS "f${i}"`;
    });
    const [row] = await Post.sequelize!.query<Record<string, boolean>>(`SELECT ${tests.join(', ')}`, { type: QueryTypes.SELECT });
    chunk.forEach((key, i) => row?.[`f${i}`] && matched.add(key));
  }
  return matched;
}
