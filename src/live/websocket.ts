import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context as WsContext } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { ExecutionResult } from 'graphql';
import { WebSocket, WebSocketServer } from 'ws';
import { clientKey } from '../http/client';
import { isSameHost } from '../http/origins';
import type { LiveServer } from '.';
import { jsonOf, type Results } from './execute';
import { liveError } from './hub';

/** Close code of a server going away for a restart (RFC 6455): graphql-ws clients reconnect, to another instance. */
export const SERVICE_RESTART = 1012;

type Connection = WsContext<Record<string, unknown>, Extra & { live?: Awaited<ReturnType<LiveServer['signIn']>> }>;

/** Refuses an upgrade with a plain HTTP answer (the socket is not a WebSocket yet). */
function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * GraphQL over WebSocket (graphql-transport-ws) at `path` of the HTTP server: the upgrade is checked first
 * (path, Origin, the connections of the client), the token comes in connection_init (4403 when it is
 * invalid), and every subscription passes the same admission as HTTP requests.
 */
export function serveWebSocket(live: LiveServer, httpServer: Server, path: string, isAllowedOrigin: (origin: string | undefined) => boolean) {
  const { limits } = live;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * limits.maxDocumentLength + 64 * 1024 });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://host').pathname.replace(/\/$/, '') !== path) return refuse(socket, 404, 'Not Found');
    if (live.closing) return refuse(socket, 503, 'Service Unavailable');
    // Browsers open WebSockets to any origin without asking: the page's origin must be one CORS allows.
    // …or this server's own (the explorer), as for HTTP (src/http/cors.ts).
    const { origin, host } = request.headers;
    if (origin !== undefined && !isAllowedOrigin(origin) && !isSameHost(origin, host)) return refuse(socket, 403, 'Forbidden');
    const client = clientKey(live.clientAddressOf(request), limits.clientIpv6Prefix);
    if (!live.countConnection(client)) return refuse(socket, 429, 'Too Many Requests');
    socket.once('close', () => live.uncountConnection(client));
    wss.handleUpgrade(request, socket, head, (ws) => {
      live.metrics.connections.inc({ transport: 'websocket' });
      ws.once('close', () => live.metrics.connections.dec({ transport: 'websocket' }));
      Object.assign(ws, { clientAddress: client });
      wss.emit('connection', ws, request);
    });
  });

  /**
   * The `next` messages of subscription `id`, sent straight from the fan-out: the payload is serialized once for
   * all the subscribers who share it, and only the message around it is written per subscriber (graphql-ws's
   * own sending would serialize it for each, after several promise hops each).
   */
  const sendTo = (socket: WebSocket, id: string) => {
    const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    return (result: ExecutionResult) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      // A client that does not read: its unsent messages are bounded, then it is cut off.
      if (socket.bufferedAmount > limits.liveSendBufferBytes) {
        live.metrics.slowConsumers.inc();
        socket.terminate();
        return;
      }
      socket.send(`${head}${jsonOf(result, live.formatError)}}`);
    };
  };
  const subscriptions = new WeakMap<object, Results>();
  const server = useServer<Record<string, unknown>, { live?: Awaited<ReturnType<LiveServer['signIn']>> }>(
    {
      connectionInitWaitTimeout: limits.liveConnectionInitTimeoutMs,
      onConnect: async (ctx: Connection) => {
        const params = ctx.connectionParams ?? {};
        const authorization = params.Authorization ?? params.authorization;
        try {
          const client = (ctx.extra.socket as unknown as { clientAddress: string }).clientAddress;
          ctx.extra.live = await live.signIn(typeof authorization === 'string' ? authorization : undefined, client);
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx: Connection, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > limits.liveSubscriptionsPerConnection) {
          return [liveError('TOO_MANY_SUBSCRIPTIONS', `at most ${limits.liveSubscriptionsPerConnection} subscriptions per connection`)];
        }
        const started = await live.subscribe(ctx.extra.live!, payload, sendTo(ctx.extra.socket, id));
        if (Array.isArray(started)) return started;
        subscriptions.set(started.args, started.results);
        return started.args;
      },
      // Results go out through sendTo: graphql-ws reads them only to learn how the subscription ends.
      subscribe: (args) => subscriptions.get(args)!,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => live.formatError(error.toJSON(), error)),
    },
    wss,
    limits.liveKeepAliveMs,
  );

  return {
    /** Closes every connection with 1012 (service restart); clients reconnect, to another instance. */
    async close(): Promise<void> {
      const closed = [...wss.clients].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      for (const ws of wss.clients) ws.close(SERVICE_RESTART, 'service restart');
      const cut = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 2_000);
      await Promise.all(closed);
      clearTimeout(cut);
      await server.dispose();
    },
  };
}
