import { literal, QueryTypes, type Model, type ModelStatic } from 'sequelize';
import type { Join } from './joined';
import { attributesOf, type SelectQueryGenerator } from './select';
import { Lru } from '../lru';

// The statement's text before its ids, per model and joins: a few (the joins come from the fields a document
// selects of a post's author), bounded all the same.
const heads = new Lru<string, string>(100);

/**
 * Rows of `model` by primary key, as plain objects: the columns a finder reads, with the rows `joins` reads
 * of each (a post's author), soft-deleted rows included (callers apply the visibility rules). Model.findAll
 * does the same for about twice the Node CPU of running the statement (it clones its options and writes the
 * query again for every batch): here the text before the ids is written by Sequelize's query generator once
 * per model and joins, and kept.
 */
export async function selectByIds<Row extends object>(model: ModelStatic<Model>, ids: readonly number[], joins: readonly Join[] = []): Promise<Row[]> {
  if (!ids.every(Number.isSafeInteger)) throw new Error('ids must be integers');
  const quote = (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);
  // The ids go as a parameter: one text for every lookup, which prepared.ts never names, so lookups of
  // thousands of different posts take none of a connection's places for prepared statements.
  const sql = `${headOf(model, joins)} WHERE ${quote(model.name)}.${quote(model.primaryKeyAttribute)} = ANY($1)`;
  return model.sequelize!.query<Row>(sql, { type: QueryTypes.SELECT, bind: [ids] });
}

function headOf(model: ModelStatic<Model>, joins: readonly Join[]): string {
  const key = [model.name, ...joins.map((join) => `${join.name} ${join.sql}`)].join(' | ');
  let head = heads.get(key);
  if (head === undefined) {
    const generator = model.sequelize!.getQueryInterface().queryGenerator as SelectQueryGenerator;
    const attributes = [...attributesOf(model), ...joins.map((join) => [literal(join.sql), join.name])];
    head = generator.selectQuery(model.getTableName() as string, { attributes }, model).replace(/;\s*$/, '');
    heads.set(key, head);
  }
  return head;
}
