import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { globalId, rowIdOf } from '../ids';
import { POST_LIST } from '../services/lists';
import { OPERATIONS, type OperationKey } from './operations';

/**
 * The floors: the least work any server could do for each read operation over HTTP. A bare node:http
 * handler knows the benchmark's operations by their text, runs the fewest statements each needs (one)
 * through pg, and answers the same JSON the server does with JSON.stringify; `{ __typename }` gets a
 * constant. Only published posts are read: the benchmark's reads are anonymous.
 */
type Run = <Row extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<pg.QueryResult<Row>>;
type Floor = (run: Run, variables: Record<string, unknown>) => Promise<unknown>;

const VISIBLE = `p.published AND p."deletedAt" IS NULL`;
const NEWEST_FIRST = `ORDER BY p."createdAt" DESC, p.id DESC`;

interface PostRow {
  id: number;
  title: string;
  content: string | null;
  createdAt: Date;
  authorId: number;
  name: string | null;
}

const listed = (row: PostRow) => ({ id: globalId('Post', row.id), title: row.title, createdAt: row.createdAt.toISOString(), author: { name: row.name } });

const POST_BY_ID = `SELECT p.id, p.title, p.content, p."createdAt", p."authorId", u.name
  FROM posts p JOIN users u ON u.id = p."authorId" WHERE p.id = $1 AND ${VISIBLE}`;
const FEED = `SELECT p.id, p.title, p."createdAt", u.name FROM posts p JOIN users u ON u.id = p."authorId" WHERE ${VISIBLE} ${NEWEST_FIRST} LIMIT 50`;
const SEARCH = `SELECT p.id, p.title, p."createdAt", u.name FROM posts p JOIN users u ON u.id = p."authorId"
  WHERE p.title ILIKE $1 AND ${VISIBLE} ${NEWEST_FIRST} LIMIT 20`;
// Ranked as the server ranks (ts_rank negated, then id), so ties come in the same order, among as many of
// the newest matches; the authors are joined to the 50 kept, not to every match.
const FULL_TEXT = `SELECT p.id, p.title, u.name FROM (
    SELECT p.id, p.title, p."authorId", (-ts_rank(p.search, q)::float8) AS relevance FROM (
      SELECT * FROM posts p WHERE p.search @@ websearch_to_tsquery('english', $1) AND ${VISIBLE} ORDER BY p.id DESC LIMIT ${POST_LIST.search!.window}
    ) AS p, websearch_to_tsquery('english', $1) AS q ORDER BY relevance, p.id LIMIT 50) AS p
  JOIN users u ON u.id = p."authorId" ORDER BY p.relevance, p.id`;
// The users page with each user's count of published posts (kept on the user's row), and each user's ten
// newest published posts through a LATERAL join. A post's author is the user it is listed under, so no join
// is needed for it.
const NESTED = `
  SELECT u.id, u.name, p.title, u.total
  FROM (SELECT id, name, "publishedPostCount" AS total FROM users ORDER BY id LIMIT 50) AS u
  LEFT JOIN LATERAL (SELECT p.id, p.title, p."createdAt" FROM posts p WHERE p."authorId" = u.id AND ${VISIBLE} ${NEWEST_FIRST} LIMIT 10) AS p ON true
  ORDER BY u.id, p."createdAt" DESC, p.id DESC`;

interface NestedRow {
  id: number;
  name: string | null;
  title: string | null;
  total: number;
}

export const FLOORS: Partial<Record<OperationKey, Floor>> = {
  typename: () => Promise.resolve({ __typename: 'Query' }),
  postById: async (run, { id }) => {
    const rowId = typeof id === 'string' ? rowIdOf(id, 'Post') : null;
    const row = rowId === null ? undefined : (await run<PostRow>(POST_BY_ID, [rowId])).rows[0];
    if (!row) return { post: null };
    const { title, content } = row;
    const author = { id: globalId('User', row.authorId), name: row.name };
    return { post: { id: globalId('Post', row.id), title, content, createdAt: row.createdAt.toISOString(), author } };
  },
  feed: async (run) => ({ posts: { nodes: (await run<PostRow>(FEED)).rows.map(listed) } }),
  search: async (run, { text }) => {
    const pattern = `%${String(text).replace(/[\\%_]/g, '\\$&')}%`;
    return { posts: { nodes: (await run<PostRow>(SEARCH, [pattern])).rows.map(listed) } };
  },
  fullText: async (run, { text }) => {
    const rows = (await run<PostRow>(FULL_TEXT, [text])).rows;
    return { posts: { nodes: rows.map((row) => ({ id: globalId('Post', row.id), title: row.title, author: { name: row.name } })) } };
  },
  nested: async (run) => {
    const users = new Map<number, { name: string | null; posts: { totalCount: number; nodes: object[] } }>();
    for (const row of (await run<NestedRow>(NESTED)).rows) {
      let user = users.get(row.id);
      if (!user) users.set(row.id, (user = { name: row.name, posts: { totalCount: row.total, nodes: [] } }));
      if (row.title !== null) user.posts.nodes.push({ title: row.title, author: { name: row.name } });
    }
    return { users: { nodes: [...users.values()] } };
  },
};

const byQuery = new Map(Object.entries(FLOORS).map(([key, floor]) => [OPERATIONS[key as OperationKey].query, floor]));

/** Starts the floors' server; `onStatement` counts each statement it runs. */
export function startFloor(databaseUrl: string, poolMax: number, onStatement: () => void) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  const run: Run = (sql, values) => {
    onStatement();
    return pool.query(sql, values);
  };
  // Never rejects: a failure is answered with a 500.
  const answer = async (body: string, res: http.ServerResponse) => {
    try {
      const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      const floor = byQuery.get(query);
      if (!floor) throw new Error('the floor answers only the benchmark operations');
      const data = await floor(run, variables ?? {});
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(Buffer.concat(chunks).toString('utf8'), res));
  });
  return new Promise<{ url: string; stop(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/graphql`, stop: async () => void (await Promise.all([new Promise((r) => server.close(r)), pool.end()])) });
    });
  });
}
