import pg from 'pg';
import type { Logger } from '../logger';
import { eventOf, POST_CHANNEL, type PostEvent } from './announce';

export interface ListenerEvents {
  /** A committed change, in commit order. */
  onEvent(event: PostEvent, receivedAt: number): void;
  /** The connection was lost: whatever was announced meanwhile may never arrive. */
  onGap(): void;
}

/** Reconnection delays: doubling from 100 ms up to 5 s. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/**
 * The instance's one LISTEN connection: a pg.Client of its own, not from the query pool (a pooled
 * connection is handed to other queries, and behind PgBouncer's transaction pooling LISTEN hears nothing).
 * After it is lost it reconnects with backoff, reporting the gap first.
 */
export class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private delay = FIRST_DELAY_MS;
  private timer: NodeJS.Timeout | null = null;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly events: ListenerEvents,
    private readonly logger: Logger,
  ) {}

  /** Connects (and resolves) once; later losses reconnect in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'content-api live' });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== POST_CHANNEL) return;
      const event = eventOf(message.payload);
      if (event) this.events.onEvent(event, performance.now());
      else this.logger.warn({ payload: message.payload }, 'live: a notification this version does not read');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${POST_CHANNEL}`);
    this.connected = true;
    this.delay = FIRST_DELAY_MS;
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client) return;
    this.client = null;
    const wasConnected = this.connected;
    this.connected = false;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasConnected) {
      this.logger.warn({ err: error }, 'live: the LISTEN connection was lost; live subscriptions end with EVENTS_MISSED');
      this.events.onGap();
    }
    this.retry();
  }

  private retry(): void {
    const delay = this.delay * (0.5 + Math.random() / 2);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => this.logger.info('live: listening again'),
        (error: unknown) => {
          if (this.client) this.lost(this.client, error as Error);
        },
      );
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }
}
