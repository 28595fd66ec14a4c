import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

// The nested operation (users > posts with totalCount > author) in one hand-written statement: the
// users page, each user's ten newest published posts and their count, through LATERAL joins. A post's
// author is the user it is listed under, so no join is needed for it.
const NESTED_SQL = `
  SELECT u.id, u.name, p.title, c.total
  FROM (SELECT id, name FROM users ORDER BY id LIMIT 50) AS u
  CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM posts
                      WHERE "authorId" = u.id AND published AND "deletedAt" IS NULL) AS c
  LEFT JOIN LATERAL (SELECT id, title, "createdAt" FROM posts
                     WHERE "authorId" = u.id AND published AND "deletedAt" IS NULL
                     ORDER BY "createdAt" DESC, id DESC LIMIT 10) AS p ON true
  ORDER BY u.id, p."createdAt" DESC, p.id DESC`;

interface NestedRow {
  id: number;
  name: string | null;
  title: string | null;
  total: number;
}

/**
 * The floor: the least work any server could do for the nested operation over HTTP. A bare Node
 * handler runs one statement through pg and answers with JSON.stringify; it does not even read the query.
 */
export function startFloor(databaseUrl: string, poolMax: number, onStatement: () => void) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  // Never rejects: a failure is answered with a 500.
  const answer = async (res: http.ServerResponse) => {
    try {
      onStatement();
      const { rows } = await pool.query<NestedRow>(NESTED_SQL);
      const users = new Map<number, { name: string | null; posts: { totalCount: number; nodes: object[] } }>();
      for (const row of rows) {
        let user = users.get(row.id);
        if (!user) users.set(row.id, (user = { name: row.name, posts: { totalCount: row.total, nodes: [] } }));
        if (row.title !== null) user.posts.nodes.push({ title: row.title, author: { name: row.name } });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { users: { nodes: [...users.values()] } } }));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => void answer(res));
  });
  return new Promise<{ url: string; stop(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/graphql`, stop: async () => void (await Promise.all([new Promise((r) => server.close(r)), pool.end()])) });
    });
  });
}
