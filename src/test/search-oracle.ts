/**
 * A search box's text as websearch_to_tsquery reads it, evaluated over a post's words in TypeScript, for
 * words that text search keeps as they are apart from case (no stop words, each its own stem): the
 * clauses between `or`s, any of which must hold; in a clause every term, a word or a "quoted phrase"
 * (its words next to each other), must occur, or, after `-`, must not. The title's words come first,
 * then the content's: a phrase may run from one into the other.
 */
export interface SearchTerm {
  negated: boolean;
  words: string[];
}
export type SearchQuery = SearchTerm[][];

/** The text a client types for `query`. */
export function searchText(query: SearchQuery): string {
  const term = (t: SearchTerm) => `${t.negated ? '-' : ''}${t.words.length === 1 ? t.words[0] : `"${t.words.join(' ')}"`}`;
  return query.map((clause) => clause.map(term).join(' ')).join(' or ');
}

export const wordsOf = (text: string | null): string[] => (text ?? '').toLowerCase().match(/[a-z]+/g) ?? [];

function occurs(phrase: string[], words: string[]): boolean {
  const lower = phrase.map((w) => w.toLowerCase());
  return words.some((_, i) => lower.every((w, j) => words[i + j] === w));
}

export function matchesSearch(query: SearchQuery, title: string, content: string | null): boolean {
  const words = [...wordsOf(title), ...wordsOf(content)];
  return query.some((clause) => clause.every((term) => occurs(term.words, words) !== term.negated));
}
