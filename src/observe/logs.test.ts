import { runInRequest } from '../request-scope';
import { aPublishedPost, aSignedInUser, aUser, PASSWORD } from '../test/factories';
import { captureLogs, type LogLine } from '../test/logs';
import { useServer, type GraphQLAnswer } from '../test/server';

const logs = captureLogs('debug');
const api = useServer({ logger: logs.logger });
const quietLogs = captureLogs('info');
const quietApi = useServer({ logger: quietLogs.logger });

/** Sends a GraphQL request and returns the answer's request id and the log line written for it. */
async function send(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}, to = { api, logs }) {
  const response = await fetch(to.api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLAnswer;
  const id = response.headers.get('x-request-id')!;
  return { id, status: response.status, body, line: await lineFor(id, to.logs.lines) };
}

/** The request line is written when the answer has gone out, which may be just after the client has it. */
async function lineFor(id: string, lines = logs.lines): Promise<LogLine> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const line = lines.find((l) => l.reqId === id && l.msg === 'graphql request');
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no log line for request ${id}`);
}

const FEED = `query Feed { posts(first: 5) { nodes { title author { name } } } }`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it.each(['abc-123', '5f0c4a3e9b2d4f1a8c7e6d5b4a392817', 'Root=1-67891233-abcdef012345678912345678'])(
    'returns a sane x-request-id as sent: %s',
    async (given) => {
      const { id, line } = await send(FEED, {}, { 'x-request-id': given });
      expect(id).toBe(given);
      expect(line.reqId).toBe(given);
    },
  );

  it.each([
    ['too long', 'x'.repeat(129)],
    ['spaces', 'a b'],
    ['a forged log line', 'a\\n{"level":60}'],
    ['empty', ''],
  ])('replaces an unusable x-request-id (%s) with a generated one', async (_why, given) => {
    const { id } = await send(FEED, {}, { 'x-request-id': given });
    expect(id).toMatch(UUID);
  });

  it('generates a new id for every request that sends none', async () => {
    const [a, b] = await Promise.all([send(FEED), send(FEED)]);
    expect(a.id).toMatch(UUID);
    expect(b.id).toMatch(UUID);
    expect(a.id).not.toBe(b.id);
  });

  it('puts the id of the request being served on every line logged while serving it', () => {
    const { logger, lines } = captureLogs();
    runInRequest({ id: 'req-7', statements: 0, readPrimary: false }, () => logger.warn({ n: 1 }, 'inside'));
    logger.warn({ n: 2 }, 'outside');
    logger.warn({ m: 3 }, 'outside again');
    expect(lines.map(({ msg, reqId, n, m }) => ({ msg, reqId, n, m }))).toEqual([
      { msg: 'inside', reqId: 'req-7', n: 1 },
      { msg: 'outside', n: 2 },
      { msg: 'outside again', m: 3 },
    ]);
  });
});

describe('the request log line', () => {
  it('has the operation, duration, SQL statement count, outcome and status', async () => {
    const author = await aUser();
    await aPublishedPost(author);
    const { line } = await send(FEED);
    expect(line).toMatchObject({ level: 30, operation: 'Feed', statements: 1, outcome: 'ok', status: 200 });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(line.errors).toBeUndefined();
  });

  it('counts the statements of a mutation without BEGIN and COMMIT, and of the bearer token lookup', async () => {
    const { token } = await aSignedInUser();
    const { line, body } = await send(
      `mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { post { id } } }`,
      { input: { title: 'Hello' } },
      { authorization: `Bearer ${token}` },
    );
    expect(body.errors).toBeUndefined();
    // The session lookup, the INSERT, and the change announced to live subscribers (pg_notify).
    expect(line).toMatchObject({ operation: 'CreatePost', statements: 3, outcome: 'ok' });
  });

  it('counts each request its own statements when requests run at the same time', async () => {
    const author = await aUser();
    await aPublishedPost(author);
    const users = `query Users { users { nodes { name } } }`;
    const results = await Promise.all([FEED, users, FEED, users, `query Nothing { __typename }`].map((q) => send(q)));
    expect(results.map((r) => [r.line.operation, r.line.statements])).toEqual([
      ['Feed', 1],
      ['Users', 1],
      ['Feed', 1],
      ['Users', 1],
      ['Nothing', 0],
    ]);
  });

  it('reports the error codes of a failed request', async () => {
    const { line } = await send(`query Page { posts(first: 500) { nodes { id } } }`);
    expect(line).toMatchObject({ operation: 'Page', outcome: 'error', errors: ['BAD_USER_INPUT'] });
  });

  it('reports a request that does not parse, with no operation', async () => {
    const { line, status } = await send(`query Broken {`);
    expect(line).toMatchObject({ operation: null, outcome: 'error', errors: ['GRAPHQL_PARSE_FAILED'], status });
  });

  it('reports a bad bearer token as UNAUTHENTICATED with status 401', async () => {
    const { line } = await send(FEED, {}, { authorization: 'Bearer not-a-token' });
    expect(line).toMatchObject({ outcome: 'error', errors: ['UNAUTHENTICATED'], status: 401, statements: 1 });
  });

  it('reports a body the server refuses by its HTTP status', async () => {
    const response = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    const line = await lineFor(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ operation: null, outcome: 'error', errors: [`HTTP_${response.status}`], statements: 0 });
  });

  it('names an anonymous operation null', async () => {
    const { line } = await send(`{ __typename }`);
    expect(line).toMatchObject({ operation: null, outcome: 'ok', statements: 0 });
  });
});

describe('secrets in logs', () => {
  it('redacts passwords in variables, and the bearer token, at debug level', async () => {
    const { token } = await aSignedInUser();
    const email = 'ada@example.com';
    const signUp = await send(
      `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`,
      { input: { email, password: PASSWORD } },
      { authorization: `Bearer ${token}`, cookie: 'session=secret-cookie' },
    );
    const logIn = await send(`mutation LogIn($email: EmailAddress!, $password: String!) { logIn(input: { email: $email, password: $password }) { token } }`, {
      email,
      password: PASSWORD,
    });
    expect(signUp.line.variables).toEqual({ input: { email, password: '[redacted]' } });
    expect(signUp.line.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(logIn.line.variables).toEqual({ email, password: '[redacted]' });
    const written = logs.raw.join('');
    for (const secret of [PASSWORD, token, 'secret-cookie', signUp.body.data!.signUp.token, logIn.body.data!.logIn.token]) {
      expect(written).not.toContain(secret);
    }
  });

  it('redacts passwords and tokens in any line, at the top or one level down', () => {
    const { logger, lines } = captureLogs();
    logger.info({ password: 'a', token: 'b', user: { passwordHash: 'c', name: 'Ada' } }, 'signed in');
    expect(lines[0]).toMatchObject({ password: '[redacted]', token: '[redacted]', user: { passwordHash: '[redacted]', name: 'Ada' } });
  });

  it('leaves variables and headers out at info level', async () => {
    const { line } = await send(`query Post($id: ID!) { post(id: $id) { id } }`, { id: '1' }, { 'x-custom': 'yes' }, { api: quietApi, logs: quietLogs });
    expect(line).toMatchObject({ operation: 'Post', outcome: 'ok' });
    expect(line).not.toHaveProperty('variables');
    expect(line).not.toHaveProperty('headers');
  });
});
