import { openConnection, parseRawAnswer } from '../test/http';
import { useServer } from '../test/server';

const api = useServer({ limits: { headersTimeoutMs: 400, requestTimeoutMs: 800 } });

/** Sends `request` on a raw connection and reads the one answer before the server closes it. */
async function exchange(request: string) {
  const connection = await openConnection(api.url);
  connection.socket.write(request);
  await connection.closed;
  return parseRawAnswer(connection.received());
}

/** Node's own refusals come in the GraphQL JSON shape too, with a code, and the connection is closed. */
function expectRefusal(answer: ReturnType<typeof parseRawAnswer>, status: number, code: string) {
  expect({ status: answer.status, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.headers.connection).toBe('close');
}

describe('refusals made by Node before the request reaches the server code', () => {
  it('a GET with a 16 KB query string: 431 REQUEST_HEADER_FIELDS_TOO_LARGE', async () => {
    const query = encodeURIComponent(`{ __typename ${'a'.repeat(16 * 1024)} }`);
    expectRefusal(await exchange(`GET /graphql?query=${query} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('headers over 16 KB: 431 REQUEST_HEADER_FIELDS_TOO_LARGE', async () => {
    const request = `POST /graphql HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(17 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`;
    expectRefusal(await exchange(request), 431, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('Content-Length together with Transfer-Encoding (a request smuggling shape): 400 BAD_REQUEST', async () => {
    const request =
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n1a\r\n{"query":"{ __typename }"}\r\n0\r\n\r\n';
    expectRefusal(await exchange(request), 400, 'BAD_REQUEST');
  });

  it('a request line that is not HTTP: 400 BAD_REQUEST', async () => {
    expectRefusal(await exchange('HELLO\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('a client too slow to send its headers: 408 REQUEST_TIMEOUT', async () => {
    const connection = await openConnection(api.url);
    connection.socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    await connection.closed;
    expectRefusal(parseRawAnswer(connection.received()), 408, 'REQUEST_TIMEOUT');
  });

  it('a client too slow to send its body: 408 REQUEST_TIMEOUT', async () => {
    const connection = await openConnection(api.url);
    connection.socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n{"query"');
    await connection.closed;
    expectRefusal(parseRawAnswer(connection.received()), 408, 'REQUEST_TIMEOUT');
  });
});

describe('what Node lets through', () => {
  it('answers a request whose Host header is no host name (the query string is all the server reads of the URL)', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const answer = await exchange(
      `POST /graphql?x=1 HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { data: { __typename: 'Query' } } });
  });
});
