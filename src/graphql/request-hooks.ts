import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContext,
  GraphQLRequestContextDidResolveOperation,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestListener,
} from '@apollo/server';

/**
 * What one of the server's own plugins does for a request, as plain functions. Apollo calls every hook
 * of every plugin through Promise.all, a few promises per plugin and stage, and with AsyncLocalStorage
 * on (src/request-scope.ts) every promise costs a hook of its own; the server's hooks do no I/O, so they
 * run here one after another, in the order given, from a single Apollo plugin (requestHooksPlugin).
 */
export interface RequestHooks<TContext extends BaseContext = BaseContext> {
  /** The context could not be built (Apollo then answers with the error, and no other hook runs). */
  contextCreationDidFail?(failure: { error: Error }): void;
  requestDidStart?(context: GraphQLRequestContext<TContext>): void;
  /** May throw a GraphQLError, which refuses the request; the other hooks still run (as Apollo's Promise.all would). */
  didResolveOperation?(context: GraphQLRequestContextDidResolveOperation<TContext>): void;
  willSendResponse?(context: GraphQLRequestContextWillSendResponse<TContext>): void;
}

/** One Apollo plugin running `hooks` in order at each stage (see RequestHooks). */
export function requestHooksPlugin<TContext extends BaseContext>(hooks: RequestHooks<TContext>[]): ApolloServerPlugin<TContext> {
  const failing = hooks.flatMap((h) => (h.contextCreationDidFail ? [h.contextCreationDidFail.bind(h)] : []));
  const starting = hooks.flatMap((h) => (h.requestDidStart ? [h.requestDidStart.bind(h)] : []));
  const resolving = hooks.flatMap((h) => (h.didResolveOperation ? [h.didResolveOperation.bind(h)] : []));
  const sending = hooks.flatMap((h) => (h.willSendResponse ? [h.willSendResponse.bind(h)] : []));
  // The same listener for every request: the hooks keep what they need of a request in its context. Its
  // methods, and the plugin's, return no promise: Apollo awaits their results through Promise.all either
  // way, and an async function would add a promise (and its async-context copy) per stage to every request.
  const listener: Synchronous<GraphQLRequestListener<TContext>, 'didResolveOperation' | 'willSendResponse'> = {
    didResolveOperation: (context) => runAll(resolving, context),
    willSendResponse: (context) => runAll(sending, context),
  };
  const plugin: Synchronous<ApolloServerPlugin<TContext>, 'contextCreationDidFail' | 'requestDidStart'> = {
    contextCreationDidFail: (failure) => runAll(failing, failure),
    requestDidStart(context) {
      runAll(starting, context);
      return listener as GraphQLRequestListener<TContext>;
    },
  };
  return plugin as ApolloServerPlugin<TContext>;
}

/** `Hooks` with the methods named by `Names` returning their promise's value itself. */
type Synchronous<Hooks, Names extends keyof Hooks> = {
  [Name in Names]-?: Hooks[Name] extends ((...args: infer Args) => Promise<infer Value>) | undefined ? (...args: Args) => Value : never;
};

/** Calls every hook, then throws the first error one of them threw, if any. */
function runAll<T>(hooks: ((context: T) => void)[], context: T): void {
  let failure: { error: unknown } | undefined;
  for (const hook of hooks) {
    try {
      hook(context);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
