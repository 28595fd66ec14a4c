import type { Server } from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';

/** How often, during a drain, connections with no answer in flight are looked for and closed. */
const REAP_EVERY_MS = 100;

/** The answer a connection is writing (Node's own field, which its closeIdleConnections reads too). */
const answering = (socket: Socket) => (socket as Socket & { _httpMessage?: unknown })._httpMessage;

/**
 * Stopping the server without cutting answers off. Node's `server.close()` would not do: it closes every
 * connection it deems idle, and it deems one idle as soon as its answer has *ended*, though megabytes of
 * it may still wait to be written to a slow reader. Here a connection is closed only when it has no
 * answer on it and no new bytes came in since the last look (no request on its way).
 */
export class Drain {
  private draining = false;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Hook: a request that arrives during the drain is answered, and its connection closed after that answer. */
  readonly closeAfterAnswer: onRequestHookHandler = (_request, reply, done) => {
    if (this.draining) reply.header('connection', 'close');
    done();
  };

  /**
   * Stops taking connections, lets the answers in flight be written whole within `graceMs`, closes each
   * connection once it has nothing in flight, then cuts whatever is left; then closes Fastify.
   */
  async run(app: FastifyInstance, graceMs: number): Promise<void> {
    this.draining = true;
    // net's close, not http's: stop listening, and resolve once every connection has ended.
    const ended = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    let lastLook = new Map<Socket, number>();
    const reap = () => {
      const look = new Map<Socket, number>();
      for (const socket of this.sockets) {
        if (answering(socket)) continue;
        if (lastLook.get(socket) === socket.bytesRead) socket.destroy();
        else look.set(socket, socket.bytesRead);
      }
      lastLook = look;
    };
    reap();
    const reaper = setInterval(reap, REAP_EVERY_MS);
    const deadline = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    try {
      await ended;
    } finally {
      clearInterval(reaper);
      clearTimeout(deadline);
    }
    await app.close(); // its server.close() finds nothing left to close
  }
}
