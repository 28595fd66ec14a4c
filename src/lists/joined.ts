import { DataTypes, type Model, type ModelStatic } from 'sequelize';

/** An object field selected of a row (e.g. a post's `author { name }`): its name and the names of its fields. */
export interface ObjectField {
  name: string;
  fields: readonly string[];
}

/** A row of another table read with each row by the same statement (a post's author). */
export interface Join {
  name: string;
  /** SQL of a scalar subquery: the joined row as a JSON object (null when there is none). */
  sql: string;
  dates: readonly string[];
}

/**
 * The rows the statement of `model`'s rows (aliased `alias`) can read with each of them: the asked object
 * fields that are belongs-to associations of the same name (Post.author, through authorId). Each is a
 * lookup by primary key per row, far cheaper than a second statement (and its round trip) for all of them.
 * Lists of rows (User.posts) are not joined here: a page reads them through its child lists.
 */
export function joinsOf(model: ModelStatic<Model>, asked: readonly ObjectField[], alias: string = model.name): Join[] {
  const quote = (name: string) => model.sequelize!.getQueryInterface().quoteIdentifier(name);
  return asked.flatMap(({ name, fields }) => {
    const association = model.associations[name];
    if (association?.associationType !== 'BelongsTo') return [];
    const { target } = association;
    const { foreignKey, targetKey } = association as unknown as { foreignKey: string; targetKey: string };
    const columns = columnsOf(target, fields);
    const object = `json_build_object(${columns.map((column) => `'${column}', ${quote(name)}.${quote(column)}`).join(', ')})`;
    const conditions = [`${quote(name)}.${quote(targetKey)} = ${quote(alias)}.${quote(foreignKey)}`];
    if (target.options.paranoid) conditions.push(`${quote(name)}.${quote(deletedAtOf(target))} IS NULL`);
    const table = quote(target.getTableName() as string);
    const attributes = target.getAttributes();
    return [
      {
        name,
        sql: `(SELECT ${object} FROM ${table} AS ${quote(name)} WHERE ${conditions.join(' AND ')})`,
        dates: columns.filter((column) => attributes[column]!.type instanceof DataTypes.DATE),
      },
    ];
  });
}

/** JSON has no dates: the joined rows' timestamps arrive as ISO 8601 strings and become Dates. */
export function readJoined(row: Record<string, unknown>, joins: readonly Join[]): void {
  for (const join of joins) {
    const joined = row[join.name] as Record<string, unknown> | null | undefined;
    if (!joined) continue;
    for (const name of join.dates) {
      if (typeof joined[name] === 'string') joined[name] = new Date(joined[name]);
    }
  }
}

/** The row read with `row` as its `name` (a post's author read by the post's statement), if it was. */
export function joinedRow<Row>(row: object, name: string): Row | undefined {
  const joined = (row as Record<string, unknown>)[name];
  return joined !== null && typeof joined === 'object' && !(joined instanceof Date) ? (joined as Row) : undefined;
}

/** The columns of `fields` (and the primary key), never those the default scope excludes (a user's password hash). */
function columnsOf(model: ModelStatic<Model>, fields: readonly string[]): string[] {
  const scoped = model.options.defaultScope?.attributes;
  const excluded = scoped && !Array.isArray(scoped) && 'exclude' in scoped ? (scoped.exclude as string[]) : [];
  const attributes = model.getAttributes();
  return Object.keys(attributes).filter((name) => !excluded.includes(name) && (attributes[name]!.primaryKey || fields.includes(name)));
}

function deletedAtOf(model: ModelStatic<Model>): string {
  return typeof model.options.deletedAt === 'string' ? model.options.deletedAt : 'deletedAt';
}
