import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context as WsContext } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { clientKey } from '../http/client';
import { isSameHost } from '../http/origins';
import type { LiveServer } from '.';
import { formatResult, type Results } from './execute';

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
      onSubscribe: async (ctx: Connection, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > limits.liveSubscriptionsPerConnection) {
          return [live.refusal('TOO_MANY_SUBSCRIPTIONS', `at most ${limits.liveSubscriptionsPerConnection} subscriptions per connection`)];
        }
        const started = await live.subscribe(ctx.extra.live!, payload);
        if (Array.isArray(started)) return started;
        subscriptions.set(started.args, started.results);
        return started.args;
      },
      subscribe: (args) => subscriptions.get(args)!,
      onNext: (ctx: Connection, _id, _payload, _args, result) => {
        // A client that does not read: its unsent messages are bounded, then it is cut off.
        if (ctx.extra.socket.bufferedAmount > limits.liveSendBufferBytes) {
          live.metrics.slowConsumers.inc();
          ctx.extra.socket.terminate();
        }
        return formatResult(result, live.formatError) as never;
      },
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
