import { performance } from 'node:perf_hooks';
import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Loaders } from '../loaders';
import { Feed } from './feed';
import { onThePrimary, type Delivery, type LiveContext } from './hub';

/**
 * One answer to an event, shared by the subscribers whose viewer (their loaders) and operation are the same:
 * executed once, and handed to each of them once it is ready, all from one promise rather than one each.
 */
class SharedResult {
  result: ExecutionResult | null = null;
  private readonly waiting: ((result: ExecutionResult) => void)[] = [];
  readonly ready: Promise<void>;

  constructor(running: ExecutionResult | Promise<ExecutionResult>) {
    this.ready = Promise.resolve(running).then((result) => {
      this.result = result;
      for (const take of this.waiting.splice(0)) take(result);
    });
  }

  /** Hands the result to `take` now if it is ready, else once it is; resolves when it has. */
  give(take: (result: ExecutionResult) => void): Promise<void> {
    if (this.result) take(this.result);
    else this.waiting.push(take);
    return this.ready;
  }
}

/** Answers of one event already worked out, by the loaders of the viewer they were read with (one set per viewer per event) and the operation. */
const resultsOfEvent = new WeakMap<Loaders, Map<string, SharedResult>>();

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** A subscription's results: one execution of its document per event it receives. */
export type Results = AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> };

/** Sends one result to a subscriber at once, from the fan-out (see Feed.consume). */
export type Send = (result: ExecutionResult) => void;

/**
 * Starts a subscription: its field's `subscribe` runs (refusing bad arguments, or an anonymous viewer where
 * one is needed, as errors), and every event is then executed with a context of its own: the subscriber's
 * viewer with the event's loaders (see Hub.fanOut), and a fresh answer budget. Subscribers with one viewer
 * (all the anonymous ones) and one document get the same answer, executed once for all of them.
 *
 * With `send`, each result goes out from the fan-out itself and the results only tell how the subscription
 * ends; without it, they are read one at a time (graphql-sse).
 */
export async function startSubscription(args: ExecutionArgs, send?: Send): Promise<Results | readonly GraphQLError[]> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source.errors ?? [new GraphQLError('the subscription could not start')];
  if (!(source instanceof Feed)) throw new Error('a live field must subscribe through the hub');
  const feed = source as Feed<Delivery>;
  const base = args.contextValue as LiveContext;
  const operationKey = JSON.stringify([args.operationName ?? null, args.document.loc?.source.body ?? null, args.variableValues ?? null]);
  const resultOf = (delivery: Delivery) => {
    let byOperation = resultsOfEvent.get(delivery.loaders);
    if (!byOperation) resultsOfEvent.set(delivery.loaders, (byOperation = new Map<string, SharedResult>()));
    let result = byOperation.get(operationKey);
    if (!result) {
      // Payload fields read more rows (a post's author, its other fields' lists): from the primary too.
      result = new SharedResult(onThePrimary(() => execute({ ...args, rootValue: delivery, contextValue: { ...base, loaders: delivery.loaders } })));
      byOperation.set(operationKey, result);
    }
    return result;
  };
  if (send) {
    feed.consume((delivery) =>
      resultOf(delivery).give((result) => {
        if (!feed.open) return; // ended while the answer was worked out: nothing more goes out
        send(result);
        base.live.delivered(performance.now() - delivery.receivedAt);
      }),
    );
  }
  const results: Results = {
    [Symbol.asyncIterator]: () => results,
    async next() {
      const next = await feed.next();
      if (next.done) return { value: undefined, done: true };
      const delivery = next.value;
      const shared = resultOf(delivery);
      await shared.ready;
      base.live.delivered(performance.now() - delivery.receivedAt);
      return { value: shared.result!, done: false };
    },
    return: async () => {
      await feed.return();
      return { value: undefined, done: true };
    },
  };
  return results;
}

/** A result with its errors as clients see them (codes, masking in production), as HTTP answers have them. */
export function formatResult(result: ExecutionResult, formatError: FormatError): ExecutionResult | { data?: unknown; errors: GraphQLFormattedError[] } {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
}

const serialized = new WeakMap<ExecutionResult, string>();

/** A result as JSON, formatted as clients see it: serialized once, however many subscribers share it. */
export function jsonOf(result: ExecutionResult, formatError: FormatError): string {
  let json = serialized.get(result);
  if (json === undefined) serialized.set(result, (json = JSON.stringify(formatResult(result, formatError))));
  return json;
}
