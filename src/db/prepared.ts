import pg from 'pg';
import { Client } from './pg';
import { Lru } from '../lru';

/**
 * Statements PostgreSQL parses and plans once per connection: a read (SELECT or WITH) without parameters
 * whose text has run before is sent under a name, so each connection parses and plans it the first time
 * and then only executes it. The page statements are long and run with the same text request after request
 * (their texts are kept, see lists/select.ts); parsing and planning the one of users(first: 50) >
 * posts(first: 10) cost about a fifth of its time (pgbench on the benchmark's data). Without parameters
 * the plan kept is the one PostgreSQL would make each time, so no data is served by a worse plan.
 *
 * Bounded: a text is named on its second run (a one-off text, a search for words nobody types again, takes
 * no name), the texts seen are the few thousand run most recently, and a connection prepares at most a few hundred
 * (beyond that, texts new to it run unnamed as before). A connection's places are never given back, so reads
 * that differ only by ids (a post by id, the pages of a batch of parents) pass them as a parameter: had each
 * id its own text, lookups of a few thousand posts would take every place, and the page statements that came
 * after would be parsed and planned again on every run (a quarter more PostgreSQL CPU for the nested page in the
 * benchmark, measured after its post(id) cells). A lookup by primary key is named as well, its ids still a
 * parameter (preparedForAnyValues): one name for every id.
 */
const TEXTS_SEEN = 2000;
const PREPARED_PER_CONNECTION = 250;
const READ = /^\s*(?:SELECT|WITH)\b/i;

// A text seen once maps to null; a text seen again, to its statement's name. A name is never reused for
// another text: pg refuses a name it has prepared with different text on the same connection. Each run
// makes the text the most recent, so a statement in use keeps its name however many one-off texts come and
// go (a new name would take another of each connection's places).
const names = new Lru<string, string | null>(TEXTS_SEEN);
let lastName = 0;

// Reads whose plan is the same for any values of their parameters (lookups by primary key), named from
// their first run. The code writes their texts from the fields a document asks (a few hundred combinations
// at most), never from a client's text.
const anyValues = new Map<string, string>();

/**
 * Declares `text`, a read with parameters, as planned alike for any values (`WHERE id = $1`): it is named
 * at once, and PostgreSQL may keep one generic plan for every id, rather than parse and plan the lookup again
 * at each run (for `= ANY($1)` it keeps planning, see lists/by-id.ts, and only the parsing is saved). Not for
 * a read whose best plan depends on its values (a text pattern, a range).
 */
export function preparedForAnyValues(text: string): void {
  if (!anyValues.has(text)) anyValues.set(text, `content_api_${(lastName += 1)}`);
}

function nameOf(text: string): string | undefined {
  const name = names.get(text);
  const named = name === undefined ? null : (name ?? `content_api_${(lastName += 1)}`);
  names.set(text, named);
  return named ?? undefined;
}

/** A Client (see pg.ts) that sends repeated reads without parameters, and lookups by id, as named statements. */
export class PreparingClient extends Client {
  private readonly prepared = new Set<string>();

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    // Sequelize calls query(text, callback) for a statement without parameters, query(text, values, callback) with.
    this.query = ((config: unknown, ...rest: unknown[]) => {
      const name =
        typeof config !== 'string' ? undefined : typeof rest[0] === 'function' ? (READ.test(config) ? nameOf(config) : undefined) : anyValues.get(config);
      if (!name || !(this.prepared.has(name) || this.prepared.size < PREPARED_PER_CONNECTION)) return query(config, ...rest);
      this.prepared.add(name);
      return query({ name, text: config }, ...rest);
    }) as typeof this.query;
  }
}

/** pg with that Client: what Sequelize connects through directly on PostgreSQL (a transaction pooler hands each statement to any server connection). */
export const preparingPgModule = Object.create(pg, { Client: { value: PreparingClient } }) as typeof pg;
