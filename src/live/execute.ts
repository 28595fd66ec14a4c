import { performance } from 'node:perf_hooks';
import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Loaders } from '../loaders';
import { onThePrimary, type Delivery, type LiveContext } from './hub';

/**
 * Results of one event already worked out, by the loaders of the viewer they were read with (one set per
 * viewer per event) and the operation: subscribers with one viewer (all the anonymous ones) and one document
 * get the same answer, so it is executed once for all of them.
 */
const resultsOfEvent = new WeakMap<Loaders, Map<string, Promise<ExecutionResult>>>();

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** A subscription's results: one execution of its document per event it receives. */
export type Results = AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> };

/**
 * Starts a subscription: its field's `subscribe` runs (refusing bad arguments, or an anonymous viewer where
 * one is needed, as errors), and every event is then executed with a context of its own: the subscriber's
 * viewer with the event's loaders (see Hub.fanOut), and a fresh answer budget.
 */
export async function startSubscription(args: ExecutionArgs): Promise<Results | readonly GraphQLError[]> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source.errors ?? [new GraphQLError('the subscription could not start')];
  const feed = source as AsyncIterableIterator<Delivery>;
  const base = args.contextValue as LiveContext;
  const operationKey = JSON.stringify([args.operationName ?? null, args.document.loc?.source.body ?? null, args.variableValues ?? null]);
  const resultOf = (delivery: Delivery) => {
    let byOperation = resultsOfEvent.get(delivery.loaders);
    if (!byOperation) resultsOfEvent.set(delivery.loaders, (byOperation = new Map<string, Promise<ExecutionResult>>()));
    let result = byOperation.get(operationKey);
    if (!result) {
      // Payload fields read more rows (a post's author, its other fields' lists): from the primary too.
      result = Promise.resolve(onThePrimary(() => execute({ ...args, rootValue: delivery, contextValue: { ...base, loaders: delivery.loaders } })));
      byOperation.set(operationKey, result);
    }
    return result;
  };
  const results: Results = {
    [Symbol.asyncIterator]: () => results,
    async next() {
      const next = await feed.next();
      if (next.done) return { value: undefined, done: true };
      const delivery = next.value;
      const value = await resultOf(delivery);
      base.live.delivered(performance.now() - delivery.receivedAt);
      return { value, done: false };
    },
    return: async () => {
      await feed.return?.();
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
