import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { RETRYABLE_CODES, type ErrorCode } from '../errors';
import { sendGraphQL } from './server';

/**
 * Clients that keep writing (createPosts, three tagged posts a batch) and reading (a page of posts with
 * their authors) in turns until stopped, and record every answer: which batches were acknowledged, how
 * many requests failed the clean way (503 with a retryable code), and anything else (which must not happen).
 */
export interface Tally {
  /** Tags of the batches the server answered with success. */
  acknowledged: string[];
  /** Clean failures by code. */
  retryable: Partial<Record<ErrorCode, number>>;
  /** Answers that were neither: a dropped connection, a 500, an unknown code. */
  unexpected: string[];
}

export const POSTS_PER_BATCH = 3;
const CREATE = `mutation ($input: CreatePostsInput!) { createPosts(input: $input) { posts { id } } }`;
const READ = `{ posts(first: 5) { nodes { id title author { name } } } }`;

export function retryableFailures(tally: Tally): number {
  return Object.values(tally.retryable).reduce((sum, n) => sum + (n ?? 0), 0);
}

interface Answer {
  status: number;
  json: { errors?: { extensions?: { code?: ErrorCode; retryable?: boolean } }[] };
}

async function send(url: string, token: string, body: object): Promise<Answer> {
  const { status, answer } = await sendGraphQL(url, body, { token });
  return { status, json: answer as Answer['json'] };
}

/** Records an answer; true when it succeeded. */
function record(tally: Tally, answer: Answer | Error): boolean {
  if (answer instanceof Error) {
    tally.unexpected.push(`no answer: ${answer.message} ${String((answer.cause as Error | undefined)?.message ?? '')}`);
    return false;
  }
  const errors = answer.json.errors ?? [];
  if (answer.status === 200 && errors.length === 0) return true;
  const code = errors[0]?.extensions?.code;
  const clean = answer.status === 503 && code && RETRYABLE_CODES.has(code) && errors[0]?.extensions?.retryable === true;
  if (clean) tally.retryable[code] = (tally.retryable[code] ?? 0) + 1;
  else tally.unexpected.push(`${answer.status} ${JSON.stringify(answer.json)}`);
  return false;
}

export function startWriters(url: string, tokens: string[], workers: number): { tally: Tally; stop(): Promise<Tally> } {
  const tally: Tally = { acknowledged: [], retryable: {}, unexpected: [] };
  let stopped = false;
  const worker = async (w: number) => {
    const token = tokens[w % tokens.length]!;
    for (let n = 0; !stopped; n += 1) {
      const tag = `w${w}-${n}`;
      const posts = Array.from({ length: POSTS_PER_BATCH }, (_, i) => ({ title: `${tag}/${i}`, published: true }));
      const wrote = await send(url, token, { query: CREATE, variables: { input: { posts } } }).catch((error: Error) => error);
      if (record(tally, wrote)) tally.acknowledged.push(tag);
      const read = record(tally, await send(url, token, { query: READ }).catch((error: Error) => error));
      if (!read) await sleep(50); // no busy loop against a server that is down
    }
  };
  const running = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    tally,
    async stop() {
      stopped = true;
      await running;
      return tally;
    },
  };
}

/**
 * Checks the database against the tally: every acknowledged batch is there in full, and no batch is
 * there in part (an unacknowledged one may be there in full: its commit landed, its answer did not).
 */
export async function expectWholeBatches(client: pg.Client, tally: Tally): Promise<void> {
  const { rows } = await client.query<{ tag: string; count: number }>(`SELECT split_part(title, '/', 1) AS tag, count(*)::int AS count FROM posts GROUP BY 1`);
  const found = new Map(rows.map((row) => [row.tag, row.count]));
  expect(tally.acknowledged.filter((tag) => found.get(tag) !== POSTS_PER_BATCH)).toEqual([]);
  expect(rows.filter((row) => row.count !== POSTS_PER_BATCH)).toEqual([]);
}
