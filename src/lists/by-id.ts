import { literal, QueryTypes, type Model, type ModelStatic } from 'sequelize';
import type { Join } from './joined';
import { attributesOf, type SelectQueryGenerator } from './select';
import { Lru } from '../lru';
import { preparedForAnyValues } from '../db/prepared';

// The statement's text per model and joins: a few (the joins come from the fields a document selects of a
// post's author), bounded all the same.
const statements = new Lru<string, string>(100);

/**
 * Rows of `model` by primary key, as plain objects: the columns a finder reads, with the rows `joins` reads
 * of each (a post's author), soft-deleted rows included (callers apply the visibility rules). Model.findAll
 * does the same for about twice the Node CPU of running the statement (it clones its options and writes the
 * query again for every batch): here the text is written by Sequelize's query generator once per model and
 * joins, and kept. The ids go as a parameter: one text for every lookup of one row and one for several,
 * each prepared once per connection (src/db/prepared.ts), however many different posts are looked up.
 */
export async function selectByIds<Row extends object>(model: ModelStatic<Model>, ids: readonly number[], joins: readonly Join[] = []): Promise<Row[]> {
  if (!ids.every(Number.isSafeInteger)) throw new Error('ids must be integers');
  // One id is compared as one value: PostgreSQL plans `= ANY($1)` for an array of about ten, dearer than
  // the plan for one id it makes each time, so it would never keep one plan for the lookups of a single post.
  const one = ids.length === 1;
  return model.sequelize!.query<Row>(statementOf(model, joins, one), { type: QueryTypes.SELECT, bind: [one ? ids[0] : ids] });
}

function statementOf(model: ModelStatic<Model>, joins: readonly Join[], one: boolean): string {
  const key = [model.name, one, ...joins.map((join) => `${join.name} ${join.sql}`)].join(' | ');
  let sql = statements.get(key);
  if (sql === undefined) {
    const queryInterface = model.sequelize!.getQueryInterface();
    const generator = queryInterface.queryGenerator as SelectQueryGenerator;
    const attributes = [...attributesOf(model), ...joins.map((join) => [literal(join.sql), join.name])];
    const head = generator.selectQuery(model.getTableName() as string, { attributes }, model).replace(/;\s*$/, '');
    const quote = (name: string) => queryInterface.quoteIdentifier(name);
    sql = `${head} WHERE ${quote(model.name)}.${quote(model.primaryKeyAttribute)} = ${one ? '$1' : 'ANY($1)'}`;
    preparedForAnyValues(sql);
    statements.set(key, sql);
  }
  return sql;
}
