import { Op, Sequelize, type WhereOptions } from 'sequelize';
import { AppError } from '../errors';
import { MAX_FILTER_STRING_LENGTH } from './filter';
import type { SortColumn } from './ordering';

/**
 * A list's full-text search: a tsvector `column` (generated from the row's text, GIN-indexed), the text
 * search `config` it was made with (queries must be parsed with the same), and the order field that
 * sorts by relevance.
 */
export interface TextSearch {
  column: string;
  config: string;
  orderField: string;
  /** How many matches, the newest first, ordering by relevance ranks (see SortColumn.window). */
  window: number;
}

/** What a search adds to a list: the rows it matches, and the column that orders them by relevance. */
export interface Searched {
  where: WhereOptions;
  relevance: SortColumn;
}

/** The attribute a page reads the relevance as (for its cursors); no GraphQL field has this name. */
const RELEVANCE = 'searchRelevance';

/**
 * A client's search text, written as a search box takes it (websearch_to_tsquery: `"exact phrase"`,
 * `-word`, `or`; every other word must occur). A text without words (blank, punctuation, only stop words)
 * matches nothing. `quote` makes a string literal (the database's own escaping).
 */
export function searchOf(text: unknown, search: TextSearch, quote: (text: string) => string): Searched {
  const bad = (message: string) => AppError.badInput([{ path: ['search'], message }]);
  if (typeof text !== 'string') throw bad('must be a string');
  if (text.includes('\0')) throw bad('must not contain NUL characters');
  if (text.length > MAX_FILTER_STRING_LENGTH) throw bad(`must be at most ${MAX_FILTER_STRING_LENGTH} characters`);
  const query = `websearch_to_tsquery(${quote(search.config)}, ${quote(text)})`;
  return {
    where: { [search.column]: { [Op.match]: Sequelize.fn('websearch_to_tsquery', search.config, text) } },
    // ts_rank negated, so ASC (the default direction) puts the most relevant first; float8 throughout, so
    // the value in a cursor (a JS number) compares equal to the one it was read from.
    relevance: { attribute: RELEVANCE, kind: 'number', sql: `(-ts_rank(${quoted(search.column)}, ${query})::float8)`, window: search.window },
  };
}

const quoted = (column: string) => `"${column.replace(/"/g, '""')}"`;
