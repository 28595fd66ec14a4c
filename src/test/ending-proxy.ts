import net from 'node:net';
import pg from 'pg';

/**
 * A loopback TCP proxy in front of a real PostgreSQL that, while `ending` is on, has PostgreSQL end each new
 * session the moment it opens: it holds the session's ReadyForQuery, terminates its backend
 * (pg_terminate_backend), and hands the client the ReadyForQuery and PostgreSQL's FATAL in one read. That is
 * what a restart, a pooler or an administrator can do at any time; the proxy only makes the timing certain.
 */
export interface EndingProxy {
  /** The database URL through the proxy. */
  url: string;
  ending: boolean;
  /** Sessions ended so far. */
  ended: number;
  close(): Promise<void>;
}

const HEADER = 5; // type byte and 32-bit length

export async function startEndingProxy(databaseUrl: string): Promise<EndingProxy> {
  const target = new URL(databaseUrl);
  const admin = new pg.Client(databaseUrl);
  admin.on('error', () => undefined); // its queries report their own failures
  await admin.connect();
  const sockets = new Set<net.Socket>();
  const proxy: EndingProxy = { url: '', ending: true, ended: 0, close: async () => undefined };

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    // Once a ReadyForQuery is held, the client's end waits for PostgreSQL's FATAL (endAfterOpening).
    let holding = false;
    upstream.on('close', () => holding || client.destroy());
    if (!proxy.ending) return upstream.pipe(client);

    // Authentication and parameters pass through; the session's first ReadyForQuery is held.
    let pending = Buffer.alloc(0);
    let pid = 0;
    upstream.on('data', function startup(chunk: Buffer) {
      pending = Buffer.concat([pending, chunk]);
      let at = 0;
      while (at + HEADER <= pending.length) {
        const end = at + 1 + pending.readInt32BE(at + 1);
        if (end > pending.length) break;
        const type = String.fromCharCode(pending[at]!);
        if (type === 'K') pid = pending.readInt32BE(at + HEADER);
        if (type === 'Z') {
          upstream.off('data', startup);
          holding = true;
          client.write(pending.subarray(0, at));
          void endAfterOpening(pending.subarray(at, end), pid, pending.subarray(end));
          return;
        }
        at = end;
      }
      client.write(pending.subarray(0, at));
      pending = pending.subarray(at);
    });

    async function endAfterOpening(ready: Buffer, backend: number, rest: Buffer) {
      const fatal: Buffer[] = [rest];
      upstream.on('data', (chunk: Buffer) => fatal.push(chunk));
      const closed = new Promise((resolve) => upstream.once('close', resolve));
      await admin.query('SELECT pg_terminate_backend($1)', [backend]);
      await closed;
      proxy.ended += 1;
      client.end(Buffer.concat([ready, ...fatal]));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const through = new URL(databaseUrl);
  through.hostname = '127.0.0.1';
  through.port = String((server.address() as net.AddressInfo).port);
  proxy.url = through.toString();
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await admin.end();
  };
  return proxy;
}
