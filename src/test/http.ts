import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** What a raw HTTP exchange gave: status, headers, and the body as JSON when it is JSON. */
export interface RawResponse {
  status: number;
  headers: Headers;
  contentType: string;
  json?: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  text: string;
}

/** Sends anything at all to the server (bodies, methods and headers a well-behaved client would not). */
export async function sendRaw(
  url: string,
  {
    method = 'POST',
    headers = { 'content-type': 'application/json' },
    body,
  }: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    contentType,
    json: contentType.startsWith('application/json') ? JSON.parse(text) : undefined,
    text,
  };
}

/** The first error code of a JSON answer. */
export const codeOf = (response: RawResponse) => response.json?.errors?.[0]?.extensions?.code;

/** A raw TCP connection to the server, for what no HTTP client sends (trickled bytes, broken framing). */
export interface RawConnection {
  socket: net.Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves when the server has closed the connection (or it ended), with the ms since it was opened. */
  closed: Promise<number>;
  isClosed(): boolean;
}

/** Opens a raw connection to the server behind `url` and waits until it is connected. */
export async function openConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const opened = performance.now();
  const chunks: Buffer[] = [];
  let ended = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset is one way of being closed
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      ended = true;
      resolve(performance.now() - opened);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('closed before it connected')));
  });
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed, isClosed: () => ended };
}

/** Writes `text` one byte every `everyMs` until the connection closes or the text is sent. */
export async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (connection.isClosed()) return;
    connection.socket.write(byte);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Reads a paused connection one chunk (at most 64 KB) every `everyMs` until the server closes it. */
export async function readSlowly(connection: RawConnection, everyMs: number): Promise<void> {
  const { socket } = connection;
  while (!connection.isClosed()) {
    const chunk = new Promise((resolve) => {
      socket.once('data', resolve);
      socket.once('close', resolve);
    });
    socket.resume();
    await chunk;
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The status and JSON body of the one answer a raw connection received. */
export function parseRawAnswer(raw: string): { status: number; headers: Record<string, string>; json?: RawResponse['json'] } {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const json = (headers['content-type'] ?? '').startsWith('application/json') ? JSON.parse(body) : undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, json };
}
