import type { IndexesOptions } from 'sequelize';

/**
 * A trigram GIN index (pg_trgm) of a text column clients filter with contains, startsWith and endsWith
 * (LIKE and ILIKE, both case modes); migrations/20261128120000-trigram-indexes.ts builds the same.
 */
export function trigramIndex(table: 'posts' | 'users', column: string): IndexesOptions {
  return { name: `${table}_${column}_trgm`, using: 'gin', fields: [{ name: column, operator: 'gin_trgm_ops' }] };
}
