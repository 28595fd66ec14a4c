import type { IncomingMessage } from 'node:http';
import { readYourWritesOf } from '../db/read-your-writes';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { toContextError } from '../graphql/format-error';
import type { Sequelize } from 'sequelize';
import type { IdentityProviders } from '../identity';
import { NO_IDENTITY_PROVIDERS } from '../identity';
import { admitOperation, type OperationRequest } from '../graphql/admission';
import type { Limits } from '../limits';
import { Loaders } from '../loaders';
import type { Logger } from '../logger';
import type { LiveMetrics } from '../observe/metrics';
import { authenticate, type Authenticated } from '../services/auth';
import { startSubscription, type FormatError, type Send } from './execute';
import { Hub, liveError, type LiveContext } from './hub';
import type { PostEvent } from './announce';
import { Listener } from './listener';

export interface LiveOptions {
  sequelize: Sequelize;
  /** Where the LISTEN connection goes (DATABASE_LISTEN_URL): directly to PostgreSQL, never through PgBouncer. */
  listenUrl: string;
  schema: GraphQLSchema;
  limits: Limits;
  metrics: LiveMetrics;
  logger: Logger;
  formatError: FormatError;
  tokenTtlSeconds: number;
  identityProviders?: IdentityProviders;
  /** The address a connection came from, as the per-client limits count it (trusted proxies considered). */
  clientAddressOf(request: IncomingMessage): string | undefined;
}

/** Who a live connection signed in as, for every subscription it starts. */
export interface LiveSignIn {
  signedIn: Authenticated | null;
  expiresAt: number | null;
  clientAddress: string;
}

/**
 * The live data of one instance: its LISTEN connection, its subscriptions (the hub), and what both
 * transports share: signing in, admitting and starting a subscription, the periodic recheck of viewers.
 */
export class LiveServer {
  readonly hub: Hub;
  private readonly listener: Listener;
  private recheck: NodeJS.Timeout | null = null;
  closing = false;

  constructor(private readonly options: LiveOptions) {
    this.hub = new Hub(options.limits, options.metrics, options.logger);
    const readYourWrites = readYourWritesOf(options.sequelize);
    const onEvent = (event: PostEvent, at: number) => {
      // Another instance's commit: its author's reads go to the primary here too, without waiting for the
      // session cache to read their row again.
      readYourWrites?.noteWrite(event.authorId, Date.now());
      this.hub.onEvent(event, at);
    };
    this.listener = new Listener(options.listenUrl, { onEvent, onGap: () => this.hub.onGap() }, options.logger);
  }

  get limits(): Limits {
    return this.options.limits;
  }
  get metrics(): LiveMetrics {
    return this.options.metrics;
  }
  get formatError(): FormatError {
    return this.options.formatError;
  }
  clientAddressOf(request: IncomingMessage): string | undefined {
    return this.options.clientAddressOf(request);
  }

  async listen(): Promise<void> {
    await this.listener.start();
    this.recheck = setInterval(() => {
      this.hub
        .recheckViewers(this.options.sequelize)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'live: the viewers could not be rechecked'));
    }, this.options.limits.liveAuthRecheckMs);
    this.recheck.unref();
  }

  /** The viewer of a token (UNAUTHENTICATED for a bad one), and when a JWT runs out (with the clock skew its requests get). */
  async signIn(authorization: string | undefined, clientAddress: string): Promise<LiveSignIn> {
    const providers = this.options.identityProviders ?? NO_IDENTITY_PROVIDERS;
    const signedIn = await authenticate(authorization, this.options.sequelize, providers);
    const expiresAt = signedIn?.issuer ? providers.acceptedUntil(authorization!.slice('Bearer '.length)) : null;
    return { signedIn, expiresAt, clientAddress };
  }

  private readonly perClient = new Map<string, number>();

  /** Counts a new live connection of `client`; false (refuse it) when the client has as many as it may. */
  countConnection(client: string): boolean {
    const open = this.perClient.get(client) ?? 0;
    if (open >= this.options.limits.liveConnectionsPerClient) return false;
    this.perClient.set(client, open + 1);
    return true;
  }

  uncountConnection(client: string): void {
    const left = (this.perClient.get(client) ?? 1) - 1;
    if (left > 0) this.perClient.set(client, left);
    else this.perClient.delete(client);
  }

  /** An error as a client sees it, whatever threw it (an AppError of signing in, a GraphQLError). */
  formatted(error: unknown): GraphQLFormattedError {
    const graphqlError = toContextError(error);
    if (graphqlError instanceof GraphQLError) return this.options.formatError(graphqlError.toJSON(), graphqlError);
    return this.options.formatError({ message: 'internal error' }, error);
  }

  /**
   * Admits and starts one subscription for a signed-in connection: its execution arguments and results, or the
   * errors refusing it. With `send`, results go out through it from the fan-out (see startSubscription).
   */
  async subscribe(signIn: LiveSignIn, request: OperationRequest, send?: Send) {
    if (this.closing) return [liveError('SERVICE_UNAVAILABLE', 'this instance is restarting: connect again')];
    if (!this.listener.connected) return [liveError('EVENTS_MISSED', 'live data is reconnecting to the database: subscribe again shortly')];
    const admitted = admitOperation(this.options.schema, this.options.limits, request);
    if (Array.isArray(admitted)) return admitted;
    const contextValue: LiveContext = {
      sequelize: this.options.sequelize,
      viewer: signIn.signedIn?.user ?? null,
      sessionId: signIn.signedIn?.sessionId ?? null,
      issuer: signIn.signedIn?.issuer ?? null,
      loaders: new Loaders(),
      tokenTtlSeconds: this.options.tokenTtlSeconds,
      clientAddress: signIn.clientAddress,
      limits: this.options.limits,
      live: this.hub,
      expiresAt: signIn.expiresAt,
    };
    const args = {
      schema: this.options.schema,
      document: admitted.document,
      operationName: admitted.operationName,
      variableValues: admitted.variables,
      contextValue,
    };
    const results = await startSubscription(args, send);
    if (!('next' in results)) return [...results];
    return { args, results };
  }

  /** Stops taking subscriptions, lets the events heard so far go out (at most `graceMs`), stops listening. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.recheck) clearInterval(this.recheck);
    await Promise.race([this.hub.settled(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    await this.listener.stop();
  }
}
