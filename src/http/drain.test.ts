import { createServer } from '../server';
import { testDb } from '../test/database';
import { aPublishedPost, aUser } from '../test/factories';
import { openConnection, readSlowly } from '../test/http';
import { captureLogs } from '../test/logs';

/** About 9 MB of answer: more than the kernel's buffers on loopback hold (about 4 MB), so most waits in the server. */
const BIG = JSON.stringify({ query: '{ a: posts(first: 100) { nodes { content } } b: posts(first: 100) { nodes { content } } }' });
const request = (body: string, headers = '') =>
  `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${headers}\r\n${body}`;

beforeEach(async () => {
  const author = await aUser();
  for (let i = 0; i < 100; i += 1) await aPublishedPost(author, { content: `${i} `.padEnd(45_000, 'x') });
});

async function started(shutdownGraceMs: number) {
  const logs = captureLogs();
  const server = await createServer({ sequelize: testDb().sequelize, production: true, tokenTtlSeconds: 3600, shutdownGraceMs, logger: logs.logger });
  return { running: await server.listen(0, '127.0.0.1'), lines: logs.lines };
}

/** The answers, in order, of HTTP/1.1 responses with a Content-Length (no chunked encoding here). */
function answersIn(raw: string): { headers: string; body: string }[] {
  const answers = [];
  let rest = raw;
  while (rest.length) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const headers = rest.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    answers.push({ headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

const whole = (body: string) => (JSON.parse(body) as { data: { a: { nodes: unknown[] }; b: { nodes: unknown[] } } }).data;

describe('stop() with answers in flight', () => {
  it('writes a large answer read slowly in whole, and answers a request sent on the same keep-alive connection with Connection: close', async () => {
    const { running, lines } = await started(20_000);
    const connection = await openConnection(running.url);
    connection.socket.write(request(BIG));
    await new Promise<void>((resolve) => connection.socket.once('data', () => resolve()));
    connection.socket.pause();

    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    // Sent during the drain on the connection already open (pipelined behind the first answer).
    connection.socket.write(request(JSON.stringify({ query: '{ __typename }' })));
    await readSlowly(connection, 10);
    await stopping;

    const [first, second, ...more] = answersIn(connection.received());
    expect(first!.headers).toMatch(/^HTTP\/1.1 200/);
    expect(whole(first!.body).a.nodes).toHaveLength(100);
    expect(first!.body.length).toBeGreaterThan(8_000_000);
    expect(second!.headers).toMatch(/^HTTP\/1.1 200/);
    expect(second!.headers).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(second!.body)).toEqual({ data: { __typename: 'Query' } });
    expect(more).toEqual([]);
    expect(lines.filter((line) => line.msg === 'graphql request').map((line) => line.outcome)).toEqual(['ok', 'ok']);
  });

  it('closes idle keep-alive connections at once, not at their keep-alive timeout', async () => {
    const { running } = await started(20_000);
    const idle = await openConnection(running.url);
    idle.socket.write(request(JSON.stringify({ query: '{ __typename }' })));
    await new Promise<void>((resolve) => idle.socket.once('data', () => resolve()));
    const before = performance.now();
    await running.stop();
    await idle.closed;
    expect(performance.now() - before).toBeLessThan(1000);
  });

  it('cuts an answer still unread at the end of the grace period, and logs it as aborted, not ok', async () => {
    const { running, lines } = await started(500);
    const connection = await openConnection(running.url);
    connection.socket.write(request(BIG));
    await new Promise<void>((resolve) => connection.socket.once('data', () => resolve()));
    connection.socket.pause(); // and never reads again
    await running.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [line] = lines.filter((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ outcome: 'aborted', aborted: true, status: 200, errors: ['ABORTED'] });
    connection.socket.destroy();
  });
});
