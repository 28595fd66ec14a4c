import type { Model, ModelStatic } from 'sequelize';
import { textColumnsOf } from './size';

/** What a list's rows may still add to the answer they go into (see services/answer-size.ts). */
export interface AnswerBudget {
  /** Bytes of text the answer may still take. */
  left(): number;
  /** Refuses the answer, which would take `bytes` more than it may. */
  refuse(bytes: number): never;
}

/**
 * A list read by a statement: its rows' `columns`, at most `rows` of which go into an answer; the budget of
 * that answer, when its rows are counted into one; and `measure`, which writes SQL for the bytes of text
 * those rows hold (only for statements that measure).
 */
export interface MeasuredList {
  model: ModelStatic<Model>;
  columns: readonly string[];
  rows: number;
  budget?: AnswerBudget | undefined;
  measure: () => string;
}

// A statement whose rows might not fit the answer's budget first measures them (in the "listMeasure" CTE),
// and builds (and sends) the JSON of its pages only when they fit: its pages are gated by FITS. The
// measured size comes back beside them (listSize), and a statement that did not fit is refused.
export const SIZE = 'listSize';
const MEASURE = 'listMeasure';
const FITS = `(SELECT "listFits" FROM "${MEASURE}")`;
/** Whether the pages of a statement are built always (''), or only when they fit (FITS). */
export type Gate = '' | typeof FITS;
export const where = (gate: Gate) => (gate ? ` WHERE ${gate}` : '');
export const and = (gate: Gate) => (gate ? ` AND ${gate}` : '');
/** The measured size as a column beside the pages of a gated statement. */
export const sizeOutput = (gate: Gate) => (gate ? `, (SELECT "${SIZE}" FROM "${MEASURE}") AS "${SIZE}"` : '');

/** The most bytes of text a list's rows can hold: Infinity when one of the columns it reads is unbounded TEXT. */
function mostBytes({ model, columns, rows }: MeasuredList): number {
  if (rows === 0) return 0;
  return rows * textColumnsOf(model, columns).reduce((sum, column) => sum + column.maxBytes, 0);
}

/**
 * The statement `write` writes ([WITH head,] body), kept to the answer's budget: when the lists it reads
 * could hold more text than the budget has left, the statement measures them first and builds no JSON of
 * any page unless they fit, and `check` refuses the answer with what they measured when they do not,
 * before any of it was read into this process. Pages of columns of bounded length that surely fit (titles,
 * names) are not measured: they pay nothing.
 */
export function measuredStatement(lists: MeasuredList[], write: (gate: Gate) => string[]): { sql: string; check(found: Record<string, unknown>[]): void } {
  const budgeted = lists.filter((list) => list.budget);
  const budget = budgeted[0]?.budget;
  const left = Math.max(0, Math.floor(budget?.left() ?? Infinity));
  if (!budget || budgeted.reduce((sum, list) => sum + mostBytes(list), 0) <= left) return { sql: write('').join(' '), check: () => {} };
  const written = write(FITS);
  const [head, body] = written.length > 1 ? written : ['', written[0]];
  const measure = `SELECT ${budgeted.map((list) => `coalesce(${list.measure()}, 0)`).join(' + ')} AS "${SIZE}"`;
  // OFFSET 0 keeps the measure a subquery of its own, run once: pulled up, it would run for each column that reads it.
  const measured = `"${MEASURE}" AS MATERIALIZED (SELECT "${SIZE}", "${SIZE}" <= ${left} AS "listFits" FROM (${measure} OFFSET 0) AS measured)`;
  return {
    sql: `${head ? `${head},` : 'WITH'} ${measured} ${body}`,
    check(found) {
      // One row carries the size (the first of a page's statement with child lists, whose others hold it null).
      const size = Number(found.find((row) => row[SIZE] != null)?.[SIZE] ?? 0);
      if (size > left) budget.refuse(size);
    },
  };
}
